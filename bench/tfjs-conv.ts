// TensorFlow.js's side of the 'conv' suite (see conv-common.ts), NHWC with the same data and init:
// the conv2d layer forward and forward+backward, and the LeNet-style MNIST training step.

import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { type BenchConfig, type LibResult, latency, log, opInput, summarize, throughput, timeit } from './common.js';
import { CONV_FWD_FLOPS, CONV_LAYER, LENET, denseToNHWC, lenetData, lenetInit, toHWIO } from './conv-common.js';

/** Gradients the conv graphs need (tfjs-core's Node bundle registers none; see registerTfjsGradients). */
const CONV_GRAD_KERNELS = ['Conv2D', 'MaxPool', 'Reshape', 'Relu', 'Add', 'BatchMatMul', 'Mean'];

function registerConvGradients(): void {
  const req = createRequire(import.meta.url);
  for (const kernel of CONV_GRAD_KERNELS) {
    const mod = req(`@tensorflow/tfjs-core/dist/gradients/${kernel}_grad.js`) as Record<string, unknown>;
    const config = Object.values(mod).find((v): v is tf.GradConfig => typeof v === 'object' && v !== null && 'gradFunc' in v);
    if (config) tf.registerGradient(config);
  }
}

/*
 * tfjs-wasm 4.22 registers no Conv2DBackpropFilter kernel, so as shipped it cannot train a CNN (the
 * weight gradient of conv2d fails). For the bench, the wasm backend gets one built only from its own
 * kernels (Transpose, Conv2D, Slice), with the batch moved into the channels:
 *   dW[ky, kx, ci, co] = Σ_{n, oy, ox} x[n, oy·sh − pt + ky, ox·sw − pl + kx, ci] · dy[n, oy, ox, co]
 * is a convolution of x transposed to [Ci, H, W, N] (Ci images of N channels) with dy transposed to
 * [OH, OW, N, Co] as the filter, stride 1 and dilation (sh, sw) (the forward's stride), padded by
 * (pt, pl) at the top and left; its output [Ci, ≥KH, ≥KW, Co], cut to KH × KW, transposed to
 * [KH, KW, Ci, Co], is dW. (tfjs's conv2d gradient allows no dilation, so the forward's is 1.)
 * checkBackpropFilter compares it with tfjs-cpu's kernel before anything is timed.
 */
type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }) => tf.TensorInfo;

function wasmKernel(name: string): KernelFn {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`tfjs-wasm has no ${name} kernel`);
  return k.kernelFunc as unknown as KernelFn;
}

