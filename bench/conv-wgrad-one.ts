// One convolution weight gradient, by one path, in a process of its own, timed by CPU time: run it for
// both paths one after the other (implicit, direct, implicit, direct, ...) to compare the direct
// stride-1 weight gradient of src/tensor/conv-direct.ts (forced: convTuning.weightGradMaxOg = ∞) with
// the implicit GEMM (convTuning.direct off) without the two sharing a process (in one process the A/B
// of bench/conv-direct-ab.ts can favour either side by a few percent). conv.ts's weightGradMaxOg
// (which shapes take the direct kernel by default) comes from these runs. Shapes: x [N, C, H, W] → O channels, k × k, float32, randn data.
//   lenet1     [64, 1, 28, 28] → 8, 5 × 5 (LeNet's first layer)     c1o16  the same → 16
//   lenet2     [64, 8, 12, 12] → 16, 5 × 5 (LeNet's second layer)   c2o8   the same → 8
//   layer      [32, 16, 32, 32] → 32, 3 × 3, padding 1 (the conv suite's layer)   l16, l8  the same → 16, 8
//   depthwise  [32, 32, 16, 16] → 32, 3 × 3, padding 1, 32 groups (one output channel per group)
// Run: npx tsx bench/conv-wgrad-one.ts implicit|direct SHAPE

import * as tg from '../src/index.js';
import { conv2dWeightGrad, convTuning } from '../src/tensor/conv.js';

const [path, shape] = process.argv.slice(2);
/** name → [x shape, output channels, kernel size, padding, groups] */
const shapes: Record<string, [number[], number, number, number, number]> = {
  lenet1: [[64, 1, 28, 28], 8, 5, 0, 1], c1o16: [[64, 1, 28, 28], 16, 5, 0, 1],
  lenet2: [[64, 8, 12, 12], 16, 5, 0, 1], c2o8: [[64, 8, 12, 12], 8, 5, 0, 1],
  layer: [[32, 16, 32, 32], 32, 3, 1, 1], l16: [[32, 16, 32, 32], 16, 3, 1, 1], l8: [[32, 16, 32, 32], 8, 3, 1, 1],
  depthwise: [[32, 32, 16, 16], 32, 3, 1, 32],
};
if ((path !== 'implicit' && path !== 'direct') || !(shape in shapes)) {
  throw new Error(`usage: npx tsx bench/conv-wgrad-one.ts implicit|direct ${Object.keys(shapes).join('|')}`);
}
convTuning.direct = path === 'direct';
convTuning.weightGradMaxOg = Infinity;
const [xs, o, k, pad, groups] = shapes[shape];
const [n, c, h, w] = xs;
const geo = { stride: [1, 1], padding: [pad, pad, pad, pad], dilation: [1, 1], groups };
const x = tg.randn(xs, { generator: new tg.Generator(1) }).value;
const gy = tg.randn([n, o, h + 2 * pad - k + 1, w + 2 * pad - k + 1], { generator: new tg.Generator(2) }).value;
const reps = Math.max(1, Math.round(2e7 / ((n * o * c * k * k * h * w) / groups))); // ~20 M multiply-adds per sample
const times: number[] = [];
for (let i = 0; i < 12; i++) {
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) conv2dWeightGrad(x, gy, geo, [k, k]);
  const c = process.cpuUsage(c0);
  if (i >= 2) times.push((c.user + c.system) / 1000 / reps);
}
times.sort((a, b) => a - b);
const runs = convTuning.directWeightGradRuns;
console.log(`${shape} ${path}: ${times[times.length >> 1].toFixed(2)} ms (CPU, median of ${times.length}); direct kernel ran: ${runs > 0 ? 'yes' : 'no'}`);
