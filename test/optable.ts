// The op table (in the spirit of PyTorch's OpInfo): one entry per public differentiable op, with sample
// inputs, a plain float64 reference (test/reference.ts), its gradient order and its error inputs.
// test/ops.test.ts generates every suite from this table: add an op here and it is tested everywhere.

import { readFileSync } from 'node:fs';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';
import * as R from './reference.js';
import * as R2 from './reference-ops.js';
import { type Arr, map, mapN, zip } from './reference.js';
import * as RI from './reference-images.js';

/** Reference erf: its Maclaurin series 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)), plenty accurate for |x| ≤ 2. */
function erfRef(x: number): number {
  let term = x; // (−1)ⁿ x^(2n+1) / n!
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const F = tg.nn.functional;

// PyTorch's values at conventional points (see OpInfo.points); inf and nan travel as strings in the JSON.
const POW_POINTS = JSON.parse(readFileSync(new URL('./fixtures/hardening/pow-zero.json', import.meta.url), 'utf8')) as {
  cases: { name: string; inputs: EncArr[]; output: EncArr; grads: EncArr[] }[];
};
interface EncArr { shape: number[]; data: (number | string)[] }
const NON_FINITE: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN };
const decodeArr = (e: EncArr): Arr => R.arr(e.shape, e.data.map((v) => (typeof v === 'string' ? NON_FINITE[v] : v)));
/** The fixture case named `name`, as a TorchPoint. */
function torchPoints(name: string): TorchPoint[] {
  const c = POW_POINTS.cases.find((k) => k.name === name);
  if (!c) throw new Error(`optable: no PyTorch fixture case named ${name}`);
  return [{ inputs: c.inputs.map(decodeArr), output: decodeArr(c.output), grads: c.grads.map(decodeArr) }];
}

/** One sample: the op's inputs as plain float64 data + shapes (tensors are made from them per suite). */
export interface Sample {
  inputs: Arr[];
}

/** An input the op must reject, and the message it must give (`fn` defaults to the entry's fn). */
export interface ErrorInput {
  inputs: Arr[];
  fn?: (...xs: Tensor[]) => Tensor;
  message: RegExp;
}

export interface OpInfo {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  samples: () => Sample[];
  /** Independent float64 reference on the same inputs. */
  ref: (...xs: Arr[]) => Arr;
  /** Highest derivative checked: gradcheck ('first'), also gradgradcheck ('second'), or none. */
  grad: 'first' | 'second' | false;
  /** Inputs that are constants (labels, indices, conditions): never require grad, never perturbed. */
  nondiff?: number[];
  /** The output dtype when the op fixes it (casts); otherwise the output keeps the inputs' dtype. */
  dtype?: 'float32' | 'float64' | 'int32';
  /** Elementwise with NumPy broadcasting among its inputs (drives the broadcast suite). */
  broadcasts?: boolean;
  /** gradcheck options where the defaults do not fit (with a comment saying why). */
  check?: tg.GradcheckOptions;
  errors?: ErrorInput[];
  /**
   * Points where the textbook derivative is 0·∞ or undefined (0^0, the exponent's gradient at a base of 0)
   * and PyTorch follows a convention: the inputs, PyTorch's output and its gradients of out.sum(), from a
   * fixture that scripts/fixtures/hardening.py wrote with PyTorch. Suite g) checks them exactly.
   */
  points?: TorchPoint[];
}

/** One case at conventional points: inputs, PyTorch's output, and its gradient of out.sum() per input. */
export interface TorchPoint {
  inputs: Arr[];
  output: Arr;
  grads: Arr[];
}

// ---- sample data -----------------------------------------------------------------------------

/** Seeded draws of sample data, with the domains that keep samples away from kinks and ties. */
export class Draw {
  constructor(private readonly gen: tg.Generator) {}

  private fill(shape: readonly number[], f: (i: number) => number): Arr {
    return R.arr(shape, Array.from({ length: R.sizeOf(shape) }, (_, i) => f(i)));
  }
  uniform(shape: readonly number[], lo = -2, hi = 2): Arr {
    return this.fill(shape, () => lo + (hi - lo) * this.gen.random());
  }
  /** Uniform, but at least `gap` away from each of `points` (the kinks of abs, relu, clamp...). */
  away(shape: readonly number[], points: readonly number[], lo = -2, hi = 2, gap = 0.1): Arr {
    return this.fill(shape, () => {
      for (;;) {
        const v = lo + (hi - lo) * this.gen.random();
        if (points.every((p) => Math.abs(v - p) >= gap)) return v;
      }
    });
  }
  /** All values distinct and ≥ 0.1 apart (no ties for max/min), in random order. */
  distinct(shape: readonly number[]): Arr {
    const perm = this.gen.permutation(R.sizeOf(shape));
    return this.fill(shape, (i) => -2 + 0.15 * perm[i] + 0.05 * this.gen.random());
  }
  /** Odd (parity 1) or even (parity 0) multiples of 0.25: draws of different parity never tie. */
  grid(shape: readonly number[], parity: 0 | 1): Arr {
    return this.fill(shape, () => (2 * this.gen.randint(-6, 7) + parity) * 0.25);
  }
  ints(shape: readonly number[], lo: number, hi: number): Arr {
    return this.fill(shape, () => this.gen.randint(lo, hi));
  }
  mask(shape: readonly number[]): Arr {
    return this.ints(shape, 0, 2);
  }
  /** Rows (last axis) of probabilities summing to 1. */
  probs(shape: readonly number[]): Arr {
    return R.mapLanes(this.uniform(shape), -1, R.softmaxOf);
  }
}

type Dom = (d: Draw, shape: readonly number[]) => Arr;
const any: Dom = (d, s) => d.uniform(s);
const positive: Dom = (d, s) => d.uniform(s, 0.5, 2.5);
const nonzero: Dom = (d, s) => d.away(s, [0]);
const distinct: Dom = (d, s) => d.distinct(s);

let nextSeed = 1;
/** Samples drawn from a generator seeded per entry, so every call returns the same data. */
function sampler(make: (d: Draw) => Arr[][]): () => Sample[] {
  const seed = nextSeed++;
  return () => make(new Draw(new tg.Generator(seed))).map((inputs) => ({ inputs }));
}

/** A zero-filled input for error cases (the data does not matter, only the shape). */
const Z = (...shape: number[]): Arr => R.arr(shape, new Float64Array(R.sizeOf(shape)));
/** An input with given values and shape. */
const V = (shape: number[], values: number[]): Arr => R.arr(shape, values);

// ---- builders --------------------------------------------------------------------------------

const UNARY_SHAPES = [[], [1], [5], [2, 3], [2, 1, 3]];
/** Shape pairs for binary ops: equal, trailing, size-1 both ways, scalars, rank-3 against rank-2. */
const BINARY_SHAPES: [number[], number[]][] = [
  [[2, 3], [2, 3]], [[2, 3], [3]], [[3], [2, 3]], [[2, 1], [1, 3]], [[], [2, 3]], [[2, 3], []], [[], []], [[3, 1, 2], [4, 1]],
];

type Extra = Partial<Omit<OpInfo, 'name' | 'fn' | 'ref' | 'samples'>>;

/** A one-input op with its own reference over whole arrays, on the given shapes. */
function op1(name: string, fn: (x: Tensor) => Tensor, ref: (x: Arr) => Arr, shapes: number[][], dom: Dom = any, extra: Extra = {}): OpInfo {
  return { name, fn, ref, samples: sampler((d) => shapes.map((s) => [dom(d, s)])), grad: 'second', ...extra };
}

/** An elementwise one-input op given by its scalar function. */
function unary(name: string, fn: (x: Tensor) => Tensor, f: (v: number) => number, dom: Dom = any, extra: Extra = {}): OpInfo {
  return op1(name, fn, (x) => map(x, f), UNARY_SHAPES, dom, extra);
}

/** An elementwise two-input op with broadcasting; its error inputs are the standard broadcast/type ones. */
function binary(name: string, fn: (a: Tensor, b: Tensor) => Tensor, f: (a: number, b: number) => number, domA: Dom = any, domB: Dom = any): OpInfo {
  return {
    name, fn, ref: (a, b) => zip(a, b, f), grad: 'second', broadcasts: true,
    samples: sampler((d) => BINARY_SHAPES.map(([sa, sb]) => [domA(d, sa), domB(d, sb)])),
    errors: [
      { inputs: [Z(2, 3), Z(4)], message: new RegExp(`^${name}: shapes \\[2,3\\] and \\[4\\] cannot be broadcast`) },
      { inputs: [Z(2, 1, 3), Z(4, 2)], message: new RegExp(`^${name}: shapes \\[2,1,3\\] and \\[4,2\\] cannot be broadcast`) },
      { inputs: [Z(2)], fn: (a) => fn(a, 'x' as unknown as Tensor), message: new RegExp(`^${name}: expected a Tensor or a number, got string`) },
    ],
  };
}

type AxisArg = number | number[] | undefined;
/** Axis variants for reductions: all, single, negative, several; each with shapes it is valid on. */
const AXES: { label: string; axis: AxisArg; shapes: number[][] }[] = [
  { label: 'all', axis: undefined, shapes: [[], [4], [2, 3], [2, 1, 3]] },
  { label: '0', axis: 0, shapes: [[4], [2, 3], [3, 1, 2]] },
  { label: '1', axis: 1, shapes: [[2, 3], [4, 1], [2, 3, 2]] },
  { label: '-1', axis: -1, shapes: [[4], [2, 3], [2, 3, 2]] },
  { label: '[0,2]', axis: [0, 2], shapes: [[2, 3, 2], [3, 1, 2]] },
  { label: '[-1,0]', axis: [-1, 0], shapes: [[2, 3], [2, 1, 3]] },
];
const reducedCount = (shape: number[], axis: AxisArg) => R.sizeOf(R.normAxes(axis, shape.length).map((a) => shape[a]));

/** One entry per axis variant × keepdims; the error inputs go on the first. */
function reduction(
  op: string, call: (x: Tensor, axis: AxisArg, keepdims: boolean) => Tensor, f: (vals: number[]) => number,
  dom: Dom, errors: ErrorInput[], minCount = 1,
): OpInfo[] {
  return AXES.flatMap(({ label, axis, shapes }) => [false, true].map((keepdims): OpInfo => ({
    name: `${op}(axis=${label}${keepdims ? ', keepdims' : ''})`,
    fn: (x) => call(x, axis, keepdims),
    ref: (x) => R.reduceLanes(x, axis, keepdims, f),
    samples: sampler((d) => shapes.filter((s) => reducedCount(s, axis) >= minCount).map((s) => [dom(d, s)])),
    grad: 'second',
  }))).map((e, i) => (i === 0 ? { ...e, errors } : e));
}

/** Standard axis errors for a reduction named `op` (called through `call`). */
function axisErrors(op: string, call: (x: Tensor, axis: number | number[]) => Tensor): ErrorInput[] {
  return [
    { inputs: [Z(2, 3)], fn: (x) => call(x, 5), message: new RegExp(`^${op}: axis 5 is out of range for a tensor of 2 dimensions`) },
    { inputs: [Z(2, 3)], fn: (x) => call(x, -3), message: new RegExp(`^${op}: axis -3 is out of range for a tensor of 2 dimensions`) },
    { inputs: [Z(2, 3)], fn: (x) => call(x, [1, -1]), message: new RegExp(`^${op}: axis 1 appears more than once`) },
    { inputs: [Z(2, 3)], fn: (x) => call(x, 0.5), message: new RegExp(`^${op}: axis 0.5 is out of range`) },
  ];
}

/** softmax / logSoftmax along each axis, on the shapes that have it. */
function alongAxis(op: string, call: (x: Tensor, axis: number) => Tensor, lane: (v: number[]) => number[], errors: ErrorInput[]): OpInfo[] {
  return [0, 1, -1].map((axis, i): OpInfo => ({
    name: `${op}(axis=${axis})`,
    fn: (x) => call(x, axis),
    ref: (x) => R.mapLanes(x, axis, lane),
    samples: sampler((d) => [[4], [2, 3], [1, 3], [2, 3, 2]].filter((s) => axis < s.length).map((s) => [d.uniform(s, -3, 3)])),
    grad: 'second',
    ...(i === 0 ? { errors } : {}),
  }));
}

type Reduction = 'mean' | 'sum' | 'none';
const labelsOf = (l: Arr): number[] => [...l.data];

// ---- the table -------------------------------------------------------------------------------

