// The tape walk: reverse-mode differentiation over the recorded graph.
// Iterative topological sort, VJPs in reverse order, `+=` accumulation, a shape check on every gradient.

import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { enterBackward, exitBackward } from './mode.js';
import { type ApplyFn, type OpAttrs, type OpName, OPS, savedArrays, type VjpContext } from './ops.js';
import type { Node, NodeOf, Tensor } from './tensor.js';
import { checkOptions } from '../tensor/validate.js';
import { beginCapture, endCapture, giveBack, release, unpin } from '../tensor/storage.js';
import type { TypedArray } from '../tensor/dtype.js';
import { bumpVersion } from './version.js';

/** Options for `tensor.backward()` (and the base of {@link GradOptions}), as in PyTorch's backward. */
export interface BackwardOptions {
  /** Keep the graph's saved tensors so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients can be differentiated again. */
  createGraph?: boolean;
}

const FREED =
  'Trying to backward through the graph a second time (or to use its saved tensors after they were freed). ' +
  'Pass { retainGraph: true } to the first backward() or grad() call if you need to do this.';

/**
 * The graph behind `roots`: every tensor reachable through recorded nodes, inputs before the tensors made
 * from them (backward walks it in reverse). The one graph walk: backward and tg.grad follow only inputs
 * that require grad; toDot (`constants: true`) also lists the constants the ops read. A freed node throws
 * `freedMessage`. An explicit stack of [tensor, next input index], so deep graphs cannot overflow.
 */
export function graphOrder(roots: readonly Tensor[], options: { constants?: boolean; freedMessage?: string } = {}): Tensor[] {
  const constants = options.constants ?? false;
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const node = top[0].node;
      const inputs = node ? node.inputs : null;
      if (node && inputs === null) throw new Error(options.freedMessage ?? FREED);
      if (inputs && top[1] < inputs.length) {
        const next = inputs[top[1]++];
        if (!visited.has(next) && (constants || next.requiresGrad)) {
          visited.add(next);
          stack.push([next, 0]);
        }
      } else {
        stack.pop();
        order.push(top[0]);
      }
    }
  }
  return order;
}

/** The tensors of `order` (inputs first) from which some target can be reached: the only ones tg.grad needs. */
function reaching(order: readonly Tensor[], targets: ReadonlySet<Tensor>): Set<Tensor> {
  const out = new Set<Tensor>();
  for (const t of order) {
    if (targets.has(t) || (t.node?.inputs ?? []).some((x) => out.has(x))) out.add(t);
  }
  return out;
}

/** Runs one node's VJP; K ties the node's attributes to its op's rule, so no cast is needed. */
function runVjp<K extends OpName>(
  node: NodeOf<K>, g: Tensor, inputs: readonly Tensor[], output: Tensor, needs: readonly boolean[], apply: ApplyFn,
): (Tensor | null)[] {
  const ctx: VjpContext<OpAttrs[K]> = { inputs, output, attrs: node.attrs, needs, apply };
  return OPS[node.op].vjp(g, ctx);
}

export function seedGradient(out: Tensor, g: Tensor | number | null | undefined, where: string): Tensor {
  if (g === undefined || g === null) {
    if (out.size !== 1) {
      throw new Error(`${where}: the gradient can be implied only for single-element outputs, got shape ${fmtShape(out.shape)}; pass a gradient tensor`);
    }
    return out.onesLike();
  }
  const t = typeof g === 'number' ? out.onesLike().mul(g) : g;
  if (!shapesEqual(t.shape, out.shape)) {
    throw new Error(`${where}: gradient shape ${fmtShape(t.shape)} does not match output shape ${fmtShape(out.shape)}`);
  }
  return t;
}

/**
 * Ops whose VJP reads only shapes and attributes, never the values of its inputs or output: a tensor they saw may
 * change in place without harm (PyTorch saves nothing for them). Every other op's saved tensors are checked.
 */
const READS_NO_VALUES: ReadonlySet<OpName> = new Set<OpName>([
  'add', 'sub', 'neg', 'sum', 'reshape', 'permute', 'expand', 'flip', 'slice', 'unslice', 'contiguous', 'cast', 'concat',
  'gather', 'scatterAdd', 'indexSelect', 'indexAdd',
]);

