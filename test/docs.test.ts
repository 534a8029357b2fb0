// Runs every ```ts code block in README.md and docs/*.md, so no example in the docs can rot.
// Each block is written to a git-ignored folder and imported as a module (top-level await works).

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

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

describe.each(files)('%s', (file) => {
  const list = blocks(file);
  it('collects every ```ts fence of the file', () => {
    const fences = readFileSync(join(root, file), 'utf8').match(/^```ts$/gm) ?? [];
    expect(list.length).toBe(fences.length);
  });
  it.each(list.map((b) => [b.line, b.code] as const))('block at line %i runs', async (line, code) => {
    const path = join(outDir, `${file.replace(/[/.]/g, '_')}_${line}.ts`);
    writeFileSync(path, `${code}\nexport {};\n`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(/* @vite-ignore */ path);
    } finally {
      log.mockRestore();
    }
  });
});