const elementwise: OpInfo[] = [
  unary('neg', (x) => tg.neg(x), (v) => -v),
  unary('exp', (x) => tg.exp(x), Math.exp),
  unary('log', (x) => tg.log(x), Math.log, positive),
  unary('log1p', (x) => tg.log1p(x), Math.log1p, (d, s) => d.uniform(s, -0.5, 2)),
  unary('expm1', (x) => x.expm1(), Math.expm1),
  unary('sqrt', (x) => tg.sqrt(x), Math.sqrt, positive),
  unary('rsqrt', (x) => x.rsqrt(), (v) => 1 / Math.sqrt(v), positive),
  unary('reciprocal', (x) => x.reciprocal(), (v) => 1 / v, nonzero),
  unary('square', (x) => x.square(), (v) => v * v),
  unary('abs', (x) => tg.abs(x), Math.abs, nonzero),
  unary('relu', (x) => tg.relu(x), (v) => Math.max(v, 0), nonzero),
  unary('sigmoid', (x) => tg.sigmoid(x), R.sigmoid, (d, s) => d.uniform(s, -4, 4)),
  unary('tanh', (x) => tg.tanh(x), Math.tanh),
  unary('sin', (x) => x.sin(), Math.sin, (d, s) => d.uniform(s, -4, 4)),
  unary('erf', (x) => x.erf(), erfRef, (d, s) => d.uniform(s, -2, 2)),
  unary('erfc', (x) => x.erfc(), (v) => 1 - erfRef(v), (d, s) => d.uniform(s, -2, 2)),
  unary('cos', (x) => x.cos(), Math.cos, (d, s) => d.uniform(s, -4, 4)),
  unary('clamp(x, -0.5, 0.7)', (x) => tg.clamp(x, -0.5, 0.7), (v) => Math.min(Math.max(v, -0.5), 0.7), (d, s) => d.away(s, [-0.5, 0.7]), {
    errors: [{ inputs: [Z(2)], fn: (x) => x.clamp(1, -1), message: /^clamp: min 1 is greater than max -1/ }],
  }),
  unary('clamp(x, null, 0.3)', (x) => x.clamp(null, 0.3), (v) => Math.min(v, 0.3), (d, s) => d.away(s, [0.3])),
  unary('clamp(x, -0.2)', (x) => x.clamp(-0.2), (v) => Math.max(v, -0.2), (d, s) => d.away(s, [-0.2])),
  // pow's points follow PyTorch at 0: d(x^0) = 0 (also at x = 0), d(0^b)/db = 0 for b ≥ 0, d(a^0)/da = 0
  unary('pow(x, 0)', (x) => x.pow(0), () => 1, any, { points: torchPoints('pow(x, 0)') }),
  unary('pow(x, 2)', (x) => x.pow(2), (v) => v * v, any, { points: torchPoints('pow(x, 2)') }),
  unary('pow(x, 3)', (x) => tg.pow(x, 3), (v) => v ** 3, any, { points: torchPoints('pow(x, 3)') }),
  unary('pow(x, 0.5)', (x) => x.pow(0.5), Math.sqrt, positive, { points: torchPoints('pow(x, 0.5)') }),
  unary('pow(x, -1.5)', (x) => x.pow(-1.5), (v) => v ** -1.5, positive),
  unary('softplus', (x) => F.softplus(x), R.softplus, (d, s) => d.away(s, [0], -5, 5)),
  unary('leakyRelu', (x) => F.leakyRelu(x), (v) => (v > 0 ? v : 0.01 * v), nonzero),
  unary('leakyRelu(x, 0.2)', (x) => F.leakyRelu(x, 0.2), (v) => (v > 0 ? v : 0.2 * v), nonzero),
  unary('logSigmoid', (x) => F.logSigmoid(x), (v) => -R.softplus(-v), (d, s) => d.away(s, [0], -5, 5)),
  unary('add(x, 2.5)', (x) => x.add(2.5), (v) => v + 2.5),
  unary('sub(2, x)', (x) => tg.sub(2, x), (v) => 2 - v),
  unary('mul(3, x)', (x) => tg.mul(3, x), (v) => 3 * v),
  unary('div(1, x)', (x) => tg.div(1, x), (v) => 1 / v, nonzero),
  unary('pow(2, x)', (x) => tg.pow(2, x), (v) => 2 ** v, any, { points: torchPoints('pow(2, x)') }),
  unary('pow(0, x)', (x) => tg.pow(0, x), (v) => 0 ** v, positive, { points: torchPoints('pow(0, x)') }),

  binary('add', (a, b) => tg.add(a, b), (a, b) => a + b),
  binary('sub', (a, b) => tg.sub(a, b), (a, b) => a - b),
  binary('mul', (a, b) => tg.mul(a, b), (a, b) => a * b),
  binary('div', (a, b) => tg.div(a, b), (a, b) => a / b, any, nonzero),
  { ...binary('pow', (a, b) => tg.pow(a, b), Math.pow, positive, any), points: torchPoints('pow(a, b)') },
  binary('maximum', (a, b) => tg.maximum(a, b), Math.max, (d, s) => d.grid(s, 1), (d, s) => d.grid(s, 0)),
  binary('minimum', (a, b) => tg.minimum(a, b), Math.min, (d, s) => d.grid(s, 1), (d, s) => d.grid(s, 0)),
  {
    name: 'where', fn: (c, a, b) => tg.where(c, a, b), nondiff: [0], broadcasts: true, grad: 'second',
    ref: (c, a, b) => mapN([c, a, b], (cv, av, bv) => (cv !== 0 ? av : bv)),
    samples: sampler((d) => [
      [d.mask([2, 3]), d.uniform([2, 3]), d.uniform([2, 3])],
      [d.mask([2, 3]), d.uniform([3]), d.uniform([2, 1])],
      [d.mask([3]), d.uniform([2, 3]), d.uniform([])],
      [d.mask([]), d.uniform([2, 2]), d.uniform([2, 2])],
      [d.mask([2, 1, 2]), d.uniform([3, 1]), d.uniform([2])],
    ]),
    errors: [
      { inputs: [Z(4), Z(2, 3), Z(2, 3)], message: /^where: shapes \[4\] and \[2,3\] cannot be broadcast/ },
      { inputs: [Z(2, 3), Z(2, 3), Z(4)], message: /^where: shapes \[2,3\] and \[4\] cannot be broadcast/ },
    ],
  },
  {
    name: 'where(c, a, 0)', fn: (c, a) => tg.where(c, a, 0), nondiff: [0], broadcasts: true, grad: 'second',
    ref: (c, a) => zip(c, a, (cv, av) => (cv !== 0 ? av : 0)),
    samples: sampler((d) => [[d.mask([2, 3]), d.uniform([2, 3])], [d.mask([2, 3]), d.uniform([3])]]),
  },
  {
    name: 'where(c, 1.5, b)', fn: (c, b) => tg.where(c, 1.5, b), nondiff: [0], broadcasts: true, grad: 'second',
    ref: (c, b) => zip(c, b, (cv, bv) => (cv !== 0 ? 1.5 : bv)),
    samples: sampler((d) => [[d.mask([2, 3]), d.uniform([2, 3])], [d.mask([3]), d.uniform([2, 1])]]),
  },
];

const linalg: OpInfo[] = [
  {
    name: 'matmul', fn: (a, b) => tg.matmul(a, b), ref: R.matmul, grad: 'second',
    samples: sampler((d) => [
      [[3], [3]], [[3], [3, 2]], [[2, 3], [3]], [[2, 3], [3, 4]], [[1, 1], [1, 1]], [[2, 2, 3], [3, 4]], [[3], [2, 3, 2]],
      [[2, 2, 3], [3]], [[1, 2, 3], [2, 3, 2]], [[2, 1, 2, 3], [3, 3, 2]], [[4, 3], [2, 3, 1]],
    ].map(([sa, sb]) => [d.uniform(sa), d.uniform(sb)])),
    errors: [
      { inputs: [Z(2, 3), Z(4, 5)], message: /^matmul: .*\[2,3\].*\[4,5\]/ },
      { inputs: [Z(3), Z(4)], message: /^matmul: .*\[3\].*\[4\]/ },
      {
        inputs: [Z(2, 2, 3), Z(3, 3, 4)], message: /^matmul: .*\[2,2,3\].*\[3,3,4\]/,
      },
      { inputs: [Z(), Z(3)], message: /^matmul: .*\[\].*\[3\]/ },
      { inputs: [Z(3)], fn: (a) => a.matmul([1, 2, 3] as unknown as Tensor), message: /^matmul: expected a Tensor/ },
    ],
  },
  {
    // big enough (m·n·k > 32³, m and n ≥ 4) for the packed GEMM path: several k-slices, row blocks, column
    // blocks and ragged edge strips; full Jacobians would take seconds, so gradcheck runs in fast mode only
    name: 'matmul (packed GEMM path)', fn: (a, b) => a.matmul(b), ref: R.matmul, grad: 'first', check: { fastMode: true },
    samples: sampler((d) => [[[8, 520], [520, 9]], [[70, 24], [24, 21]], [[4, 9], [9, 1000]], [[2, 20, 36], [36, 50]]]
      .map(([sa, sb]) => [d.uniform(sa), d.uniform(sb)])),
  },
  {
    // F.linear is the `linear` primitive: x [..., in] · Wᵀ [in, out] + b [out], the bias optional
    name: 'linear', fn: (x, w, b) => F.linear(x, w, b), grad: 'second',
    ref: (x, w, b) => R.zip(R.matmul(x, R.transpose(w, 0, 1)), b, (p, q) => p + q),
    samples: sampler((d) => [
      [[3], [2, 3], [2]], [[4, 3], [5, 3], [5]], [[1, 1], [1, 1], [1]], [[2, 3, 4], [2, 4], [2]], [[6, 5], [7, 5], [7]],
    ].map(([sx, sw, sb]) => [d.uniform(sx), d.uniform(sw), d.uniform(sb)])),
    errors: [
      { inputs: [Z(2, 3), Z(4, 5), Z(4)], message: /^linear: .*input \[2,3\], weight \[4,5\] and bias \[4\]/ },
      { inputs: [Z(2, 3), Z(4, 3), Z(5)], message: /^linear: .*weight \[4,3\] and bias \[5\]/ },
      { inputs: [Z(), Z(4, 3), Z(4)], message: /^linear: .*input \[\]/ },
      { inputs: [Z(2, 3), Z(3), Z(3)], message: /^linear: .*weight \[3\]/ },
    ],
  },
  {
    name: 'linear (no bias)', fn: (x, w) => F.linear(x, w), grad: 'second',
    ref: (x, w) => R.matmul(x, R.transpose(w, 0, 1)),
    samples: sampler((d) => [[[4, 3], [5, 3]], [[2, 2, 3], [1, 3]]].map(([sx, sw]) => [d.uniform(sx), d.uniform(sw)])),
    errors: [{ inputs: [Z(2, 3), Z(4, 2)], message: /^linear: .*weight \[4,2\] and no bias/ }],
  },
  {
    // F.linear with { activation: 'relu' } is the `linearRelu` primitive: relu(x·Wᵀ + b). x and W are multiples of
    // 0.25 and b an odd multiple of 1/32, so every pre-activation is an odd multiple of 1/32: ≥ 1/32 from the kink
    name: 'linear + relu', fn: (x, w, b) => F.linear(x, w, b, { activation: 'relu' }), grad: 'second',
    ref: (x, w, b) => map(R.zip(R.matmul(x, R.transpose(w, 0, 1)), b, (p, q) => p + q), (v) => Math.max(v, 0)),
    samples: sampler((d) => [
      [[3], [2, 3], [2]], [[4, 3], [5, 3], [5]], [[1, 1], [1, 1], [1]], [[2, 3, 4], [2, 4], [2]], [[6, 5], [7, 5], [7]],
    ].map(([sx, sw, sb]) => [d.grid(sx, 1), d.grid(sw, 0), map(d.grid(sb, 1), (v) => v + 1 / 32)])),
    errors: [
      { inputs: [Z(2, 3), Z(4, 5), Z(4)], message: /^linear: .*input \[2,3\], weight \[4,5\] and bias \[4\]/ },
      {
        inputs: [Z(2, 3), Z(4, 3), Z(4)], fn: (x, w, b) => F.linear(x, w, b, { activation: 'gelu' as 'relu' }),
        message: /^linear: activation must be 'relu' or null, got gelu/,
      },
      { inputs: [Z(2, 3), Z(4, 3), Z(4)], fn: (x, w, b) => F.linear(x, w, b, { act: 'relu' } as never), message: /^linear: unknown option "act"/ },
    ],
  },
  {
    // without a bias: x and W odd multiples of 0.25 and an odd number of input features, so each pre-activation
    // is a sum of an odd count of odd multiples of 1/16, itself one (never 0, ≥ 1/16 from the kink)
    name: 'linear + relu (no bias)', fn: (x, w) => F.linear(x, w, null, { activation: 'relu' }), grad: 'second',
    ref: (x, w) => map(R.matmul(x, R.transpose(w, 0, 1)), (v) => Math.max(v, 0)),
    samples: sampler((d) => [[[4, 3], [5, 3]], [[2, 2, 1], [3, 1]]].map(([sx, sw]) => [d.grid(sx, 1), d.grid(sw, 1)])),
  },
];

