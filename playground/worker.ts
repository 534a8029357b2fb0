// The playground's Web Worker: it owns the training session, so the page stays smooth while it trains.
// Messages in: config (start over with these settings), play, pause, step (one batch), reset.
// Messages out: a snapshot after each burst of steps (losses, accuracies, heat maps, weights).

import { type PlaygroundConfig, Session } from './shared.js';

/** What the page sends. */
export type ToWorker =
  | { type: 'config'; config: PlaygroundConfig }
  | { type: 'play' } | { type: 'pause' } | { type: 'step' } | { type: 'reset' };

/** What the worker sends back after each burst. */
export interface Snapshot {
  type: 'snapshot';
  playing: boolean;
  steps: number;
  epochs: number;
  trainLoss: number; testLoss: number; trainAcc: number; testAcc: number;
  /** Loss history, one point per snapshot. */
  history: { step: number; train: number; test: number }[];
  res: number;
  output: Float32Array;
  neurons: Float32Array[][];
  weights: number[][][];
  points: { xy: Float32Array; labels: Float32Array; train: Int32Array; test: Int32Array };
}
export type FromWorker = Snapshot | { type: 'error'; message: string };

const RES = 40;
/** Milliseconds of training per burst: short enough that pause answers at once, long enough that drawing stays cheap. */
const BURST_MS = 80;

let session: Session | null = null;
let config: PlaygroundConfig | null = null;
let playing = false;
let history: Snapshot['history'] = [];

const post = (msg: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(msg, transfer);

function snapshot(): void {
  if (!session) return;
  const m = session.evaluate();
  history.push({ step: session.steps, train: m.trainLoss, test: m.testLoss });
  if (history.length > 400) history = history.filter((_, i) => i % 2 === 0); // keep the curve bounded
  const { output, neurons } = session.grids(RES);
  post({
    type: 'snapshot', playing, steps: session.steps, epochs: session.epochs, ...m, history, res: RES, output, neurons,
    weights: session.weights(),
    points: { xy: session.points.xy, labels: session.points.labels, train: session.trainIdx, test: session.testIdx },
  });
}

function start(): void {
  try {
    session = new Session(config!);
    history = [];
    snapshot();
  } catch (e) {
    session = null;
    post({ type: 'error', message: (e as Error).message });
  }
}

function loop(): void {
  if (!playing || !session) return;
  const start = performance.now();
  do session.step(); while (performance.now() - start < BURST_MS);
  snapshot();
  setTimeout(loop, 0); // yield, so pause and new settings are read between bursts
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'config') { config = msg.config; start(); if (playing) setTimeout(loop, 0); }
  else if (msg.type === 'reset') { if (config) start(); }
  else if (msg.type === 'play') { if (!playing) { playing = true; setTimeout(loop, 0); } }
  else if (msg.type === 'pause') { playing = false; snapshot(); }
  else if (msg.type === 'step') { if (session) { session.step(); snapshot(); } }
};
