// The playground's model side, free of the DOM so the Web Worker and the tests can share it:
// the 2-D data sets, the input features, the network (tg.nn layers) and one training step.

import * as tg from '../src/index.js';

/** The data sets the page offers. */
export type DatasetName = 'moons' | 'circles' | 'spirals' | 'xor' | 'blobs';
/** The input features the page offers, computed from a point (x, y). */
export type FeatureName = 'x' | 'y' | 'x²' | 'y²' | 'xy' | 'sin x' | 'sin y';
export const FEATURES: readonly FeatureName[] = ['x', 'y', 'x²', 'y²', 'xy', 'sin x', 'sin y'];
export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'linear';
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

/** Everything the controls set; a change of any of these starts a new network. */
export interface PlaygroundConfig {
  dataset: DatasetName;
  noise: number;
  /** Fraction of the points used for training (the rest are the test set). */
  trainRatio: number;
  features: FeatureName[];
  /** Units per hidden layer (none: logistic regression on the features). */
  hidden: number[];
  activation: ActivationName;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  /** L2 penalty on the weights (weight decay). */
  l2: number;
  seed: number;
}

export const DEFAULT_CONFIG: PlaygroundConfig = {
  dataset: 'moons', noise: 0.15, trainRatio: 0.5, features: ['x', 'y'], hidden: [8, 8], activation: 'tanh',
  optimizer: 'adam', learningRate: 0.03, batchSize: 16, l2: 0, seed: 1,
};

/** The points of a data set: coordinates in about [-1.5, 1.5]² and labels 0/1. */
export interface Points { xy: Float32Array; labels: Float32Array; n: number }

const POINTS = 400;

/** A seeded 2-D, two-class data set, scaled to sit in about [-1.5, 1.5]². */
export function makeDataset(name: DatasetName, noise: number, seed: number): Points {
  const gen = new tg.Generator(seed);
  let x: tg.Tensor;
  let y: tg.Tensor;
  if (name === 'xor' || name === 'blobs') {
    const xy = new Float32Array(POINTS * 2);
    const labels = new Float32Array(POINTS);
    for (let i = 0; i < POINTS; i++) {
      if (name === 'blobs') {
        // two Gaussian blobs centred at (−0.7, −0.7) and (0.7, 0.7)
        const label = i % 2;
        const c = label ? 0.7 : -0.7;
        xy[2 * i] = c + (0.3 + noise) * gen.normal();
        xy[2 * i + 1] = c + (0.3 + noise) * gen.normal();
        labels[i] = label;
        continue;
      }
      const a = gen.random() * 2 - 1;
      const b = gen.random() * 2 - 1;
      // keep a small margin around the axes, as TensorFlow Playground's XOR does
      const px = a + Math.sign(a) * 0.1;
      const py = b + Math.sign(b) * 0.1;
      xy[2 * i] = px + noise * gen.normal();
      xy[2 * i + 1] = py + noise * gen.normal();
      labels[i] = px * py > 0 ? 1 : 0;
    }
    return { xy, labels, n: POINTS };
  }
  if (name === 'moons') ({ x, y } = tg.data.makeMoons(POINTS, { noise, generator: gen }));
  else if (name === 'circles') ({ x, y } = tg.data.makeCircles(POINTS, { noise, factor: 0.5, generator: gen }));
  else ({ x, y } = tg.data.makeSpirals(POINTS, { noise, generator: gen }));
  const raw = x.dataSync() as Float32Array;
  // centre and scale to a common box so the same view and learning rate fit every set
  let mx = 0; let my = 0;
  for (let i = 0; i < POINTS; i++) { mx += raw[2 * i]; my += raw[2 * i + 1]; }
  mx /= POINTS; my /= POINTS;
  let r = 0;
  for (let i = 0; i < POINTS * 2; i++) r = Math.max(r, Math.abs(raw[i] - (i % 2 ? my : mx)));
  const s = 1.5 / (r || 1);
  const xy = new Float32Array(POINTS * 2);
  for (let i = 0; i < POINTS; i++) { xy[2 * i] = (raw[2 * i] - mx) * s; xy[2 * i + 1] = (raw[2 * i + 1] - my) * s; }
  return { xy, labels: y.dataSync() as Float32Array, n: POINTS };
}

