// Spam or ham from word ids: an embedding + transformer-encoder classifier with attention pooling and
// embedding + GRU / LSTM classifiers, in one table with the TF-IDF MLP and logistic regression of
// examples/spam.ts (same seeded 80/20 split), and an SVG of the attention weights over the tokens of a few
// test e-mails. Run: npx tsx examples/spam-attention.ts

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';
import { binaryScores, loadSpamAssassin, runSpam, type Scores } from './spam.js';

const nn = tg.nn;
const SEED = 42;
/** Index 0 pads; index 1 stands for words outside the vocabulary. */
const PAD = 0;

/** Embeddings + positions → one encoder layer → a learned query attends over the tokens → one logit. */
export class AttentionClassifier extends nn.Module<[Tensor, boolean[][]], Tensor> {
  emb: tg.nn.Embedding;
  encoder: tg.nn.TransformerEncoderLayer;
  /** The pooling query: one learned vector asking "what in this e-mail says spam?". */
  query: tg.nn.Parameter;
  pool: tg.nn.MultiheadAttention;
  out: tg.nn.Linear;
  /** The last call's pooling weights [batch, L], kept for drawing. */
  lastWeights: Tensor | null = null;

  constructor(vocab: number, readonly dModel = 32) {
    super();
    this.emb = new nn.Embedding(vocab, dModel, { paddingIdx: PAD });
    this.encoder = new nn.TransformerEncoderLayer(dModel, 2, { dimFeedforward: 2 * dModel, dropout: 0.1, batchFirst: true });
    this.query = new nn.Parameter(tg.randn([1, 1, dModel]).mul(0.1));
    this.pool = new nn.MultiheadAttention(dModel, 1, { batchFirst: true });
    this.out = new nn.Linear(dModel, 1);
  }

  /** ids [batch, L] (0 = padding) and the padding mask (true = padding) → spam logits [batch]. */
  override forward(ids: Tensor, padding: boolean[][]): Tensor {
    const [b, len] = ids.shape;
    const x = this.emb.call(ids).add(nn.sinusoidalPositionalEncoding(len, this.dModel));
    const h = this.encoder.call(x, { srcKeyPaddingMask: padding });
    const q = this.query.expand([b, 1, this.dModel]);
    const [pooled, w] = this.pool.call(q, h, h, { keyPaddingMask: padding });
    this.lastWeights = w!.reshape([b, len]).detach();
    return this.out.call(pooled.reshape([b, this.dModel])).reshape([b]);
  }
}

/** Embeddings → a one-layer GRU or LSTM that stops at each e-mail's last real token → one logit from its final state. */
export class RecurrentClassifier extends nn.Module<[Tensor, boolean[][]], Tensor> {
  emb: tg.nn.Embedding;
  rnn: tg.nn.GRU | tg.nn.LSTM;
  out: tg.nn.Linear;

  constructor(vocab: number, readonly kind: 'GRU' | 'LSTM', dModel = 32, hidden = 32) {
    super();
    this.emb = new nn.Embedding(vocab, dModel, { paddingIdx: PAD });
    this.rnn = kind === 'GRU' ? new nn.GRU(dModel, hidden, { batchFirst: true }) : new nn.LSTM(dModel, hidden, { batchFirst: true });
    this.out = new nn.Linear(hidden, 1);
  }

  /** ids [batch, L] (0 = padding, right-padded) and the padding mask → spam logits [batch]. */
  override forward(ids: Tensor, padding: boolean[][]): Tensor {
    const lengths = padding.map((row) => row.filter((p) => !p).length);
    const [, state] = (this.rnn as tg.nn.GRU).call(this.emb.call(ids), null, { lengths }) as [Tensor, Tensor | [Tensor, Tensor]];
    const h = Array.isArray(state) ? state[0] : state; // [1, batch, hidden]
    return this.out.call(h.squeeze(0)).reshape([ids.shape[0]]);
  }
}

