// A/B of the MLP step against the ceiling on a busy machine: this checkout's tapegrad step, another
// checkout's (an older commit, say) and bench/ceiling.ts's step, alternating step by step in ONE process,
// so load from other processes falls on all three alike. Checks that both tapegrad steps give bitwise the
// same loss at every step, and prints medians (wall and CPU time) and the ratios.
// Run: npx tsx bench/ceiling-ab.ts --root <another checkout> [--ms 20000]
// (make the other checkout with `git archive <commit> --prefix=before/ | tar -x -C /tmp` and link node_modules.)

import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCeilingMLP } from './ceiling.js';
import { MLP, mlpData, mlpInit, REPO_ROOT, summarize } from './common.js';

const { values } = parseArgs({ options: { root: { type: 'string' }, ms: { type: 'string', default: '20000' } } });
if (!values.root) throw new Error('usage: npx tsx bench/ceiling-ab.ts --root <another checkout> [--ms 20000]');
const ms = Number(values.ms);

interface Stepper { step(x: unknown, labels: Int32Array): number }
/** A checkout's nn.Sequential + Adam step (bench/tapegrad.ts) and the batches as its own tensors. */
async function tapeStep(root: string, init: ReturnType<typeof mlpInit>, data: ReturnType<typeof mlpData>) {
  const tg = await import(join(root, 'src/index.ts')) as typeof import('../src/index.js');
  const { makeTorchStyle } = await import(join(root, 'bench/tapegrad.ts')) as typeof import('./tapegrad.js');
  const xs = data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, MLP.sizes[0]] }));
  return { stepper: makeTorchStyle(init) as Stepper, xs: xs as unknown[] };
}

const init = mlpInit(), data = mlpData();
const sides = {
  other: await tapeStep(resolve(values.root), init, data),
  this: await tapeStep(REPO_ROOT, init, data),
  ceiling: { stepper: createCeilingMLP(init) as Stepper, xs: data.x as unknown[] },
};
type Side = keyof typeof sides;
const names = Object.keys(sides) as Side[];
const wall: Record<Side, number[]> = { other: [], this: [], ceiling: [] };
const cpu: Record<Side, number[]> = { other: [], this: [], ceiling: [] };

function run(duration: number, record: boolean): void {
  const end = performance.now() + duration;
  for (let i = 0; performance.now() < end; i++) {
    const b = i % MLP.numBatches;
    const loss: Partial<Record<Side, number>> = {};
    for (const s of names) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      loss[s] = sides[s].stepper.step(sides[s].xs[b], data.labels[b]);
      if (!record) continue;
      wall[s].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[s].push((c.user + c.system) / 1000);
    }
    if (!Object.is(loss.this, loss.other)) throw new Error(`step ${i}: the two checkouts' losses differ (${loss.this} vs ${loss.other})`);
  }
}

run(1500, false); // warm-up: JIT, optimizer state, the allocator's cache
run(ms, true);
const med = (xs: number[]): number => summarize(xs).median;
for (const [what, t] of [['wall', wall], ['cpu', cpu]] as const) {
  const [o, n, c] = names.map((s) => med(t[s]));
  console.log(
    `${what} ms (median of ${t.this.length}): other ${o.toFixed(3)}, this ${n.toFixed(3)}, ceiling ${c.toFixed(3)}; ` +
      `ceiling ÷ other ${(c / o).toFixed(3)}, ceiling ÷ this ${(c / n).toFixed(3)}, other ÷ this ${(o / n).toFixed(3)}`,
  );
}
