// Opt-in multi-threaded matmul for Node: `await tg.setNumThreads(n)` starts n - 1 worker threads that,
// with the calling thread, take chunks of C's rows; data goes through a SharedArrayBuffer, signals through Atomics.

import type { TypedArray } from './dtype.js';
import { gemm, matmul as matmulSingle } from './matmul.js';
import { NDArray } from './ndarray.js';

/*
 * Protocol (shared with matmul-worker.ts). C's rows are cut into chunks that the main thread and
 * the workers take from a shared counter, so a worker that wakes late (on a busy machine) finds the
 * work done instead of holding the product up. Int32 flags in the control buffer:
 *   JOB        bumped (and notified) by the main thread to wake the workers; −1 tells them to exit;
 *   NEXT       chunk count << 16 | next chunk index: a thread owns a chunk by advancing the index
 *              with compareExchange, so nobody takes a chunk of a product that is over;
 *   COMPLETED  chunks finished; the main thread waits on it;
 *   FAILED     set if a chunk threw.
 * The Float64 parameters (P) describe the product, in elements of the data buffer viewed as the
 * dtype; they are written before NEXT opens the chunks and hold until every chunk is done. When the
 * data buffer grows, the new one is posted to each worker with a generation number, and a worker
 * whose buffer is older than P.generation reads the messages with receiveMessageOnPort.
 * The main thread blocks in Atomics.wait, which Node allows on its main thread (browsers do not).
 */
export const JOB = 0;
export const NEXT = 1;
export const COMPLETED = 2;
export const FAILED = 3;
export const PARAMS_BYTE_OFFSET = 16;
export const P = {
  generation: 0, float64: 1, m: 2, n: 3, k: 4, chunkRows: 5,
  aOff: 6, aRowStride: 7, aColStride: 8, bOff: 9, bRowStride: 10, bColStride: 11, cOff: 12, ldc: 13,
} as const;
const CONTROL_BYTES = PARAMS_BYTE_OFFSET + 16 * 8;
export const MAX_THREADS = 64;

/** Products with m·n·k below this run on the calling thread: waking workers costs more than it saves. */
export const PARALLEL_MIN_WORK = 1 << 21;
/**
 * Chunks are at least this many rows (a multiple of 4). gemm's summation order for an element does
 * not depend on which other rows are computed with it, as long as a call has at least 4 rows (below
 * that it takes its unpacked path): so threaded results are bitwise equal to single-threaded ones.
 * Each chunk packs B afresh, so chunks are kept tall enough for that to stay a small cost.
 */
const MIN_CHUNK_ROWS = 16;
/** Chunks per thread: enough for a thread that starts late to leave its share to the others. */
const CHUNKS_PER_THREAD = 4;

type WorkerLike = { postMessage(v: unknown): void; terminate(): Promise<number>; unref(): void };

interface Pool {
  workers: WorkerLike[];
  flags: Int32Array;
  params: Float64Array;
  data: SharedArrayBuffer;
  generation: number;
}

/**
 * Takes chunks of the current product and multiplies them until none is left; run by the main
 * thread and by every worker. `viewOf` gives the data buffer of a generation as the dtype's array.
 */