const reductions: OpInfo[] = [
  ...reduction('sum', (x, a, k) => tg.sum(x, a, k), R.sumOf, any, axisErrors('sum', (x, a) => x.sum(a))),
  ...reduction('mean', (x, a, k) => tg.mean(x, a, k), R.meanOf, any, axisErrors('mean', (x, a) => x.mean(a))),
  ...reduction('max', (x, a, k) => tg.max(x, a, k), R.maxOf, distinct, [
    ...axisErrors('max', (x, a) => x.max(a)),
    { inputs: [Z(0, 3)], fn: (x) => x.max(0), message: /^max: cannot reduce over a zero-size dimension of shape \[0,3\]/ },
  ]),
  ...reduction('min', (x, a, k) => tg.min(x, a, k), R.minOf, distinct, [
    ...axisErrors('min', (x, a) => x.min(a)),
    { inputs: [Z(2, 0)], fn: (x) => x.min(), message: /^min: cannot reduce over a zero-size dimension of shape \[2,0\]/ },
  ]),
  ...reduction('logsumexp', (x, a, k) => tg.logsumexp(x, a, k), R.logSumExpOf, any, axisErrors('logsumexp', (x, a) => x.logsumexp(a))),
  ...reduction('var', (x, a, k) => x.var(a, k), R.varOf, any, axisErrors('var', (x, a) => x.var(a)), 2),
  op1('var(axis=-1, correction=0)', (x) => x.var(-1, false, 0), (x) => R.reduceLanes(x, -1, false, (v) => R.varOf(v) * (v.length - 1) / v.length), [[4], [2, 3]]),
  op1('std(axis=-1)', (x) => x.std(-1), (x) => R.reduceLanes(x, -1, false, (v) => Math.sqrt(R.varOf(v))), [[4], [2, 3]]),
  ...alongAxis('softmax', (x, a) => tg.softmax(x, a), R.softmaxOf, [
    // softmax delegates to logSoftmax, whose name ends up in the message
    { inputs: [Z(2, 3)], fn: (x) => x.softmax(2), message: /^softmax: axis 2 is out of range for a tensor of 2 dimensions/ },
  ]),
  ...alongAxis('logSoftmax', (x, a) => tg.logSoftmax(x, a), R.logSoftmaxOf, [
    { inputs: [Z(2, 3)], fn: (x) => x.logSoftmax(-3), message: /^logSoftmax: axis -3 is out of range for a tensor of 2 dimensions/ },
  ]),
];

const movement: OpInfo[] = [
  op1('reshape([-1])', (x) => tg.reshape(x, [-1]), (x) => R.reshape(x, [-1]), [[], [1], [2, 3], [2, 3, 2]], any, {
    errors: [
      { inputs: [Z(2, 3)], fn: (x) => x.reshape([4]), message: /^reshape: cannot reshape \[2,3\] \(size 6\) into \[4\]/ },
      { inputs: [Z(2, 3)], fn: (x) => x.reshape([-1, 4]), message: /^reshape: cannot reshape \[2,3\] \(size 6\) into \[-1,4\]/ },
      { inputs: [Z(2, 3)], fn: (x) => x.reshape([-1, -1]), message: /^reshape: only one dimension can be -1, got \[-1,-1\]/ },
      { inputs: [Z(2, 3)], fn: (x) => x.reshape([2, 1.5, 2]), message: /^reshape: invalid dimension 1.5 in \[2,1.5,2\]/ },
    ],
  }),
  op1('reshape([3,-1])', (x) => x.reshape([3, -1]), (x) => R.reshape(x, [3, -1]), [[2, 3], [6], [3, 2, 2]]),
  op1('reshape([2,1,3])', (x) => x.view([2, 1, 3]), (x) => R.reshape(x, [2, 1, 3]), [[6], [3, 2], [1, 6]]),
  op1('reshape([])', (x) => x.reshape([]), (x) => R.reshape(x, []), [[1], [1, 1]]),
  op1('permute([1,0])', (x) => tg.permute(x, [1, 0]), (x) => R.permute(x, [1, 0]), [[2, 3], [1, 4], [3, 1]], any, {
    errors: [
      { inputs: [Z(2, 3)], fn: (x) => x.permute([0]), message: /^permute: expected 2 dims for shape \[2,3\], got \[0\]/ },
      { inputs: [Z(2, 3)], fn: (x) => x.permute([1, 1]), message: /^permute: dims \[1,1\] repeat axis 1/ },
      { inputs: [Z(2, 3)], fn: (x) => x.permute([0, 2]), message: /^permute: axis 2 is out of range for a tensor of 2 dimensions/ },
      { inputs: [Z(2, 3)], fn: (x) => x.permute([0, 1, 2]), message: /^permute: axis 2 is out of range for a tensor of 2 dimensions/ },
    ],
  }),
  op1('permute([2,0,1])', (x) => x.permute([2, 0, 1]), (x) => R.permute(x, [2, 0, 1]), [[2, 3, 4], [1, 3, 2], [2, 1, 1]]),
  op1('permute([-1,0,-2])', (x) => x.permute([-1, 0, -2]), (x) => R.permute(x, [2, 0, 1]), [[2, 3, 2]]),
  op1('transpose(0,1)', (x) => tg.transpose(x, 0, 1), (x) => R.transpose(x, 0, 1), [[2, 3], [3, 1, 2]], any, {
    errors: [{ inputs: [Z(2, 3)], fn: (x) => x.transpose(0, 2), message: /^transpose: axis 2 is out of range for a tensor of 2 dimensions/ }],
  }),
  op1('transpose(-1,-3)', (x) => x.transpose(-1, -3), (x) => R.transpose(x, -1, -3), [[2, 3, 4], [1, 2, 3, 2]]),
  op1('T', (x) => x.T, (x) => R.permute(x, x.shape.map((_, i) => x.shape.length - 1 - i)), [[], [4], [2, 3], [2, 3, 2]]),
  op1('mT', (x) => x.mT, (x) => R.transpose(x, -2, -1), [[2, 3], [2, 3, 2]], any, {
    errors: [{ inputs: [Z(3)], fn: (x) => x.mT, message: /^mT: needs at least 2 dims, got shape \[3\]/ }],
  }),
  op1('expand([2,3])', (x) => x.expand([2, 3]), (x) => R.broadcastTo(x, [2, 3]), [[2, 3], [1, 3], [3], [2, 1], [1], []], any, {
    errors: [
      { inputs: [Z(2, 3)], fn: (x) => x.expand([4, 3]), message: /^expand: cannot expand shape \[2,3\] to \[4,3\]/ },
      { inputs: [Z(2, 3)], fn: (x) => x.expand([3]), message: /^expand: cannot expand shape \[2,3\] to \[3\]/ },
      { inputs: [Z(3)], fn: (x) => x.expand([-1, 3]), message: /^expand: cannot expand shape \[3\] to \[-1,3\]/ },
    ],
  }),
  op1('expand([4,-1,3])', (x) => x.expand([4, -1, 3]), (x) => R.broadcastTo(x, [4, x.shape.length === 2 ? x.shape[0] : 1, 3]), [[2, 1], [2, 3], [1, 1]]),
  op1('expandAs', (x) => x.expandAs(tg.zeros([2, 2, 3])), (x) => R.broadcastTo(x, [2, 2, 3]), [[3], [2, 1, 3], [1, 1]]),
  op1('squeeze()', (x) => tg.squeeze(x), (x) => R.reshape(x, x.shape.filter((d) => d !== 1)), [[1, 3, 1], [2, 3], [1], [1, 1, 2]], any, {
    errors: [{ inputs: [Z(1, 3)], fn: (x) => x.squeeze(2), message: /^squeeze: axis 2 is out of range for a tensor of 2 dimensions/ }],
  }),
  op1('squeeze(0)', (x) => x.squeeze(0), (x) => R.reshape(x, x.shape[0] === 1 ? x.shape.slice(1) : x.shape), [[1, 3], [2, 3], [1]]),
  op1('squeeze([0,-1])', (x) => x.squeeze([0, -1]), (x) => R.reshape(x, x.shape.filter((d, i) => !(d === 1 && (i === 0 || i === x.shape.length - 1)))), [[1, 2, 1], [1, 1, 1], [2, 1, 3]]),
  op1('unsqueeze(0)', (x) => tg.unsqueeze(x, 0), (x) => R.reshape(x, [1, ...x.shape]), [[], [3], [2, 3]], any, {
    errors: [{
      inputs: [Z(2, 3)], fn: (x) => x.unsqueeze(4), message: /^unsqueeze: axis 4 is out of range.*(\[2,3\]|2 dimensions)/,
    }],
  }),
  op1('unsqueeze(-1)', (x) => x.unsqueeze(-1), (x) => R.reshape(x, [...x.shape, 1]), [[], [3], [2, 3]]),
  op1('unsqueeze(1)', (x) => x.unsqueeze(1), (x) => R.reshape(x, [x.shape[0], 1, ...x.shape.slice(1)]), [[3], [2, 3]]),
  op1('flatten()', (x) => tg.flatten(x), (x) => R.reshape(x, [-1]), [[], [3], [2, 3], [2, 3, 2]], any, {
    errors: [{ inputs: [Z(2, 3, 2)], fn: (x) => x.flatten(2, 1), message: /^flatten: startDim 2 comes after endDim 1/ }],
  }),
  op1('flatten(1)', (x) => x.flatten(1), (x) => R.reshape(x, [x.shape[0], -1]), [[2, 3, 2], [2, 3], [1, 1, 2]]),
  op1('flatten(0,-2)', (x) => x.flatten(0, -2), (x) => R.reshape(x, [-1, x.shape[x.shape.length - 1]]), [[2, 3, 2], [3, 2]]),
  op1('slice(1, 1)', (x) => x.slice(1, 1), (x) => R.slice(x, 1, 1, null), [[2, 3], [3, 4, 2]], any, {
    errors: [
      { inputs: [Z(2, 3)], fn: (x) => x.slice(1, 0, 3, 0), message: /^slice: step must be a positive integer, got 0/ },
      { inputs: [Z(2, 3)], fn: (x) => x.slice(1, 0, 3, -1), message: /^slice: step must be a positive integer, got -1/ },
      { inputs: [Z(2, 3)], fn: (x) => x.slice(2, 0, 1), message: /^slice: axis 2 is out of range for a tensor of 2 dimensions/ },
    ],
  }),
  op1('slice(0, -3, -1)', (x) => x.slice(0, -3, -1), (x) => R.slice(x, 0, -3, -1), [[4], [3, 2], [5, 1, 2]]),
  op1('slice(-1, null, null, 2)', (x) => x.slice(-1, null, null, 2), (x) => R.slice(x, -1, null, null, 2), [[5], [2, 4], [2, 1, 3]]),
  op1('slice(1, -4, 10, 3)', (x) => x.slice(1, -4, 10, 3), (x) => R.slice(x, 1, -4, 10, 3), [[2, 7], [1, 5, 2]]),
  op1('narrow(0, 1, 2)', (x) => x.narrow(0, 1, 2), (x) => R.slice(x, 0, 1, 3), [[3], [4, 2]]),
  op1('contiguous (of a transpose)', (x) => x.T.contiguous(), (x) => R.permute(x, x.shape.map((_, i) => x.shape.length - 1 - i)), [[2, 3], [3, 1, 2], [4]]),
  op1('contiguous (of a stepped slice)', (x) => x.slice(-1, null, null, 2).contiguous(), (x) => R.slice(x, -1, null, null, 2), [[5], [2, 4]]),
  op1('clone', (x) => x.clone(), (x) => x, [[], [2, 3]]),
];

/** n inputs of the given shapes for concat/stack samples. */
const many = (d: Draw, shapes: number[][]) => shapes.map((s) => d.uniform(s));