/**
 * Throws PyTorch's error if an input or the output of `node` was written in place (its storage's version moved on)
 * after the op was recorded: its VJP would read the new values and return a wrong gradient.
 */
function checkVersions(node: Node, inputs: readonly Tensor[], output: Tensor): void {
  for (let k = 0; k <= inputs.length; k++) {
    const t = k < inputs.length ? inputs[k] : output;
    const now = t.version;
    const then = node.versions === null ? 0 : node.versions[k];
    if (now === then) continue;
    const what = k < inputs.length ? `input ${k}` : 'the output';
    throw new Error(
      `backward: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
        `${what} of ${node.op} (a ${t.dtype} tensor of shape ${fmtShape(t.shape)}) is at version ${now}; expected version ` +
        `${then} instead. Hint: run the forward pass again after changing it (e.g. after optimizer.step() or ` +
        `loadStateDict), or use a clone() of it in the graph`,
    );
  }
}

/** Adds `g` to the gradient collected so far for `t` (backward's `+=`). */
function addGrad(grads: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const prev = grads.get(t);
  grads.set(t, prev ? prev.add(g) : g);
}

/**
 * Runs the VJPs from `roots` down to the leaves. `collect(t, g)` receives each tensor's full gradient
 * once all contributions are summed, and returns the tensor it keeps (or null); nodes are freed
 * afterwards unless retainGraph is set. `apply` (tensor.ts's) is handed to the VJPs, so the tape and
 * the op table import no values from tensor.ts. With `targets` (tg.grad's inputs), only the VJPs on
 * paths that reach a target run. `makeSeeds` builds the root gradients (inside the pass, so a seed the
 * tape makes is recycled with the rest).
 *
 * Recycling (src/tensor/storage.ts): without createGraph, every array made during the pass is a gradient in
 * flight or a kernel's scratch, seen only by the tape, so all of them except the kept gradients go back to
 * the caching allocator at the end. Intermediate results that library code marked `releasable` (nn.Sequential's)
 * go back too once their node is freed. Nothing is recycled when a custom function (user code) runs in the pass.
 * Returns the arrays of kept gradients that the pass made and that no other kept gradient shares (a view shares
 * its base's typed array, so identity is enough).
 */
export function runBackward(
  roots: readonly Tensor[], makeSeeds: () => readonly Tensor[], options: BackwardOptions,
  collect: (t: Tensor, g: Tensor) => Tensor | null, apply: ApplyFn, targets?: ReadonlySet<Tensor>,
): Set<TypedArray> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const order = graphOrder(roots);
  const wanted = targets ? reaching(order, targets) : null;
  const grads = new Map<Tensor, Tensor>();
  const kept: Tensor[] = [];
  const freedForward: Tensor[] = [];
  let recycle = !createGraph;
  const outer = beginCapture();
  let made: TypedArray[];
  // No closure in this function: V8 keeps a closure's whole context (order: the graph) alive for as long as it
  // keeps the closure (an optimization job can), and a graph kept into the next step's forward is copied by every
  // young-generation collection. So the pass sets its modes itself rather than through asBackward/withGradMode.
  const before = enterBackward(createGraph);
  try {
    const seeds = makeSeeds();
    for (let i = 0; i < roots.length; i++) addGrad(grads, roots[i], seeds[i]);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (g === undefined || (wanted !== null && !wanted.has(t))) continue;
      grads.delete(t);
      const keep = collect(t, g);
      if (keep !== null) kept.push(keep);
      const node = t.node;
      if (!node) continue;
      const inputs = node.inputs;
      if (inputs === null) throw new Error(FREED);
      if (node.op === 'custom') recycle = false;
      if (!READS_NO_VALUES.has(node.op)) checkVersions(node, inputs, t);
      const needs = new Array<boolean>(inputs.length);
      for (let k = 0; k < inputs.length; k++) needs[k] = inputs[k].requiresGrad && (wanted === null || wanted.has(inputs[k]));
      const inGrads = runVjp(node, g, inputs, t, needs, apply);
      for (let k = 0; k < inputs.length; k++) {
        const gi = inGrads[k];
        if (!needs[k] || !gi) continue;
        if (!shapesEqual(gi.shape, inputs[k].shape)) {
          throw new Error(`backward: the gradient of ${node.op}'s input ${k} has shape ${fmtShape(gi.shape)}, expected ${fmtShape(inputs[k].shape)}`);
        }
        addGrad(grads, inputs[k], gi.dtype === inputs[k].dtype ? gi : gi.to(inputs[k].dtype));
      }
      if (!retainGraph) {
        node.inputs = null; // drop saved tensors: memory is released, and a second pass is caught
        node.output = null;
        if (t.releasable && wanted === null) freedForward.push(t);
        // tensors the caller disposed while this node kept them can go back to the cache now
        for (const x of inputs) {
          x._tapeRefs--;
          if (x._disposed) x._releaseIfUnseen();
        }
        for (const a of savedArrays(node)) unpin(a);
        if (t._disposed) t._releaseIfUnseen();
      }
    }
  } finally {
    exitBackward(before);
    made = endCapture(outer);
  }
  // Arrays still in use: the kept gradients'. An array two kept gradients share (add's VJP hands the same
  // gradient to both inputs) is owned by neither.
  const keptCount = new Map<TypedArray, number>();
  for (const k of kept) keptCount.set(k.value.data, (keptCount.get(k.value.data) ?? 0) + 1);
  const owned = new Set<TypedArray>();
  if (!recycle) return owned;
  for (const a of made) {
    const n = keptCount.get(a);
    if (n === undefined) release(a);
    else if (n === 1) owned.add(a);
  }
  for (const t of freedForward) {
    const a = t.value.data;
    // a disposed one was handled by its own _releaseIfUnseen above (released at most once)
    if (!t._disposed && !keptCount.has(a)) giveBack(t.value);
  }
  return owned;
}