export function runChunks(flags: Int32Array, q: Float64Array, viewOf: (generation: number, float64: boolean) => TypedArray): void {
  for (;;) {
    const v = Atomics.load(flags, NEXT);
    const count = v >>> 16;
    const c = v & 0xffff;
    if (c >= count) return;
    if (Atomics.compareExchange(flags, NEXT, v, v + 1) !== v) continue;
    // The chunk is ours: the parameters belong to its product until it is reported done. They are
    // read as int32 (`| 0`), as gemm's arguments are everywhere else: doubles would make the
    // kernel's index arithmetic floating-point, here and, through shared type feedback, in every call.
    const m = q[P.m] | 0, rows = q[P.chunkRows] | 0, ars = q[P.aRowStride] | 0, ldc = q[P.ldc] | 0;
    const r0 = c * rows;
    const r1 = c === count - 1 ? m : r0 + rows;
    try {
      const view = viewOf(q[P.generation], q[P.float64] === 1);
      gemm(
        r1 - r0, q[P.n] | 0, q[P.k] | 0,
        view, (q[P.aOff] | 0) + r0 * ars, ars, q[P.aColStride] | 0,
        view, q[P.bOff] | 0, q[P.bRowStride] | 0, q[P.bColStride] | 0,
        view, (q[P.cOff] | 0) + r0 * ldc, ldc, false,
      );
    } catch {
      Atomics.store(flags, FAILED, 1);
    }
    if (Atomics.add(flags, COMPLETED, 1) + 1 === count) Atomics.notify(flags, COMPLETED);
  }
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
 * Lets large matrix products (m·n·k ≥ 2²¹, 2-D operands of one dtype) use n threads: the calling
 * thread and n - 1 workers take chunks of the result's rows until all are done. Results are bitwise
 * the same as with one thread. `await setNumThreads(1)` stops the workers. Node only (worker_threads
 * and SharedArrayBuffer); elsewhere it throws. Workers do not keep the process alive.
 * @example
 * ```ts
 * await tg.setNumThreads(2); // large products now share their rows between two threads
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
  const workerThreads = n > 1 ? await loadWorkerThreads() : null;
  const old = pool;
  pool = null;
  numThreads = 1;
  if (old) await stopPool(old);
  if (workerThreads) {
    pool = await startPool(workerThreads.Worker, n - 1);
    numThreads = n;
  }
}

/** Loads worker_threads only now, so importing tapegrad never does (and works without it). */
async function loadWorkerThreads(): Promise<typeof import('node:worker_threads')> {
  const why = 'setNumThreads: threads need Node.js worker_threads and SharedArrayBuffer, which this environment lacks; use setNumThreads(1)';
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (typeof SharedArrayBuffer === 'undefined' || !proc?.versions?.node) throw new Error(why);
  try {
    return await import('node:worker_threads');
  } catch {
    throw new Error(why);
  }
}

/**
 * The worker script next to this module: matmul-worker.js in the built package. From the
 * TypeScript sources (tsx, vitest) a small .mjs entry registers tsx in the worker first, as
 * on Node 20 a loader registered with --import does not reach worker threads.
 */
async function workerUrl(): Promise<URL> {
  const fromSource = import.meta.url.endsWith('.ts');
  if (!fromSource) return new URL('./matmul-worker.js', import.meta.url);
  const { createRequire } = await import('node:module');
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
  } catch {
    throw new Error('setNumThreads: running tapegrad from its TypeScript sources needs tsx to start worker threads (npm i -D tsx); the built package does not');
  }
  return new URL('./matmul-worker-tsx.mjs', import.meta.url);
}

async function startPool(Worker: typeof import('node:worker_threads').Worker, count: number): Promise<Pool> {
  const url = await workerUrl();
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const data = new SharedArrayBuffer(1 << 16);
  const p: Pool = {
    workers: [], flags: new Int32Array(control), params: new Float64Array(control, PARAMS_BYTE_OFFSET),
    data, generation: 0,
  };
  const started = Array.from({ length: count }, () => {
    // No inherited flags: the worker needs none, and some (--input-type, loaders) break its start.
    const w = new Worker(url, { workerData: { control, data }, execArgv: [] });
    p.workers.push(w);
    return new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', (e) => reject(new Error(`setNumThreads: a worker thread failed to start: ${e.message}`)));
      w.once('exit', (code) => reject(new Error(`setNumThreads: a worker thread exited during start-up (code ${code})`)));
    });
  });
  try {
    await Promise.all(started);
  } catch (e) {
    await stopPool(p);
    throw e;
  }
  for (const w of p.workers) w.unref();
  return p;
}

async function stopPool(p: Pool): Promise<void> {
  Atomics.store(p.flags, JOB, -1);
  Atomics.notify(p.flags, JOB);
  await Promise.all(p.workers.map((w) => w.terminate()));
}

/**
 * matmul for the op table: the single-threaded kernel, unless threads are on and this is a large
 * 2-D product, whose rows are then shared out in chunks between this thread and the workers.
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  const p = pool;
  if (p === null || a.ndim !== 2 || b.ndim !== 2 || a.dtype !== b.dtype) return matmulSingle(a, b);
  const [m, k] = a.shape;
  const [kb, n] = b.shape;
  // mismatched shapes go to the kernel, which raises the usual error
  if (k !== kb || m * n * k < PARALLEL_MIN_WORK || m < 2 * MIN_CHUNK_ROWS) return matmulSingle(a, b);
  return parallelMatmul(p, a, b, m, n, k);
}

/** Element range [lo, hi) of x's storage that the view reads (strides are never negative). */
function span(x: NDArray): [number, number] {
  let hi = x.offset;
  for (let d = 0; d < x.ndim; d++) hi += (x.shape[d] - 1) * x.strides[d];
  return [x.offset, hi + 1];
}

function parallelMatmul(p: Pool, a: NDArray, b: NDArray, m: number, n: number, k: number): NDArray {
  const float64 = a.dtype === 'float64';
  const [aLo, aHi] = span(a);
  const [bLo, bHi] = span(b);
  // A's and B's storage spans are copied as they are, strides and all, so the kernel packs them
  // exactly as it would the originals; C follows them, dense.
  const bBase = aHi - aLo;
  const cBase = bBase + (bHi - bLo);
  // offsets travel as int32 (see runChunks); a product too large for that stays on this thread
  if (cBase + m * n > 0x7fffffff) return matmulSingle(a, b);
  const bytes = (cBase + m * n) * (float64 ? 8 : 4);
  if (p.data.byteLength < bytes) growData(p, bytes);
  const view: TypedArray = float64 ? new Float64Array(p.data) : new Float32Array(p.data);
  view.set(a.data.subarray(aLo, aHi), 0);
  view.set(b.data.subarray(bLo, bHi), bBase);

  const threads = p.workers.length + 1;
  const chunkRows = Math.max(MIN_CHUNK_ROWS, Math.ceil(m / (threads * CHUNKS_PER_THREAD) / 4) * 4);
  const count = Math.floor(m / chunkRows); // the last chunk also takes the remainder
  const q = p.params;
  q[P.generation] = p.generation;
  q[P.float64] = float64 ? 1 : 0;
  q[P.m] = m;
  q[P.n] = n;
  q[P.k] = k;
  q[P.chunkRows] = chunkRows;
  q[P.aOff] = a.offset - aLo;
  q[P.aRowStride] = a.strides[0];
  q[P.aColStride] = a.strides[1];
  q[P.bOff] = bBase + b.offset - bLo;
  q[P.bRowStride] = b.strides[0];
  q[P.bColStride] = b.strides[1];
  q[P.cOff] = cBase;
  q[P.ldc] = n;
  Atomics.store(p.flags, COMPLETED, 0);
  Atomics.store(p.flags, FAILED, 0);
  Atomics.store(p.flags, NEXT, count << 16);
  Atomics.store(p.flags, JOB, (Atomics.load(p.flags, JOB) + 1) & 0x3fffffff); // stays ≥ 0: −1 means exit
  Atomics.notify(p.flags, JOB);
  runChunks(p.flags, q, () => view);
  for (let d = Atomics.load(p.flags, COMPLETED); d < count; d = Atomics.load(p.flags, COMPLETED)) Atomics.wait(p.flags, COMPLETED, d);
  if (Atomics.load(p.flags, FAILED)) throw new Error('matmul: a worker thread failed; call setNumThreads(1) to go back to one thread');
  const out = float64 ? new Float64Array(m * n) : new Float32Array(m * n);
  out.set(view.subarray(cBase, cBase + m * n));
  return new NDArray(out, [m, n]);
}

/** Replaces the data buffer with a larger one (at least doubling) and hands it to every worker. */
function growData(p: Pool, bytes: number): void {
  const size = Math.max(bytes, 2 * p.data.byteLength);
  p.data = new SharedArrayBuffer(Math.ceil(size / 8) * 8);
  p.generation++;
  for (const w of p.workers) w.postMessage({ data: p.data, generation: p.generation });
}
