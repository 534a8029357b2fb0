// The tape view's engine, free of the DOM: parse an expression, evaluate it with tapegrad tensors (so
// the tape records it), lay the recorded graph out in columns, and walk backward one node at a time by
// calling each op's VJP from the op table (tg.OPS), exactly as src/autograd/tape.ts does.

import { apply } from '../src/autograd/tensor.js';
import * as tg from '../src/index.js';

/** A parsed expression. */
type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'var'; name: string }
  | { kind: 'unary'; op: '-'; arg: Expr }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr }
  | { kind: 'call'; fn: FnName; arg: Expr };

const FUNCTIONS = ['relu', 'tanh', 'sigmoid', 'exp', 'log', 'sin', 'cos', 'sqrt', 'abs'] as const;
type FnName = (typeof FUNCTIONS)[number];

/** Presets the page offers. */
export const PRESETS: Record<string, { expr: string; values: string }> = {
  'one neuron': { expr: 'tanh(x1*w1 + x2*w2 + b)', values: 'x1 = 2, x2 = 0, w1 = -3, w2 = 1, b = 6.8813735870195432' },
  'a two-layer MLP': {
    expr: 'sigmoid(v1*relu(w11*x + w12*y + b1) + v2*relu(w21*x + w22*y + b2) + c)',
    values: 'x = 0.5, y = -1, w11 = 0.8, w12 = -0.4, b1 = 0.1, w21 = -0.6, w22 = 0.9, b2 = 0.3, v1 = 1.5, v2 = -1.2, c = 0.2',
  },
  'a square': { expr: 'a*a + a', values: 'a = 3' },
};

/** Parses `a = 2, b = -3` into numbers; throws a message that points at the bad part. */
export function parseValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const part of text.split(/[,;\n]/)) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? '' : part.slice(0, eq).trim();
    const value = eq < 0 ? NaN : Number(part.slice(eq + 1).trim());
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !Number.isFinite(value) || part.slice(eq + 1).trim() === '') {
      throw new Error(`values: cannot read "${part.trim()}"; write name = number, separated by commas`);
    }
    values.set(name, value);
  }
  return values;
}

