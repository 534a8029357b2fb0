// Hand-written protobuf writer (src/onnx/proto.ts) vs onnx-proto (the official onnx.proto compiled for
// protobufjs): encode time for the same ModelProto, and the bundled size each adds. For docs/design.md.
// Run: npx tsx bench/onnx-encode.ts

import { createRequire } from 'node:module';
import { build } from 'esbuild';
import * as tg from 'tapegrad';
import { fileURLToPath } from 'node:url';
import { type AttrValue, modelProto, type ModelSpec } from '../src/onnx/proto.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as { onnx: { ModelProto: { decode(b: Uint8Array): unknown; encode(m: unknown): { finish(): Uint8Array } } } };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn: () => void, reps: number): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

tg.manualSeed(0);
const net = new tg.nn.Sequential(new tg.nn.Linear(784, 256), new tg.nn.ReLU(), new tg.nn.Linear(256, 128), new tg.nn.ReLU(), new tg.nn.Linear(128, 10));
const sample = tg.randn([2, 784]);
const bytes = tg.onnx.exportModel(net, sample, { dynamicAxes: { input: [0] } });
const message = onnx.ModelProto.decode(bytes);
const reencoded = onnx.ModelProto.encode(message).finish();

// the same model as our writer's input, rebuilt from the decoded message, so both encoders do the same work
const m = message as any;
const attr = (a: any): AttrValue => (a.type === 2 ? { int: Number(a.i) } : a.type === 7 ? { ints: a.ints.map(Number) } : { float: a.f });
const value = (v: any) => ({ name: v.name, elemType: v.type.tensorType.elemType, dims: v.type.tensorType.shape.dim.map((d: any) => d.dimParam || Number(d.dimValue)) });
const spec: ModelSpec = {
  irVersion: Number(m.irVersion), opset: Number(m.opsetImport[0].version), producerName: m.producerName, producerVersion: m.producerVersion,
  graphName: m.graph.name, docString: '',
  nodes: m.graph.node.map((n: any) => ({ opType: n.opType, inputs: n.input, outputs: n.output, name: n.name, attrs: Object.fromEntries(n.attribute.map((a: any) => [a.name, attr(a)])) })),
  initializers: m.graph.initializer.map((t: any) => ({ name: t.name, dataType: t.dataType, dims: t.dims.map(Number), raw: t.rawData })),
  inputs: m.graph.input.map(value), outputs: m.graph.output.map(value),
};
const handMs = time(() => modelProto(spec), 20);
const exportMs = time(() => tg.onnx.exportModel(net, sample, { dynamicAxes: { input: [0] } }), 20);
const protobufjsMs = time(() => onnx.ModelProto.encode(message).finish(), 20);

const size = async (code: string) => {
  const r = await build({ stdin: { contents: code, resolveDir: fileURLToPath(new URL('..', import.meta.url)) }, bundle: true, minify: true, write: false, platform: 'neutral', format: 'esm', mainFields: ['module', 'main'] });
  return r.outputFiles[0].contents.length;
};
const handSize = await size("export * from './src/onnx/proto.ts';");
const libSize = await size("export { onnx } from 'onnx-proto';");

console.log(`model: MLP 784-256-128-10 (${net.parameters().reduce((n, p) => n + p.size, 0)} parameters), ${bytes.length} bytes of ONNX`);
console.log(`same bytes when onnx-proto re-encodes our decoded model: ${Buffer.from(reencoded).equals(Buffer.from(bytes))} (${reencoded.length} bytes)`);
console.log(`tg.onnx.exportModel, whole export incl. two traces (median of 20): ${exportMs.toFixed(2)} ms`);
console.log(`src/onnx/proto.ts modelProto, the same ModelProto (median of 20):  ${handMs.toFixed(2)} ms (same bytes: ${Buffer.from(modelProto(spec)).equals(Buffer.from(bytes))})`);
console.log(`onnx-proto encode of the same ModelProto object (median of 20):    ${protobufjsMs.toFixed(2)} ms`);
console.log(`minified bundle: src/onnx/proto.ts ${handSize} bytes; onnx-proto + protobufjs ${libSize} bytes`);
