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

/** Runs `what`, turning an exception (a kernel the backend lacks) into an error line of the result. */
function attempt(res: LibResult, what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    (res.errors ??= []).push(`${what}: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function runConvTf(cfg: BenchConfig, backend: string, res: LibResult): void {
  registerConvGradients();
  const L = CONV_LAYER;
  log('conv2d layer');
  // the same values as tapegrad's NCHW inputs, moved to NHWC / HWIO
  const x = tf.tidy(() => tf.transpose(tf.tensor4d(opInput(L.n * L.c * L.h * L.w, 21), [L.n, L.c, L.h, L.w]), [0, 2, 3, 1]));
  const w = tf.tensor4d(toHWIO(opInput(L.o * L.c * L.k * L.k, 22), L.o, L.c, L.k), [L.k, L.k, L.c, L.o]);
  const gy = tf.tidy(() => tf.transpose(tf.tensor4d(opInput(L.n * L.o * L.h * L.w, 23), [L.n, L.o, L.h, L.w]), [0, 2, 3, 1]));
  attempt(res, 'conv2d/fwd', () => {
    const t = timeit(() => tf.conv2d(x as tf.Tensor4D, w, 1, 'same').dispose(), cfg.opTiming);
    res.results['conv2d/fwd'] = throughput(t, CONV_FWD_FLOPS / 1e9, 'GFLOP/s');
  });
  attempt(res, 'conv2d/fwd+bwd', () => {
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same');
    const grads = tf.grads(f);
    const t = timeit(() => tf.tidy(() => { grads([x, w], gy); }), { ...cfg.opTiming, maxMs: backend === 'cpu' ? 5000 : cfg.opTiming.maxMs });
    res.results['conv2d/fwd+bwd'] = latency(t);
    res.results['conv2d/fwd+bwd-gflops'] = throughput(t, (3 * CONV_FWD_FLOPS) / 1e9, 'GFLOP/s');
  });
  tf.dispose([x, w, gy]);

  log('LeNet step');
  attempt(res, 'lenet/step', () => {
    const init = lenetInit();
    const v4 = (d: Float32Array, shape: [number, number, number, number]) => tf.variable(tf.tensor4d(d, shape));
    const v = (d: Float32Array, shape: number[]) => tf.variable(tf.tensor(d, shape));
    const w1 = v4(toHWIO(init.w1, 8, 1, 5), [5, 5, 1, 8]), b1 = v(init.b1, [8]);
    const w2 = v4(toHWIO(init.w2, 16, 8, 5), [5, 5, 8, 16]), b2 = v(init.b2, [16]);
    const w3 = v(denseToNHWC(init.w3, 16, 4, 4, 10), [256, 10]), b3 = v(init.b3, [10]);
    const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    const data = lenetData();
    const xs = data.x.map((a) => tf.tensor4d(a, [LENET.batch, 28, 28, 1]));
    const ys = data.labels.map((l) => tf.cast(tf.oneHot(tf.tensor1d(l, 'int32'), 10), 'float32'));
    // tfjs-cpu runs about one step per few seconds here: it trains 10 steps, the loss compared at step 1
    const steps = backend === 'cpu' ? Math.min(10, LENET.quickSteps) : cfg.quick ? LENET.quickSteps : LENET.steps;
    const times: number[] = [];
    const losses: number[] = [];
    try {
    for (let i = 0; i < steps; i++) {
      const t0 = process.hrtime.bigint();
      const cost = tf.tidy(() => opt.minimize(() => {
        const layer = (h: tf.Tensor4D, wk: tf.Tensor4D, bk: tf.Tensor) =>
          tf.maxPool(tf.relu(tf.add(tf.conv2d(h, wk, 1, 'valid'), bk)) as tf.Tensor4D, 2, 2, 'valid') as tf.Tensor4D;
        const h2 = layer(layer(xs[i % xs.length], w1, b1), w2, b2);
        const logits = tf.add(tf.matMul(tf.reshape(h2, [LENET.batch, 256]), w3), b3);
        return tf.losses.softmaxCrossEntropy(ys[i % ys.length], logits, undefined, undefined, tf.Reduction.MEAN) as tf.Scalar;
      }, true, [w1, b1, w2, b2, w3, b3]) as tf.Scalar);
      losses.push(cost!.dataSync()[0]);
      cost!.dispose();
      if (i >= 3) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    } finally {
      opt.dispose();
      tf.dispose([w1, b1, w2, b2, w3, b3, ...xs, ...ys]);
    }
    res.results['lenet/step'] = throughput(summarize(times), LENET.batch, 'samples/s');
    res.results['lenet/loss@1'] = { value: losses[0], unit: 'loss', higherIsBetter: false };
    res.results[`lenet/loss@${steps}`] = { value: losses[steps - 1], unit: 'loss', higherIsBetter: false };
  });
}
