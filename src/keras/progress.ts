// fit()'s console output: verbose 1 draws a Keras-like progress bar with ETA on a terminal (one line per
// epoch when stdout is not a TTY); verbose 2 prints one line per epoch. Works without Node (console.log).

import type { Logs } from './callbacks.js';

interface Sink {
  isTTY: boolean;
  write(text: string): void;
}

function defaultSink(): Sink {
  const proc = (globalThis as { process?: { stdout?: { isTTY?: boolean; write?: (s: string) => unknown } } }).process;
  const out = proc?.stdout;
  if (out && typeof out.write === 'function') return { isTTY: out.isTTY === true, write: (s) => { out.write!(s); } };
  let pending = '';
  return {
    isTTY: false,
    write: (s) => {
      pending += s;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) console.log(l);
    },
  };
}

const now = (): number => (globalThis.performance?.now ? globalThis.performance.now() : Date.now());

function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : v.toFixed(4);
}

/** ' - loss: 0.1234 - accuracy: 0.9500' (batch bookkeeping keys left out). */
export const fmtLogs = (logs: Logs): string =>
  Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => ` - ${k}: ${fmtValue(v)}`).join('');

function fmtTime(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}

const BAR = 30;

/** Prints training progress; every method is a no-op at verbose 0. */
export class Progress {
  private readonly sink: Sink;
  private readonly bar: boolean;
  private epochStart = 0;
  private lastDraw = 0;

  constructor(private readonly verbose: 0 | 1 | 2, private readonly epochs: number, private readonly steps: number) {
    this.sink = defaultSink();
    this.bar = verbose === 1 && this.sink.isTTY;
  }

  epochBegin(epoch: number): void {
    this.epochStart = now();
    this.lastDraw = 0;
    if (this.bar) this.sink.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  /** Redraws the bar (at most every 50 ms; epochEnd draws the finished one). */
  batchEnd(batch: number, logs: Logs): void {
    if (!this.bar || batch + 1 >= this.steps) return;
    const t = now();
    if (t - this.lastDraw < 50) return;
    this.lastDraw = t;
    const done = batch + 1;
    const filled = Math.floor((BAR * done) / this.steps);
    const barText = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${'.'.repeat(BAR - filled)}]`;
    const elapsed = t - this.epochStart;
    const eta = ` - ETA: ${fmtTime((elapsed / done) * (this.steps - done))}`;
    const width = String(this.steps).length;
    this.sink.write(`\r${String(done).padStart(width)}/${this.steps} ${barText}${eta}${fmtLogs(logs)}\x1b[K`);
  }

  epochEnd(epoch: number, logs: Logs): void {
    if (this.verbose === 0) return;
    const elapsed = now() - this.epochStart;
    const perStep = `${Math.round(elapsed / Math.max(1, this.steps))}ms/step`;
    if (this.bar) {
      const width = String(this.steps).length;
      this.sink.write(`\r${String(this.steps).padStart(width)}/${this.steps} [${'='.repeat(BAR)}] - ${fmtTime(elapsed)} ${perStep}${fmtLogs(logs)}\x1b[K\n`);
    } else {
      this.sink.write(`Epoch ${epoch + 1}/${this.epochs} - ${fmtTime(elapsed)} - ${perStep}${fmtLogs(logs)}\n`);
    }
  }

  message(text: string): void {
    if (this.verbose !== 0) this.sink.write(`${text}\n`);
  }
}