/** A recursive-descent parser: expr = term (± term)*, term = factor (×/÷ factor)*, factor = unary (^ factor)?. */
export function parseExpression(src: string): Expr {
  const tokens = src.match(/\d+\.?\d*(?:e[+-]?\d+)?|\.\d+|[A-Za-z_][A-Za-z0-9_]*|\*\*|[-+*/^()]|\S/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const expect = (t: string): void => {
    if (tokens[pos] !== t) throw new Error(`expression: expected "${t}" at token ${pos + 1}, found ${tokens[pos] === undefined ? 'the end' : `"${tokens[pos]}"`}`);
    pos++;
  };
  const primary = (): Expr => {
    const t = peek();
    if (t === undefined) throw new Error('expression: unexpected end');
    if (t === '(') { pos++; const e = sum(); expect(')'); return e; }
    if (/^[\d.]/.test(t)) { pos++; return { kind: 'num', value: Number(t) }; }
    if (/^[A-Za-z_]/.test(t)) {
      pos++;
      if (peek() === '(') {
        if (!(FUNCTIONS as readonly string[]).includes(t)) throw new Error(`expression: unknown function ${t}(); known: ${FUNCTIONS.join(', ')}`);
        pos++; const arg = sum(); expect(')');
        return { kind: 'call', fn: t as FnName, arg };
      }
      return { kind: 'var', name: t };
    }
    throw new Error(`expression: unexpected "${t}" at token ${pos + 1}`);
  };
  const unary = (): Expr => {
    if (peek() === '-') { pos++; return { kind: 'unary', op: '-', arg: unary() }; }
    if (peek() === '+') { pos++; return unary(); }
    return power();
  };
  const power = (): Expr => {
    const base = primary();
    if (peek() === '^' || peek() === '**') { pos++; return { kind: 'binary', op: '^', left: base, right: unary() }; }
    return base;
  };
  const product = (): Expr => {
    let e = unary();
    while (peek() === '*' || peek() === '/') { const op = tokens[pos++] as '*' | '/'; e = { kind: 'binary', op, left: e, right: unary() }; }
    return e;
  };
  const sum = (): Expr => {
    let e = product();
    while (peek() === '+' || peek() === '-') { const op = tokens[pos++] as '+' | '-'; e = { kind: 'binary', op, left: e, right: product() }; }
    return e;
  };
  const e = sum();
  if (pos !== tokens.length) throw new Error(`expression: unexpected "${tokens[pos]}" at token ${pos + 1}`);
  return e;
}

/** The expression evaluated on the tape: the result, and a name for each variable's leaf tensor. */
export interface Evaluated { out: tg.Tensor; names: Map<tg.Tensor, string> }

/** Evaluates with float64 scalar tensors; each variable is a leaf that requires grad. */
export function evaluate(expr: Expr, values: Map<string, number>): Evaluated {
  const leaves = new Map<string, tg.Tensor>();
  const names = new Map<tg.Tensor, string>();
  const go = (e: Expr): tg.Tensor => {
    switch (e.kind) {
      case 'num': return tg.tensor(e.value, { dtype: 'float64' });
      case 'var': {
        let t = leaves.get(e.name);
        if (!t) {
          const v = values.get(e.name);
          if (v === undefined) throw new Error(`values: no value for ${e.name}; add "${e.name} = …"`);
          t = tg.tensor(v, { dtype: 'float64', requiresGrad: true });
          leaves.set(e.name, t);
          names.set(t, e.name);
        }
        return t;
      }
      case 'unary': return go(e.arg).neg();
      case 'call': return go(e.arg)[e.fn]();
      case 'binary': {
        const a = go(e.left);
        const b = go(e.right);
        if (e.op === '+') return a.add(b);
        if (e.op === '-') return a.sub(b);
        if (e.op === '*') return a.mul(b);
        if (e.op === '/') return a.div(b);
        return e.right.kind === 'num' ? a.pow(e.right.value) : a.pow(b);
      }
    }
  };
  const out = go(expr);
  if (!out.requiresGrad) throw new Error('expression: it has no variables, so there is nothing to differentiate');
  return { out, names };
}

/** One drawn node: a tensor of the graph, where it sits, and its label. */
export interface GraphNode {
  id: number;
  tensor: tg.Tensor;
  /** 'op' for a recorded op, else 'variable' or 'constant'. */
  kind: 'op' | 'variable' | 'constant';
  label: string;
  value: number;
  /** Column (longest path from a leaf) and row within the column. */
  col: number;
  row: number;
  inputs: number[];
}

/** Every tensor behind `out`, inputs first (an explicit stack, as the tape's own walk). */
export function layout(ev: Evaluated): GraphNode[] {
  const order: tg.Tensor[] = [];
  const seen = new Set<tg.Tensor>();
  const stack: [tg.Tensor, number][] = [[ev.out, 0]];
  seen.add(ev.out);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const ins = top[0].node?.inputs ?? [];
    if (top[1] < ins.length) {
      const next = ins[top[1]++];
      if (!seen.has(next)) { seen.add(next); stack.push([next, 0]); }
    } else { stack.pop(); order.push(top[0]); }
  }
  const index = new Map(order.map((t, i) => [t, i]));
  const cols = new Map<tg.Tensor, number>();
  for (const t of order) cols.set(t, t.node ? 1 + Math.max(...(t.node.inputs ?? []).map((x) => cols.get(x)!)) : 0);
  const rowsUsed = new Map<number, number>();
  return order.map((t, id) => {
    const col = cols.get(t)!;
    const row = rowsUsed.get(col) ?? 0;
    rowsUsed.set(col, row + 1);
    const kind = t.node ? 'op' : t.requiresGrad ? 'variable' : 'constant';
    const label = t.node ? t.node.op : ev.names.get(t) ?? String(t.item());
    return { id, tensor: t, kind, label, value: t.item(), col, row, inputs: (t.node?.inputs ?? []).map((x) => index.get(x)!) };
  });
}

/** One step of the backward walk: the node whose VJP ran and the gradient it sent to each input. */
export interface BackwardStep { node: number; gradIn: number; toInputs: { input: number; grad: number }[] }

/**
 * The backward walk, one op at a time in reverse order, each step calling `tg.OPS[op].vjp` as the tape
 * does. Returns the steps and every node's final gradient (d out / d node).
 */
export function backwardSteps(nodes: GraphNode[]): { steps: BackwardStep[]; grads: number[] } {
  const grads: (tg.Tensor | null)[] = nodes.map(() => null);
  const last = nodes.length - 1;
  grads[last] = tg.tensor(1, { dtype: 'float64' });
  const steps: BackwardStep[] = [];
  tg.noGrad(() => {
    for (let i = last; i >= 0; i--) {
      const n = nodes[i];
      const g = grads[i];
      const node = n.tensor.node;
      if (!g || !node || !node.inputs) continue;
      const inputs = node.inputs;
      const needs = inputs.map((x) => x.requiresGrad);
      const vjp = tg.OPS[node.op].vjp as (g: tg.Tensor, ctx: { inputs: readonly tg.Tensor[]; output: tg.Tensor; attrs: unknown; needs: readonly boolean[]; apply: typeof apply }) => (tg.Tensor | null)[];
      const out = vjp(g, { inputs, output: n.tensor, attrs: node.attrs, needs, apply });
      const toInputs: BackwardStep['toInputs'] = [];
      out.forEach((gi, k) => {
        if (!gi || !needs[k]) return;
        const j = n.inputs[k];
        grads[j] = grads[j] ? grads[j]!.add(gi) : gi;
        toInputs.push({ input: j, grad: gi.item() });
      });
      steps.push({ node: i, gradIn: g.item(), toInputs });
    }
  });
  return { steps, grads: grads.map((g) => (g ? g.item() : 0)) };
}

/** The math comment above each op in src/autograd/ops.ts (extracted at build time), by op name. */
export type VjpRules = Record<string, string>;
