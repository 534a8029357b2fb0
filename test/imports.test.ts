// The import graph of src/: no value-import cycles (type-only imports are erased and may point anywhere),
// and imports point down the layers: tensor <- autograd <- nn/optim <- keras/data/text/plot/io.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The src files that `file` imports as values (static imports, re-exports and dynamic import()). */
function valueImports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const add = (spec: string): void => {
    if (!spec.startsWith('.')) return;
    out.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const typeOnly = c !== undefined && (c.isTypeOnly || (c.name === undefined && c.namedBindings !== undefined
        && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) add(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause)
        && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) add(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) add(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, valueImports(f)]));
const rel = (f: string): string => path.relative(SRC, f);

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
function cycles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  // iterative Tarjan: each frame is a node and the position in its import list
  for (const root of files) {
    if (index.has(root)) continue;
    const frames: [string, number][] = [[root, 0]];
    index.set(root, counter); low.set(root, counter++); stack.push(root); onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const [v, i] = frame;
      const next = (graph.get(v) ?? [])[i];
      if (next !== undefined) {
        frame[1]++;
        if (!graph.has(next)) continue;
        if (!index.has(next)) {
          index.set(next, counter); low.set(next, counter++); stack.push(next); onStack.add(next);
          frames.push([next, 0]);
        } else if (onStack.has(next)) low.set(v, Math.min(low.get(v)!, index.get(next)!));
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== v);
        if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.map(rel).sort());
      }
    }
  }
  return out;
}

// Each folder's layer; a file may import values from its own layer or below. A folder not listed is at the
// top (it may import anything; nothing listed may import it), until it is given its place here.
const LAYER: Record<string, number> = { tensor: 0, autograd: 1, nn: 2, optim: 2, io: 2, data: 3, text: 3, plot: 3, metrics: 3, keras: 4, onnx: 4, testing: 4, baselines: 4, robust: 5 };
const TOP = 5;

describe('import graph of src/', () => {
  it('finds the src files and their imports', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(graph.get(path.join(SRC, 'autograd/tensor.ts'))).toContain(path.join(SRC, 'tensor/ndarray.ts'));
  });

  it('has no value-import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it('imports point down: tensor <- autograd <- nn/optim/io <- data/text/plot <- keras', () => {
    const up: string[] = [];
    for (const [file, deps] of graph) {
      const from = rel(file).split(path.sep);
      if (from.length < 2) continue; // src/index.ts gathers everything
      for (const dep of deps) {
        const to = rel(dep).split(path.sep);
        if (to.length < 2 || from[0] === to[0]) continue;
        if ((LAYER[to[0]] ?? TOP) > (LAYER[from[0]] ?? TOP)) up.push(`${rel(file)} -> ${rel(dep)}`);
      }
    }
    expect(up).toEqual([]);
  });
});