/** The chosen features of n points, as a [n, features] tensor. */
export function featurize(xy: Float32Array, features: readonly FeatureName[]): tg.Tensor {
  const n = xy.length / 2;
  const f = features.length;
  const out = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    const a = xy[2 * i];
    const b = xy[2 * i + 1];
    for (let j = 0; j < f; j++) {
      const name = features[j];
      out[i * f + j] = name === 'x' ? a : name === 'y' ? b : name === 'x²' ? a * a : name === 'y²' ? b * b
        : name === 'xy' ? a * b : name === 'sin x' ? Math.sin(a) : Math.sin(b);
    }
  }
  return tg.tensor(out, { shape: [n, f] });
}

/** The network: Linear layers with the chosen activation between them, one logit out. */
export class Net extends tg.nn.Module {
  readonly linears: tg.nn.ModuleList;
  constructor(inputs: number, hidden: readonly number[], readonly activation: ActivationName, generator: tg.Generator) {
    super();
    const sizes = [inputs, ...hidden, 1];
    this.linears = new tg.nn.ModuleList(sizes.slice(1).map((n, i) => new tg.nn.Linear(sizes[i], n, { generator })));
  }
  private act(h: tg.Tensor): tg.Tensor {
    return this.activation === 'relu' ? h.relu() : this.activation === 'tanh' ? h.tanh()
      : this.activation === 'sigmoid' ? h.sigmoid() : h;
  }
  /** The logits [n] and every hidden layer's activations [n, units]. */
  trace(x: tg.Tensor): { logits: tg.Tensor; hidden: tg.Tensor[] } {
    const hidden: tg.Tensor[] = [];
    let h = x;
    const layers = [...this.linears];
    layers.forEach((layer, i) => {
      h = (layer as tg.nn.Linear).call(h);
      if (i < layers.length - 1) { h = this.act(h); hidden.push(h); }
    });
    return { logits: h.reshape([-1]), hidden };
  }
  override forward(x: tg.Tensor): tg.Tensor { return this.trace(x).logits; }
}

/** Binary cross-entropy from logits, the stable form: max(z, 0) − z·y + log(1 + e^−|z|). */
export function bceWithLogits(z: tg.Tensor, y: tg.Tensor): tg.Tensor {
  return tg.nn.functional.binaryCrossEntropyWithLogits(z, y);
}

/** A training session: data split, network, optimizer; step() trains one mini-batch. */
export class Session {
  readonly points: Points;
  readonly trainIdx: Int32Array;
  readonly testIdx: Int32Array;
  readonly xTrain: tg.Tensor; readonly yTrain: tg.Tensor;
  readonly xTest: tg.Tensor; readonly yTest: tg.Tensor;
  readonly net: Net;
  readonly opt: tg.optim.Optimizer;
  private readonly gen: tg.Generator;
  private order: Int32Array;
  private cursor = 0;
  /** Mini-batches trained so far. */
  steps = 0;
  /** Passes over the training set so far. */
  epochs = 0;

