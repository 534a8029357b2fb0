// The built package's single-threaded 512³ float32 matmul, median of 21 after warm-up: compares
// builds (docs/design.md: `node scripts/build.mjs --keep-var` against `npm run build`).
// Run: node bench/dist-matmul.mjs
import * as tg from 'tapegrad';

const n = 512;
const a = tg.randn([n, n]), b = tg.randn([n, n]);
for (let i = 0; i < 3; i++) a.matmul(b);
const ts = [];
for (let i = 0; i < 21; i++) {
  const t0 = performance.now();
  a.matmul(b);
  ts.push(performance.now() - t0);
}
ts.sort((x, y) => x - y);
console.log(`dist/ 512³ matmul, median ms: ${ts[10].toFixed(1)} (min ${ts[0].toFixed(1)})`);
