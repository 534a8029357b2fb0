// TensorFlow.js side of the benchmarks, on the plain-JS 'cpu' backend or the 'wasm' backend (--backend).
// Prints one LibResult (see common.ts); the driver runs it once per backend in its own process.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import {
  ELEMENTWISE_N, MLP, REDUCE_SHAPE, benchConfig, latency, log, mlpData, mlpInit, newResult,
  opInput, runAsScript, runMlpSuite, throughput, timeit, type BenchConfig, type CliArgs, type LibResult,
  type MLPInit, type Suite,
} from './common.js';
import { runConvTf } from './tfjs-conv.js';
import { patchWasmWorkerUrl } from './tfjs-wasm-threads.js';

/**
 * tfjs-core's Node bundle ships no gradient functions: they live in per-kernel ES modules under
 * dist/gradients/, which the @tensorflow/tfjs union package (not a dependency here) registers.
 * We register just the ones the MLP graph needs, loading tfjs's own files through require(), which
 * works because tsx compiles their ESM syntax on the fly. (Loading register_all_gradients.js the
 * same way costs about 1 s and 40 MB of RSS, which would skew the memory numbers.)
 */
export function registerTfjsGradients(): void {
  const req = createRequire(import.meta.url);
  for (const kernel of MLP_GRAD_KERNELS) {
    const mod = req(`@tensorflow/tfjs-core/dist/gradients/${kernel}_grad.js`) as Record<string, unknown>;
    const config = Object.values(mod).find((v): v is tf.GradConfig => typeof v === 'object' && v !== null && 'gradFunc' in v);
    if (!config) throw new Error(`no gradient config in tfjs-core/dist/gradients/${kernel}_grad.js`);
    tf.registerGradient(config);
  }
}

/** Kernels on the path from the weights to the loss (softmaxCrossEntropy brings its own gradient). */
const MLP_GRAD_KERNELS = ['BatchMatMul', 'Add', 'Relu', 'Mean'];

/** Makes `name` the active backend, or throws with the reason tfjs gave (it only logs it). */
export async function initBackend(name: string, threads: number, res: LibResult): Promise<void> {
  if (name !== 'cpu' && name !== 'wasm') throw new Error(`--backend must be 'cpu' or 'wasm', got '${name}'`);
  let unpatch = () => {};
  if (name === 'wasm') {
    // The .wasm binaries sit next to the package's node entry point; the prefix must end with '/'.
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(dirname(entry) + '/');
    if (threads > 1) {
      // tfjs hard-codes "no threads" under Node (the feature flag returns false when IS_NODE), so
      // force it. As shipped, init then fails on Node: the threaded Emscripten build starts its
      // pthread workers from blob: URLs, which worker_threads rejects (ERR_WORKER_PATH); the shim
      // in tfjs-wasm-threads.ts gives it a file instead.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      setThreadsCount(threads);
      unpatch = patchWasmWorkerUrl();
    }
  }
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.map(String).join(' '));
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } finally {
    console.warn = warn;
    unpatch();
  }
  if (!ok || tf.getBackend() !== name) {
    // Keep the messages, not their stack traces; tfjs retries init, so drop repeats.
    const lines = warnings.flatMap((w) => w.split('\n')).map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
    const reason = [...new Set(lines)].join(' | ') || 'no reason given';
    throw new Error(`tfjs could not initialise the '${name}' backend: ${reason}`);
  }
  // Production mode skips debug-only checks; enabled after init because it also mutes tfjs warnings.
  tf.enableProdMode();
  res.env.tfjs = tf.version_core;
  res.env.backend = name;
  if (name === 'wasm') {
    res.env.wasmSimd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    // the size of XNNPACK's thread pool as the backend reports it, not what was asked for
    res.env.wasmThreads = getThreadsCount();
    if (getThreadsCount() < threads) {
      (res.errors ??= []).push(`tfjs-wasm: asked for ${threads} threads, its thread pool reports ${getThreadsCount()}`);
    }
  }
}

