// The same GEMM block timed on the main thread and in a worker thread: a 64-row block of a 512³
// product (64×512 · 512×512), the unit threads.ts hands out. Medians of 40 runs each, after warm-up.
// Run pinned to one CPU so the two never overlap: taskset -c 0 npx tsx bench/worker-kernel.ts

import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { gemm } from '../src/tensor/matmul.js';

function timeBlock(): number {
  const m = 64, n = 512, k = 512;
  const a = new Float32Array(m * k).map((_, i) => Math.sin(i));
  const b = new Float32Array(k * n).map((_, i) => Math.cos(i));
  const c = new Float32Array(m * n);
  const ts: number[] = [];
  for (let r = 0; r < 60; r++) {
    const t0 = performance.now();
    gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
    if (r >= 20) ts.push(performance.now() - t0);
  }
  ts.sort((x, y) => x - y);
  return ts[ts.length >> 1];
}

if (isMainThread) {
  const main = timeBlock();
  // the worker runs this same file, through a .mjs entry that registers tsx in the worker first
  const worker = new Worker(new URL('./worker-kernel-tsx.mjs', import.meta.url));
  worker.once('message', (inWorker: number) => {
    console.log(`64×512·512×512 block, median ms: main thread ${main.toFixed(2)}, worker ${inWorker.toFixed(2)} (${(inWorker / main).toFixed(2)}×)`);
    void worker.terminate();
  });
} else {
  parentPort!.postMessage(timeBlock());
}