function conv2dBackpropFilterWasm({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (a.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (bench, wasm): only NHWC, got ${a.dataFormat}`);
  const [kh, kw, ci, co] = a.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
  const [, H, W] = x.shape;
  const { top, left } = info.padInfo;
  const sh = info.strideHeight, sw = info.strideWidth;
  const oh = info.outHeight, ow = info.outWidth;
  // rows up to kh − 1 − top + (oh − 1)·sh are read; pad below/right only as far as that needs
  const bottom = Math.max(0, kh - 1 - top + (oh - 1) * sh - (H - 1));
  const right = Math.max(0, kw - 1 - left + (ow - 1) * sw - (W - 1));
  const transpose = wasmKernel('Transpose'), conv = wasmKernel('Conv2D'), slice = wasmKernel('Slice');
  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo) => (temps.push(t), t);
  try {
    const xt = keep(transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } })); // [Ci, H, W, N]
    const dyt = keep(transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } })); // [OH, OW, N, Co]
    let r = keep(conv({
      inputs: { x: xt, filter: dyt }, backend,
      attrs: { strides: [1, 1], dilations: [sh, sw], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dimRoundingMode: 'floor' },
    })); // [Ci, ≥KH, ≥KW, Co]
    if (r.shape[1] !== kh || r.shape[2] !== kw) r = keep(slice({ inputs: { x: r }, backend, attrs: { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] } }));
    const out = transpose({ inputs: { x: r }, backend, attrs: { perm: [1, 2, 0, 3] } }); // [KH, KW, Ci, Co]
    return out;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** Registers conv2dBackpropFilterWasm for the wasm backend, only where tfjs has no such kernel. */
function registerBackpropFilter(backend: string): boolean {
  if (backend !== 'wasm' || tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc });
  return true;
}

/**
 * Compares the kernel above with tfjs-cpu's Conv2DBackpropFilter on random inputs: the bench's two
 * conv shapes (the layer, LeNet's two layers) and a strided, padded, non-square case. Throws if
 * any differs by more than 1e-3 of the result's scale; returns the largest relative difference.
 */
function checkBackpropFilter(res: LibResult): number {
  type Shape4 = [number, number, number, number];
  const cases: { x: Shape4; f: Shape4; s: number | [number, number]; pad: 'same' | 'valid' | number }[] = [
    { x: [32, 32, 32, 16], f: [3, 3, 16, 32], s: 1, pad: 'same' },
    { x: [64, 28, 28, 1], f: [5, 5, 1, 8], s: 1, pad: 'valid' },
    { x: [64, 12, 12, 8], f: [5, 5, 8, 16], s: 1, pad: 'valid' },
    { x: [3, 11, 9, 4], f: [3, 2, 4, 5], s: [2, 3], pad: 'same' },
    { x: [2, 12, 13, 3], f: [4, 3, 3, 2], s: 2, pad: 'valid' },
    { x: [2, 10, 10, 3], f: [3, 3, 3, 4], s: 2, pad: 1 },
  ];
  const cpu = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  if (!cpu) throw new Error('Conv2DBackpropFilter check: tfjs-cpu kernel not registered');
  let worst = 0;
  const lines: string[] = [];
  for (const [i, c] of cases.entries()) {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 100 + i) as tf.Tensor4D;
    const dyShape = tf.backend_util.computeConv2DInfo(c.x, c.f, c.s, 1, c.pad).outShape;
    const dy = tf.randomNormal(dyShape, 0, 1, 'float32', 200 + i) as tf.Tensor4D;
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f };
    // what tfjs's conv2d gradient runs on the active backend (the kernel above, on wasm)
    const got = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    const xs = x.dataSync(), dys = dy.dataSync();
    // the reference: tfjs-cpu's own kernel on a cpu copy of the same values
    const cpuBackend = tf.findBackend('cpu');
    if (!cpuBackend) throw new Error('Conv2DBackpropFilter check: tfjs-cpu backend unavailable');
    const xi = { dataId: cpuBackend.write(xs, c.x, 'float32'), shape: c.x, dtype: 'float32' as const };
    const dyi = { dataId: cpuBackend.write(dys, dyShape, 'float32'), shape: dyShape, dtype: 'float32' as const };
    const out = (cpu.kernelFunc as unknown as KernelFn)({ inputs: { x: xi, dy: dyi }, backend: cpuBackend, attrs: attrs as unknown as tf.NamedAttrMap });
    const ref = cpuBackend.readSync(out.dataId) as Float32Array;
    for (const t of [xi, dyi, out]) cpuBackend.disposeData(t.dataId);
    const g = got.dataSync();
    let diff = 0, scale = 0;
    for (let j = 0; j < g.length; j++) {
      diff = Math.max(diff, Math.abs(g[j] - ref[j]));
      scale = Math.max(scale, Math.abs(ref[j]));
    }
    tf.dispose([x, dy, got]);
    const rel = diff / scale;
    worst = Math.max(worst, rel);
    lines.push(`x ${c.x.join('×')} f ${c.f.join('×')} stride ${String(c.s)} pad ${String(c.pad)}: max |diff| ${diff.toExponential(2)} (scale ${scale.toFixed(1)})`);
    if (!(g.length === ref.length && rel <= 1e-3)) {
      throw new Error(`Conv2DBackpropFilter (bench, wasm) disagrees with tfjs-cpu: ${lines[lines.length - 1]}`);
    }
  }
  for (const l of lines) log(`Conv2DBackpropFilter check, ${l}`);
  res.results['conv2d/backprop-filter-check'] = { value: worst, unit: 'max rel diff vs tfjs-cpu', higherIsBetter: false };
  return worst;
}

/** Runs `what`, turning an exception (a kernel the backend lacks) into an error line of the result. */
function attempt(res: LibResult, what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    (res.errors ??= []).push(`${what}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * Readies the active backend for the conv workloads: the gradients the graphs need and, on wasm, the
 * Conv2DBackpropFilter above, checked against tfjs-cpu's before anything is timed (unless `check` is
 * false: bench/conv-paired.ts's many short processes leave the ~20 s check to the suite).
 */
export function setupTfConv(backend: string, res: LibResult, check = true): void {
  registerConvGradients();
  if (registerBackpropFilter(backend)) {
    res.note = `${res.note ?? ''}; Conv2DBackpropFilter for wasm added by the bench from wasm's Transpose, Conv2D and Slice kernels (bench/tfjs-conv.ts)${check ? ', checked against tfjs-cpu' : ''}`;
    if (check) checkBackpropFilter(res);
  }
}

/** The conv layer (CONV_LAYER) with tapegrad's values moved to NHWC / HWIO: forward, and forward + backward (both gradients). */
export function tfConvLayer(): { fwd: () => void; fwdBwd: () => void; dispose: () => void } {
  const L = CONV_LAYER;
  const x = tf.tidy(() => tf.transpose(tf.tensor4d(opInput(L.n * L.c * L.h * L.w, 21), [L.n, L.c, L.h, L.w]), [0, 2, 3, 1]));
  const w = tf.tensor4d(toHWIO(opInput(L.o * L.c * L.k * L.k, 22), L.o, L.c, L.k), [L.k, L.k, L.c, L.o]);
  const gy = tf.tidy(() => tf.transpose(tf.tensor4d(opInput(L.n * L.o * L.h * L.w, 23), [L.n, L.o, L.h, L.w]), [0, 2, 3, 1]));
  const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same');
  const grads = tf.grads(f);
  return {
    fwd: () => tf.conv2d(x as tf.Tensor4D, w, 1, 'same').dispose(),
    fwdBwd: () => tf.tidy(() => { grads([x, w], gy); }),
    dispose: () => tf.dispose([x, w, gy]),
  };
}

/**
 * tfjs's LeNet step from the shared init (the same model as tapegradLenet in conv-common.ts, NHWC),
 * over lenetData()'s batches in turn: `step()` trains on the next batch and returns the loss.
 */
export function tfLenet(): { step: () => number; dispose: () => void } {
  const init = lenetInit();
  const v4 = (d: Float32Array, shape: [number, number, number, number]) => tf.tidy(() => tf.variable(tf.tensor4d(d, shape)));
  const v = (d: Float32Array, shape: number[]) => tf.tidy(() => tf.variable(tf.tensor(d, shape)));
  const w1 = v4(toHWIO(init.w1, 8, 1, 5), [5, 5, 1, 8]), b1 = v(init.b1, [8]);
  const w2 = v4(toHWIO(init.w2, 16, 8, 5), [5, 5, 8, 16]), b2 = v(init.b2, [16]);
  const w3 = v(denseToNHWC(init.w3, 16, 4, 4, 10), [256, 10]), b3 = v(init.b3, [10]);
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const data = lenetData();
  const xs = data.x.map((a) => tf.tensor4d(a, [LENET.batch, 28, 28, 1]));
  const ys = data.labels.map((l) => tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(l, 'int32'), 10), 'float32')));
  let i = 0;
  return {
    step(): number {
      const cost = tf.tidy(() => opt.minimize(() => {
        const layer = (h: tf.Tensor4D, wk: tf.Tensor4D, bk: tf.Tensor) =>
          tf.maxPool(tf.relu(tf.add(tf.conv2d(h, wk, 1, 'valid'), bk)) as tf.Tensor4D, 2, 2, 'valid') as tf.Tensor4D;
        const h2 = layer(layer(xs[i % xs.length], w1, b1), w2, b2);
        const logits = tf.add(tf.matMul(tf.reshape(h2, [LENET.batch, 256]), w3), b3);
        return tf.losses.softmaxCrossEntropy(ys[i % ys.length], logits, undefined, undefined, tf.Reduction.MEAN) as tf.Scalar;
      }, true, [w1, b1, w2, b2, w3, b3]) as tf.Scalar);
      i++;
      const value = cost!.dataSync()[0];
      cost!.dispose();
      return value;
    },
    dispose(): void {
      opt.dispose();
      tf.dispose([w1, b1, w2, b2, w3, b3, ...xs, ...ys]);
    },
  };
}

