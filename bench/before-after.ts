// Before and after, op by op: runs each checkout's own bench/tapegrad.ts (--json) in fresh processes, the two
// sides alternating (the first side swapped every round, so a burst of load or a warming machine hits both
// alike), and prints a markdown table of the medians over the rounds with after's speed ÷ before's (higher is
// faster; times are inverted, throughputs divided; memory rows read before's ÷ after's), flagging rows under
// 0.95. Issue 11 asks that `npm run bench` show nothing slower than before: this reruns docs/performance.md's
// "before and after, op by op" table.
// Run: npx tsx bench/before-after.ts /path/to/old-checkout [/path/to/new-checkout (default: this one)]
//        [--rounds 3] [--suites matmul,elementwise,reduce,tape,mlp] [--threads 1] [--quick]
// e.g. git worktree add --detach /tmp/before 9fc5c7f && ln -s "$PWD/node_modules" /tmp/before/
// Each checkout needs bench/tapegrad.ts with --json, --suites and --threads (9fc5c7f has them) and node_modules.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** One workload's figure as bench/common.ts's Metric has it (the fields this script reads). */
interface Metric {
  value: number;
  unit: string;
  higherIsBetter: boolean;
}

interface SideRun {
  results: Record<string, Metric>;
  errors: string[];
}

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function cli(): { before: string; after: string; rounds: number; suites: string; threads: string; quick: boolean } {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '3' },
      suites: { type: 'string', default: 'matmul,elementwise,reduce,tape,mlp' },
      threads: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
    },
  });
  if (positionals.length < 1 || positionals.length > 2) {
    throw new Error('usage: npx tsx bench/before-after.ts <old checkout> [new checkout] [--rounds N] [--suites a,b] [--threads N] [--quick]');
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`before-after: --rounds must be a positive integer, got ${values.rounds}`);
  const [before, after] = [resolve(positionals[0]), resolve(positionals[1] ?? here)];
  for (const root of [before, after]) {
    if (!existsSync(join(root, 'bench', 'tapegrad.ts'))) throw new Error(`before-after: ${root} has no bench/tapegrad.ts`);
    if (!existsSync(join(root, 'node_modules'))) throw new Error(`before-after: ${root} has no node_modules (link this checkout's: ln -s ${here}/node_modules ${root}/)`);
  }
  return { before, after, rounds, suites: values.suites!, threads: values.threads!, quick: values.quick! };
}

/** One fresh process of `root`'s bench/tapegrad.ts; its progress lines go to our stderr. */
function runSide(root: string, args: string[]): SideRun {
  const out = spawnSync(process.execPath, ['--import', 'tsx', join('bench', 'tapegrad.ts'), '--json', ...args], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { results?: Record<string, Metric>; errors?: string[] };
    return { results: parsed.results ?? {}, errors: parsed.errors ?? [] };
  } catch {
    return { results: {}, errors: [`exit ${out.status}: no JSON result on stdout (${line.slice(0, 200)})`] };
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : a >= 0.01 ? v.toFixed(3) : v.toExponential(2);
}

function revision(root: string): string {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown revision';
  }
}

function main(): void {
  const { before, after, rounds, suites, threads, quick } = cli();
  const args = ['--suites', suites, '--threads', threads, ...(quick ? ['--quick'] : [])];
  const sides = [before, after];
  const runs: SideRun[][] = [[], []];
  const load0 = os.loadavg()[0], t0 = new Date();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const s of order) {
      process.stderr.write(`round ${r + 1}/${rounds}: ${s === 0 ? 'before' : 'after'} (${sides[s]})\n`);
      runs[s].push(runSide(sides[s], args));
    }
  }
  const load1 = os.loadavg()[0], t1 = new Date();

  const keys = [...new Set(runs.flatMap((side) => side.flatMap((run) => Object.keys(run.results))))];
  const rows: string[] = [];
  const slower: string[] = [];
  for (const key of keys) {
    const values = runs.map((side) => side.map((run) => run.results[key]?.value).filter((v): v is number => Number.isFinite(v)));
    const metric = runs[1].concat(runs[0]).map((run) => run.results[key]).find((m) => m !== undefined)!;
    if (values[0].length === 0 || values[1].length === 0) {
      rows.push(`| ${key} (${metric.unit}) | ${values[0].length ? fmt(median(values[0])) : '—'} | ${values[1].length ? fmt(median(values[1])) : '—'} | |`);
      continue;
    }
    const [b, a] = [median(values[0]), median(values[1])];
    if (a <= 0 || b <= 0) { // a ratio of a zero (memory growth, say) says nothing
      rows.push(`| ${key} (${metric.unit}) | ${fmt(b)} | ${fmt(a)} | |`);
      continue;
    }
    const speed = metric.higherIsBetter ? a / b : b / a; // after's speed ÷ before's (for memory: before's ÷ after's)
    const flag = speed < 0.95 ? ' **slower**' : '';
    if (flag) slower.push(key);
    rows.push(`| ${key} (${metric.unit}) | ${fmt(b)} | ${fmt(a)} | ${speed.toFixed(2)}${flag} |`);
  }

  console.log(`Before: ${before} (${revision(before)}); after: ${after} (${revision(after)}).`);
  console.log(`bench/tapegrad.ts ${args.join(' ')}, ${rounds} round(s) of fresh processes alternating the sides; medians.`);
  console.log(`${t0.toISOString().slice(11, 16)}–${t1.toISOString().slice(11, 16)} UTC, load average ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end (${os.availableParallelism()} cores).\n`);
  console.log("| workload (unit) | before | after | after's speed ÷ before's (memory: before's ÷ after's) |");
  console.log('| --- | ---: | ---: | ---: |');
  for (const row of rows) console.log(row);
  console.log(`\n${slower.length === 0 ? 'No row under 0.95.' : `Under 0.95: ${slower.join(', ')}.`}`);
  runs.forEach((side, s) => side.forEach((run, r) => {
    for (const e of run.errors) console.log(`error (${s === 0 ? 'before' : 'after'}, round ${r + 1}): ${e.split('\n')[0]}`);
  }));
}

main();