const joining: OpInfo[] = [
  {
    name: 'concat(axis=0)', fn: (...xs) => tg.concat(xs, 0), ref: (...xs) => R.concat(xs, 0), grad: 'second',
    samples: sampler((d) => [many(d, [[2, 3], [1, 3]]), many(d, [[2], [3], [1]]), many(d, [[1, 2, 2], [2, 2, 2]]), many(d, [[2, 3]])]),
    errors: [
      { inputs: [Z(2, 3), Z(2, 4)], message: /^concat: shapes \[2,3\] and \[2,4\] differ outside axis 0/ },
      { inputs: [Z(2, 3), Z(3)], message: /^concat: shapes \[2,3\] and \[3\] differ outside axis 0/ },
      { inputs: [Z(2, 3)], fn: () => tg.concat([]), message: /^concat: expected at least one tensor/ },
      { inputs: [Z(2, 3), Z(2, 3)], fn: (a, b) => tg.concat([a, b], 2), message: /^concat: axis 2 is out of range for a tensor of 2 dimensions/ },
      {
        inputs: [Z(), Z()], message: /^concat: .*(zero-dimensional|0-d|\[\])/,
      },
    ],
  },
  {
    name: 'concat(axis=1)', fn: (...xs) => tg.concat(xs, 1), ref: (...xs) => R.concat(xs, 1), grad: 'second',
    samples: sampler((d) => [many(d, [[2, 3], [2, 1], [2, 2]]), many(d, [[1, 1, 2], [1, 2, 2]])]),
  },
  {
    name: 'concat(axis=-1)', fn: (...xs) => tg.concat(xs, -1), ref: (...xs) => R.concat(xs, -1), grad: 'second',
    samples: sampler((d) => [many(d, [[2, 1, 2], [2, 1, 3]]), many(d, [[3], [2]])]),
  },
  {
    name: 'stack(axis=0)', fn: (...xs) => tg.stack(xs, 0), ref: (...xs) => R.stack(xs, 0), grad: 'second',
    samples: sampler((d) => [many(d, [[2, 3], [2, 3]]), many(d, [[], [], []]), many(d, [[4]])]),
    errors: [
      { inputs: [Z(2, 3), Z(3, 2)], message: /^stack: all tensors must have the same shape, got \[2,3\] and \[3,2\]/ },
      { inputs: [Z(2)], fn: () => tg.stack([]), message: /^stack: expected at least one tensor/ },
      {
        inputs: [Z(3), Z(3)], fn: (a, b) => tg.stack([a, b], 3), message: /^stack: axis 3 is out of range.*(\[3\]|\[-2, ?1\])/,
      },
    ],
  },
  {
    name: 'stack(axis=-1)', fn: (...xs) => tg.stack(xs, -1), ref: (...xs) => R.stack(xs, -1), grad: 'second',
    samples: sampler((d) => [many(d, [[2, 3], [2, 3], [2, 3]]), many(d, [[3], [3]])]),
  },
  {
    name: 'stack(axis=1)', fn: (...xs) => tg.stack(xs, 1), ref: (...xs) => R.stack(xs, 1), grad: 'second',
    samples: sampler((d) => [many(d, [[2, 3], [2, 3]])]),
  },
];

const indexing: OpInfo[] = [
  {
    name: 'gather(1)', fn: (x, i) => tg.gather(x, 1, i), ref: (x, i) => R.gather(x, 1, i), nondiff: [1], grad: 'second',
    samples: sampler((d) => [
      [d.uniform([2, 3]), d.ints([2, 4], 0, 3)], [d.uniform([3, 4]), d.ints([2, 4], 0, 4)], [d.uniform([1, 3]), d.ints([1, 1], 0, 3)],
    ]),
    errors: [
      { inputs: [Z(2, 3), V([2, 2], [0, 3, 1, 0])], message: /^gather: index 3 is out of range for dimension 1 of size 3/ },
      { inputs: [Z(2, 3), V([2, 2], [0, -1, 1, 0])], message: /^gather: index -1 is out of range for dimension 1 of size 3/ },
      { inputs: [Z(2, 3), V([2], [0, 1])], message: /^gather: index must have 2 dimensions like the input \[2,3\], got \[2\]/ },
      { inputs: [Z(2, 3), V([3, 1], [0, 1, 2])], message: /^gather: index shape \[3,1\] exceeds input shape \[2,3\] in dimension 0/ },
      { inputs: [Z(2, 3), V([2, 1], [0, 1])], fn: (x, i) => x.gather(2, i), message: /^gather: axis 2 is out of range for a tensor of 2 dimensions/ },
    ],
  },
  {
    name: 'gather(0)', fn: (x, i) => x.gather(0, i), ref: (x, i) => R.gather(x, 0, i), nondiff: [1], grad: 'second',
    samples: sampler((d) => [
      [d.uniform([3, 2]), d.ints([4, 2], 0, 3)], [d.uniform([4]), d.ints([6], 0, 4)], [d.uniform([2, 2, 3]), d.ints([3, 1, 2], 0, 2)],
    ]),
  },
  {
    name: 'gather(-1)', fn: (x, i) => x.gather(-1, i), ref: (x, i) => R.gather(x, -1, i), nondiff: [1], grad: 'second',
    samples: sampler((d) => [[d.uniform([2, 2, 3]), d.ints([2, 2, 5], 0, 3)]]),
  },
  {
    name: 'indexSelect(0, [2,0,2])', fn: (x) => tg.indexSelect(x, 0, [2, 0, 2]), ref: (x) => R.indexSelect(x, 0, [2, 0, 2]), grad: 'second',
    samples: sampler((d) => [[d.uniform([3])], [d.uniform([3, 2])], [d.uniform([4, 1, 2])]]),
    errors: [
      { inputs: [Z(3, 2)], fn: (x) => x.indexSelect(0, [0, 4]), message: /^indexSelect: index 4 is out of range for dimension 0 of size 3/ },
      { inputs: [Z(3, 2)], fn: (x) => x.indexSelect(1, [-1]), message: /^indexSelect: index -1 is out of range for dimension 1 of size 2/ },
      { inputs: [Z(3, 2)], fn: (x) => x.indexSelect(1, [0.5]), message: /^indexSelect: index 0.5 is out of range for dimension 1 of size 2/ },
      { inputs: [Z(3, 2)], fn: (x) => x.indexSelect(2, [0]), message: /^indexSelect: axis 2 is out of range for a tensor of 2 dimensions/ },
    ],
  },
  {
    name: 'indexSelect(-1, [1])', fn: (x) => x.indexSelect(-1, [1]), ref: (x) => R.indexSelect(x, -1, [1]), grad: 'second',
    samples: sampler((d) => [[d.uniform([2, 3])], [d.uniform([2, 2, 2])]]),
  },
  {
    name: 'indexSelect(1, tensor)', fn: (x, i) => x.indexSelect(1, i), ref: (x, i) => R.indexSelect(x, 1, [...i.data]), nondiff: [1], grad: 'second',
    samples: sampler((d) => [[d.uniform([2, 4]), d.ints([5], 0, 4)], [d.uniform([1, 3, 2]), d.ints([2], 0, 3)]]),
  },
];

const casts: OpInfo[] = [
  // float32 output: gradcheck needs float64 outputs, so its gradient is checked through the round trip below
  op1('to(float32)', (x) => x.to('float32'), (x) => map(x, Math.fround), [[], [2, 3]], any, {
    grad: false, dtype: 'float32',
    errors: [{ inputs: [Z(2)], fn: (x) => x.to('int8' as never), message: /^to: unknown dtype "int8" \(known: float32, float64, int32\)/ }],
  }),
  op1('to(float64)', (x) => x.to('float64'), (x) => x, [[], [2, 3]], any, { dtype: 'float64' }),
  // eps 1e-3: the float32 rounding (~1e-7 relative) must stay well below the difference step
  op1('to(float32).to(float64)', (x) => x.to('float32').to('float64'), (x) => map(x, Math.fround), [[], [2, 3]], any, { check: { eps: 1e-3 }, dtype: 'float64' }),
];

// ---- losses ----------------------------------------------------------------------------------

const ceIndex = (eps: number, reduction: Reduction) => (x: Arr, l: Arr) =>
  R.reduceLoss(R.arr([x.shape.length === 1 ? 1 : x.shape[0]], R.crossEntropyIndex(x, labelsOf(l), eps)), reduction);
const ceProbs = (eps: number) => (x: Arr, t: Arr) => R.reduceLoss(R.arr([R.rows(x).length], R.crossEntropyProbs(x, t, eps)), 'mean');
/** Elementwise loss f(input, target) reduced as asked. */
const pointwise = (f: (...v: number[]) => number, reduction: Reduction) => (...xs: Arr[]) => R.reduceLoss(mapN(xs, f), reduction);
const mse = (a: number, b: number) => (a - b) ** 2;
const bce = (p: number, t: number) => -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
const bceLogits = (x: number, t: number) => -(t * Math.log(R.sigmoid(x)) + (1 - t) * Math.log(1 - R.sigmoid(x)));

const indexSamples = sampler((d) => [
  [d.uniform([4, 3], -3, 3), d.ints([4], 0, 3)], [d.uniform([1, 5], -3, 3), d.ints([1], 0, 5)], [d.uniform([4], -3, 3), d.ints([1], 0, 4)],
]);
const indexSamples2D = sampler((d) => [[d.uniform([4, 3], -3, 3), d.ints([4], 0, 3)], [d.uniform([2, 5], -3, 3), d.ints([2], 0, 5)]]);
const probSamples = sampler((d) => [[d.uniform([4, 3], -3, 3), d.probs([4, 3])], [d.uniform([3], -3, 3), d.probs([3])]]);
/** input/target pairs of the same shape for the pointwise losses, input drawn by `inp`, target by `tgt`. */
const lossPairs = (inp: Dom, tgt: Dom) => sampler((d) => [[2, 3], [], [4], [2, 1, 2]].map((s) => [inp(d, s), tgt(d, s)]));

type LossFn = (a: Tensor, b: Tensor, options?: { reduction?: Reduction }) => Tensor;
const sameShapeErrors = (op: string, call: LossFn): ErrorInput[] => [
  { inputs: [Z(2, 3), Z(3)], fn: (a, b) => call(a, b), message: new RegExp(`^${op}: input shape \\[2,3\\] and target shape \\[3\\] differ`) },
  {
    inputs: [Z(2, 3), Z(2, 3)], fn: (a, b) => call(a, b, { reduction: 'avg' as Reduction }),
    message: new RegExp(`^${op}: unknown reduction "avg" \\(known: 'mean', 'sum', 'none'\\)`),
  },
];

