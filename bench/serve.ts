// Load test of the inference server (examples/serve.ts) on 127.0.0.1: requests/s and p50/p99 latency at
// 1, 8 and 64 concurrent clients, each level bounded in requests and in time. The server runs in its own
// process (started here, stopped at the end) with the MNIST model the example saves.
// Run: npx tsx bench/serve.ts [--requests 2000] [--seconds 10] [--limit 64] [--rows 1]

import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`bench/serve: --${name} must be a positive number`);
  return v;
};
const MAX_REQUESTS = arg('requests', 2000);
const MAX_SECONDS = arg('seconds', 10);
const LIMIT = arg('limit', 64);
const ROWS = arg('rows', 1);
const LEVELS = [1, 8, 64];

/** Starts examples/serve.ts on a free port; resolves with its URL and the child process. */
async function startServer(): Promise<{ url: string; stop: () => void }> {
  const script = fileURLToPath(new URL('../examples/serve.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, PORT: '0', MAX_CONCURRENT: String(LIMIT) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
      const m = /serving on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

function post(agent: Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/predict`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function level(url: string, clients: number, body: string): Promise<string> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + MAX_SECONDS * 1000;
  const worker = async () => {
    while (started < MAX_REQUESTS && performance.now() < deadline) {
      started++;
      const t = performance.now();
      const status = await post(agent, url, body).catch(() => -1);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 200) latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = statuses.get(200) ?? 0;
  const other = [...statuses].filter(([s]) => s !== 200).map(([s, n]) => `${s}×${n}`).join(' ') || '-';
  return `| ${clients} | ${started} | ${(ok / seconds).toFixed(0)} | ${quantile(latencies, 0.5).toFixed(2)} | ${quantile(latencies, 0.99).toFixed(2)} | ${other} |`;
}

const server = await startServer();
try {
  const row = Array.from({ length: 784 }, (_, i) => ((i * 37) % 256) / 255);
  const body = JSON.stringify({ inputs: Array.from({ length: ROWS }, () => row) });
  console.log(`\n${ROWS} row(s) of 784 numbers per request (${body.length} bytes); at most ${MAX_REQUESTS} requests or ${MAX_SECONDS} s per level; server limit ${LIMIT} in flight`);
  console.log('| clients | requests | ok requests/s | p50 ms | p99 ms | other statuses |');
  console.log('|---|---|---|---|---|---|');
  for (const c of LEVELS) console.log(await level(server.url, c, body));
} finally {
  server.stop();
}