function runOps(cfg: BenchConfig, suites: Set<Suite>, res: LibResult): void {
  const time = (key: string, fn: () => tf.Tensor): void => {
    const t = timeit(() => fn().dispose(), cfg.opTiming);
    res.results[key] = latency(t);
  };

  if (suites.has('matmul')) {
    for (const n of cfg.matmulSizes) {
      log(`matmul ${n}`);
      const a = tf.tensor2d(opInput(n * n, 1), [n, n]);
      const b = tf.tensor2d(opInput(n * n, 2), [n, n]);
      const t = timeit(() => tf.matMul(a, b).dispose(), cfg.opTiming);
      res.results[`matmul/${n}`] = throughput(t, 2 * n ** 3 / 1e9, 'GFLOP/s');
      tf.dispose([a, b]);
    }
  }

  if (suites.has('elementwise')) {
    log('elementwise');
    const x = tf.tensor1d(opInput(ELEMENTWISE_N, 3));
    const y = tf.tensor1d(opInput(ELEMENTWISE_N, 4));
    const [r, c] = REDUCE_SHAPE;
    const m = tf.tensor2d(opInput(r * c, 5), [r, c]);
    const row = tf.tensor1d(opInput(c, 6));
    time('add/1M', () => tf.add(x, y));
    time('relu/1M', () => tf.relu(x));
    time('exp/1M', () => tf.exp(x));
    time('add-broadcast/1024x1024+1024', () => tf.add(m, row));
    tf.dispose([x, y, m, row]);
  }

  if (suites.has('reduce')) {
    log('reductions');
    const [r, c] = REDUCE_SHAPE;
    const m = tf.tensor2d(opInput(r * c, 5), [r, c]);
    time('sum/axis0', () => tf.sum(m, 0));
    time('sum/axis1', () => tf.sum(m, 1));
    // tf.softmax only supports the last axis, so axis 0 is written out the usual stable way.
    time('softmax/axis0', () =>
      tf.tidy(() => {
        const e = tf.exp(tf.sub(m, tf.max(m, 0, true)));
        return tf.div(e, tf.sum(e, 0, true));
      }),
    );
    time('softmax/axis1', () => tf.softmax(m, 1));
    m.dispose();
  }
}

/** The MLP as tf.variables trained by tf.train.adam, which matches torch.optim.Adam (see note). */
export function makeTfMlp(init: MLPInit) {
  const [d0, d1, d2, d3] = MLP.sizes;
  const v = (data: Float32Array, shape: number[]) => tf.tidy(() => tf.variable(tf.tensor(data, shape)));
  const w1 = v(init.w1, [d0, d1]), b1 = v(init.b1, [d1]);
  const w2 = v(init.w2, [d1, d2]), b2 = v(init.b2, [d2]);
  const w3 = v(init.w3, [d2, d3]), b3 = v(init.b3, [d3]);
  const vars = [w1, b1, w2, b2, w3, b3];
  const { lr, beta1, beta2, eps } = MLP.adam;
  // eps must be passed: left out, tfjs uses the backend epsilon (1e-7 for float32), not 1e-8.
  const opt = tf.train.adam(lr, beta1, beta2, eps);
  let tensorsAfterFirstStep = -1;

  return {
    step(x: tf.Tensor2D, labels: tf.Tensor1D): number {
      const cost = opt.minimize(
        () => {
          const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
          const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
          const logits = tf.add(tf.matMul(h2, w3), b3);
          const onehot = tf.cast(tf.oneHot(labels, d3), 'float32');
          return tf.losses.softmaxCrossEntropy(onehot, logits, undefined, undefined, tf.Reduction.MEAN);
        },
        true,
        vars,
      );
      if (!cost) throw new Error('minimize returned no cost');
      const loss = cost.dataSync()[0];
      cost.dispose();
      if (tensorsAfterFirstStep < 0) tensorsAfterFirstStep = tf.memory().numTensors;
      return loss;
    },
    stats() {
      const out: Record<string, { value: number; unit: string }> = {
        'tensors-leaked': { value: tf.memory().numTensors - tensorsAfterFirstStep, unit: 'count' },
      };
      // The wasm backend keeps tensors in its WebAssembly heap, which Node does not count in
      // memoryUsage().arrayBuffers; report the heap's size instead.
      const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
      if (heap) out['wasm-heap'] = { value: heap.byteLength / (1024 * 1024), unit: 'MB' };
      return out;
    },
    dispose(): void {
      opt.dispose();
      tf.dispose(vars);
    },
  };
}

function runMlp(cfg: BenchConfig, res: LibResult): void {
  const init = mlpInit();
  const data = mlpData();
  const inputs = {
    x: data.x.map((a) => tf.tensor2d(a, [MLP.batch, MLP.sizes[0]])),
    labels: data.labels.map((l) => tf.tensor1d(l, 'int32')),
  };
  log('mlp');
  runMlpSuite(cfg, () => makeTfMlp(init), inputs, res);
  tf.dispose([...inputs.x, ...inputs.labels]);
}

async function main(args: CliArgs): Promise<LibResult> {
  const backend = args.backend ?? 'cpu';
  const res = newResult(`tfjs-${backend}`);
  res.note =
    'op timings exclude reading results back (both backends run eagerly and synchronously); ' +
    'tf.train.adam puts eps outside the sqrt after bias correction, as PyTorch does; eps passed explicitly (default would be 1e-7)';
  await initBackend(backend, args.threads, res);
  if (args.suites.has('mlp')) registerTfjsGradients();
  const cfg = benchConfig(args.quick, args.mlpSteps);
  runOps(cfg, args.suites, res);
  if (args.suites.has('conv')) runConvTf(cfg, backend, res);
  if (args.suites.has('mlp')) runMlp(cfg, res);
  const leftover = tf.memory().numTensors;
  if (leftover !== 0) (res.errors ??= []).push(`${leftover} tensors still allocated at exit`);
  return res;
}

runAsScript(import.meta.url, (args) => `tfjs-${args.backend ?? 'cpu'}`, main);
