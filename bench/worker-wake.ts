// How long a sleeping worker thread takes to wake: the main thread bumps a shared counter and calls
// Atomics.notify, the worker (asleep in Atomics.wait, as the threaded matmul's workers are between products)
// wakes and writes the counter back; the main thread spins until it sees that. After a busy gap of 0–3 ms on
// the main thread (the serial work between two shared products), 200 times each; medians.
// Run: npx tsx bench/worker-wake.ts

import { isMainThread, Worker, workerData } from 'node:worker_threads';

if (isMainThread) {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  // the worker runs this same file, through a .mjs entry that registers tsx in the worker first
  const worker = new Worker(new URL('./worker-kernel-tsx.mjs', import.meta.url), { workerData: { wake: flags.buffer, entry: './worker-wake.ts' } });
  await new Promise((r) => setTimeout(r, 500));
  for (const gap of [0, 0.2, 1, 3]) {
    const notify: number[] = [], awake: number[] = [];
    for (let r = 0; r < 200; r++) {
      for (const end = performance.now() + gap; performance.now() < end;) { /* the main thread's serial work */ }
      const t0 = performance.now();
      const want = Atomics.add(flags, 0, 1) + 1;
      Atomics.notify(flags, 0);
      notify.push(performance.now() - t0);
      while (Atomics.load(flags, 1) !== want) { /* until the worker answers */ }
      awake.push(performance.now() - t0);
    }
    const med = (xs: number[]) => (xs.sort((a, b) => a - b)[xs.length >> 1] * 1000).toFixed(1);
    console.log(`after ${gap} ms of work: notify returns in ${med(notify)} µs, the worker is awake after ${med(awake)} µs (medians)`);
  }
  Atomics.store(flags, 0, -1);
  Atomics.notify(flags, 0);
  await worker.terminate();
} else {
  const flags = new Int32Array((workerData as { wake: SharedArrayBuffer }).wake);
  for (let seen = 0; ;) {
    Atomics.wait(flags, 0, seen);
    seen = Atomics.load(flags, 0);
    if (seen < 0) break;
    Atomics.store(flags, 1, seen);
  }
}
