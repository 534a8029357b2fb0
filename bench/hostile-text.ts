// Untrusted text in linear time: 1 MB hostile e-mails through tg.text.stripHtml and the e-mail tokenizer
// (stripHeaders + stripHtml), with 0.25 / 0.5 / 1 MB sizes so the growth shows. Run: npx tsx bench/hostile-text.ts
// (before issue 10, 160 KB of '<' alone took ~15 s in stripHtml: the time grew with the square of the length).

import * as tg from '../src/index.js';

const MB = 1 << 20;
/** Hostile bodies of about `n` characters, each aimed at one pattern that used to backtrack. */
const VARIANTS: Record<string, (n: number) => string> = {
  "'<' with no '>'": (n) => '<'.repeat(n),
  "'<!--' never closed": (n) => '<!--'.repeat(n / 4),
  "'<script>' never closed": (n) => '<script>'.repeat(n / 8),
  "'<script' with no '>'": (n) => '<script'.repeat(n / 7),
  "'</style ' without '>'": (n) => `<style>${'</style '.repeat(n / 8)}`,
  'ordinary HTML mail': (n) => '<p>Hello <b>friend</b> &amp; welcome, click <a href="x">here</a></p>\n'.repeat(n / 70),
};
const email = (body: string): string => `From: a@example.com\nSubject: hello\n\n${body}`;

function medianMs(f: () => unknown, reps = 5): number {
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[reps >> 1];
}

const tokenizer = new tg.text.Tokenizer({ stripHeaders: true, stripHtml: true });
console.log('median of 5 runs, ms (a shared, busy machine gives noisy numbers)\n');
console.log(`${'input'.padEnd(28)} ${'size'.padStart(8)} ${'stripHtml'.padStart(10)} ${'tokenize'.padStart(10)}`);
for (const [name, make] of Object.entries(VARIANTS)) {
  for (const size of [MB / 4, MB / 2, MB]) {
    const text = email(make(size));
    const strip = medianMs(() => tg.text.stripHtml(text));
    const tok = medianMs(() => tokenizer.tokenize(text));
    const kb = `${Math.round(text.length / 1024)} KB`;
    console.log(`${name.padEnd(28)} ${kb.padStart(8)} ${strip.toFixed(1).padStart(10)} ${tok.toFixed(1).padStart(10)}`);
  }
}
