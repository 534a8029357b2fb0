// The caching allocator: every typed array a kernel makes for a result comes from here, and arrays the
// tape knows are dead come back here, so a warm training step reuses the same buffers instead of making
// (and zero-filling, and later collecting) new ones. Like PyTorch's caching allocator, scaled down:
// free lists keyed by dtype and exact length, bounded in bytes, and never handing out an array twice.

/*
 * Why: a fresh typed array is a malloc (or an mmap for large ones: fresh zero pages, one fault per
 * 4 KB page), and its memory returns only when V8's collector finds the wrapper dead and a background
 * thread frees it. A training step of the 784-128-64-10 MLP made 49 arrays (757 KB) this way; on a
 * busy machine the collector's helper threads wait for a core, and the step slowed with them.
 *
 * Ownership is explicit. An array is recycled only when `release` is called, and only the tape calls
 * it (src/autograd/tape.ts): for gradients it made during backward and then dropped, for a leaf's
 * gradient that `zeroGrad` clears and that user code never read, and for a module's intermediate
 * results that nobody else can see (nn.Sequential marks them); and `Tensor.dispose` (the caller's promise that
 * it is done with a tensor), which gives an array back only when no other tensor, view or saved graph node can
 * still see it. Arrays wrapped from user memory (`new tg.Tensor(new tg.NDArray(float32Array, shape))`) were not
 * issued here and are never taken.
 *
 * The bookkeeping for that rule is a few bits on the NDArray that wraps the array first (its `_own`, a number
 * from `claim`); views made through NDArray's methods (reshape, permute, expand, slice, squeeze, unsqueeze) hold
 * that NDArray in their `_own` instead and share its bits, as PyTorch's views share one Storage. Tensors note themselves there
 * as they are made (a second one marks the array shared), `markShared` notes a caller who can see the elements
 * (toNdarray), and `pin` the graph nodes that keep an array outside their inputs. No weak collection keyed on
 * arrays, and nothing allocated per array: a WeakSet entry costs 0.3–1.4 µs (mostly the garbage collector's
 * time), keying on `.buffer` makes V8 move every small on-heap array out of the heap (2–4 µs; measured by
 * bench/storage-bookkeeping.mjs), and each object that lives as long as the graph makes every young-generation
 * collection copy it; together they had tripled the tape's cost per scalar op (docs/performance.md, issue 11).
 * So only views made through NDArray's methods are seen: a second NDArray built by hand on another's `data` is
 * not, and must not outlive a `dispose` of the first. Version counters (src/autograd/version.ts) are kept apart,
 * in a WeakMap keyed on the typed array that only in-place writes enter.
 */

import type { DType, TypedArray } from './dtype.js';

/** Counters of the caching allocator since the process started (or since `resetCacheStats`). */
export interface CacheStats {
  /** Arrays made new (a cache miss): each a real allocation. */
  allocations: number;
  /** Bytes of those new arrays. */
  allocatedBytes: number;
  /** Arrays handed out again from the cache (a hit). */
  reuses: number;
  /** Bytes of those. */
  reusedBytes: number;
  /** Arrays given back to the cache. */
  releases: number;
  /** Bytes held in the free lists now. */
  cachedBytes: number;
  /** The bound on cachedBytes (see setCacheLimit). */
  limitBytes: number;
}

/** `_own` bit: this allocator issued the array, it is still out, and this NDArray wrapped it first. */
const ISSUED = 1;
/** `_own` bit: a tensor holds the array. */
const HELD = 2;
/** `_own` bit: a second tensor, or the caller, can also see the elements: dispose must leave the array alone. */
const SHARED = 4;

/**
 * Anything that carries an array and the allocator's bits on it: an NDArray. `_own` is the bits (a number) on the
 * NDArray that wrapped the array first, and that NDArray on its views: one field, as every field of an object
 * made per op costs the garbage collector.
 */
export interface Owned {
  readonly data: TypedArray;
  _own: number | Owned;
}

/** The NDArray whose `_own` holds the bits for `v`'s array: `v` itself, or the one `v` is a view of. */
function rootOf(v: Owned): Owned & { _own: number } {
  return (typeof v._own === 'number' ? v : v._own) as Owned & { _own: number };
}

