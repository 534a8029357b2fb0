// The browser tests' page script (bundled by esbuild and by Vite, or loaded as is with an import map):
// the README's example, two moons, toBytes/fromBytes, a download, and training in a Web Worker while
// this thread keeps running. Results go to window.__results; errors to the console (the tests fail on any).
import * as tg from 'tapegrad';
import { trainMoons } from './moons.js';
import { runReadmeExample } from './readme-example.js';

const bitwise = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
const base64 = (bytes) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));

async function inWorker() {
  let ticks = 0;
  let running = true;
  const tick = () => {
    ticks++;
    if (running) setTimeout(tick, 0);
  };
  tick();
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const ticksAt = [];
  const done = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => {
      if (e.data.type === 'epoch') ticksAt.push(ticks);
      else if (e.data.type === 'done') resolve(e.data);
      else reject(new Error(e.data.message));
    };
    worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
    worker.postMessage('start');
  });
  running = false;
  worker.terminate();
  return { ...done, epochs: ticksAt.length, ticksFirstEpoch: ticksAt[0], ticksLastEpoch: ticksAt.at(-1) };
}

async function main() {
  const results = { readme: runReadmeExample() };

  const { model, xTest, accuracy } = await trainMoons();
  results.moonsAccuracy = accuracy;

  const bytes = model.toBytes();
  const loaded = tg.fromBytes(bytes);
  const again = loaded.toBytes();
  results.roundTrip = {
    weights: bitwise(bytes.weights, again.weights),
    config: bytes.config === again.config,
    predictions: bitwise(model.predict(xTest).dataSync(), loaded.predict(xTest).dataSync()),
    weightBytes: bytes.weights.length,
  };
  window.__download = () => {
    tg.downloadBytes(bytes.weights, 'model.safetensors');
    return base64(bytes.weights);
  };

  try {
    await tg.setNumThreads(2);
    results.pageThreads = 'no error';
  } catch (e) {
    results.pageThreads = e.message;
  }
  try {
    await tg.loadModel('some/dir');
  } catch (e) {
    results.loadModel = `${e.code}: ${e.message}`;
  }

  results.worker = new URLSearchParams(location.search).has('noworker') ? null : await inWorker();
  window.__results = results;
  document.getElementById('status').textContent = 'done';
}

main().catch((e) => {
  console.error(`main.js failed: ${e && e.stack || e}`);
  window.__results = { failed: String(e) };
});
