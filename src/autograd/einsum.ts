// tg.einsum: Einstein summation as a composite of permute, reshape, sum and (batched) matmul.
// Operands are contracted left to right, two at a time, each pair as one batched matrix product.

import { fmtShape } from '../tensor/shape.js';
import { type Tensor, where } from './tensor.js';

/** One operand during the contraction: a tensor and the label of each of its dims. */
interface Term {
  t: Tensor;
  labels: number[];
}

const ELLIPSIS = '...';
const LETTER = /^[a-zA-Z]$/;

/** Label ids: letters are their char codes; the dims under '...' get ids ≥ 1000 (one per broadcast dim, right-aligned). */
function parseTerm(term: string, ndim: number | null, ellDims: number, where: string): { labels: number[]; ell: boolean } {
  const at = term.indexOf(ELLIPSIS);
  if (at !== term.lastIndexOf(ELLIPSIS)) throw new RangeError(`einsum: ${where} "${term}" has more than one '...'`);
  const before = at < 0 ? term : term.slice(0, at);
  const after = at < 0 ? '' : term.slice(at + ELLIPSIS.length);
  for (const c of before + after) {
    if (!LETTER.test(c)) throw new RangeError(`einsum: invalid subscript '${c}' in ${where} "${term}" (use letters a-z, A-Z and '...')`);
  }
  const named = before.length + after.length;
  let n = 0;
  if (at >= 0) {
    n = ndim === null ? ellDims : ndim - named;
    if (n < 0) throw new RangeError(`einsum: ${where} "${term}" names ${named} dims but the operand has only ${ndim}`);
  } else if (ndim !== null && named !== ndim) {
    throw new RangeError(`einsum: ${where} "${term}" names ${named} dims but the operand has shape with ${ndim} dims`);
  }
  const ell = Array.from({ length: n }, (_, i) => 1000 + ellDims - n + i);
  return { labels: [...[...before].map((c) => c.charCodeAt(0)), ...ell, ...[...after].map((c) => c.charCodeAt(0))], ell: at >= 0 };
}

const labelName = (l: number) => (l >= 1000 ? '...' : String.fromCharCode(l));

/** Keeps the diagonal of every label that appears twice in one operand ('ii->i'), so each label occurs once per term. */
function takeDiagonals(term: Term): Term {
  let { t, labels } = term;
  for (let q = labels.length - 1; q > 0; q--) {
    const p = labels.indexOf(labels[q]);
    if (p === q) continue;
    const n = t.shape[p];
    const shape = t.shape.map((_, d) => (d === p || d === q ? n : 1));
    const eye = t.newOnes([n, n]).triu().tril().reshape(shape);
    t = where(eye, t, 0).sum(q);
    labels = labels.filter((_, d) => d !== q);
  }
  return { t, labels };
}

/** Sums out every label of `term` that is not in `keep`. */
function sumOut(term: Term, keep: ReadonlySet<number>): Term {
  const axes = term.labels.flatMap((l, d) => (keep.has(l) ? [] : [d]));
  if (axes.length === 0) return term;
  return { t: term.t.sum(axes), labels: term.labels.filter((l) => keep.has(l)) };
}

/** Moves a term's dims into the order of `labels` (all of which it has). */
function arrange(term: Term, labels: readonly number[]): Tensor {
  return term.t.permute(labels.map((l) => term.labels.indexOf(l)));
}

const prodOf = (t: Term, labels: readonly number[]) => labels.reduce((n, l) => n * t.t.shape[t.labels.indexOf(l)], 1);

/** Contracts two terms over their shared labels not in `keep`, as one batched matmul [..batch, M, K] @ [..batch, K, N]. */
function contract(a: Term, b: Term, keep: ReadonlySet<number>): Term {
  const batch = a.labels.filter((l) => b.labels.includes(l) && keep.has(l));
  const inner = a.labels.filter((l) => b.labels.includes(l) && !keep.has(l));
  const left = a.labels.filter((l) => !b.labels.includes(l));
  const right = b.labels.filter((l) => !a.labels.includes(l));
  const bs = batch.map((l) => a.t.shape[a.labels.indexOf(l)]);
  const [m, k, n] = [prodOf(a, left), prodOf(a, inner), prodOf(b, right)];
  // dense operands: matmul's gradient picks its summation order by layout, and einsum's results should not
  // depend on how its inputs happen to be stored
  const x = arrange(a, [...batch, ...left, ...inner]).reshape([...bs, m, k]).contiguous();
  const y = arrange(b, [...batch, ...inner, ...right]).reshape([...bs, k, n]).contiguous();
  const shape = [...bs, ...left.map((l) => a.t.shape[a.labels.indexOf(l)]), ...right.map((l) => b.t.shape[b.labels.indexOf(l)])];
  return { t: x.matmul(y).reshape(shape), labels: [...batch, ...left, ...right] };
}

