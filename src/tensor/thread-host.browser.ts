// Where the matmul threads come from in a browser: Web Workers. The browser build (scripts/build.mjs)
// uses this file in place of thread-host.ts and inlines the worker's bundled code, so no bundler has
// to find or copy a worker file.

import type { ThreadWorker, WorkerStart } from './thread-host.js';

export type { ThreadWorker, WorkerStart } from './thread-host.js';

/** The bundled code of matmul-worker.browser.ts (a classic script), put here by scripts/build.mjs. */
declare const __TAPEGRAD_MATMUL_WORKER__: string;

/** The data buffer may grow in place up to this size (a reservation of address space, not memory). */
const MAX_DATA_BYTES = 1 << 30;

const where = (g: object): 'page' | 'worker' | 'other' =>
  'document' in g ? 'page' : typeof (g as { importScripts?: unknown }).importScripts === 'function' ? 'worker' : 'other';

/** Throws, with what to do, where this browser context cannot run the threaded matmul. */
export async function checkThreads(): Promise<void> {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof SharedArrayBuffer === 'undefined' || g.crossOriginIsolated === false) {
    throw new Error('setNumThreads: threads need SharedArrayBuffer, which a browser gives only to a cross-origin isolated page: ' +
      'serve it with the headers "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
      '(docs/install.md, "Threads in a browser"); until then use setNumThreads(1)');
  }
  if (where(globalThis) === 'page') {
    throw new Error("setNumThreads: a page's main thread may not block (Atomics.wait), which the threaded matmul needs: " +
      'train in a Web Worker and call setNumThreads there (docs/install.md, "Web Worker"); on the page use setNumThreads(1)');
  }
  if (typeof g.Worker !== 'function') throw new Error('setNumThreads: this context cannot start Web Workers; use setNumThreads(1)');
}

/** A growable buffer: it grows in place, so workers need no new buffer, which they could not receive while they wait. */
export function allocData(bytes: number): SharedArrayBuffer {
  const Growable = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  return new Growable(bytes, { maxByteLength: MAX_DATA_BYTES });
}

/** Starts `count` Web Workers from the inlined worker code; resolves once each is ready. */
export async function startWorkers(start: WorkerStart, count: number): Promise<ThreadWorker[]> {
  const url = URL.createObjectURL(new Blob([__TAPEGRAD_MATMUL_WORKER__], { type: 'text/javascript' }));
  const workers: Worker[] = [];
  try {
    await Promise.all(Array.from({ length: count }, () => {
      const w = new Worker(url);
      workers.push(w);
      return new Promise<void>((resolve, reject) => {
        w.onmessage = () => resolve();
        w.onerror = (e) => reject(new Error(`setNumThreads: a Web Worker failed to start: ${e.message}`));
        w.postMessage(start);
      });
    }));
  } catch (e) {
    for (const w of workers) w.terminate();
    throw e;
  } finally {
    URL.revokeObjectURL(url);
  }
  return workers.map((w) => ({
    postMessage: (v: unknown) => w.postMessage(v),
    terminate: async () => w.terminate(),
  }));
}
