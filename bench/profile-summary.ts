// Self time per function in a V8 .cpuprofile (from node --cpu-prof), as a share of all samples.
// With --by-step (for bench/mlp-profile.ts), self time in ms split by whose training step the sample
// fell in: tapegrad's (bench/tapegrad.ts) or the ceiling's (bench/ceiling.ts), with each side's total.
// Run: npx tsx bench/profile-summary.ts file.cpuprofile [rows = 30] [--by-step]

import { readFileSync } from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const args = process.argv.slice(2);
const byStep = args.includes('--by-step');
const [file, rows = '30'] = args.filter((a) => a !== '--by-step');
if (!file) throw new Error('usage: npx tsx bench/profile-summary.ts file.cpuprofile [rows] [--by-step]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** 'tapegrad' or 'ceiling' when a `step` function of that bench file is on the sample's stack. */
function side(id: number): string {
  for (let k: number | undefined = id; k !== undefined; k = parent.get(k)) {
    const { functionName, url } = byId.get(k)!.callFrame;
    if (functionName === 'step' && url.endsWith('bench/ceiling.ts')) return 'ceiling';
    if (functionName === 'step' && url.endsWith('bench/tapegrad.ts')) return 'tapegrad';
  }
  return 'other';
}

const self = new Map<string, number>();
const sides = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const { functionName, url } = byId.get(id)!.callFrame;
  const s = byStep ? `${side(id)}  ` : '';
  const key = `${s}${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}`.trim();
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  if (byStep) sides.set(side(id), (sides.get(side(id)) ?? 0) + dt);
  total += dt;
});
if (byStep) console.log([...sides].map(([k, t]) => `${k} ${(t / 1000).toFixed(0)} ms`).join(', '));
for (const [key, t] of [...self].filter(([k]) => !byStep || !k.startsWith('other')).sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
  console.log(byStep ? `${(t / 1000).toFixed(1).padStart(8)} ms  ${key}` : `${((100 * t) / total).toFixed(1).padStart(5)}%  ${key}`);
}