/**
 * Einstein summation (torch.einsum): `equation` names each operand's dims with letters, and the output's after
 * `->`; labels shared by operands but missing from the output are multiplied and summed over. Without `->`, the
 * output is the labels that appear once, in alphabetical order. `...` stands for broadcast leading dims; a letter
 * repeated in one operand takes its diagonal ('ii->i'), and size-1 dims broadcast against their label's size.
 * Gradients flow to every operand (it is built from matmul, sum and movement ops).
 * @example
 * ```ts
 * const q = tg.randn([2, 4, 8]);
 * const k = tg.randn([2, 5, 8]);
 * tg.einsum('bqd,bkd->bqk', q, k).shape; // [2, 4, 5]: attention scores
 * tg.einsum('ij->ji', tg.zeros([2, 3])).shape; // [3, 2]
 * ```
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  const ops = operands.length === 1 && Array.isArray(operands[0]) ? [...operands[0]] : (operands as Tensor[]);
  if (typeof equation !== 'string') throw new TypeError('einsum: the first argument must be the equation string');
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const rhs = arrow < 0 ? null : eq.slice(arrow + 2);
  const inputs = lhs.split(',');
  if (inputs.length !== ops.length) {
    throw new RangeError(`einsum: equation "${equation}" has ${inputs.length} operand${inputs.length === 1 ? '' : 's'}, got ${ops.length} tensor${ops.length === 1 ? '' : 's'}`);
  }
  const ellDims = Math.max(0, ...inputs.map((s, i) => (s.includes(ELLIPSIS) ? ops[i].ndim - (s.length - ELLIPSIS.length) : 0)));
  let terms: Term[] = inputs.map((s, i) => ({ t: ops[i], labels: parseTerm(s, ops[i].ndim, ellDims, `operand ${i}`).labels }));

  // every label has one size; size-1 dims broadcast to it
  const size = new Map<number, number>();
  terms.forEach(({ t, labels }, i) => labels.forEach((l, d) => {
    const have = size.get(l);
    const dim = t.shape[d];
    if (have === undefined || have === 1) size.set(l, dim);
    else if (dim !== 1 && dim !== have) {
      throw new RangeError(`einsum: subscript '${labelName(l)}' has size ${have} and ${dim} (operand ${i} of shape ${fmtShape(t.shape)})`);
    }
  }));
  const count = new Map<number, number>();
  for (const { labels } of terms) for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  terms = terms.map(({ t, labels }) => ({ t: t.expand(labels.map((l) => size.get(l)!)), labels })).map(takeDiagonals);

  let out: number[];
  if (rhs === null) {
    // '...' dims first, then the letters that appear once, alphabetically
    out = [...count.keys()].filter((l) => l >= 1000 || count.get(l) === 1).sort((a, b) => (a >= 1000) === (b >= 1000) ? a - b : a >= 1000 ? -1 : 1);
  } else {
    out = parseTerm(rhs, null, ellDims, 'output').labels;
    const seen = new Set<number>();
    for (const l of out) {
      if (seen.has(l)) throw new RangeError(`einsum: output subscript '${labelName(l)}' appears more than once in "${equation}"`);
      if (!size.has(l)) throw new RangeError(`einsum: output subscript '${labelName(l)}' does not appear in any operand of "${equation}"`);
      seen.add(l);
    }
  }
  const output = new Set(out);

  // contract left to right, summing a label out as soon as no later term and not the output needs it
  const needed = (from: number) => new Set([...out, ...terms.slice(from).flatMap((t) => t.labels)]);
  let acc = sumOut(terms[0], new Set([...needed(1)]));
  for (let i = 1; i < terms.length; i++) {
    const keep = needed(i + 1);
    const b = sumOut(terms[i], new Set([...keep, ...acc.labels]));
    acc = sumOut(acc, new Set([...keep, ...b.labels]));
    acc = contract(acc, b, keep);
  }
  acc = sumOut(acc, output);
  return arrange(acc, out);
}
