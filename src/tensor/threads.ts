// Opt-in multi-threaded matmul for Node: `await tg.setNumThreads(n)` starts n - 1 worker threads that,
// with the calling thread, share out the blocks of a large product; data goes through a
// SharedArrayBuffer, signals through Atomics.

import type { TypedArray } from './dtype.js';
import { GEMM_NC, matmul as matmulSingle, multiplyPacked, packB, sliceDepth } from './matmul.js';
import { NDArray } from './ndarray.js';
import { allocData, checkThreads, startWorkers, type ThreadWorker } from './thread-host.js';
import { acquire } from './storage.js';

/*
 * How a product is shared. gemm (matmul.ts) walks C in NC-wide column blocks and k in slices; for
 * each (column block, k-slice) — a "phase" — it packs that panel of B once, then runs every row of
 * A past it. The threads cut the same grid finer: a unit of work is one block of rows in one phase,
 *
 *     unit u  →  phase = u / blocks, row block = u % blocks;  phase → column block, k-slice,
 *
 * and the threads take units in that order from a shared counter, so each thread packs each panel
 * of B at most once (packing it per unit would cost as much as the arithmetic for thin blocks) and a
 * thread that runs late or slow — a busy machine — simply ends up taking fewer units. Slice s of a
 * cell (row block × column block) adds to what slices 0..s-1 stored there, so a unit first waits
 * until its cell's DONE counter reaches s: the sums in every element happen in gemm's order (which
 * does not depend on the rows an element is computed with), and the result is bitwise the one-thread
 * result. The wait is rare: a cell's previous slice was handed out
 * `blocks` units earlier.
 *
 * The threads do not run the kernel equally fast, which is why units are taken, not dealt out.
 * gemm's packing buffers are module constants whose addresses V8 writes into the kernel's code:
 * when a buffer lies in the low 2 GB (where the main thread's malloc puts it when it comes from the
 * process heap), the address fits inside each load instruction; otherwise it takes a register, and
 * the 4×4 kernel, already short of registers, spills more. A worker's buffers come from its own
 * malloc arena, high up, and its units took ~1.35× as long as the main thread's on the development
 * machine (~1.5× in a worker that loads the TypeScript sources through tsx).
 *
 * Shared memory. Int32 flags at the start of the control buffer:
 *   JOB        bumped (and notified) by the main thread to wake the workers; −1 tells them to exit;
 *   NEXT       unit count << 16 | next unit: a thread owns a unit by advancing the index with
 *              compareExchange, so nobody takes a unit of a product that is over;
 *   FAILED     set if a unit threw.
 *   SPIN       how long (µs) a thread polls before it sleeps in Atomics.wait (see waitWhile).
 * Then the Float64 parameters (P) of the product, in elements of the data buffer viewed as the
 * dtype: written before NEXT opens the units, they hold until every unit is done. Then DONE, one
 * Int32 counter per cell: k-slices finished; the main thread copies a row block of C out as soon as
 * its cells are complete, while the other threads finish their last units. When the data buffer
 * grows, the new one is posted to each worker with a generation number, and a worker whose buffer
 * is older than P.generation reads the messages with receiveMessageOnPort. Threads block in
 * Atomics.wait, which Node allows on its main thread (browsers only in workers).
 */
export const JOB = 0;
export const NEXT = 1;
export const FAILED = 2;
/** Microseconds a thread polls for the next product (or a unit's completion) before it sleeps. */
export const SPIN = 3;
export const PARAMS_BYTE_OFFSET = 16;
export const P = {
  generation: 0, float64: 1, product: 2, m: 3, n: 4, k: 5, blockRows: 6, blocks: 7, sliceDepth: 8, slices: 9,
  aOff: 10, aRowStride: 11, aColStride: 12, bOff: 13, bRowStride: 14, bColStride: 15, cOff: 16, ldc: 17,
  kind: 18,
} as const;
export const PARAMS_LENGTH = 24;
export const DONE_BYTE_OFFSET = PARAMS_BYTE_OFFSET + PARAMS_LENGTH * 8;
/** Units of one product: NEXT keeps the count in 15 bits. There is one DONE cell per unit at most. */
const MAX_UNITS = 0x7fff;
const CONTROL_BYTES = DONE_BYTE_OFFSET + MAX_UNITS * 4;
export const MAX_THREADS = 64;

