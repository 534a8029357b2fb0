// The browser build (scripts/build.mjs) replaces each src file that has a `name.browser.ts` sibling by
// that sibling. Code elsewhere imports the Node file's names, so a stand-in that lacks one (or whose
// exports drift after a rename) would break only in browsers: here each pair must export the same names.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const pairs = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.browser.ts') && !f.endsWith('matmul-worker.browser.ts')) // the worker is an entry point, imported by no one
  .map((f) => [join(SRC, f.replace(/\.browser\.ts$/, '.ts')), join(SRC, f)] as const);

describe('browser stand-ins (*.browser.ts)', () => {
  it('there are some (the browser build swaps them in)', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(2);
  });
  const program = ts.createProgram(pairs.flat(), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true });
  const checker = program.getTypeChecker();
  const exportsOf = (file: string): string[] => {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!);
    return symbol ? checker.getExportsOfModule(symbol).map((s) => s.name).sort() : [];
  };
  it.each(pairs.map(([node, browser]) => [browser.slice(SRC.length + 1), node, browser]))('%s exports the names its Node sibling does', (_name, node, browser) => {
    expect(exportsOf(browser)).toEqual(exportsOf(node));
  });
});