const losses: OpInfo[] = [
  {
    name: 'crossEntropy(index labels)', fn: (x, l) => F.crossEntropy(x, l), ref: ceIndex(0, 'mean'), nondiff: [1], grad: 'second', samples: indexSamples,
    errors: [
      { inputs: [Z(2, 3)], fn: (x) => F.crossEntropy(x, [0, 3]), message: /^crossEntropy: label 3 at row 1 is not a class index in \[0, 3\)/ },
      { inputs: [Z(2, 3)], fn: (x) => F.crossEntropy(x, [0.5, 1]), message: /^crossEntropy: label 0.5 at row 0 is not a class index in \[0, 3\)/ },
      { inputs: [Z(2, 3)], fn: (x) => F.crossEntropy(x, [-1, 1]), message: /^crossEntropy: label -1 at row 0 is not a class index in \[0, 3\)/ },
      { inputs: [Z(2, 3)], fn: (x) => F.crossEntropy(x, [0, 1, 2]), message: /^crossEntropy: got 3 labels for 2 rows of input/ },
      { inputs: [Z(2, 3), Z(2, 1)], message: /^crossEntropy: probability targets must have the logits' shape \[2,3\], got \[2,1\]/ },
      { inputs: [Z(2, 3, 4)], fn: (x) => F.crossEntropy(x, [0, 1]), message: /^crossEntropy: expected logits of shape \[N, C\] or \[C\], got \[2,3,4\]/ },
      { inputs: [Z(2, 3)], fn: (x) => F.crossEntropy(x, [0, 1], { labelSmoothing: 1.5 }), message: /^crossEntropy: labelSmoothing must be in \[0, 1\], got 1.5/ },
      {
        inputs: [Z(2, 3), Z(2, 4)], message: /^crossEntropy: .*\[2,4\].*\[2,3\]|^crossEntropy: .*\[2,3\].*\[2,4\]/,
      },
    ],
  },
  { name: 'crossEntropy(index labels, sum)', fn: (x, l) => F.crossEntropy(x, l, { reduction: 'sum' }), ref: ceIndex(0, 'sum'), nondiff: [1], grad: 'second', samples: indexSamples2D },
  { name: 'crossEntropy(index labels, none)', fn: (x, l) => F.crossEntropy(x, l, { reduction: 'none' }), ref: ceIndex(0, 'none'), nondiff: [1], grad: 'second', samples: indexSamples2D },
  { name: 'crossEntropy(index labels, labelSmoothing=0.1)', fn: (x, l) => F.crossEntropy(x, l, { labelSmoothing: 0.1 }), ref: ceIndex(0.1, 'mean'), nondiff: [1], grad: 'second', samples: indexSamples },
  op1('crossEntropy(1-D logits, label 2)', (x) => F.crossEntropy(x, 2), (x) => ceIndex(0, 'mean')(x, R.arr([1], [2])), [[3], [5]], (d, s) => d.uniform(s, -3, 3)),
  { name: 'crossEntropy(probabilities)', fn: (x, t) => F.crossEntropy(x, t), ref: ceProbs(0), grad: 'second', samples: probSamples },
  { name: 'crossEntropy(probabilities, labelSmoothing=0.2)', fn: (x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.2 }), ref: ceProbs(0.2), grad: 'second', samples: probSamples },
  {
    name: 'nllLoss', fn: (x, l) => F.nllLoss(x, l), ref: (x, l) => R.reduceLoss(R.arr([x.shape[0]], R.rows(x).map((r, i) => -r[l.data[i]])), 'mean'),
    nondiff: [1], grad: 'second', samples: indexSamples2D,
    errors: [
      { inputs: [Z(3)], fn: (x) => F.nllLoss(x, [0]), message: /^nllLoss: expected log-probabilities of shape \[N, C\], got \[3\]/ },
      { inputs: [Z(2, 3)], fn: (x) => F.nllLoss(x, [0, 5]), message: /^nllLoss: label 5 at row 1 is not a class index in \[0, 3\)/ },
      { inputs: [Z(2, 3)], fn: (x) => F.nllLoss(x, [0]), message: /^nllLoss: got 1 labels for 2 rows of input/ },
    ],
  },
  {
    name: 'nllLoss(sum)', fn: (x, l) => F.nllLoss(x, l, { reduction: 'sum' }), nondiff: [1], grad: 'second', samples: indexSamples2D,
    ref: (x, l) => R.reduceLoss(R.arr([x.shape[0]], R.rows(x).map((r, i) => -r[l.data[i]])), 'sum'),
  },
  { name: 'mseLoss', fn: (x, t) => F.mseLoss(x, t), ref: pointwise(mse, 'mean'), grad: 'second', samples: lossPairs(any, any), errors: sameShapeErrors('mseLoss', F.mseLoss) },
  { name: 'mseLoss(sum)', fn: (x, t) => F.mseLoss(x, t, { reduction: 'sum' }), ref: pointwise(mse, 'sum'), grad: 'second', samples: lossPairs(any, any) },
  { name: 'mseLoss(none)', fn: (x, t) => F.mseLoss(x, t, { reduction: 'none' }), ref: pointwise(mse, 'none'), grad: 'second', samples: lossPairs(any, any) },
  {
    // input and target on interleaved grids: |input - target| never reaches the kink at 0
    name: 'l1Loss', fn: (x, t) => F.l1Loss(x, t), ref: pointwise((a, b) => Math.abs(a - b), 'mean'), grad: 'second',
    samples: lossPairs((d, s) => d.grid(s, 1), (d, s) => d.grid(s, 0)), errors: sameShapeErrors('l1Loss', F.l1Loss),
  },
  {
    name: 'l1Loss(sum)', fn: (x, t) => F.l1Loss(x, t, { reduction: 'sum' }), ref: pointwise((a, b) => Math.abs(a - b), 'sum'), grad: 'second',
    samples: lossPairs((d, s) => d.grid(s, 1), (d, s) => d.grid(s, 0)),
  },
  {
    name: 'binaryCrossEntropy', fn: (p, t) => F.binaryCrossEntropy(p, t), ref: pointwise(bce, 'mean'), grad: 'second',
    samples: lossPairs((d, s) => d.uniform(s, 0.05, 0.95), (d, s) => d.uniform(s, 0, 1)),
    errors: [
      ...sameShapeErrors('binaryCrossEntropy', F.binaryCrossEntropy),
      {
        inputs: [V([2], [0.5, 1.5]), V([2], [0, 1])], message: /^binaryCrossEntropy: input must hold probabilities in \[0, 1\], got 1.5 at index 1/,
      },
    ],
  },
  {
    name: 'binaryCrossEntropy(weight, none)', fn: (p, t, w) => F.binaryCrossEntropy(p, t, { weight: w, reduction: 'none' }),
    ref: pointwise((p, t, w) => w * bce(p, t), 'none'), grad: 'second',
    samples: sampler((d) => [[d.uniform([2, 3], 0.05, 0.95), d.uniform([2, 3], 0, 1), d.uniform([2, 3], 0.5, 2)]]),
  },
  {
    name: 'binaryCrossEntropyWithLogits', fn: (x, t) => F.binaryCrossEntropyWithLogits(x, t), ref: pointwise(bceLogits, 'mean'), grad: 'second',
    samples: lossPairs((d, s) => d.away(s, [0], -4, 4), (d, s) => d.uniform(s, 0, 1)),
    errors: sameShapeErrors('binaryCrossEntropyWithLogits', F.binaryCrossEntropyWithLogits),
  },
  {
    name: 'binaryCrossEntropyWithLogits(posWeight=2.5, sum)', fn: (x, t) => F.binaryCrossEntropyWithLogits(x, t, { posWeight: 2.5, reduction: 'sum' }),
    ref: pointwise((x, t) => -(2.5 * t * Math.log(R.sigmoid(x)) + (1 - t) * Math.log(1 - R.sigmoid(x))), 'sum'), grad: 'second',
    samples: lossPairs((d, s) => d.away(s, [0], -4, 4), (d, s) => d.uniform(s, 0, 1)),
  },
];

// ---- sequences: layer norm, embedding, attention (composites) -----------------------------------

/** Reference layer norm over the trailing `k` dims, with optional per-element weight and bias. */
function layerNormRef(x: Arr, k: number, w?: Arr, b?: Arr, eps = 1e-5): Arr {
  const n = R.sizeOf(x.shape.slice(x.shape.length - k));
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / n; r++) {
    const lane = Array.from(x.data.subarray(r * n, (r + 1) * n));
    const mu = R.meanOf(lane);
    const v = R.meanOf(lane.map((t) => (t - mu) ** 2));
    lane.forEach((t, j) => { out[r * n + j] = ((t - mu) / Math.sqrt(v + eps)) * (w ? w.data[j] : 1) + (b ? b.data[j] : 0); });
  }
  return R.arr(x.shape, out);
}

/** Reference attention softmax(q·kᵀ·scale + mask)·v over the last two dims; `allowed(i, j)` hides pairs. */
function attentionRef(q: Arr, k: Arr, v: Arr, allowed: (i: number, j: number) => boolean = () => true, add?: Arr): Arr {
  const [l, e] = q.shape.slice(-2);
  const s = k.shape[k.shape.length - 2];
  const ev = v.shape[v.shape.length - 1];
  const batch = R.sizeOf(q.shape.slice(0, -2));
  const out = new Float64Array(batch * l * ev);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < l; i++) {
      const scores = Array.from({ length: s }, (_, j) => {
        if (!allowed(i, j)) return -Infinity;
        let dot = 0;
        for (let t = 0; t < e; t++) dot += q.data[(bi * l + i) * e + t] * k.data[(bi * s + j) * e + t];
        return dot / Math.sqrt(e) + (add ? add.data[i * s + j] : 0);
      });
      const p = R.softmaxOf(scores);
      for (let c = 0; c < ev; c++) out[(bi * l + i) * ev + c] = R.sumOf(p.map((pj, j) => pj * v.data[(bi * s + j) * ev + c]));
    }
  }
  return R.arr([...q.shape.slice(0, -1), ev], out);
}

const sequence: OpInfo[] = [
  {
    name: 'layerNorm([3], weight, bias)', fn: (x, w, b) => F.layerNorm(x, [3], w, b), ref: (x, w, b) => layerNormRef(x, 1, w, b), grad: 'second',
    samples: sampler((d) => [[d.uniform([2, 3]), d.uniform([3]), d.uniform([3])], [d.uniform([2, 2, 3]), d.uniform([3]), d.uniform([3])], [d.uniform([3]), d.uniform([3]), d.uniform([3])]]),
    errors: [
      { inputs: [Z(2, 4), Z(3), Z(3)], message: /^layerNorm: input shape \[2,4\] does not end with normalizedShape \[3\]/ },
      { inputs: [Z(2, 3), Z(4), Z(3)], message: /^layerNorm: weight has shape \[4\], expected normalizedShape \[3\]/ },
    ],
  },
  op1('layerNorm([2,3])', (x) => F.layerNorm(x, [2, 3]), (x) => layerNormRef(x, 2), [[2, 3], [4, 2, 3]]),
  {
    name: 'embedding', fn: (w, i) => F.embedding(i, w), nondiff: [1], grad: 'second',
    ref: (w, i) => R.reshape(R.indexSelect(w, 0, [...i.data]), [...i.shape, w.shape[1]]),
    samples: sampler((d) => [[d.uniform([5, 3]), d.ints([4], 0, 5)], [d.uniform([4, 2]), d.ints([2, 3], 0, 4)]]),
    errors: [
      { inputs: [Z(5, 3), V([2], [1, 5])], message: /^embedding: index 5 at position 1 of indices \[2\] is out of range; expected an integer in \[0, 5\)/ },
      { inputs: [Z(5, 3), V([2], [1.5, 2])], message: /^embedding: index 1.5 at position 0 of indices \[2\] is not an integer; expected an integer in \[0, 5\)/ },
      { inputs: [Z(5, 3), V([1], [-1])], message: /^embedding: index -1 at position 0 of indices \[1\] is out of range/ },
      { inputs: [Z(5), V([1], [0])], message: /^embedding: weight must be a 2-D tensor \[numEmbeddings, embeddingDim\], got \[5\]/ },
    ],
  },
  {
    name: 'scaledDotProductAttention', fn: (q, k, v) => F.scaledDotProductAttention(q, k, v), ref: (q, k, v) => attentionRef(q, k, v), grad: 'second',
    samples: sampler((d) => [[d.uniform([3, 2]), d.uniform([4, 2]), d.uniform([4, 3])], [d.uniform([2, 2, 3]), d.uniform([2, 3, 3]), d.uniform([2, 3, 2])]]),
    errors: [
      { inputs: [Z(3, 2), Z(4, 3), Z(4, 3)], message: /^scaledDotProductAttention: expected query \[\.\.\., L, E\], key \[\.\.\., S, E\] and value \[\.\.\., S, Ev\]; got query \[3,2\], key \[4,3\] and value \[4,3\]/ },
      { inputs: [Z(0, 2), Z(4, 2), Z(4, 3)], message: /^scaledDotProductAttention: sequences of length 0 cannot be attended/ },
      { inputs: [Z(3)], fn: (q) => F.scaledDotProductAttention(q, q, q), message: /^scaledDotProductAttention: query must be at least 2-D/ },
      { inputs: [Z(3, 2)], fn: (q) => F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: [[true]] }), message: /^scaledDotProductAttention: give either attnMask or isCausal, not both/ },
      { inputs: [Z(3, 2), Z(2, 2)], fn: (q, m) => F.scaledDotProductAttention(q, q, q, { attnMask: m }), message: /^scaledDotProductAttention: attnMask of shape \[2,2\] does not broadcast to the scores/ },
    ],
  },
  {
    name: 'scaledDotProductAttention(isCausal)', fn: (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true }),
    ref: (q, k, v) => attentionRef(q, k, v, (i, j) => j <= i), grad: 'second',
    samples: sampler((d) => [[d.uniform([3, 2]), d.uniform([3, 2]), d.uniform([3, 2])], [d.uniform([2, 4, 2]), d.uniform([2, 5, 2]), d.uniform([2, 5, 3])]]),
  },
  {
    name: 'scaledDotProductAttention(bool attnMask)',
    fn: (q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: [[true, false, true], [false, true, true]] }),
    ref: (q, k, v) => attentionRef(q, k, v, (i, j) => [[true, false, true], [false, true, true]][i][j]), grad: 'second',
    samples: sampler((d) => [[d.uniform([2, 2]), d.uniform([3, 2]), d.uniform([3, 2])]]),
  },
  {
    name: 'scaledDotProductAttention(float attnMask)', fn: (q, k, v, m) => F.scaledDotProductAttention(q, k, v, { attnMask: m }),
    ref: (q, k, v, m) => attentionRef(q, k, v, () => true, m), nondiff: [3], grad: 'second',
    samples: sampler((d) => [[d.uniform([2, 2]), d.uniform([3, 2]), d.uniform([3, 2]), d.uniform([2, 3])]]),
  },
];