/**
 * Products with m·n·k below this run on the calling thread: waking workers costs more than it saves.
 * 2¹⁹ shares an MLP's 64×128·128×64 products (batch 64): with it the 784-128-64-10 Adam step took 3.62–3.94
 * ms with two threads against 3.82–4.00 at 2²¹ (bench/mlp-threads.ts, three quiet runs, docs/performance.md).
 */
export const PARALLEL_MIN_WORK = 1 << 19;
/** Default SPIN: polling this long (µs) before sleeping. */
const SPIN_MICROS = 0;

/**
 * The threaded matmul's settings and a timer, for the benchmarks (bench/mlp-threads.ts, bench/goals.ts);
 * not part of the package's API. `minWork`: the least m·n·k that is shared; `spinMicros`: how long a thread
 * polls before sleeping (SPIN). With `timing` on, every product large enough to share (with threads on or
 * off) adds its wall time to `sharedMs` and counts in `shared`: what a training step spends in them.
 * `paused`: every product runs on the calling thread, the workers idle (one thread, without restarting them).
 */
export const threadTuning = { minWork: PARALLEL_MIN_WORK, spinMicros: SPIN_MICROS, paused: false, timing: false, sharedMs: 0, shared: 0 };

/**
 * Returns once arr[i] is no longer `value`: polls for up to `micros` µs (a wake-up from Atomics.wait
 * costs tens of µs, as long as a small unit of work), then sleeps in Atomics.wait.
 */
function waitWhile(arr: Int32Array, i: number, value: number, micros: number): void {
  if (micros > 0) {
    const until = performance.now() + micros / 1000;
    for (let polls = 1; Atomics.load(arr, i) === value; polls++) {
      if ((polls & 63) === 0 && performance.now() >= until) break;
    }
  }
  if (Atomics.load(arr, i) === value) Atomics.wait(arr, i, value);
}

/**
 * A worker thread's life: wait for a product (JOB changes), take its units, again, until JOB is −1.
 * `viewOf` as for runUnits.
 */
export function workerLoop(
  flags: Int32Array, done: Int32Array, q: Float64Array,
  viewOf: (generation: number, float64: boolean) => TypedArray,
): void {
  for (let seen = 0; ;) {
    waitWhile(flags, JOB, seen, Atomics.load(flags, SPIN));
    seen = Atomics.load(flags, JOB);
    if (seen < 0) return;
    runUnits(flags, done, q, viewOf);
  }
}
/**
 * Row blocks are at most gemm's MC (64) rows, so a unit packs one block of A, and at least 16 (a
 * multiple of 4, the kernel's tile height). Smaller blocks cost no extra packing of B, only more
 * turns at the counter, and let the threads finish closer together: the calling thread, done with
 * its units, waits for the unit each other thread still holds. (Measured at 512×512: 16-row blocks,
 * 64 units, ended ~3% sooner than 64-row ones, the threads running at unequal speeds — see above.)
 */
const MAX_BLOCK_ROWS = 64;
const MIN_BLOCK_ROWS = 16;
/** Row blocks per thread in each phase, when the rows allow. */
const BLOCKS_PER_THREAD = 16;

interface Pool {
  workers: ThreadWorker[];
  flags: Int32Array;
  params: Float64Array;
  done: Int32Array;
  data: SharedArrayBuffer;
  generation: number;
  products: number;
}

/**
 * Takes units of the current product and multiplies them until none is left; run by the main
 * thread and by every worker. `viewOf` gives the data buffer of a generation as the dtype's array.
 */
