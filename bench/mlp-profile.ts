// tapegrad's nn.Sequential + Adam step and the ceiling's, alternating step by step in one process:
// prints ms per step and the ratio. Run under the profiler to see where the difference goes:
//   node --cpu-prof --cpu-prof-dir=prof --import tsx bench/mlp-profile.ts
//   npx tsx bench/profile-summary.ts prof/<the largest .cpuprofile>

import * as tg from '../src/index.js';
import { createCeilingMLP } from './ceiling.js';
import { MLP, mlpData, mlpInit } from './common.js';
import { makeTorchStyle } from './tapegrad.js';

const init = mlpInit(), data = mlpData();
const xs = data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, MLP.sizes[0]] }));
const model = makeTorchStyle(init), ceiling = createCeilingMLP(init);
const steps = 800, warm = 100;
let tTape = 0, tCeiling = 0;
for (let i = 0; i < steps; i++) {
  const b = i % MLP.numBatches;
  let t0 = performance.now();
  model.step(xs[b], data.labels[b]);
  if (i >= warm) tTape += performance.now() - t0;
  t0 = performance.now();
  ceiling.step(data.x[b], data.labels[b]);
  if (i >= warm) tCeiling += performance.now() - t0;
}
const n = steps - warm;
console.log(`ms per step over ${n} steps: tapegrad ${(tTape / n).toFixed(2)}, ceiling ${(tCeiling / n).toFixed(2)}; tapegrad speed ÷ ceiling speed ${(tCeiling / tTape).toFixed(3)}`);
