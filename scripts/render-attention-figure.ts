// Renders docs/img/attention-three-tokens.svg: the three-token attention weights of
// docs/learn-10-attention.md, without and with the causal mask, side by side.
// Run: npx tsx scripts/render-attention-figure.ts

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tg from 'tapegrad';

const x = tg.tensor([[1, 0], [0, 2], [1, 1]]);
const tokens = ['the', 'cat', 'sat'];
const [, full] = tg.nn.functional.attentionWithWeights(x, x, x);
const [, causal] = tg.nn.functional.attentionWithWeights(x, x, x, { isCausal: true });
const a = tg.plot.attentionSvg(full, { rowLabels: tokens, title: 'all keys' });
const b = tg.plot.attentionSvg(causal, { rowLabels: tokens, title: 'causal' });
// two panels next to each other: nest both documents in one outer SVG
const size = (s: string) => s.match(/width="([\d.]+)" height="([\d.]+)"/)!.slice(1).map(Number);
const [wa, ha] = size(a);
const [wb, hb] = size(b);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${wa + wb + 20}" height="${Math.max(ha, hb)}">\n` +
  `<g>${a.replace(/^<svg[^>]*>/, `<svg x="0" y="0" width="${wa}" height="${ha}">`)}</g>\n` +
  `<g>${b.replace(/^<svg[^>]*>/, `<svg x="${wa + 20}" y="0" width="${wb}" height="${hb}">`)}</g>\n</svg>\n`;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'img', 'attention-three-tokens.svg');
writeFileSync(out, svg);
console.log(`wrote ${out}`);