export function runUnits(
  flags: Int32Array, done: Int32Array, q: Float64Array,
  viewOf: (generation: number, float64: boolean) => TypedArray,
): void {
  // the panel of B in this thread's packing buffer; a call can run into the next product's units
  let packedProduct = -1, packedPhase = -1;
  const spin = Atomics.load(flags, SPIN);
  for (;;) {
    const v = Atomics.load(flags, NEXT);
    const count = v >>> 16;
    const u = v & 0xffff;
    if (u >= count) return;
    if (Atomics.compareExchange(flags, NEXT, v, v + 1) !== v) continue;
    const kind = q[P.kind] | 0;
    if (kind !== 0) {
      // a unit of another kernel (runSharedUnits): it packs its own panels into this thread's buffers
      packedProduct = -1;
      try {
        const gen = q[P.generation];
        unitKernels[kind]!(u, viewOf(gen, false) as Float32Array, viewOf(gen, true) as Float64Array);
      } catch {
        Atomics.store(flags, FAILED, 1);
      }
      Atomics.add(done, u, 1);
      Atomics.notify(done, u);
      continue;
    }
    // The unit is ours: the parameters belong to its product until it is reported done. They are
    // read as int32 (`| 0`), as gemm's arguments are everywhere else: doubles would make the
    // kernel's index arithmetic floating-point, here and, through shared type feedback, in every call.
    const blocks = q[P.blocks] | 0, slices = q[P.slices] | 0, kc0 = q[P.sliceDepth] | 0, rows = q[P.blockRows] | 0;
    const m = q[P.m] | 0, n = q[P.n] | 0, k = q[P.k] | 0;
    const ars = q[P.aRowStride] | 0, acs = q[P.aColStride] | 0, brs = q[P.bRowStride] | 0, bcs = q[P.bColStride] | 0;
    const ldc = q[P.ldc] | 0;
    const phase = (u / blocks) | 0;
    const block = u - phase * blocks;
    const col = (phase / slices) | 0;
    const slice = phase - col * slices;
    const cell = col * blocks + block;
    const r0 = block * rows, j0 = col * GEMM_NC, p0 = slice * kc0;
    try {
      for (let d = Atomics.load(done, cell); d < slice; d = Atomics.load(done, cell)) waitWhile(done, cell, d, spin);
      const view = viewOf(q[P.generation], q[P.float64] === 1);
      const nc = Math.min(GEMM_NC, n - j0), kc = Math.min(kc0, k - p0);
      if (q[P.product] !== packedProduct || phase !== packedPhase) {
        packedProduct = -1;
        packB(view, (q[P.bOff] | 0) + p0 * brs + j0 * bcs, brs, bcs, kc, nc);
        packedProduct = q[P.product];
        packedPhase = phase;
      }
      multiplyPacked(
        Math.min(rows, m - r0), nc, kc,
        view, (q[P.aOff] | 0) + r0 * ars + p0 * acs, ars, acs,
        view, (q[P.cOff] | 0) + r0 * ldc + j0, ldc, slice > 0,
      );
    } catch {
      Atomics.store(flags, FAILED, 1);
    }
    Atomics.add(done, cell, 1);
    Atomics.notify(done, cell);
  }
}

/*
 * Other kernels on the same threads (conv.ts's implicit GEMM): a kernel registers a unit function
 * under a fixed kind (> 0) in every thread, by being imported there (the workers import it), puts
 * its operands and a parameter header into the data buffer (sharedBuffer), and runs its units with
 * runSharedUnits: unit u is taken by one thread, which calls run(u, data as float32, data as float64).
 * Units must write disjoint parts of the buffer; each reports in DONE cell u.
 */
/** A unit of a kernel registered with registerUnitKernel: reads and writes the shared data buffer through the two views. */
export type UnitKernel = (unit: number, f32: Float32Array, f64: Float64Array) => void;
const unitKernels: (UnitKernel | undefined)[] = [];

