// tapegrad's side of the 'conv' suite (see conv-common.ts): the conv2d layer forward and
// forward+backward, and the LeNet-style MNIST training step, single-threaded and with threads.

import * as tg from '../src/index.js';
import { type BenchConfig, type LibResult, latency, log, summarize, throughput, timeInterleaved } from './common.js';
import { CONV_FWD_FLOPS, LENET, tapegradConvLayer, tapegradLenet } from './conv-common.js';

/** Trains `steps` LeNet steps from the shared init (conv-common.ts's tapegradLenet); returns the per-step times (after 3 warm-up steps) and losses. */
function trainLenet(steps: number): { times: number[]; losses: number[] } {
  const lenet = tapegradLenet(tg);
  const times: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    losses.push(lenet.step());
    if (i >= 3) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { times, losses };
}

export async function runConv(cfg: BenchConfig, threads: number, res: LibResult): Promise<void> {
  log('conv2d layer');
  const layer = tapegradConvLayer(tg);
  const t = timeInterleaved({ fwd: layer.fwd, fwdBwd: layer.fwdBwd, matmul: layer.matmul }, cfg.opTiming);
  res.results['conv2d/fwd'] = throughput(t.fwd, CONV_FWD_FLOPS / 1e9, 'GFLOP/s');
  res.results['conv2d/fwd+bwd'] = latency(t.fwdBwd);
  res.results['conv2d/fwd+bwd-gflops'] = throughput(t.fwdBwd, (3 * CONV_FWD_FLOPS) / 1e9, 'GFLOP/s');
  res.results['conv2d/same-shape-matmul'] = throughput(t.matmul, CONV_FWD_FLOPS / 1e9, 'GFLOP/s');

  log('LeNet step');
  const steps = cfg.quick ? LENET.quickSteps : LENET.steps;
  const single = trainLenet(steps);
  res.results['lenet/step'] = throughput(summarize(single.times), LENET.batch, 'samples/s');
  res.results['lenet/loss@1'] = { value: single.losses[0], unit: 'loss', higherIsBetter: false };
  res.results[`lenet/loss@${steps}`] = { value: single.losses[steps - 1], unit: 'loss', higherIsBetter: false };

  await tg.setNumThreads(threads);
  try {
    log(`conv2d layer and LeNet step, ${threads} threads`);
    const tt = timeInterleaved({ fwdBwd: layer.fwdBwd }, cfg.opTiming);
    res.results[`conv2d/fwd+bwd ×${threads} threads`] = latency(tt.fwdBwd);
    res.results[`lenet/step ×${threads} threads`] = throughput(summarize(trainLenet(steps).times), LENET.batch, 'samples/s');
  } finally {
    await tg.setNumThreads(1);
  }
}