/** Adds g into the dense storage of `into` (same shape and dtype): the in-place form of into.add(g). */
function addInPlace(into: Tensor, g: Tensor): boolean {
  const a = into.value, b = g.value;
  if (a.dtype !== b.dtype || !a.isDense() || !b.isContiguous()) return false;
  const ad = a.data, bd = b.data, bo = b.offset;
  for (let i = 0; i < ad.length; i++) ad[i] += bd[bo + i];
  bumpVersion(ad);
  return true;
}

/** Tensor.backward: accumulates d(root)/d(leaf) into every leaf's .grad (and retained non-leaves). */
export function backward(root: Tensor, gradient: Tensor | number | undefined, options: BackwardOptions, apply: ApplyFn): void {
  checkOptions('backward', options, ['retainGraph', 'createGraph']);
  if (!root.requiresGrad) {
    throw new Error('backward: this tensor does not require grad and has no recorded graph (was it computed under noGrad, or from inputs without requiresGrad?)');
  }
  const createGraph = options.createGraph ?? false;
  const holders: Tensor[] = [];
  const owned = runBackward([root], () => [seedGradient(root, gradient, 'backward')], options, (t, g) => {
    if (!(t.isLeaf || t.retainsGrad)) return null;
    const gg = createGraph ? g : g.detach();
    const prev = t._peekGrad();
    if (prev === null) t._setGrad(gg, false);
    else if (createGraph) t._setGrad(prev.add(gg), false);
    else if (!(t._ownsGrad() && addInPlace(prev, gg))) t._setGrad(prev.detach().add(gg).detach(), false);
    holders.push(t);
    return t._peekGrad();
  }, apply);
  // a gradient in an array this pass made, shared with no other gradient, belongs to the tape until read
  for (const t of holders) {
    const g = t._peekGrad()!;
    if (t._ownsGrad() || owned.has(g.value.data)) t._setGrad(g, true);
  }
}

/**
 * Clears a tensor's .grad (optimizer.zeroGrad, module.zeroGrad): to null, or to zeros when `setToNone` is false.
 * A gradient array the tape owns goes back to the caching allocator, or is zeroed in place.
 */
export function clearGrad(t: Tensor, setToNone: boolean): void {
  const g = t._peekGrad();
  if (g === null) return;
  if (t._ownsGrad()) {
    if (setToNone) {
      t._setGrad(null, false);
      giveBack(g.value);
    } else {
      g.value.data.fill(0);
      bumpVersion(g.value.data);
    }
    return;
  }
  t._setGrad(setToNone ? null : g.zerosLike(), true);
}