/** Registers the unit function of kernel `kind` (an integer ≥ 1, fixed for the kernel) in this thread. */
export function registerUnitKernel(kind: number, run: UnitKernel): void {
  if (!Number.isInteger(kind) || kind < 1 || unitKernels[kind] !== undefined) {
    throw new Error(`registerUnitKernel: kind ${kind} is not a free integer ≥ 1`);
  }
  unitKernels[kind] = run;
}

let numThreads = 1;
let pool: Pool | null = null;
/** setNumThreads calls run one after another. */
let pending: Promise<void> = Promise.resolve();

/** The number of threads matmul may use (1: threads are off, the default). */
export function getNumThreads(): number {
  return numThreads;
}

/**
 * Lets large matrix products (m·n·k ≥ 2¹⁹, 2-D operands of one dtype) use n threads: the calling
 * thread and n - 1 workers take blocks of the product until all are done. Results are bitwise
 * the same as with one thread. `await setNumThreads(1)` stops the workers. In Node the workers are
 * worker_threads and do not keep the process alive. In a browser they are Web Workers, which need
 * SharedArrayBuffer (a cross-origin isolated page) and a caller that may block: call it in a Web
 * Worker, not on the page's main thread. Where threads cannot run it rejects and says why.
 * @example
 * ```ts
 * await tg.setNumThreads(2); // large products are now shared between two threads
 * const c = tg.randn([512, 512]).matmul(tg.randn([512, 512]));
 * await tg.setNumThreads(1); // back to one thread; the worker is stopped
 * ```
 */
export function setNumThreads(n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    return Promise.reject(new RangeError(`setNumThreads: n must be an integer from 1 to ${MAX_THREADS}, got ${String(n)}`));
  }
  const run = pending.then(() => resize(n));
  pending = run.catch(() => {});
  return run;
}

async function resize(n: number): Promise<void> {
  if (n === numThreads) return;
  // check first, so that where threads are unavailable a failed call changes nothing
  if (n > 1) await checkThreads();
  const old = pool;
  pool = null;
  numThreads = 1;
  if (old) await stopPool(old);
  if (n > 1) {
    pool = await startPool(n - 1);
    numThreads = n;
  }
}

async function startPool(count: number): Promise<Pool> {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const data = allocData(1 << 16);
  const workers = await startWorkers({ control, data }, count);
  return {
    workers, flags: new Int32Array(control), params: new Float64Array(control, PARAMS_BYTE_OFFSET, PARAMS_LENGTH),
    done: new Int32Array(control, DONE_BYTE_OFFSET, MAX_UNITS), data, generation: 0, products: 0,
  };
}

async function stopPool(p: Pool): Promise<void> {
  Atomics.store(p.flags, JOB, -1);
  Atomics.notify(p.flags, JOB);
  await Promise.all(p.workers.map((w) => w.terminate()));
}

/**
 * matmul for the op table: the single-threaded kernel, unless threads are on and this is a large
 * 2-D product, whose blocks are then shared out between this thread and the workers.
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  const p = threadTuning.paused ? null : pool;
  if ((p === null && !threadTuning.timing) || !shareable(a, b)) return matmulSingle(a, b);
  if (!threadTuning.timing) return parallelMatmul(p!, a, b);
  const t0 = performance.now();
  const c = p !== null ? parallelMatmul(p, a, b) : matmulSingle(a, b);
  threadTuning.sharedMs += performance.now() - t0;
  threadTuning.shared++;
  return c;
}

/**
 * Whether threads share a product: 2-D operands of one dtype, m·n·k at least minWork. Mismatched shapes
 * go to the kernel, which raises the usual error; so do products gemm does not pack (fewer than 4
 * columns), whose sums it adds in another order.
 */
