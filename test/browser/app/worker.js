// The Web Worker of the browser tests: trains two moons off the page's thread, posting each epoch,
// then tries the threaded matmul (which needs a cross-origin isolated page) and reports what happened.
import * as tg from 'tapegrad';
import { trainMoons } from './moons.js';

self.onmessage = async () => {
  try {
    const { accuracy } = await trainMoons((epoch, epochs) => self.postMessage({ type: 'epoch', epoch, epochs }));
    let threads;
    try {
      const a = tg.randn([200, 160], { generator: new tg.Generator(5) });
      const b = tg.randn([160, 180], { generator: new tg.Generator(6) });
      const one = a.matmul(b).dataSync();
      await tg.setNumThreads(2);
      const two = a.matmul(b).dataSync();
      const grown = tg.randn([400, 300], { generator: new tg.Generator(7) });
      const big1 = grown.matmul(grown.T).dataSync(); // needs a larger data buffer than the first product
      const count = tg.getNumThreads();
      await tg.setNumThreads(1);
      const big2 = grown.matmul(grown.T).dataSync();
      threads = { count, same: one.every((v, i) => Object.is(v, two[i])) && big1.every((v, i) => Object.is(v, big2[i])) };
    } catch (e) {
      threads = { error: e.message };
    }
    self.postMessage({ type: 'done', accuracy, threads, isolated: self.crossOriginIsolated === true });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e && e.stack || e) });
  }
};
