// The convolution workloads every library runs (the 'conv' suite): one conv2d layer forward and
// forward+backward, and a LeNet-style training step on real MNIST digits from a shared init.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Generator } from '../src/tensor/random.js';
import { opInput } from './common.js';

/** The layer: x [32, 16, 32, 32] (NCHW) → 32 channels, 3×3, padding 1, stride 1. */
export const CONV_LAYER = { n: 32, c: 16, h: 32, w: 32, o: 32, k: 3, pad: 1 };
/** FLOPs of the layer's forward pass (2 per multiply-add); its backward (input and weight gradients) is twice that. */
export const CONV_FWD_FLOPS = 2 * CONV_LAYER.n * CONV_LAYER.o * CONV_LAYER.h * CONV_LAYER.w * CONV_LAYER.c * CONV_LAYER.k ** 2;

/**
 * LeNet-style: conv 5×5 → 8, ReLU, max-pool 2, conv 5×5 → 16, ReLU, max-pool 2, dense 256 → 10,
 * mean softmax cross-entropy, Adam (lr 1e-3), batch 64.
 */
export const LENET = { batch: 64, numBatches: 16, initSeed: 11, dataSeed: 5, steps: 100, quickSteps: 20 };

/** Weights in PyTorch layouts: conv [out, in, kh, kw], dense [out, in] with inputs in (c, h, w) order. */
export interface LeNetInit {
  w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array; w3: Float32Array; b3: Float32Array;
}

/** U(±1/√fanIn) for every weight and bias (PyTorch's default bounds), from Generator(initSeed). */
export function lenetInit(): LeNetInit {
  const g = new Generator(LENET.initSeed);
  const u = (n: number, fanIn: number) => g.fillUniform(new Float32Array(n), -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)) as Float32Array;
  return { w1: u(8 * 25, 25), b1: u(8, 25), w2: u(16 * 8 * 25, 200), b2: u(16, 200), w3: u(10 * 256, 256), b3: u(10, 256) };
}

/** [o, i, kh, kw] → tfjs's [kh, kw, i, o]. */
export function toHWIO(w: Float32Array, o: number, i: number, k: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) {
    out[((y * k + x) * i + b) * o + a] = w[((a * i + b) * k + y) * k + x];
  }
  return out;
}

/** The dense weight [10, 256] over (c, h, w) inputs → [256, 10] over tfjs's (h, w, c) flattening. */
export function denseToNHWC(w: Float32Array, c: number, h: number, wd: number, out: number): Float32Array {
  const res = new Float32Array(w.length);
  for (let o = 0; o < out; o++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < wd; x++) {
    res[((y * wd + x) * c + ch) * out + o] = w[o * c * h * wd + (ch * h + y) * wd + x];
  }
  return res;
}

/** numBatches batches of real MNIST digits (28×28, values in [0, 1]) with their labels, picked by Generator(dataSeed). */
export function lenetData(): { x: Float32Array[]; labels: Int32Array[] } {
  const require = createRequire(import.meta.url);
  const digits: { pixels: number[]; label: number }[] = [];
  for (let d = 0; d < 10; d++) {
    const data = (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] }).data;
    for (let i = 0; i < data.length; i += 784) digits.push({ pixels: data.slice(i, i + 784), label: d });
  }
  const order = new Generator(LENET.dataSeed).permutation(digits.length);
  const x: Float32Array[] = [];
  const labels: Int32Array[] = [];
  for (let b = 0; b < LENET.numBatches; b++) {
    const xb = new Float32Array(LENET.batch * 784);
    const lb = new Int32Array(LENET.batch);
    for (let i = 0; i < LENET.batch; i++) {
      const d = digits[order[b * LENET.batch + i]];
      xb.set(d.pixels, i * 784);
      lb[i] = d.label;
    }
    x.push(xb);
    labels.push(lb);
  }
  return { x, labels };
}

/** A tapegrad module: this checkout's, or another's (the A/B benches load an older src/ beside it). */
type Tapegrad = typeof import('../src/index.js');

/**
 * The conv layer (CONV_LAYER) for any checkout's tapegrad: `fwd` is F.conv2d, `fwdBwd` that and its
 * backward from a fixed ȳ (input and weight gradients), `matmul` the same FLOPs through tapegrad's own
 * matmul ([n·h·w, c·k²] · [c·k², o], the im2col product).
 */
export function tapegradConvLayer(tg: Tapegrad): { fwd: () => unknown; fwdBwd: () => void; matmul: () => unknown } {
  const L = CONV_LAYER, F = tg.nn.functional;
  const ten = (n: number, seed: number, shape: number[]) => tg.tensor(opInput(n, seed), { shape });
  const x = ten(L.n * L.c * L.h * L.w, 21, [L.n, L.c, L.h, L.w]);
  const w = ten(L.o * L.c * L.k * L.k, 22, [L.o, L.c, L.k, L.k]);
  const gy = ten(L.n * L.o * L.h * L.w, 23, [L.n, L.o, L.h, L.w]);
  const xg = x.clone().requiresGrad_(), wg = w.clone().requiresGrad_();
  const a = ten(L.n * L.h * L.w * L.c * L.k ** 2, 24, [L.n * L.h * L.w, L.c * L.k ** 2]);
  const b = ten(L.c * L.k ** 2 * L.o, 25, [L.c * L.k ** 2, L.o]);
  return {
    fwd: () => F.conv2d(x, w, null, { padding: L.pad }),
    fwdBwd: () => {
      xg.grad = null;
      wg.grad = null;
      F.conv2d(xg, wg, null, { padding: L.pad }).backward(gy);
    },
    matmul: () => a.matmul(b),
  };
}

/**
 * tapegrad's LeNet step as a PyTorch user writes it (nn.functional calls, Adam over the six parameters from
 * lenetInit()), over lenetData()'s batches in turn, for any checkout's module. `step()` trains on the next
 * batch and returns the loss; with `dispose` it then hands the forward's intermediates back to the caching
 * allocator, as tf.tidy does for tfjs's step.
 */
export function tapegradLenet(tg: Tapegrad, { dispose = false } = {}): { step: () => number } {
  const F = tg.nn.functional;
  const init = lenetInit();
  const p = (d: Float32Array, shape: number[]) => new tg.nn.Parameter(tg.tensor(d.slice(), { shape }));
  const [w1, b1, w2, b2, w3, b3] = [p(init.w1, [8, 1, 5, 5]), p(init.b1, [8]), p(init.w2, [16, 8, 5, 5]), p(init.b2, [16]), p(init.w3, [10, 256]), p(init.b3, [10])];
  const opt = new tg.optim.Adam([w1, b1, w2, b2, w3, b3], { lr: 1e-3 });
  const data = lenetData();
  const xs = data.x.map((a) => tg.tensor(a, { shape: [LENET.batch, 1, 28, 28] }));
  const ys = data.labels.map((l) => tg.tensor(l));
  let i = 0;
  return {
    step(): number {
      const c1 = F.conv2d(xs[i % xs.length], w1, b1), r1 = c1.relu(), h1 = F.maxPool2d(r1, 2);
      const c2 = F.conv2d(h1, w2, b2), r2 = c2.relu(), h2 = F.maxPool2d(r2, 2);
      const logits = F.linear(h2.flatten(1), w3, b3);
      const loss = F.crossEntropy(logits, ys[i % ys.length]);
      i++;
      opt.zeroGrad();
      loss.backward();
      opt.step();
      const value = loss.item();
      if (dispose) for (const t of [c1, r1, h1, c2, r2, h2, logits, loss]) t.dispose();
      return value;
    },
  };
}
