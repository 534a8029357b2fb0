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
 * still see it: for that the tensors note here which arrays they hold (`noteHolder`: a second holder marks the
 * array shared) and the tape pins arrays that recorded nodes keep outside their inputs (`pin`). Arrays wrapped
 * from user memory (`new tg.Tensor(new tg.NDArray(float32Array, shape))`) were not issued here and are never taken.
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

/** Free arrays by dtype, then by length. */
const free: Record<DType, Map<number, TypedArray[]>> = { float32: new Map(), float64: new Map(), int32: new Map() };
/** Arrays this allocator made (only those can come back). */
const issued = new WeakSet<TypedArray>();
/** Arrays now sitting in a free list (a second release of one is ignored). */
const inCache = new WeakSet<TypedArray>();
/** Buffers some tensor holds (noted when the tensor is made). */
const held = new WeakSet<ArrayBufferLike>();
/** Buffers more than one tensor (a view, a detach, an alias the caller holds) can see: dispose never recycles them. */
const shared = new WeakSet<ArrayBufferLike>();
/** Buffers recorded graph nodes keep outside their input tensors (labels, indices), with how many live nodes do. */
const pins = new WeakMap<ArrayBufferLike, number>();
let cachedBytes = 0;
let limitBytes = 256 * 1024 * 1024;
let allocations = 0, allocatedBytes = 0, reuses = 0, reusedBytes = 0, releases = 0;
/** Arrays handed out while a capture is open (the tape's backward pass), newest last. */
let capture: TypedArray[] | null = null;

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
    inCache.delete(out);
    cachedBytes -= out.byteLength;
    reuses++;
    reusedBytes += out.byteLength;
    if (zero) out.fill(0);
  } else {
    out = make(dtype, n);
    issued.add(out);
    allocations++;
    allocatedBytes += out.byteLength;
  }
  if (capture !== null) capture.push(out);
  return out;
}

/**
 * Gives an array back for reuse. The caller promises that nothing will read or write it again. Arrays not
 * issued here (or views into part of one) are ignored, as is an array already in the cache; when the cache
 * is full the array is simply dropped for the garbage collector.
 */
export function release(a: TypedArray): void {
  if (!issued.has(a) || inCache.has(a)) return;
  if (cachedBytes + a.byteLength > limitBytes) return;
  // whoever held it is done with it: the next holder starts afresh
  held.delete(a.buffer);
  shared.delete(a.buffer);
  const dtype: DType = a instanceof Float64Array ? 'float64' : a instanceof Int32Array ? 'int32' : 'float32';
  let list = free[dtype].get(a.length);
  if (list === undefined) free[dtype].set(a.length, (list = []));
  list.push(a);
  inCache.add(a);
  cachedBytes += a.byteLength;
  releases++;
}

/** True for an array this allocator issued (so `release` would take it). */
export function isIssued(a: TypedArray): boolean {
  return issued.has(a);
}

/**
 * Notes that one more tensor (or other long-lived reader) holds `a`'s buffer; from the second holder on, the
 * buffer is shared. Tensors call it when they are made, views included, so `isShared` tells whether a tensor
 * is the only one that can see its array.
 */
export function noteHolder(a: TypedArray): void {
  const b = a.buffer;
  if (held.has(b)) shared.add(b);
  else held.add(b);
}

/** Marks `a`'s buffer as seen by code outside the tensors (a typed array handed to the caller, a scijs view). */
export function markShared(a: TypedArray): void {
  held.add(a.buffer);
  shared.add(a.buffer);
}

/** True when more than one tensor (or the caller, directly) can see `a`'s buffer. */
export function isShared(a: TypedArray): boolean {
  return shared.has(a.buffer);
}

/** A recorded graph node keeps `a` (not as an input tensor): it must not be recycled until `unpin`. */
export function pin(a: ArrayBufferView): void {
  pins.set(a.buffer, (pins.get(a.buffer) ?? 0) + 1);
}

/** The node that pinned `a` was freed. */
export function unpin(a: ArrayBufferView): void {
  const n = pins.get(a.buffer) ?? 0;
  if (n <= 1) pins.delete(a.buffer);
  else pins.set(a.buffer, n - 1);
}

/** True while some live graph node keeps `a` outside its input tensors. */
export function isPinned(a: TypedArray): boolean {
  return pins.has(a.buffer);
}

/**
 * Starts recording the arrays handed out until `endCapture`, returning what was open before (captures
 * nest: pass it back to endCapture).
 */
export function beginCapture(): TypedArray[] | null {
  const outer = capture;
  capture = [];
  return outer;
}

/** True when `a` was handed out since the innermost open capture began. */
export function capturedSinceBegin(a: TypedArray): boolean {
  return capture !== null && capture.includes(a);
}

/** Ends the innermost capture and returns its arrays; the outer capture (if any) also gets them. */
export function endCapture(outer: TypedArray[] | null): TypedArray[] {
  const got = capture ?? [];
  capture = outer;
  if (outer !== null) for (const a of got) outer.push(a);
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
  for (const m of Object.values(free)) {
    for (const list of m.values()) for (const a of list) inCache.delete(a);
    m.clear();
  }
  cachedBytes = 0;
}

/** Sets the most bytes the cache may hold for reuse (default 256 MiB); 0 turns caching off. Trims the cache to it. */
export function setCacheLimit(bytes: number): void {
  if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`setCacheLimit: expected a number of bytes >= 0, got ${bytes}`);
  limitBytes = bytes;
  if (cachedBytes > limitBytes) emptyCache();
}