/** Token ids of the first `len` vocabulary words of each text (unknown words → 1), padded with 0. */
function encodeBatch(docs: string[][], vocab: tg.text.Vocabulary, len: number): { ids: Tensor; padding: boolean[][]; tokens: string[][] } {
  const ids = new Float32Array(docs.length * len);
  const padding: boolean[][] = [];
  const tokens: string[][] = [];
  docs.forEach((doc, i) => {
    const words = doc.slice(0, len);
    const row = words.map((w) => (vocab.has(w) ? vocab.indexOf(w) + 2 : 1));
    if (row.length === 0) row.push(1); // an empty e-mail still needs one key to attend to
    row.forEach((id, t) => { ids[i * len + t] = id; });
    padding.push(Array.from({ length: len }, (_, t) => t >= row.length));
    tokens.push(words.length ? words : ['(empty)']);
  });
  return { ids: tg.tensor(ids, { shape: [docs.length, len] }), padding, tokens };
}

/** An SVG: one row per e-mail, each token shaded by its pooling weight. */
export function attentionSvg(rows: { tokens: string[]; weights: number[]; label: string }[], maxTokens = 40): string {
  const cellW = 70;
  const cellH = 22;
  const top = 28;
  const width = 170 + Math.min(maxTokens, 14) * cellW;
  const perLine = Math.floor((width - 170) / cellW);
  const lines = rows.map((r) => Math.ceil(Math.min(r.tokens.length, maxTokens) / perLine));
  const height = top + lines.reduce((a, n) => a + n * cellH + 14, 0);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="8" y="18" font-size="13">Attention-pooling weights over the tokens of test e-mails (darker = more weight)</text>`];
  let y = top;
  rows.forEach((r, i) => {
    const max = Math.max(...r.weights.slice(0, r.tokens.length));
    parts.push(`<text x="8" y="${y + 15}">${esc(r.label)}</text>`);
    r.tokens.slice(0, maxTokens).forEach((tok, t) => {
      const x = 170 + (t % perLine) * cellW;
      const yy = y + Math.floor(t / perLine) * cellH;
      const a = max > 0 ? r.weights[t] / max : 0;
      parts.push(`<rect x="${x}" y="${yy}" width="${cellW - 2}" height="${cellH - 2}" fill="rgb(214,39,40)" fill-opacity="${a.toFixed(3)}" stroke="#ccc"/>`);
      parts.push(`<text x="${x + 3}" y="${yy + 14}">${esc(tok.slice(0, 10))}</text>`);
    });
    y += lines[i] * cellH + 14;
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export interface SpamAttentionOptions {
  /** A stratified sample of 1000 e-mails and one short epoch: for the test suite. */
  quick?: boolean;
  log?: (line: string) => void;
  /** Where to write the SVG (default examples/output/spam-attention.svg). */
  svgPath?: string;
}

export interface SpamAttentionRow extends Scores {
  model: string;
  params: number;
}

/** Runs the TF-IDF baselines and the attention classifier on the same split; returns the table rows. */
export async function runSpamAttention({ quick = false, log = console.log, svgPath }: SpamAttentionOptions = {}): Promise<SpamAttentionRow[]> {
  const base = await runSpam({ quick, log: () => {}, verbose: 0 });
  const corpus = loadSpamAssassin();
  let { texts, labels } = corpus;
  if (quick) {
    const sample = tg.data.trainTestSplit(texts, labels, { testSize: 1000, stratify: labels, seed: SEED });
    texts = sample.xTest;
    labels = sample.yTest;
  }
  const split = tg.data.trainTestSplit(texts, labels, { testSize: 0.2, stratify: labels, seed: SEED });
  const tokenizer = new tg.text.Tokenizer({ stripHeaders: true, stripHtml: true, minTokenLength: 2 });
  const trainDocs = split.xTrain.map((t) => tokenizer.tokenize(t));
  const testDocs = split.xTest.map((t) => tokenizer.tokenize(t));
  const vocab = tg.text.Vocabulary.fit(trainDocs, { minDf: 2, maxFeatures: quick ? 2000 : 8000 });
  const len = quick ? 48 : 96;
  log(`attention classifier: vocabulary ${vocab.size} words, the first ${len} tokens of each e-mail`);

  const epochs = quick ? 1 : 3;
  const batchSize = 32;
  const gen = new tg.Generator(SEED);
  /** Trains a token-id model with Adam on the training split; returns its test-set probabilities and seconds. */
  const trainAndPredict = (model: tg.nn.Module<[Tensor, boolean[][]], Tensor>, name: string): { probs: number[]; seconds: number } => {
    const opt = new tg.optim.Adam(model.parameters(), { lr: 2e-3 });
    const start = performance.now();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      model.train();
      const order = gen.permutation(trainDocs.length);
      let total = 0;
      for (let i = 0; i < order.length; i += batchSize) {
        const idx = Array.from(order.subarray(i, i + batchSize));
        const { ids, padding } = encodeBatch(idx.map((k) => trainDocs[k]), vocab, len);
        const y = tg.tensor(idx.map((k) => split.yTrain[k]));
        const loss = nn.functional.binaryCrossEntropyWithLogits(model.call(ids, padding), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        total += loss.item() * idx.length;
      }
      log(`  ${name} epoch ${epoch}/${epochs}: train loss ${(total / order.length).toFixed(4)}`);
    }
    model.eval();
    const probs: number[] = [];
    tg.noGrad(() => {
      for (let i = 0; i < testDocs.length; i += 128) {
        const { ids, padding } = encodeBatch(testDocs.slice(i, i + 128), vocab, len);
        probs.push(...(model.call(ids, padding).sigmoid().toArray() as number[]));
      }
    });
    return { probs, seconds: (performance.now() - start) / 1000 };
  };
  const countParams = (m: tg.nn.AnyModule) => m.parameters().reduce((n, p) => n + p.size, 0);

  const recurrent: SpamAttentionRow[] = [];
  for (const kind of ['GRU', 'LSTM'] as const) {
    tg.manualSeed(SEED);
    const m = new RecurrentClassifier(vocab.size + 2, kind);
    const r = trainAndPredict(m, kind);
    recurrent.push({ model: `token ids + ${kind} (32 units)`, params: countParams(m), ...binaryScores(r.probs, split.yTest, r.seconds) });
  }

  tg.manualSeed(SEED);
  const model = new AttentionClassifier(vocab.size + 2);
  const params = countParams(model);
  const { probs, seconds } = trainAndPredict(model, 'attention');
  const attention = binaryScores(probs, split.yTest, seconds);

  // what the model looked at: three spam and two ham test e-mails
  const picks = [...split.yTest.map((y, i) => [y, i]).filter(([y]) => y === 1).slice(0, 3), ...split.yTest.map((y, i) => [y, i]).filter(([y]) => y === 0).slice(0, 2)].map(([, i]) => i);
  const drawn = tg.noGrad(() => {
    const { ids, padding, tokens } = encodeBatch(picks.map((i) => testDocs[i]), vocab, len);
    model.call(ids, padding);
    const w = model.lastWeights!.toArray() as number[][];
    return picks.map((i, r) => ({ tokens: tokens[r], weights: w[r], label: `${split.yTest[i] ? 'spam' : 'ham'} (p=${probs[i].toFixed(2)})` }));
  });
  const out = svgPath ?? join(dirname(fileURLToPath(import.meta.url)), 'output', 'spam-attention.svg');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, attentionSvg(drawn));
  log(`attention weights drawn to ${out}`);

  const f = base.nFeatures;
  const rows: SpamAttentionRow[] = [
    { model: 'TF-IDF + MLP (64 units)', params: f * 64 + 64 + 65, ...base.mlp },
    { model: 'TF-IDF + logistic regression', params: f + 1, ...base.logreg },
    ...recurrent,
    { model: 'token ids + transformer layer + attention pooling', params, ...attention },
  ];
  log('');
  log(`test set: ${split.xTest.length} e-mails (F1 of the spam class)`);
  log('| model | accuracy | F1 | parameters | train time (s) |');
  log('|---|---:|---:|---:|---:|');
  for (const r of rows) log(`| ${r.model} | ${r.accuracy.toFixed(4)} | ${r.f1.toFixed(4)} | ${r.params} | ${r.seconds.toFixed(1)} |`);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSpamAttention({ quick: process.argv.includes('--quick') }).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