export function runConvTf(cfg: BenchConfig, backend: string, res: LibResult): void {
  setupTfConv(backend, res);
  log('conv2d layer');
  const layer = tfConvLayer();
  attempt(res, 'conv2d/fwd', () => {
    const t = timeit(layer.fwd, cfg.opTiming);
    res.results['conv2d/fwd'] = throughput(t, CONV_FWD_FLOPS / 1e9, 'GFLOP/s');
  });
  attempt(res, 'conv2d/fwd+bwd', () => {
    const t = timeit(layer.fwdBwd, { ...cfg.opTiming, maxMs: backend === 'cpu' ? 5000 : cfg.opTiming.maxMs });
    res.results['conv2d/fwd+bwd'] = latency(t);
    res.results['conv2d/fwd+bwd-gflops'] = throughput(t, (3 * CONV_FWD_FLOPS) / 1e9, 'GFLOP/s');
  });
  layer.dispose();

  log('LeNet step');
  attempt(res, 'lenet/step', () => {
    const lenet = tfLenet();
    // tfjs-cpu runs about one step per few seconds here: it trains 10 steps, the loss compared at step 1
    const steps = backend === 'cpu' ? Math.min(10, LENET.quickSteps) : cfg.quick ? LENET.quickSteps : LENET.steps;
    const times: number[] = [];
    const losses: number[] = [];
    try {
      for (let i = 0; i < steps; i++) {
        const t0 = process.hrtime.bigint();
        losses.push(lenet.step());
        if (i >= 3) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    } finally {
      lenet.dispose();
    }
    res.results['lenet/step'] = throughput(summarize(times), LENET.batch, 'samples/s');
    res.results['lenet/loss@1'] = { value: losses[0], unit: 'loss', higherIsBetter: false };
    res.results[`lenet/loss@${steps}`] = { value: losses[steps - 1], unit: 'loss', higherIsBetter: false };
  });
}