  constructor(readonly config: PlaygroundConfig) {
    if (config.features.length === 0) throw new Error('Playground: pick at least one input feature');
    this.gen = new tg.Generator(config.seed);
    this.points = makeDataset(config.dataset, config.noise, config.seed);
    const perm = this.gen.permutation(this.points.n);
    const nTrain = Math.max(1, Math.min(this.points.n - 1, Math.round(this.points.n * config.trainRatio)));
    this.trainIdx = perm.slice(0, nTrain);
    this.testIdx = perm.slice(nTrain);
    const pick = (idx: Int32Array) => {
      const xy = new Float32Array(idx.length * 2);
      const lab = new Float32Array(idx.length);
      idx.forEach((k, i) => { xy[2 * i] = this.points.xy[2 * k]; xy[2 * i + 1] = this.points.xy[2 * k + 1]; lab[i] = this.points.labels[k]; });
      return [featurize(xy, config.features), tg.tensor(lab)] as const;
    };
    [this.xTrain, this.yTrain] = pick(this.trainIdx);
    [this.xTest, this.yTest] = pick(this.testIdx);
    this.net = new Net(config.features.length, config.hidden, config.activation, this.gen);
    const params = this.net.parameters();
    const lr = config.learningRate;
    const weightDecay = config.l2;
    this.opt = config.optimizer === 'sgd' ? new tg.optim.SGD(params, { lr, weightDecay, momentum: 0.9 })
      : config.optimizer === 'rmsprop' ? new tg.optim.RMSprop(params, { lr, weightDecay })
        : new tg.optim.Adam(params, { lr, weightDecay });
    this.order = this.gen.permutation(this.trainIdx.length);
  }

  /** One mini-batch: forward, loss, backward, update. Returns the batch loss. */
  step(): number {
    const n = this.trainIdx.length;
    const b = Math.min(this.config.batchSize, n);
    if (this.cursor + b > n) { this.order = this.gen.permutation(n); this.cursor = 0; this.epochs++; }
    const idx = tg.tensor(this.order.slice(this.cursor, this.cursor + b), { dtype: 'float64' });
    this.cursor += b;
    const x = this.xTrain.indexSelect(0, idx);
    const y = this.yTrain.indexSelect(0, idx);
    this.opt.zeroGrad();
    const loss = bceWithLogits(this.net.call(x), y);
    loss.backward();
    this.opt.step();
    this.steps++;
    return loss.item();
  }

  /** Loss and accuracy on the training and test sets. */
  evaluate(): { trainLoss: number; testLoss: number; trainAcc: number; testAcc: number } {
    return tg.noGrad(() => {
      const one = (x: tg.Tensor, y: tg.Tensor) => {
        const z = this.net.call(x);
        const loss = bceWithLogits(z, y).item();
        const acc = z.gt(0).eq(y).mean().item();
        return [loss, acc];
      };
      const [trainLoss, trainAcc] = one(this.xTrain, this.yTrain);
      const [testLoss, testAcc] = one(this.xTest, this.yTest);
      return { trainLoss, testLoss, trainAcc, testAcc };
    });
  }

  /**
   * The output probability and each hidden neuron's activation on a res×res grid over [-extent, extent]²
   * (row 0 at the top, y decreasing): what the heat maps draw.
   */
  grids(res: number, extent = 2): { output: Float32Array; neurons: Float32Array[][] } {
    const xy = new Float32Array(res * res * 2);
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        const k = r * res + c;
        xy[2 * k] = -extent + (2 * extent * (c + 0.5)) / res;
        xy[2 * k + 1] = extent - (2 * extent * (r + 0.5)) / res;
      }
    }
    return tg.noGrad(() => {
      const { logits, hidden } = this.net.trace(featurize(xy, this.config.features));
      const output = logits.sigmoid().dataSync() as Float32Array;
      const neurons = hidden.map((h) => {
        const units = h.shape[1];
        const all = h.dataSync();
        return Array.from({ length: units }, (_, u) => {
          const g = new Float32Array(res * res);
          for (let k = 0; k < res * res; k++) g[k] = all[k * units + u];
          return g;
        });
      });
      return { output, neurons };
    });
  }

  /** Each Linear layer's weight matrix [out][in], as plain numbers for drawing the edges. */
  weights(): number[][][] {
    return [...this.net.linears].map((l) => (l as tg.nn.Linear).weight.toArray() as number[][]);
  }
}