/** Free arrays by dtype, then by length. */
const free: Record<DType, Map<number, TypedArray[]>> = { float32: new Map(), float64: new Map(), int32: new Map() };
/** The last arrays handed out that no NDArray has wrapped yet (see `claim`), oldest overwritten first. */
const unclaimed: (TypedArray | null)[] = [null, null, null, null];
let nextUnclaimed = 0;
/** Arrays recorded graph nodes keep outside their input tensors (labels, indices), with how many live nodes do. */
const pins = new WeakMap<ArrayBufferView, number>();
let cachedBytes = 0;
let limitBytes = 256 * 1024 * 1024;
let allocations = 0, allocatedBytes = 0, reuses = 0, reusedBytes = 0, releases = 0;
/**
 * What a capture saw: the arrays handed out while it was open, in order, and those given back meanwhile, each with
 * how many arrays had been handed out when it came back (an array is handed out, given back, maybe handed out
 * again: only the order says whether it is out at the end).
 */
export interface Capture {
  made: TypedArray[];
  released: TypedArray[];
  releasedAt: number[];
}
/** The innermost open capture (the tape's backward pass, nn.Sequential's forward, a Keras batch). */
let capture: Capture | null = null;

function make(dtype: DType, n: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(n) : dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

/**
 * A zero-filled array of `n` elements: a cached one when one of that dtype and length is free, else a new
 * one. `zero` false skips the fill for callers that overwrite every element.
 */
export function acquire(dtype: DType, n: number, zero = true): TypedArray {
  const list = free[dtype].get(n);
  let out: TypedArray;
  if (list !== undefined && list.length > 0) {
    out = list.pop()!;
    cachedBytes -= out.byteLength;
    reuses++;
    reusedBytes += out.byteLength;
    if (zero) out.fill(0);
  } else {
    out = make(dtype, n);
    allocations++;
    allocatedBytes += out.byteLength;
  }
  unclaimed[nextUnclaimed] = out;
  nextUnclaimed = (nextUnclaimed + 1) & 3;
  if (capture !== null) capture.made.push(out);
  return out;
}

/**
 * The `_own` of an NDArray about to wrap `a`: ISSUED when `acquire` just handed `a` out and no NDArray has
 * wrapped it yet (kernels wrap their result right after acquiring it, after at most a few scratch arrays), else 0
 * (the caller's memory, an array already claimed: never recycled).
 */
export function claim(a: TypedArray): number {
  for (let i = 0; i < 4; i++) {
    if (unclaimed[i] === a) {
      unclaimed[i] = null;
      return ISSUED;
    }
  }
  return 0;
}

/**
 * Gives an array back for reuse. Only for arrays `acquire` handed out, whole, and only once per hand-out: the
 * tape's own (a capture's list nets out those a kernel gave back early), a kernel's scratch, or an owner that
 * `isSoleOwner` approved (through `giveBack`, so it stops being one). Nothing checks this here: a Set of the cached
 * arrays cost about 0.4 µs per array, ten times the rest of the allocator (bench/storage-bookkeeping.mjs). The holder promises that nothing
 * will read or write the array again; when the cache is full it is simply dropped for the garbage collector.
 */
export function release(a: TypedArray): void {
  if (capture !== null) {
    capture.released.push(a);
    capture.releasedAt.push(capture.made.length);
  }
  if (cachedBytes + a.byteLength > limitBytes) return;
  for (let i = 0; i < 4; i++) if (unclaimed[i] === a) unclaimed[i] = null;
  const dtype: DType = a instanceof Float64Array ? 'float64' : a instanceof Int32Array ? 'int32' : 'float32';
  let list = free[dtype].get(a.length);
  if (list === undefined) free[dtype].set(a.length, (list = []));
  list.push(a);
  cachedBytes += a.byteLength;
  releases++;
}

/**
 * Notes that one more tensor holds `v`'s array; from the second on, the array is shared. Tensors call it when
 * they are made, views included, so `isSoleOwner` can tell whether a tensor is the only one that can see it.
 */
export function noteHolder(v: Owned): void {
  const o = rootOf(v);
  if (o._own & ISSUED) o._own |= o._own & HELD ? SHARED : HELD;
}

/** Marks `v`'s array as seen by code outside the tensors (a scijs view handed to the caller). */
export function markShared(v: Owned): void {
  rootOf(v)._own |= SHARED;
}

/**
 * True when the array under `v` may go back to the cache once its tensor is done: issued here and still out,
 * seen by no other tensor or the caller, and kept by no live graph node (`pin`).
 */
export function isSoleOwner(v: Owned): boolean {
  return (rootOf(v)._own & (ISSUED | SHARED)) === ISSUED && !pins.has(v.data);
}

/** Gives the array under `v` back (see `release`) and clears its ISSUED bit, so no view or stale tensor gives it back again. */
export function giveBack(v: Owned): void {
  rootOf(v)._own &= ~ISSUED;
  release(v.data);
}

/** A recorded graph node keeps `a` (not as an input tensor): it must not be recycled until `unpin`. */
export function pin(a: ArrayBufferView): void {
  pins.set(a, (pins.get(a) ?? 0) + 1);
}

/** The node that pinned `a` was freed. */
export function unpin(a: ArrayBufferView): void {
  const n = pins.get(a) ?? 0;
  if (n <= 1) pins.delete(a);
  else pins.set(a, n - 1);
}

/**
 * Starts recording the arrays handed out until `endCapture`, returning what was open before (captures
 * nest: pass it back to endCapture).
 */
export function beginCapture(): Capture | null {
  const outer = capture;
  capture = { made: [], released: [], releasedAt: [] };
  return outer;
}

/** True when `a` was handed out since the innermost open capture began and is not back in the cache. */
export function capturedSinceBegin(a: TypedArray): boolean {
  if (capture === null) return false;
  const made = capture.made.lastIndexOf(a);
  const back = capture.released.lastIndexOf(a);
  return made >= 0 && (back < 0 || made >= capture.releasedAt[back]);
}

/**
 * Ends the innermost capture and returns the arrays it handed out that are still out (each once: a kernel's
 * scratch given back meanwhile is not among them, unless it was handed out again after); the outer capture
 * (if any) also gets them, after the give-backs of arrays that were out before this capture began.
 */
export function endCapture(outer: Capture | null): TypedArray[] {
  const c = capture ?? { made: [], released: [], releasedAt: [] };
  capture = outer;
  let got = c.made;
  const early: TypedArray[] = [];
  if (c.released.length > 0) {
    const firstMade = new Map<TypedArray, number>(), lastMade = new Map<TypedArray, number>();
    c.made.forEach((a, i) => {
      if (!firstMade.has(a)) firstMade.set(a, i);
      lastMade.set(a, i);
    });
    const lastBack = new Map<TypedArray, number>();
    c.released.forEach((a, j) => {
      const at = c.releasedAt[j];
      if (!((firstMade.get(a) ?? Infinity) < at) && !lastBack.has(a)) early.push(a); // out before this capture
      lastBack.set(a, at);
    });
    got = [];
    for (const [a, i] of lastMade) if (i >= (lastBack.get(a) ?? -1)) got.push(a);
  }
  if (outer !== null) {
    for (const a of early) {
      outer.released.push(a);
      outer.releasedAt.push(outer.made.length);
    }
    for (const a of got) outer.made.push(a);
  }
  return got;
}

/**
 * The caching allocator's counters: how many result arrays were made new and how many were reused, and how
 * many bytes it holds for reuse. A warm training step should add reuses, not allocations.
 * @example
 * ```ts
 * const before = tg.cacheStats().allocations;
 * // ... one training step ...
 * console.log(tg.cacheStats().allocations - before); // new arrays in that step
 * ```
 */
export function cacheStats(): CacheStats {
  return { allocations, allocatedBytes, reuses, reusedBytes, releases, cachedBytes, limitBytes };
}

/** Drops every cached array (for the garbage collector to free), as torch.cuda.empty_cache(). */
export function emptyCache(): void {
  for (const m of Object.values(free)) m.clear();
  cachedBytes = 0;
}

/** Sets the most bytes the cache may hold for reuse (default 256 MiB); 0 turns caching off. Trims the cache to it. */
export function setCacheLimit(bytes: number): void {
  if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`setCacheLimit: expected a number of bytes >= 0, got ${bytes}`);
  limitBytes = bytes;
  if (cachedBytes > limitBytes) emptyCache();
}