// ---- images: convolutions (gradcheck and gradgradcheck over stride × padding × dilation × groups) ----

type ConvOpts = tg.nn.functional.ConvOptions;
/** Reference padding [top, bottom, left, right] for the options of a 2-D conv with kernel k. */
function refPads(o: ConvOpts, k: number[]): number[] {
  const dil = typeof o.dilation === 'number' ? [o.dilation, o.dilation] : o.dilation ?? [1, 1];
  if (o.padding === 'same') return k.flatMap((kk, i) => [Math.floor(dil[i] * (kk - 1) / 2), dil[i] * (kk - 1) - Math.floor(dil[i] * (kk - 1) / 2)]);
  const p = o.padding === 'valid' || o.padding === undefined ? [0, 0] : typeof o.padding === 'number' ? [o.padding, o.padding] : o.padding;
  return [p[0], p[0], p[1], p[1]];
}
const pair = (v: number | readonly number[] | undefined, d: number): number[] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [...v]);
const geo2d = (o: ConvOpts, k: number[]): RI.Geo2d => ({ stride: pair(o.stride, 1), pad: refPads(o, k), dilation: pair(o.dilation, 1), groups: o.groups ?? 1 });

/** conv2d with bias on [x, w, b] shapes; the name lists the options. */
function conv2dEntry(o: ConvOpts, shapes: number[][][], extra: Extra = {}): OpInfo {
  return {
    name: `conv2d(${JSON.stringify(o).replace(/"/g, '')})`, grad: 'second',
    fn: (x, w, b) => F.conv2d(x, w, b, o),
    ref: (x, w, b) => RI.conv2d(x, w, b, geo2d(o, w.shape.slice(2))),
    samples: sampler((d) => shapes.map((ss) => ss.map((s) => d.uniform(s)))),
    ...extra,
  };
}
/** conv1d as the reference 2-D conv with a height of 1. */
function conv1dEntry(o: ConvOpts, shapes: number[][][]): OpInfo {
  const o2: ConvOpts = {
    stride: [1, pair(o.stride, 1)[0]], dilation: [1, pair(o.dilation, 1)[0]], groups: o.groups,
    padding: o.padding === 'same' || o.padding === 'valid' ? o.padding : [0, pair(o.padding as number | undefined, 0)[0]],
  };
  return {
    name: `conv1d(${JSON.stringify(o).replace(/"/g, '')})`, grad: 'second',
    fn: (x, w, b) => F.conv1d(x, w, b, o),
    ref: (x, w, b) => RI.to1d(RI.conv2d(RI.to2d(x), RI.to2d(w), b, geo2d(o2, [1, w.shape[2]]))),
    samples: sampler((d) => shapes.map((ss) => ss.map((s) => d.uniform(s)))),
  };
}
type TOpts = tg.nn.functional.ConvTransposeOptions;
function convT2dEntry(o: TOpts, shapes: number[][][]): OpInfo {
  return {
    name: `convTranspose2d(${JSON.stringify(o).replace(/"/g, '')})`, grad: 'second',
    fn: (x, w, b) => F.convTranspose2d(x, w, b, o),
    ref: (x, w, b) => RI.convTranspose2d(x, w, b, {
      stride: pair(o.stride, 1), padding: pair(o.padding, 0), outputPadding: pair(o.outputPadding, 0), dilation: pair(o.dilation, 1), groups: o.groups ?? 1,
    }),
    samples: sampler((d) => shapes.map((ss) => ss.map((s) => d.uniform(s)))),
  };
}

const convErrors: ErrorInput[] = [
  { inputs: [Z(1, 3, 5, 5), Z(4, 2, 3, 3), Z(4)], message: /^conv2d: given groups=1, weight of size \[4,2,3,3\], expected input \[1,3,5,5\] to have 2 channels, but got 3 channels/ },
  { inputs: [Z(1, 5, 5, 3), Z(4, 3, 3, 3), Z(4)], message: /^conv2d: .*expected input \[1,5,5,3\] to have 3 channels, but got 5 channels \(the input looks channels-last; .*x\.permute\(\[0, 3, 1, 2\]\)/ },
  { inputs: [Z(1, 2, 2, 2), Z(1, 2, 3, 3), Z(1)], message: /^conv2d: padded input size per channel \[2,2\] is smaller than the \(dilated\) kernel size \[3,3\]/ },
  { inputs: [Z(1, 2, 5, 5), Z(1, 2, 3, 3), Z(1)], fn: (x, w, b) => F.conv2d(x, w, b, { stride: 1.5 }), message: /^conv2d: stride must be a positive integer or a list of 2, got 1.5/ },
  { inputs: [Z(1, 4, 5, 5), Z(3, 2, 3, 3), Z(3)], fn: (x, w, b) => F.conv2d(x, w, b, { groups: 2 }), message: /^conv2d: given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size \[3,2,3,3\]/ },
  { inputs: [Z(1, 3, 5, 5), Z(4, 1, 3, 3), Z(4)], fn: (x, w, b) => F.conv2d(x, w, b, { groups: 2 }), message: /^conv2d: given groups=2, weight of size \[4,1,3,3\], expected input \[1,3,5,5\] to have 2 channels, but got 3/ },
  { inputs: [Z(1, 2, 5, 5), Z(1, 2, 3, 3), Z(1)], fn: (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 'same' }), message: /^conv2d: padding='same' is not supported for strided convolutions/ },
  { inputs: [Z(2, 5, 5), Z(1, 2, 3, 3), Z(1)], fn: (x, w, b) => F.conv2d(x.reshape([50]), w, b), message: /^conv2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input, got shape \[50\]/ },
  { inputs: [Z(1, 2, 5, 5), Z(1, 2, 3, 3), Z(2)], message: /^conv2d: expected a bias of shape \[1\], got \[2\]/ },
];

type PoolOpts = tg.nn.functional.MaxPoolOptions;
/** F.maxPool2d (the `maxPool` primitive) on distinct values (no ties, so finite differences never cross a kink). */
function maxPool2dEntry(k: number, o: PoolOpts, out: number[], shapes: number[][]): OpInfo {
  const [sh, sw] = pair(o.stride, k), [ph, pw] = pair(o.padding, 0), [dh, dw] = pair(o.dilation, 1);
  return {
    name: `maxPool2d(${k}, ${JSON.stringify(o).replace(/"/g, '')})`, grad: 'second',
    fn: (x) => F.maxPool2d(x, k, o),
    ref: (x) => RI.maxPool2d(x, { kernel: [k, k], stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], out }),
    samples: sampler((d) => shapes.map((s) => [d.distinct(s)])),
  };
}

const images: OpInfo[] = [
  // 2×2 at stride 2 (its unrolled kernel, an odd width leaving a column out), then the general windows
  maxPool2dEntry(2, {}, [2, 2], [[2, 3, 4, 5]]),
  maxPool2dEntry(3, { stride: 2, padding: 1 }, [3, 2], [[1, 2, 5, 4]]),
  maxPool2dEntry(2, { stride: 1, dilation: 2, ceilMode: true }, [2, 3], [[1, 2, 4, 5]]),
  maxPool2dEntry(3, { stride: [2, 1], ceilMode: true }, [2, 2], [[1, 1, 4, 4]]),
  {
    name: 'maxPool1d(3, {stride: 2, padding: 1})', grad: 'second',
    fn: (x) => F.maxPool1d(x, 3, { stride: 2, padding: 1 }),
    ref: (x) => RI.to1d(RI.maxPool2d(RI.to2d(x), { kernel: [1, 3], stride: [1, 2], padding: [0, 1], dilation: [1, 1], out: [1, 3] })),
    samples: sampler((d) => [[d.distinct([2, 2, 6])]]),
  },
  conv2dEntry({}, [[[1, 2, 4, 4], [3, 2, 3, 3], [3]], [[2, 1, 3, 3], [2, 1, 1, 1], [2]]], { errors: convErrors }),
  conv2dEntry({ stride: 2, padding: 1 }, [[[1, 2, 5, 5], [2, 2, 3, 3], [2]], [[2, 1, 4, 3], [2, 1, 2, 2], [2]]]),
  conv2dEntry({ stride: [1, 2], padding: [2, 0], dilation: [2, 1] }, [[[1, 2, 4, 5], [2, 2, 2, 3], [2]]]),
  conv2dEntry({ dilation: 2, padding: 'same' }, [[[1, 2, 5, 4], [2, 2, 3, 2], [2]]]),
  conv2dEntry({ padding: 'valid', stride: 3 }, [[[1, 1, 7, 7], [2, 1, 2, 2], [2]]]),
  conv2dEntry({ groups: 2, padding: 1 }, [[[1, 4, 3, 3], [4, 2, 2, 2], [4]]]),
  conv2dEntry({ groups: 3, stride: 2, padding: 1, dilation: 2 }, [[[2, 3, 5, 5], [3, 1, 2, 2], [3]]]),
  conv1dEntry({}, [[[2, 3, 5], [2, 3, 2], [2]]]),
  conv1dEntry({ dilation: 2, padding: 2, stride: 2 }, [[[1, 2, 7], [3, 2, 3], [3]]]),
  conv1dEntry({ padding: 'same', groups: 2 }, [[[1, 2, 6], [4, 1, 4], [4]]]),
  convT2dEntry({}, [[[1, 2, 3, 3], [2, 2, 2, 2], [2]]]),
  convT2dEntry({ stride: 2, padding: 1, outputPadding: 1 }, [[[1, 2, 3, 2], [2, 1, 3, 3], [1]]]),
  convT2dEntry({ stride: [2, 1], dilation: [1, 2], groups: 2 }, [[[1, 4, 2, 3], [4, 1, 2, 2], [2]]]),
  convT2dEntry({ dilation: 3, outputPadding: 2 }, [[[1, 1, 2, 2], [1, 2, 2, 2], [2]]]),
];
// ---- issue 11: flip, triangles, masks, bmm, einsum, pad --------------------------------------------

