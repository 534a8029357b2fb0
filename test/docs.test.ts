// Runs every ```ts code block in README.md and docs/*.md, so no example in the docs can rot.
// Each block is written to a git-ignored folder and imported as a module (top-level await works).
// In README.md and the learn pages, a `console.log(...); // value` line's comment is checked against what
// the line printed, where the comment states plain values (test/doc-claims.ts says which).

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkClaim } from './doc-claims.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test', '.docblocks');

function blocks(file: string): { line: number; code: string }[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: { line: number; code: string }[] = [];
  const re = /^```ts\n([\s\S]*?)^```/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ line: text.slice(0, m.index).split('\n').length, code: m[1] });
  }
  return out;
}

const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Files whose `console.log(...); // value` comments are checked against what the line prints. */
const claimFiles = new Set(files.filter((f) => f === 'README.md' || /^docs\/learn-.*\.md$/.test(f)));
const CLAIM_LINE = /^(\s*)console\.log\((.*)\);\s*\/\/(.*)$/;
const checked: string[] = [];

/** The block with each claimed console.log line calling __claim(line, comment, ...args) instead. */
function withClaims(code: string): string {
  return code.split('\n').map((l, k) => {
    const m = CLAIM_LINE.exec(l);
    return m ? `${m[1]}(globalThis as any).__claim(${k}, ${JSON.stringify(m[3])}, ${m[2]}); //${m[3]}` : l;
  }).join('\n');
}

describe.each(files)('%s', (file) => {
  const list = blocks(file);
  it('collects every ```ts fence of the file', () => {
    const fences = readFileSync(join(root, file), 'utf8').match(/^```ts$/gm) ?? [];
    expect(list.length).toBe(fences.length);
  });
  it.each(list.map((b) => [b.line, b.code] as const))('block at line %i runs', async (line, code) => {
    const path = join(outDir, `${file.replace(/[/.]/g, '_')}_${line}.ts`);
    const claims = claimFiles.has(file);
    writeFileSync(path, `${claims ? withClaims(code) : code}\nexport {};\n`);
    const seen = new Map<number, { comment: string; args: unknown[] }>();
    (globalThis as { __claim?: unknown }).__claim = (k: number, comment: string, ...args: unknown[]) => {
      if (!seen.has(k)) seen.set(k, { comment, args }); // a line in a loop: its first print
      console.log(...args);
    };
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(/* @vite-ignore */ path);
    } finally {
      log.mockRestore();
      delete (globalThis as { __claim?: unknown }).__claim;
    }
    const wrong: string[] = [];
    for (const [k, { comment, args }] of seen) {
      const r = checkClaim(comment, args);
      if (r === 'prose') continue;
      if (r === 'ok') checked.push(`${file}:${line + k + 1}`);
      else wrong.push(`${file}:${line + k + 1}: ${r}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('printed values claimed in README.md and the learn pages', () => {
  it('are checked for most claimed lines (the rest are prose or objects)', () => {
    // every block above ran before this test; the count guards against the checker silently reading nothing
    expect(checked.length).toBeGreaterThanOrEqual(40);
  });
});