function shareable(a: NDArray, b: NDArray): boolean {
  if (a.ndim !== 2 || b.ndim !== 2 || a.dtype !== b.dtype) return false;
  const [m, k] = a.shape;
  const [kb, n] = b.shape;
  return k === kb && m * n * k >= threadTuning.minWork && m >= 2 * MIN_BLOCK_ROWS && n >= 4;
}

/** Element range [lo, hi) of x's storage that the (non-empty) view reads; a negative stride reaches below the offset. */
export function span(x: NDArray): [number, number] {
  let lo = x.offset;
  let hi = x.offset;
  for (let d = 0; d < x.ndim; d++) {
    const reach = (x.shape[d] - 1) * x.strides[d];
    if (reach > 0) hi += reach;
    else lo += reach;
  }
  return [lo, hi + 1];
}

function parallelMatmul(p: Pool, a: NDArray, b: NDArray): NDArray {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const threads = p.workers.length + 1;
  const cols = Math.ceil(n / GEMM_NC);
  const kc0 = sliceDepth(k);
  const slices = Math.ceil(k / kc0);
  // Row blocks: BLOCKS_PER_THREAD per thread in each phase, within [MIN, MAX]_BLOCK_ROWS; taller
  // ones only when the unit count would not fit NEXT.
  let blockRows = Math.ceil(m / (threads * BLOCKS_PER_THREAD) / 4) * 4;
  blockRows = Math.min(MAX_BLOCK_ROWS, Math.max(MIN_BLOCK_ROWS, blockRows));
  while (cols * slices * Math.ceil(m / blockRows) > MAX_UNITS && blockRows < m) blockRows *= 2;
  const blocks = Math.ceil(m / blockRows);
  const units = cols * slices * blocks;

  const float64 = a.dtype === 'float64';
  const [aLo, aHi] = span(a);
  const [bLo, bHi] = span(b);
  // A's and B's storage spans are copied as they are, strides and all, so the kernel packs them
  // exactly as it would the originals; C follows them, dense.
  const bBase = aHi - aLo;
  const cBase = bBase + (bHi - bLo);
  // offsets travel as int32 (see runUnits); a product too large for that stays on this thread
  if (cBase + m * n > 0x7fffffff || units > MAX_UNITS) return matmulSingle(a, b);
  const bytes = (cBase + m * n) * (float64 ? 8 : 4);
  if (p.data.byteLength < bytes && !growData(p, bytes)) return matmulSingle(a, b);
  const view: TypedArray = float64 ? new Float64Array(p.data) : new Float32Array(p.data);
  view.set(a.data.subarray(aLo, aHi), 0);
  view.set(b.data.subarray(bLo, bHi), bBase);

  const q = p.params;
  q[P.generation] = p.generation;
  q[P.float64] = float64 ? 1 : 0;
  q[P.product] = ++p.products;
  q[P.m] = m;
  q[P.n] = n;
  q[P.k] = k;
  q[P.blockRows] = blockRows;
  q[P.blocks] = blocks;
  q[P.sliceDepth] = kc0;
  q[P.slices] = slices;
  q[P.aOff] = a.offset - aLo;
  q[P.aRowStride] = a.strides[0];
  q[P.aColStride] = a.strides[1];
  q[P.bOff] = bBase + b.offset - bLo;
  q[P.bRowStride] = b.strides[0];
  q[P.bColStride] = b.strides[1];
  q[P.cOff] = cBase;
  q[P.ldc] = n;
  const done = p.done;
  const spin = threadTuning.spinMicros;
  Atomics.store(p.flags, SPIN, spin);
  done.fill(0, 0, cols * blocks);
  Atomics.store(p.flags, FAILED, 0);
  Atomics.store(p.flags, NEXT, units << 16);
  Atomics.store(p.flags, JOB, (Atomics.load(p.flags, JOB) + 1) & 0x3fffffff); // stays ≥ 0: −1 means exit
  Atomics.notify(p.flags, JOB);
  runUnits(p.flags, done, q, () => view);

  // No unit is left to take: copy each row block of C out once all its cells have every k-slice,
  // while the other threads finish the units they hold.
  const out = acquire(a.dtype, m * n, false); // every row block is copied in below
  for (let block = 0; block < blocks; block++) {
    for (let cell = block; cell < cols * blocks; cell += blocks) {
      for (let d = Atomics.load(done, cell); d < slices; d = Atomics.load(done, cell)) waitWhile(done, cell, d, spin);
    }
    const r0 = block * blockRows * n, r1 = Math.min(m, (block + 1) * blockRows) * n;
    out.set(view.subarray(cBase + r0, cBase + r1), r0);
  }
  if (Atomics.load(p.flags, FAILED)) throw new Error('matmul: a worker thread failed; call setNumThreads(1) to go back to one thread');
  return new NDArray(out, [m, n]);
}