const reshaping: OpInfo[] = [
  op1('flip([0])', (x) => tg.flip(x, [0]), (x) => R2.flip(x, [0]), [[4], [2, 3], [3, 1, 2]], any, {
    errors: [
      { inputs: [Z(2, 3)], fn: (x) => x.flip([2]), message: /^flip: axis 2 is out of range for a tensor of 2 dimensions/ },
      { inputs: [Z(2, 3)], fn: (x) => x.flip([1, -1]), message: /^flip: axis 1 appears more than once/ },
    ],
  }),
  op1('flip([-1, 0])', (x) => x.flip([-1, 0]), (x) => R2.flip(x, [-1, 0]), [[2, 3], [3, 2, 2]]),
  op1('tril()', (x) => tg.tril(x), (x) => R2.triangle(x, 0, true), [[3, 3], [2, 4], [2, 3, 2]], any, {
    errors: [
      { inputs: [Z(3)], fn: (x) => x.tril(), message: /^tril: needs at least 2 dims, got shape \[3\]/ },
      { inputs: [Z(3, 3)], fn: (x) => x.tril(0.5), message: /^tril: diagonal must be an integer, got 0.5/ },
    ],
  }),
  op1('tril(-1)', (x) => x.tril(-1), (x) => R2.triangle(x, -1, true), [[3, 3], [4, 2]]),
  op1('triu()', (x) => tg.triu(x), (x) => R2.triangle(x, 0, false), [[3, 3], [2, 4], [2, 3, 2]], any, {
    errors: [{ inputs: [Z(2)], fn: (x) => x.triu(), message: /^triu: needs at least 2 dims, got shape \[2\]/ }],
  }),
  op1('triu(2)', (x) => x.triu(2), (x) => R2.triangle(x, 2, false), [[3, 4], [4, 3]]),
  {
    name: 'maskedFill(mask, -1.5)', fn: (x, m) => tg.maskedFill(x, m, -1.5), nondiff: [1], grad: 'second',
    ref: (x, m) => R.zip(x, m, (v, c) => (c !== 0 ? -1.5 : v)),
    samples: sampler((d) => [[d.uniform([2, 3]), d.mask([2, 3])], [d.uniform([2, 3]), d.mask([3])], [d.uniform([3, 1, 2]), d.mask([1, 2])]]),
    errors: [
      { inputs: [Z(2, 3), Z(4)], message: /^maskedFill: shapes \[2,3\] and \[4\] cannot be broadcast/ },
      { inputs: [Z(3), Z(2, 3)], message: /^maskedFill: mask of shape \[2,3\] does not broadcast to the input's shape \[3\]/ },
      { inputs: [Z(3), Z(3), Z(2)], fn: (x, m, v) => x.maskedFill(m, v), message: /^maskedFill: value must be a number or a 0-d tensor, got shape \[2\]/ },
    ],
  },
  {
    // a 0-d tensor value is differentiable: it collects the gradient of every filled place
    name: 'maskedFill(mask, tensor value)', fn: (x, m, v) => x.maskedFill(m, v), nondiff: [1], grad: 'second',
    ref: (x, m, v) => R.mapN([x, m, v], (a, c, b) => (c !== 0 ? b : a)),
    samples: sampler((d) => [[d.uniform([2, 3]), d.mask([2, 3]), d.uniform([])], [d.uniform([4]), d.mask([4]), d.uniform([])]]),
  },
  {
    name: 'bmm', fn: (a, b) => tg.bmm(a, b), ref: R.matmul, grad: 'second',
    samples: sampler((d) => [[[2, 3, 4], [2, 4, 2]], [[1, 1, 3], [1, 3, 1]], [[3, 2, 2], [3, 2, 5]]].map(([sa, sb]) => [d.uniform(sa), d.uniform(sb)])),
    errors: [
      { inputs: [Z(2, 3), Z(3, 2)], message: /^bmm: expected two 3-D tensors, got shapes \[2,3\] and \[3,2\]/ },
      { inputs: [Z(2, 3, 4), Z(3, 4, 2)], message: /^bmm: shapes \[2,3,4\] and \[3,4,2\] do not fit \[b, n, m\] @ \[b, m, p\]/ },
      { inputs: [Z(2, 3, 4), Z(2, 3, 2)], message: /^bmm: shapes \[2,3,4\] and \[2,3,2\] do not fit/ },
    ],
  },
  ...einsumRows(),
  ...padRows(),
];

/** einsum on the contractions attention, convolutions (im2col), linear layers and reductions use. */
function einsumRows(): OpInfo[] {
  const rows: [string, number[][]][] = [
    ['bhqd,bhkd->bhqk', [[2, 2, 3, 4], [2, 2, 5, 4]]], // attention scores
    ['bhqk,bhkd->bhqd', [[2, 2, 3, 5], [2, 2, 5, 4]]], // attention-weighted values
    ['bcl,ocl->bo', [[2, 3, 4], [5, 3, 4]]], // a convolution as patches times filters
    ['nlk,ok->nol', [[2, 6, 4], [3, 4]]], // im2col patches [N, L, C·k] times weights [O, C·k]
    ['ij,jk->ik', [[2, 3], [3, 4]]],
    ['bij,bjk->bik', [[2, 2, 3], [2, 3, 2]]],
    ['ij->ji', [[2, 3]]],
    ['ij->', [[2, 3]]],
    ['ii->i', [[3, 3]]],
    ['i,j->ij', [[3], [4]]],
    ['i,i->', [[4], [4]]],
    ['ij,j->i', [[3, 4], [4]]],
    ['ij,ij->ij', [[2, 3], [1, 3]]], // size-1 dims broadcast
    ['ab,bc,cd->ad', [[2, 3], [3, 4], [4, 2]]],
  ];
  return rows.map(([eq, shapes], i): OpInfo => ({
    name: `einsum(${eq})`, fn: (...xs) => tg.einsum(eq, ...xs), ref: (...xs) => R2.einsum(eq, xs), grad: 'second',
    samples: sampler((d) => [shapes.map((s) => d.uniform(s))]),
    ...(i === 0 ? {
      errors: [
        { inputs: [Z(2, 3)], fn: (x) => tg.einsum('ij,jk->ik', x), message: /^einsum: equation "ij,jk->ik" has 2 operands, got 1 tensor/ },
        { inputs: [Z(2, 3)], fn: (x) => tg.einsum('ijk->i', x), message: /^einsum: operand 0 "ijk" names 3 dims but the operand has shape with 2 dims/ },
        { inputs: [Z(2, 3), Z(4, 2)], fn: (a, b) => tg.einsum('ij,jk->ik', a, b), message: /^einsum: subscript 'j' has size 3 and 4/ },
        { inputs: [Z(2, 3)], fn: (x) => tg.einsum('ij->k', x), message: /^einsum: output subscript 'k' does not appear in any operand/ },
        { inputs: [Z(2, 3)], fn: (x) => tg.einsum('ij->ii', x), message: /^einsum: output subscript 'i' appears more than once/ },
        { inputs: [Z(2, 3)], fn: (x) => tg.einsum('i1->i', x), message: /^einsum: invalid subscript '1' in operand 0 "i1"/ },
      ],
    } : {}),
  }));
}

function padRows(): OpInfo[] {
  const cases: [number[], 'constant' | 'reflect' | 'replicate' | 'circular', number, number[][]][] = [
    [[1, 2], 'constant', 0, [[3], [2, 3]]],
    [[2, 1, 1, 0], 'constant', 1.5, [[2, 3], [2, 2, 3]]],
    [[-1, 2], 'constant', 0, [[4], [2, 3]]],
    [[2, 1], 'reflect', 0, [[4], [2, 3]]],
    [[1, 1, 2, 1], 'reflect', 0, [[3, 4], [2, 3, 3]]],
    [[2, 3], 'replicate', 0, [[3], [2, 2]]],
    [[1, 0, 1, 2], 'replicate', 0, [[2, 3], [1, 2, 2]]],
    [[2, 1], 'circular', 0, [[3], [2, 4]]],
  ];
  return cases.map(([amounts, mode, value, shapes], i) => op1(
    `pad([${amounts}], ${mode}${value ? `, ${value}` : ''})`, (x) => F.pad(x, amounts, mode, value), (x) => R2.pad(x, amounts, mode, value), shapes, any,
    i === 0 ? {
      errors: [
        { inputs: [Z(2, 3)], fn: (x) => F.pad(x, [1]), message: /^pad: expected an even number of pad amounts, got \[1\]/ },
        { inputs: [Z(3)], fn: (x) => F.pad(x, [1, 1, 1, 1]), message: /^pad: 2 \(left, right\) pairs for a tensor of 1 dims/ },
        { inputs: [Z(3)], fn: (x) => F.pad(x, [3, 0], 'reflect'), message: /^pad: mode 'reflect' needs amounts below the size 3 of dim 0, got \[3, 0\]/ },
        { inputs: [Z(3)], fn: (x) => F.pad(x, [0, 4], 'circular'), message: /^pad: mode 'circular' needs amounts at most the size 3 of dim 0, got \[0, 4\]/ },
        { inputs: [Z(3)], fn: (x) => F.pad(x, [1.5, 0]), message: /^pad: amounts must be integers, got \[1.5,0\]/ },
        { inputs: [Z(3)], fn: (x) => F.pad(x, [-2, -2]), message: /^pad: cropping \[-2, -2\] removes more than the 3 elements of dim 0/ },
        { inputs: [Z(3)], fn: (x) => F.pad(x, [1, 1], 'wrap' as never), message: /^pad: unknown mode "wrap"/ },
        { inputs: [Z(3)], fn: (x) => F.pad(x, [1, 1], 'reflect', 2), message: /^pad: value is only used by mode 'constant'/ },
      ],
    } : {},
  ));
}

// ---- issue 11: rounding, scans, products, norms, pieces, sorting ------------------------------------

/** Values at least 0.1 away from every integer and half-integer in [-3, 3] (the steps of floor/round/...). */
const offGrid: Dom = (d, s) => d.away(s, Array.from({ length: 13 }, (_, i) => -3 + i * 0.5), -3, 3, 0.1);
/** Non-zero values of either sign with |x| in [0.5, 1.5], so products stay moderate. */
const factors: Dom = (d, s) => R.map(d.uniform(s, 0.5, 1.5), (v) => (d.uniform([], 0, 1).data[0] < 0.3 ? -v : v));

// step functions: the gradient is the constant 0, which has no derivative of its own to check (grad: 'first')
const step = { grad: 'first' as const };
const rounding: OpInfo[] = [
  unary('floor', (x) => tg.floor(x), Math.floor, offGrid, step),
  unary('ceil', (x) => x.ceil(), Math.ceil, offGrid, step),
  unary('trunc', (x) => tg.trunc(x), Math.trunc, offGrid, step),
  unary('round', (x) => tg.round(x), R2.roundHalfEven, offGrid, step),
  unary('sign', (x) => tg.sign(x), Math.sign, nonzero, step),
  op1('round(decimals=1)', (x) => x.round(1), (x) => map(x, (v) => R2.roundHalfEven(v * 10) / 10), [[5], [2, 3]], (d, s) => d.away(s, Array.from({ length: 81 }, (_, i) => -2 + i * 0.05), -2, 2, 0.01), {
    ...step,
    errors: [{ inputs: [Z(2)], fn: (x) => x.round(0.5), message: /^round: decimals must be an integer, got 0.5/ }],
  }),
  // exact halves: banker's rounding (the grid draws are multiples of 0.25, so half of them are ties)
  op1('round (ties to even)', (x) => x.round(), (x) => map(x, R2.roundHalfEven), [[8], [3, 4]], (d, s) => d.grid(s, 0), { grad: false }),
];

const scans: OpInfo[] = [
  ...[0, -1].map((axis, i): OpInfo => op1(`cumsum(${axis})`, (x) => tg.cumsum(x, axis), (x) => R.mapLanes(x, axis, R2.cumsumLane), [[4], [2, 3], [3, 2, 2]], any,
    i === 0 ? { errors: [{ inputs: [Z(2, 3)], fn: (x) => x.cumsum(2), message: /^cumsum: axis 2 is out of range for a tensor of 2 dimensions/ }] } : {})),
  op1('cumsum(1)', (x) => x.cumsum(1), (x) => R.mapLanes(x, 1, R2.cumsumLane), [[2, 3], [2, 4, 1]]),
  op1('cumsum(0) of a 0-d tensor', (x) => x.cumsum(0), (x) => x, [[]]),
  ...[0, -1].map((axis, i): OpInfo => op1(`cumprod(${axis})`, (x) => tg.cumprod(x, axis), (x) => R.mapLanes(x, axis, R2.cumprodLane), [[4], [2, 3], [3, 2, 2]], factors,
    i === 0 ? { errors: [{ inputs: [Z(2, 3)], fn: (x) => x.cumprod(-3), message: /^cumprod: axis -3 is out of range for a tensor of 2 dimensions/ }] } : {})),
  {
    // zeros take the division-free gradient (one and two zeros in a lane, and a zero at the start)
    name: 'cumprod(-1) with zeros', fn: (x) => x.cumprod(-1), ref: (x) => R.mapLanes(x, -1, R2.cumprodLane), grad: 'second',
    samples: () => [{ inputs: [V([5], [1.5, 0, -0.7, 2, 0.9])] }, { inputs: [V([2, 4], [0, 1.2, 0.8, 0, 1.1, -0.5, 0, 1.3])] }],
  },
  op1('prod()', (x) => tg.prod(x), (x) => R.reduceLanes(x, undefined, false, R2.prodOf), [[], [4], [2, 3]], factors, {
    errors: [{ inputs: [Z(2, 3)], fn: (x) => x.prod(2), message: /^prod: axis 2 is out of range for a tensor of 2 dimensions/ }],
  }),
  op1('prod(1)', (x) => x.prod(1), (x) => R.reduceLanes(x, 1, false, R2.prodOf), [[2, 3], [3, 4, 2]], factors),
  op1('prod(-1, keepdims)', (x) => x.prod(-1, true), (x) => R.reduceLanes(x, -1, true, R2.prodOf), [[2, 3], [4]], factors),
  {
    name: 'prod(0) with zeros', fn: (x) => x.prod(0), ref: (x) => R.reduceLanes(x, 0, false, R2.prodOf), grad: 'second',
    samples: () => [{ inputs: [V([4, 2], [1.5, 0, 0, 0, -0.7, 2, 0.9, 1.1])] }],
  },
  ...([['fro', undefined], [2, 1], [1, -1], [Infinity, 0], [-Infinity, -1], [3, [0, 1]], [0.5, 1]] as [tg.NormOrder, number | number[] | undefined][])
    .map(([p, axis], i): OpInfo => op1(`norm(${p}, axis=${axis ?? 'all'})`, (x) => tg.norm(x, p, axis), (x) => R.reduceLanes(x, axis, false, (v) => R2.pnorm(v, p)),
      axis === undefined ? [[4], [2, 3]] : [[2, 3], [3, 2, 2]], p === Infinity || p === -Infinity ? (d, s) => R.map(d.distinct(s), (v) => (v >= 0 ? v + 0.05 : v)) : nonzero,
      i === 0 ? {
        errors: [
          { inputs: [Z(3)], fn: (x) => x.norm(-1), message: /^norm: p must be positive, ±Infinity or 'fro', got -1/ },
          { inputs: [Z(3)], fn: (x) => x.norm('nuc' as never), message: /^norm: p must be a number, Infinity, -Infinity or 'fro', got "nuc"/ },
        ],
      } : {})),
  op1('norm(2, keepdims)', (x) => x.norm(2, -1, true), (x) => R.reduceLanes(x, -1, true, (v) => R2.pnorm(v, 2)), [[2, 3]], nonzero),
  op1('norm(0)', (x) => x.norm(0), (x) => R.reduceLanes(x, undefined, false, (v) => R2.pnorm(v, 0)), [[2, 3]], (d, s) => R.map(d.ints(s, -1, 2), (v) => v * 0.5), { grad: false }),
];

const pieces: OpInfo[] = [
  // each piece scaled by its position, then joined again: checks the order, sizes and gradient of every piece
  op1('split(2, 1)', (x) => tg.concat(tg.split(x, 2, 1).map((p, i) => p.mul(i + 1)), 1),
    (x) => R.mapLanes(x, 1, (v) => v.map((e, j) => e * (Math.floor(j / 2) + 1))), [[2, 5], [1, 4, 2]], any, {
      errors: [
        { inputs: [Z(2, 3)], fn: (x) => x.split(0)[0], message: /^split: splitSize must be a positive integer, got 0/ },
        { inputs: [Z(2, 3)], fn: (x) => x.split([1, 1], 1)[0], message: /^split: section sizes \[1,1\] add up to 2, but dim 1 of shape \[2,3\] has 3/ },
        { inputs: [Z(2, 3)], fn: (x) => x.split([2, -1, 2], 1)[0], message: /^split: each section size must be a non-negative integer, got -1/ },
      ],
    }),
  op1('split([1, 3], 0)', (x) => tg.concat(x.split([1, 3]).map((p, i) => p.mul(i + 2)), 0),
    (x) => R.mapLanes(x, 0, (v) => v.map((e, j) => e * (j < 1 ? 2 : 3))), [[4], [4, 2]]),
  op1('chunk(3, -1)', (x) => tg.concat(tg.chunk(x, 3, -1).map((p, i) => p.mul(i + 1)), -1),
    (x) => R.mapLanes(x, -1, (v) => v.map((e, j) => e * (Math.floor(j / Math.ceil(v.length / 3)) + 1))), [[7], [2, 6], [2, 4]], any, {
      errors: [{ inputs: [Z(4)], fn: (x) => x.chunk(0)[0], message: /^chunk: chunks must be a positive integer, got 0/ }],
    }),
  op1('repeat([2, 3])', (x) => x.repeat([2, 3]), (x) => R2.repeat(x, [2, 3]), [[2, 1], [3], [1, 2]], any, {
    errors: [
      { inputs: [Z(2, 3)], fn: (x) => x.repeat([2]), message: /^repeat: needs at least one size per dim \(2 for shape \[2,3\]\), got \[2\]/ },
      { inputs: [Z(3)], fn: (x) => x.repeat([1.5]), message: /^repeat: each size must be a non-negative integer, got 1.5/ },
    ],
  }),
  op1('repeat([2, 1, 2])', (x) => x.repeat([2, 1, 2]), (x) => R2.repeat(x, [2, 1, 2]), [[2, 3], [1, 2, 2]]),
  op1('tile([2])', (x) => tg.tile(x, [2]), (x) => R2.repeat(x, [...x.shape.slice(1).map(() => 1), 2]), [[3], [2, 2]]),
  op1('roll(1)', (x) => tg.roll(x, 1), (x) => R.reshape(R2.roll(R.reshape(x, [-1]), [1], [0]), x.shape), [[4], [2, 3]], any, {
    errors: [
      { inputs: [Z(2, 3)], fn: (x) => x.roll([1, 1], [0]), message: /^roll: got 2 shifts for 1 dims/ },
      { inputs: [Z(2, 3)], fn: (x) => x.roll(0.5, 0), message: /^roll: each shift must be an integer, got 0.5/ },
      { inputs: [Z(2, 3)], fn: (x) => x.roll(1, 2), message: /^roll: axis 2 is out of range for a tensor of 2 dimensions/ },
    ],
  }),
  op1('roll([-1, 5], [0, -1])', (x) => x.roll([-1, 5], [0, -1]), (x) => R2.roll(x, [-1, 5], [0, -1]), [[3, 4], [2, 3, 2]]),
];

const sorting: OpInfo[] = [
  op1('sort().values', (x) => tg.sort(x).values, (x) => R.mapLanes(x, -1, (v) => [...v].sort((a, b) => a - b)), [[5], [2, 4], [2, 3, 3]], distinct, {
    errors: [{ inputs: [Z(2, 3)], fn: (x) => x.sort(2).values, message: /^sort: axis 2 is out of range for a tensor of 2 dimensions/ }],
  }),
  op1('sort(0, descending).values', (x) => x.sort(0, true).values, (x) => R.mapLanes(x, 0, (v) => [...v].sort((a, b) => b - a)), [[5], [3, 2]], distinct),
  op1('argsort(-1)', (x) => tg.argsort(x), (x) => R.mapLanes(x, -1, (v) => R2.argsortLane(v, false)), [[5], [2, 4]], distinct, { grad: false, dtype: 'int32' }),
  op1('argsort(0, descending)', (x) => x.argsort(0, true), (x) => R.mapLanes(x, 0, (v) => R2.argsortLane(v, true)), [[3, 2]], distinct, { grad: false, dtype: 'int32' }),
  op1('argsort (ties keep their order)', (x) => x.argsort(), (x) => R.mapLanes(x, -1, (v) => R2.argsortLane(v, false)), [[8], [2, 6]], (d, s) => d.ints(s, 0, 3), { grad: false, dtype: 'int32' }),
  op1('topk(2).values', (x) => tg.topk(x, 2).values, (x) => R.slice(R.mapLanes(x, -1, (v) => [...v].sort((a, b) => b - a)), -1, 0, 2),
    [[5], [2, 4]], distinct, {
      errors: [{ inputs: [Z(2, 3)], fn: (x) => x.topk(4).values, message: /^topk: k \(dim 1 of shape \[2,3\] has 3\) must be an integer in \[0, 3\], got 4/ }],
    }),
  op1('topk(2, 0, smallest).values', (x) => x.topk(2, 0, false).values, (x) => R.slice(R.mapLanes(x, 0, (v) => [...v].sort((a, b) => a - b)), 0, 0, 2), [[4], [3, 2]], distinct),
  op1('topk(3).indices', (x) => x.topk(3).indices, (x) => R.slice(R.mapLanes(x, -1, (v) => R2.argsortLane(v, true)), -1, 0, 3), [[5], [2, 4]], distinct, { grad: false, dtype: 'int32' }),
  op1('argmax(1)', (x) => tg.argmax(x, 1), (x) => R.reduceLanes(x, 1, false, (v) => v.indexOf(Math.max(...v))), [[2, 3], [3, 4, 2]], distinct, { grad: false, dtype: 'int32' }),
  op1('argmin()', (x) => tg.argmin(x), (x) => R.arr([], [[...x.data].indexOf(Math.min(...x.data))]), [[5], [2, 3]], distinct, { grad: false, dtype: 'int32' }),
];

/** x³ with a hand-written backward in Tensor ops (so it has a second derivative): the 'custom' primitive. */
class Cube extends tg.autograd.Function {
  static override forward(ctx: tg.autograd.FunctionCtx, x: Tensor): Tensor {
    ctx.saveForBackward(x);
    return x.pow(3);
  }
  static override backward(ctx: tg.autograd.FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return g.mul(x.square()).mul(3);
  }
}
/** a·b + b with the product rule written out, TF.js style; b's gradient uses the saved output. */
const mulAdd = tg.customGrad((a: Tensor, b: Tensor, save: (t: Tensor[]) => void) => {
  save([a, b]);
  return { value: a.mul(b).add(b), gradFunc: (dy: Tensor, [x, y]: Tensor[]) => [dy.mul(y), dy.mul(x.add(1))] };
});

const products: OpInfo[] = [
  unary('autograd.Function (x³)', (x) => Cube.apply(x), (v) => v ** 3),
  {
    name: 'customGrad (a·b + b)', fn: (a, b) => mulAdd(a, b), ref: (a, b) => zip(a, b, (x, y) => x * y + y), grad: 'second',
    samples: sampler((d) => [[d.uniform([2, 3]), d.uniform([2, 3])], [d.uniform([4]), d.uniform([4])]]),
    errors: [
      // a backward that answers for fewer arguments than the forward took fails when it runs, naming the function
      { inputs: [Z(2)], fn: (x) => { Cube.apply(x, 2).sum().backward(); return x; }, message: /^Cube.backward: returned 1 gradient for 2 forward arguments/ },
      { inputs: [Z(2)], fn: (x) => tg.customGrad(() => ({ value: x, gradFunc: () => x.sum() }))(x).sum().backward() as never, message: /^customGrad.backward: the gradient for argument 0 has shape \[\], expected the input's \[2\]/ },
    ],
  },
  {
    name: 'outer', fn: (a, b) => tg.outer(a, b), ref: (a, b) => R.matmul(R.reshape(a, [-1, 1]), R.reshape(b, [1, -1])), grad: 'second',
    samples: sampler((d) => [[d.uniform([3]), d.uniform([4])], [d.uniform([1]), d.uniform([2])]]),
    errors: [{ inputs: [Z(2, 2), Z(3)], message: /^outer: expected two 1-D tensors, got shapes \[2,2\] and \[3\]/ }],
  },
  {
    // x, lo and hi on three interleaved grids: never tied, and lo > hi happens (then the result is hi, as PyTorch)
    name: 'clamp(x, lo, hi) with tensor bounds', fn: (x, lo, hi) => tg.clamp(x, lo, hi), broadcasts: true, grad: 'second',
    ref: (x, lo, hi) => mapN([x, lo, hi], (v, a, b) => Math.min(Math.max(v, a), b)),
    samples: sampler((d) => {
      const hiGrid = (s: number[]) => R.map(d.grid(s, 0), (v) => v + 0.125);
      return [
        [d.grid([2, 3], 1), d.grid([2, 3], 0), hiGrid([2, 3])], [d.grid([2, 3], 1), d.grid([3], 0), hiGrid([2, 1])], [d.grid([4], 1), d.grid([], 0), hiGrid([4])],
      ];
    }),
  },
  {
    name: 'clamp(x, lo tensor)', fn: (x, lo) => x.clamp(lo), broadcasts: true, grad: 'second',
    ref: (x, lo) => zip(x, lo, (v, a) => Math.max(v, a)), samples: sampler((d) => [[d.grid([2, 3], 1), d.grid([3], 0)]]),
  },
  {
    name: 'clamp(x, null, hi tensor)', fn: (x, hi) => x.clamp(null, hi), broadcasts: true, grad: 'second',
    ref: (x, hi) => zip(x, hi, (v, b) => Math.min(v, b)), samples: sampler((d) => [[d.grid([2, 3], 1), d.grid([2, 1], 0)]]),
  },
  op1('oneHot(labels, 4)', (l) => F.oneHot(l, 4), (l) => R.arr([...l.shape, 4], [...l.data].flatMap((k) => [0, 1, 2, 3].map((c) => (c === k ? 1 : 0)))),
    [[3], [2, 2]], (d, s) => d.ints(s, 0, 4), {
      grad: false, dtype: 'int32',
      errors: [
        { inputs: [V([2], [0, 4])], fn: (l) => F.oneHot(l, 4), message: /^oneHot: label 4 at position 1 is not a class index in \[0, 4\)/ },
        { inputs: [V([2], [0, 1])], fn: (l) => F.oneHot(l, -2), message: /^oneHot: numClasses must be -1 or a non-negative integer, got -2/ },
      ],
    }),
  op1('oneHot(labels)', (l) => F.oneHot(l), (l) => { const c = Math.max(...l.data) + 1; return R.arr([...l.shape, c], [...l.data].flatMap((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0)))); },
    [[5]], (d, s) => d.ints(s, 0, 3), { grad: false, dtype: 'int32' }),
];

export const OPTABLE: OpInfo[] = [
  ...elementwise, ...linalg, ...reductions, ...movement, ...joining, ...indexing, ...casts, ...losses, ...reshaping, ...rounding, ...scans, ...pieces,
  ...sorting, ...products, ...images, ...sequence,
];
