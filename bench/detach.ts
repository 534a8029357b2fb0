// tapegrad's 256³ product before and after TensorFlow.js has run in the same process (tfjs-cpu
// loaded, one op run): once any ArrayBuffer in a process has been detached, V8 checks every
// typed-array access for it, and the kernel slows down. Run: npx tsx bench/detach.ts

import { gemm } from '../src/tensor/matmul.js';

const n = 256;
const a = new Float32Array(n * n).map((_, i) => Math.sin(i));
const b = new Float32Array(n * n).map((_, i) => Math.cos(i));
const c = new Float32Array(n * n);
function median(): number {
  const ts: number[] = [];
  for (let r = 0; r < 40; r++) {
    const t0 = performance.now();
    gemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
    ts.push(performance.now() - t0);
  }
  return ts.sort((x, y) => x - y)[ts.length >> 1];
}

const before = median();
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu');
tf.add(tf.ones([4]), tf.ones([4])).dataSync();
const after = median();
console.log(`256³ gemm, median ms: ${before.toFixed(2)} before tfjs ran, ${after.toFixed(2)} after (${(after / before).toFixed(2)}×)`);