/**
 * The threads' shared data buffer, grown to at least `bytes`, as float32 and float64 views (for
 * runSharedUnits); null when threads are off, or the buffer cannot grow (the caller then runs on
 * its own thread).
 */
export function sharedBuffer(bytes: number): { f32: Float32Array; f64: Float64Array } | null {
  const p = pool;
  if (p === null) return null;
  if (p.data.byteLength < bytes && !growData(p, bytes)) return null;
  return { f32: new Float32Array(p.data), f64: new Float64Array(p.data) };
}

/**
 * Runs units 0 .. units − 1 (at most 32,767) of the registered kernel `kind` on the calling thread
 * and the workers, over the data buffer as sharedBuffer last returned it; returns when all are done.
 * Throws if a unit threw, or if threads are off.
 */
export function runSharedUnits(kind: number, units: number): void {
  const p = pool;
  if (p === null || unitKernels[kind] === undefined || units < 1 || units > MAX_UNITS) {
    throw new Error(`runSharedUnits: cannot run ${units} units of kernel ${kind} (threads on: ${p !== null})`);
  }
  const q = p.params;
  q[P.generation] = p.generation;
  q[P.product] = ++p.products;
  q[P.kind] = kind;
  const done = p.done;
  done.fill(0, 0, units);
  const f32 = new Float32Array(p.data), f64 = new Float64Array(p.data);
  const spin = threadTuning.spinMicros;
  try {
    Atomics.store(p.flags, SPIN, spin);
    Atomics.store(p.flags, FAILED, 0);
    Atomics.store(p.flags, NEXT, units << 16);
    Atomics.store(p.flags, JOB, (Atomics.load(p.flags, JOB) + 1) & 0x3fffffff);
    Atomics.notify(p.flags, JOB);
    runUnits(p.flags, done, q, (_g, float64) => (float64 ? f64 : f32));
    for (let u = 0; u < units; u++) waitWhile(done, u, 0, spin);
  } finally {
    q[P.kind] = 0; // every unit is done: the next product (a matmul's) reads kind 0
  }
  if (Atomics.load(p.flags, FAILED)) throw new Error('a worker thread failed; call setNumThreads(1) to go back to one thread');
}

/**
 * Makes the data buffer hold at least `bytes`. A growable buffer (the browser's, see
 * thread-host.browser.ts) grows in place, and the workers' length-tracking views see the new size;
 * otherwise a new buffer (at least double) is handed to every worker by message. False when neither
 * can be done (a browser worker cannot read a message while it waits): the product then runs on
 * the calling thread.
 */
function growData(p: Pool, bytes: number): boolean {
  const size = Math.ceil(Math.max(bytes, 2 * p.data.byteLength) / 8) * 8;
  const data = p.data as SharedArrayBuffer & { growable?: boolean; maxByteLength?: number; grow?(n: number): void };
  if (data.growable) {
    if (bytes > data.maxByteLength!) return false;
    data.grow!(Math.min(size, data.maxByteLength!));
    return true;
  }
  p.data = allocData(size);
  p.generation++;
  for (const w of p.workers) w.postMessage({ data: p.data, generation: p.generation });
  return true;
}
