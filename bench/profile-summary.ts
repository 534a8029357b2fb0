// Self time per function in a V8 .cpuprofile (from node --cpu-prof), as a share of all samples.
// With --by-step (for bench/mlp-profile.ts), self time in ms split by whose training step the sample
// fell in: tapegrad's (bench/tapegrad.ts) or the ceiling's (bench/ceiling.ts), with each side's total.
// With --by-tree OLD_SRC_DIR (for an A/B that loads two src/ trees in one process, e.g. bench/lenet-ab.ts
// under node --cpu-prof), self time in ms per function of each tree, side by side, with each tree's
// total: the old tree is the functions loaded from OLD_SRC_DIR, the new one those from any other src/.
// Per-function figures compare a kernel's cost in the same run even when the steps' totals are too
// noisy to tell a 1-2 % change apart.
// Run: npx tsx bench/profile-summary.ts file.cpuprofile [rows = 30] [--by-step | --by-tree OLD_SRC_DIR]

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const args = process.argv.slice(2);
const byStep = args.includes('--by-step');
const treeAt = args.indexOf('--by-tree');
const oldTree = treeAt >= 0 ? resolve(args[treeAt + 1] ?? '') : null;
const [file, rows = '30'] = args.filter((a, i) => a !== '--by-step' && (treeAt < 0 || (i !== treeAt && i !== treeAt + 1)));
if (!file || (treeAt >= 0 && !args[treeAt + 1])) throw new Error('usage: npx tsx bench/profile-summary.ts file.cpuprofile [rows] [--by-step | --by-tree OLD_SRC_DIR]');
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
if (oldTree !== null) {
  // which tree a sample's function came from: 'old' under OLD_SRC_DIR, 'new' under another src/, else neither
  const treeOf = (url: string): 'old' | 'new' | null => {
    if (!url.startsWith('file:')) return null;
    const path = fileURLToPath(url);
    return path.startsWith(oldTree + '/') ? 'old' : /\/src\//.test(path) ? 'new' : null;
  };
  const perTree = new Map<string, { old: number; new: number }>();
  const totals = { old: 0, new: 0 };
  profile.samples.forEach((id, i) => {
    const { functionName, url } = byId.get(id)!.callFrame;
    const tree = treeOf(url);
    if (tree === null) return;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}`;
    const row = perTree.get(key) ?? { old: 0, new: 0 };
    row[tree] += (profile.timeDeltas[i] ?? 0) / 1000;
    totals[tree] += (profile.timeDeltas[i] ?? 0) / 1000;
    perTree.set(key, row);
  });
  console.log(`self time in each tree's functions: old ${totals.old.toFixed(0)} ms, new ${totals.new.toFixed(0)} ms`);
  for (const [key, t] of [...perTree].sort((a, b) => b[1].old + b[1].new - a[1].old - a[1].new).slice(0, Number(rows))) {
    console.log(`${t.old.toFixed(0).padStart(7)} ms old ${t.new.toFixed(0).padStart(7)} ms new  ${key}`);
  }
  process.exit(0);
}
if (byStep) console.log([...sides].map(([k, t]) => `${k} ${(t / 1000).toFixed(0)} ms`).join(', '));
for (const [key, t] of [...self].filter(([k]) => !byStep || !k.startsWith('other')).sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
  console.log(byStep ? `${(t / 1000).toFixed(1).padStart(8)} ms  ${key}` : `${((100 * t) / total).toFixed(1).padStart(5)}%  ${key}`);
}
