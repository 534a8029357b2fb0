// Where the matmul threads come from, in Node: worker_threads running matmul-worker.js. The browser
// build replaces this file with thread-host.browser.ts (Web Workers); threads.ts uses either alike.

/** A started worker, as threads.ts needs it: messages in, and a way to stop it. */
export interface ThreadWorker {
  postMessage(v: unknown): void;
  terminate(): Promise<unknown>;
}

/** What each worker gets at start: the control and data buffers (see threads.ts). */
export interface WorkerStart {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/**
 * Throws, with the reason, where threads cannot run; called before anything changes, so that a
 * failed setNumThreads leaves the current threads as they were. Loads worker_threads only now, so
 * importing tapegrad never does.
 */
export async function checkThreads(): Promise<void> {
  await loadWorkerThreads();
}

/** A data buffer of at least `bytes` bytes; in Node a plain SharedArrayBuffer (growing posts a new one). */
export function allocData(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

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

/**
 * Starts `count` workers and resolves once each has said it is ready; if one fails, stops them all
 * and rejects. The workers do not keep the process alive.
 */
export async function startWorkers(start: WorkerStart, count: number): Promise<ThreadWorker[]> {
  const { Worker } = await loadWorkerThreads();
  const url = await workerUrl();
  const workers: InstanceType<typeof Worker>[] = [];
  const started = Array.from({ length: count }, () => {
    // No inherited flags: the worker needs none, and some (--input-type, loaders) break its start.
    const w = new Worker(url, { workerData: start, execArgv: [] });
    workers.push(w);
    return new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', (e) => reject(new Error(`setNumThreads: a worker thread failed to start: ${e.message}`)));
      w.once('exit', (code) => reject(new Error(`setNumThreads: a worker thread exited during start-up (code ${code})`)));
    });
  });
  try {
    await Promise.all(started);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  for (const w of workers) w.unref();
  return workers;
}
