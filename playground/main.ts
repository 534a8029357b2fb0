// The playground page: three views over tapegrad's own code.
//  1. Playground: a network trained in a Web Worker (worker.ts) on 2-D data, drawn as it learns.
//  2. The tape: an expression evaluated on the tape, its graph, and backward one node at a time (tape.ts).
//  3. Handwriting: a 28×28 pad read by a model trained with tapegrad (digits.ts, assets/).

import * as tg from '../src/index.js';
import { digitsCnn, readDigit } from './digits-cnn.js';
import { centerLikeMnist, SIDE, stroke } from './digits.js';
import { DEFAULT_CONFIG, FEATURES, type PlaygroundConfig } from './shared.js';
import { backwardSteps, evaluate, type GraphNode, layout, parseExpression, parseValues, PRESETS, type BackwardStep } from './tape.js';
import type { FromWorker, Snapshot, ToWorker } from './worker.js';
import VJP_RULES from 'virtual:vjp-rules';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: no element #${id}`);
  return el as T;
};

// ---------- tabs (arrow keys move between them, as the ARIA tabs pattern says) ----------
const tabs = ['train', 'tape', 'digits'];
function selectTab(name: string, focus = false): void {
  for (const t of tabs) {
    const tab = $(`tab-${t}`);
    const on = t === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`view-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (name === 'digits') void loadDigitsModel();
  if (name === 'tape' && !tapeBuilt) buildTape();
}
tabs.forEach((t, i) => {
  const tab = $(`tab-${t}`);
  tab.addEventListener('click', () => selectTab(t));
  tab.addEventListener('keydown', (e) => {
    const k = (e as KeyboardEvent).key;
    if (k === 'ArrowRight' || k === 'ArrowLeft') selectTab(tabs[(i + (k === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length], true);
  });
});

// ---------- colours ----------
const BLUE = [0, 114, 178];
const ORANGE = [230, 159, 0];
/** v in [-1, 1] → blue (−1) through white (0) to orange (+1). */
function diverging(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const c = t < 0 ? BLUE : ORANGE;
  const a = Math.abs(t) * 0.85;
  return [255 + (c[0] - 255) * a, 255 + (c[1] - 255) * a, 255 + (c[2] - 255) * a];
}
const rgb = (c: readonly number[]): string => `rgb(${c.map((v) => Math.round(v)).join(',')})`;

/** Paints a res×res grid of values in [-1, 1] onto a canvas. */
function paintGrid(canvas: HTMLCanvasElement, grid: Float32Array, res: number, scale: (v: number) => number): void {
  drawPixels(canvas, res, (k) => diverging(scale(grid[k])), true);
}

/** Draws a res×res picture, pixel k coloured by rgbAt(k), scaled up to fill the canvas. */
function drawPixels(canvas: HTMLCanvasElement, res: number, rgbAt: (k: number) => readonly number[], smooth: boolean): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(res, res);
  for (let k = 0; k < res * res; k++) {
    const [r, g, b] = rgbAt(k);
    img.data[4 * k] = r; img.data[4 * k + 1] = g; img.data[4 * k + 2] = b; img.data[4 * k + 3] = 255;
  }
  const tmp = document.createElement('canvas');
  tmp.width = res; tmp.height = res;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

// ---------- 1. the playground ----------
const featureBox = $('features');
for (const f of FEATURES) {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.value = f;
  box.checked = DEFAULT_CONFIG.features.includes(f);
  label.append(box, ` ${f}`);
  featureBox.append(label);
}

function readConfig(): PlaygroundConfig | string {
  const hiddenText = $<HTMLInputElement>('hidden').value.trim();
  const hidden = hiddenText === '' ? [] : hiddenText.split(/[,\s]+/).map(Number);
  if (hidden.some((u) => !Number.isInteger(u) || u < 1 || u > 32) || hidden.length > 6) {
    return 'Hidden layers: up to 6 layers of 1 to 32 units, e.g. "8, 8" (empty for none)';
  }
  const features = Array.from(featureBox.querySelectorAll<HTMLInputElement>('input:checked')).map((b) => b.value) as PlaygroundConfig['features'];
  if (features.length === 0) return 'Pick at least one input feature';
  return {
    ...DEFAULT_CONFIG,
    dataset: $<HTMLSelectElement>('dataset').value as PlaygroundConfig['dataset'],
    noise: Number($<HTMLInputElement>('noise').value),
    trainRatio: Number($<HTMLInputElement>('ratio').value),
    features, hidden,
    activation: $<HTMLSelectElement>('activation').value as PlaygroundConfig['activation'],
    optimizer: $<HTMLSelectElement>('optimizer').value as PlaygroundConfig['optimizer'],
    learningRate: Number($<HTMLSelectElement>('lr').value),
    batchSize: Number($<HTMLSelectElement>('batch').value),
    l2: Number($<HTMLSelectElement>('l2').value),
  };
}

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (msg: ToWorker): void => worker.postMessage(msg);
let last: Snapshot | null = null;
let hovered: [number, number] | null = null; // [layer, unit] whose map the big canvas shows
let playing = false;

function sendConfig(): void {
  const config = readConfig();
  if (typeof config === 'string') { $('status').textContent = config; return; }
  send({ type: 'config', config });
}
for (const id of ['dataset', 'noise', 'ratio', 'hidden', 'activation', 'optimizer', 'lr', 'batch', 'l2']) {
  $(id).addEventListener('change', sendConfig);
}
featureBox.addEventListener('change', sendConfig);
$('noise').addEventListener('input', () => { $('noise-out').textContent = $<HTMLInputElement>('noise').value; });
$('ratio').addEventListener('input', () => { $('ratio-out').textContent = `${Math.round(Number($<HTMLInputElement>('ratio').value) * 100)}%`; });
function setPlaying(on: boolean): void {
  playing = on;
  $('play').textContent = on ? 'Pause' : 'Play';
  $('play').setAttribute('aria-pressed', String(on));
  send({ type: on ? 'play' : 'pause' });
}
$('play').addEventListener('click', () => setPlaying(!playing));
$('step').addEventListener('click', () => { if (playing) setPlaying(false); send({ type: 'step' }); });
$('reset').addEventListener('click', () => send({ type: 'reset' }));

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const msg = ev.data;
  if (msg.type === 'error') { $('status').textContent = msg.message; return; }
  last = msg;
  // draw at most once a frame, the newest snapshot
  if (!frameQueued) {
    frameQueued = true;
    requestAnimationFrame(() => { frameQueued = false; if (last) drawSnapshot(last); });
  }
};
let frameQueued = false;
worker.onerror = (e) => { $('status').textContent = `The training worker failed: ${e.message}`; };

const EXTENT = 2;
function drawSnapshot(s: Snapshot): void {
  const f = (v: number) => v.toFixed(3);
  const status = $('status');
  status.textContent = `step ${s.steps} · epoch ${s.epochs} · train loss ${f(s.trainLoss)} · test loss ${f(s.testLoss)} · ` +
    `train accuracy ${(s.trainAcc * 100).toFixed(1)}% · test accuracy ${(s.testAcc * 100).toFixed(1)}%`;
  status.dataset.steps = String(s.steps);
  status.dataset.testAcc = String(s.testAcc);
  drawBoundary(s);
  drawNetwork(s);
  const curves = tg.plot.lossCurvesSvg(
    { train: s.history.map((h) => h.train), test: s.history.map((h) => h.test) },
    { width: 320, height: 200, xLabel: 'snapshot', yLabel: 'loss' },
  );
  $('curves').innerHTML = curves;
}

function drawBoundary(s: Snapshot): void {
  const canvas = $<HTMLCanvasElement>('boundary');
  let caption = 'Output: probability of the orange class. Filled dots: training points; rings: test points.';
  if (hovered && s.neurons[hovered[0]]?.[hovered[1]]) {
    const grid = s.neurons[hovered[0]][hovered[1]];
    let m = 1e-12;
    for (const v of grid) m = Math.max(m, Math.abs(v));
    paintGrid(canvas, grid, s.res, (v) => v / m);
    caption = `Neuron ${hovered[1] + 1} of hidden layer ${hovered[0] + 1}: its activation over the plane (scaled to its largest value).`;
  } else {
    paintGrid(canvas, s.output, s.res, (p) => 2 * p - 1);
  }
  $('boundary-caption').textContent = caption;
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width;
  const toPx = (v: number) => ((v + EXTENT) / (2 * EXTENT)) * W;
  const dot = (k: number, filled: boolean) => {
    const x = toPx(s.points.xy[2 * k]);
    const y = W - toPx(s.points.xy[2 * k + 1]);
    ctx.beginPath();
    ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
    const c = rgb(s.points.labels[k] ? ORANGE : BLUE);
    if (filled) { ctx.fillStyle = c; ctx.fill(); ctx.strokeStyle = '#fff'; ctx.lineWidth = 1; ctx.stroke(); }
    else { ctx.strokeStyle = c; ctx.lineWidth = 2; ctx.stroke(); }
  };
  s.points.train.forEach((k) => dot(k, true));
  s.points.test.forEach((k) => dot(k, false));
}

/** The network as an SVG: feature nodes, hidden neurons (each its own small heat map), the output. */
function drawNetwork(s: Snapshot): void {
  const features = (readConfig() as PlaygroundConfig).features ?? [];
  const layers = [features.length, ...s.neurons.map((l) => l.length), 1];
  const colW = 90; const rowH = 42; const tile = 30;
  const width = colW * layers.length + 20;
  const height = Math.max(...layers) * rowH + 20;
  const pos = (l: number, u: number) => [20 + l * colW + tile / 2, 10 + (height - 20 - layers[l] * rowH) / 2 + u * rowH + tile / 2];
  const parts: string[] = [];
  let maxW = 1e-12;
  for (const w of s.weights) for (const row of w) for (const v of row) maxW = Math.max(maxW, Math.abs(v));
  s.weights.forEach((w, l) => w.forEach((row, o) => row.forEach((v, i) => {
    const [x1, y1] = pos(l, i);
    const [x2, y2] = pos(l + 1, o);
    const width = 0.5 + 4 * Math.abs(v) / maxW;
    parts.push(`<line x1="${x1 + tile / 2}" y1="${y1}" x2="${x2 - tile / 2}" y2="${y2}" stroke="${rgb(v >= 0 ? ORANGE : BLUE)}" stroke-width="${width.toFixed(2)}" stroke-opacity="0.8"><title>weight ${v.toFixed(3)}</title></line>`);
  })));
  features.forEach((f, i) => {
    const [x, y] = pos(0, i);
    parts.push(`<rect x="${x - tile / 2}" y="${y - tile / 2}" width="${tile}" height="${tile}" fill="#eee" stroke="#999"/><text x="${x}" y="${y + 4}" font-size="11" text-anchor="middle">${f}</text>`);
  });
  s.neurons.forEach((layer, l) => layer.forEach((_, u) => {
    const [x, y] = pos(l + 1, u);
    parts.push(`<g class="neuron" tabindex="0" role="button" aria-label="hidden layer ${l + 1}, neuron ${u + 1}: show its map" data-layer="${l}" data-unit="${u}">` +
      `<foreignObject x="${x - tile / 2}" y="${y - tile / 2}" width="${tile}" height="${tile}"><canvas xmlns="http://www.w3.org/1999/xhtml" width="${tile}" height="${tile}" data-l="${l}" data-u="${u}"></canvas></foreignObject>` +
      `<rect x="${x - tile / 2}" y="${y - tile / 2}" width="${tile}" height="${tile}" fill="none" stroke="#999"/></g>`);
  }));
  const [ox, oy] = pos(layers.length - 1, 0);
  parts.push(`<circle cx="${ox}" cy="${oy}" r="${tile / 2}" fill="${rgb(diverging(0))}" stroke="#999"/><text x="${ox}" y="${oy + 4}" font-size="11" text-anchor="middle">out</text>`);
  const host = $('network');
  host.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
  host.querySelectorAll<HTMLCanvasElement>('canvas').forEach((c) => {
    const grid = s.neurons[Number(c.dataset.l)][Number(c.dataset.u)];
    let m = 1e-12;
    for (const v of grid) m = Math.max(m, Math.abs(v));
    paintGrid(c, grid, s.res, (v) => v / m);
  });
  host.querySelectorAll<SVGGElement>('.neuron').forEach((g) => {
    g.addEventListener('focus', () => showNeuron(g));
    g.addEventListener('blur', () => showNeuron(null));
  });
}

/** Shows a hidden neuron's map in the big canvas (null: the output again), redrawing only on a change. */
function showNeuron(g: Element | null): void {
  const next: [number, number] | null = g instanceof SVGGElement ? [Number(g.dataset.layer), Number(g.dataset.unit)] : null;
  if (next?.[0] === hovered?.[0] && next?.[1] === hovered?.[1]) return;
  hovered = next;
  if (last) drawBoundary(last);
}

// The mouse is followed on the network's host, which outlives the SVG each snapshot rebuilds: a neuron's own
// mouseleave never fires when a snapshot replaces it under the pointer, so the map would stick.
$('network').addEventListener('mousemove', (e) => showNeuron((e.target as Element).closest('.neuron')));
$('network').addEventListener('mouseleave', () => showNeuron(null));

sendConfig();

// ---------- 2. the tape ----------
const presetSel = $<HTMLSelectElement>('preset');
for (const name of Object.keys(PRESETS)) presetSel.append(new Option(name, name));
const exprIn = $<HTMLInputElement>('expr');
const valuesIn = $<HTMLInputElement>('values');
function usePreset(): void { exprIn.value = PRESETS[presetSel.value].expr; valuesIn.value = PRESETS[presetSel.value].values; buildTape(); }
presetSel.addEventListener('change', usePreset);
exprIn.value = PRESETS['one neuron'].expr;
valuesIn.value = PRESETS['one neuron'].values;

let tapeBuilt = false;
let graphNodes: GraphNode[] = [];
let walk: { steps: BackwardStep[]; grads: number[] } | null = null;
let shownSteps = 0; // how many backward steps are drawn

function buildTape(): void {
  tapeBuilt = true;
  try {
    const ev = evaluate(parseExpression(exprIn.value), parseValues(valuesIn.value));
    graphNodes = layout(ev);
    walk = backwardSteps(graphNodes);
    shownSteps = 0;
    $('tape-status').textContent = `${graphNodes.filter((n) => n.kind === 'op').length} ops recorded; result ${fmt(ev.out.item())}. Run backward, or step through it.`;
    $('rule').innerHTML = '';
    drawGraph();
  } catch (e) {
    graphNodes = []; walk = null;
    $('tape-status').textContent = (e as Error).message;
    $('graph').innerHTML = '';
  }
}
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The gradient of each node known after the first `shown` steps (the output's is 1 from the start). */
function knownGrads(shown: number): Map<number, number> {
  const known = new Map<number, number>();
  if (!walk || graphNodes.length === 0) return known;
  known.set(graphNodes.length - 1, 1);
  for (const st of walk.steps.slice(0, shown)) for (const t of st.toInputs) known.set(t.input, (known.get(t.input) ?? 0) + t.grad);
  return known;
}

function drawGraph(): void {
  const known = knownGrads(shownSteps);
  const current = walk && shownSteps > 0 ? walk.steps[shownSteps - 1].node : -1;
  const cols = Math.max(0, ...graphNodes.map((n) => n.col)) + 1;
  const rows = Math.max(1, ...graphNodes.map((n) => n.row + 1));
  const bw = 118; const bh = 50; const gx = 40; const gy = 16;
  const W = cols * (bw + gx) + 20; const H = rows * (bh + gy) + 20;
  const at = (n: GraphNode) => [10 + n.col * (bw + gx), 10 + n.row * (bh + gy)];
  const parts: string[] = ['<defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#888"/></marker></defs>'];
  for (const n of graphNodes) {
    for (const i of n.inputs) {
      const [x1, y1] = at(graphNodes[i]); const [x2, y2] = at(n);
      parts.push(`<line x1="${x1 + bw}" y1="${y1 + bh / 2}" x2="${x2}" y2="${y2 + bh / 2}" stroke="#888" marker-end="url(#arr)"/>`);
    }
  }
  for (const n of graphNodes) {
    const [x, y] = at(n);
    const fill = n.id === current ? '#ffe08a' : n.kind === 'op' ? '#e8f1fb' : n.kind === 'variable' ? '#fff2cc' : '#f4f4f4';
    const g = known.get(n.id);
    const gradText = g === undefined ? (n.kind === 'constant' ? '' : 'grad ?') : `grad ${fmt(g)}`;
    parts.push(`<g data-node="${n.id}" data-grad="${g === undefined ? '' : g}" data-label="${esc(n.label)}">` +
      `<rect x="${x}" y="${y}" width="${bw}" height="${bh}" rx="${n.kind === 'op' ? 20 : 4}" fill="${fill}" stroke="#888"/>` +
      `<text x="${x + bw / 2}" y="${y + 15}" font-size="12" text-anchor="middle" font-weight="600">${esc(n.label)}</text>` +
      `<text x="${x + bw / 2}" y="${y + 30}" font-size="11" text-anchor="middle">value ${fmt(n.value)}</text>` +
      `<text x="${x + bw / 2}" y="${y + 44}" font-size="11" text-anchor="middle" fill="#b35900">${gradText}</text></g>`);
  }
  $('graph').innerHTML = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="The tape's graph: ${graphNodes.length} nodes">${parts.join('')}</svg>`;
}

function showRule(step: BackwardStep): void {
  const n = graphNodes[step.node];
  const op = n.label;
  const math = VJP_RULES[op] ?? '';
  const source = String(tg.OPS[op as tg.OpName].vjp);
  const sends = step.toInputs.map((t) => `${graphNodes[t.input].label}: ${fmt(t.grad)}`).join(', ');
  $('rule').innerHTML = `<h3>Step ${shownSteps} of ${walk!.steps.length}: the VJP of <code>${esc(op)}</code></h3>` +
    `<p>Gradient arriving at this node: <strong>${fmt(step.gradIn)}</strong>. It sends ${esc(sends || 'nothing')} to its inputs.</p>` +
    (math ? `<p>The rule, as src/autograd/ops.ts states it: <code>${esc(math)}</code></p>` : '') +
    `<p>The code that ran, <code>tg.OPS.${esc(op)}.vjp</code>:</p><pre><code>${esc(source)}</code></pre>`;
}

$('build').addEventListener('click', buildTape);
$('backward').addEventListener('click', () => {
  if (!walk) buildTape();
  if (!walk) return;
  shownSteps = walk.steps.length;
  drawGraph();
  $('tape-status').textContent = `Backward done: ${walk.steps.length} VJPs ran, from the output back to the variables.`;
  if (walk.steps.length) showRule(walk.steps[walk.steps.length - 1]);
});
$('bstep').addEventListener('click', () => {
  if (!walk) buildTape();
  if (!walk) return;
  if (shownSteps >= walk.steps.length) shownSteps = 0;
  shownSteps++;
  drawGraph();
  showRule(walk.steps[shownSteps - 1]);
  $('tape-status').textContent = shownSteps === walk.steps.length ? 'Backward done: every gradient is known.' : `Backward: ${shownSteps} of ${walk.steps.length} nodes done.`;
});

// ---------- 3. handwriting ----------
const pad = new Float32Array(SIDE * SIDE);
const padCanvas = $<HTMLCanvasElement>('pad');
const seenCanvas = $<HTMLCanvasElement>('seen');
let digitsModel: tg.nn.Module | null = null;
let loading: Promise<void> | null = null;

function loadDigitsModel(): Promise<void> {
  loading ??= (async () => {
    try {
      const weights = await fetch(new URL('./assets/digits.safetensors', import.meta.url)).then((r) => r.arrayBuffer());
      // the architecture is code (digits-cnn.ts); the file holds only its weights, checked name by name and shape by shape
      digitsModel = digitsCnn().loadStateDict(tg.stateDictFromBytes(new Uint8Array(weights))).eval();
      $('model-note').textContent = 'The model: a small convolutional network (two 5×5 conv layers with max-pooling, then 128 units) trained with tapegrad on the 8,000 training digits of the demo (scripts/train-playground-digits.ts), loaded from safetensors.';
      $('guess').textContent = 'Draw a digit';
      drawPad();
    } catch (e) {
      $('guess').textContent = `Could not load the model: ${(e as Error).message}`;
    }
  })();
  return loading;
}

const probsList = $('probs');
for (let d = 0; d < 10; d++) {
  const li = document.createElement('li');
  li.innerHTML = `<label><meter min="0" max="1" value="0" id="p${d}"></meter> <span id="pv${d}">0.0%</span></label>`;
  probsList.append(li);
}

function drawPad(): void {
  const ctx = padCanvas.getContext('2d')!;
  const cell = padCanvas.width / SIDE;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, padCanvas.width, padCanvas.height);
  for (let k = 0; k < SIDE * SIDE; k++) {
    if (pad[k] <= 0) continue;
    const v = Math.round(pad[k] * 255);
    ctx.fillStyle = `rgb(${v},${v},${v})`;
    ctx.fillRect((k % SIDE) * cell, Math.floor(k / SIDE) * cell, cell, cell);
  }
  const seen = centerLikeMnist(pad);
  (window as unknown as { tapegradSeen: number[] }).tapegradSeen = Array.from(seen); // for the tests: the model's input
  drawPixels(seenCanvas, SIDE, (k) => { const v = Math.round(seen[k] * 255); return [v, v, v]; }, false);
  if (!digitsModel) return;
  const empty = !pad.some((v) => v > 0);
  const probs = empty ? new Float32Array(10) : readDigit(digitsModel, seen);
  (window as unknown as { tapegradProbs: number[] }).tapegradProbs = Array.from(probs); // for the tests: what the model said
  let best = 0;
  for (let d = 0; d < 10; d++) {
    if (probs[d] > probs[best]) best = d;
    $<HTMLMeterElement>(`p${d}`).value = probs[d];
    $(`pv${d}`).textContent = `${(probs[d] * 100).toFixed(1)}%`;
  }
  const guess = $('guess');
  guess.textContent = empty ? 'Draw a digit' : `It reads ${best} (${(probs[best] * 100).toFixed(1)}%)`;
  guess.dataset.digit = empty ? '' : String(best);
}

let drawing: [number, number] | null = null;
const padPoint = (e: PointerEvent): [number, number] => {
  const r = padCanvas.getBoundingClientRect();
  return [((e.clientX - r.left) / r.width) * SIDE, ((e.clientY - r.top) / r.height) * SIDE];
};
padCanvas.addEventListener('pointerdown', (e) => {
  padCanvas.setPointerCapture?.(e.pointerId);
  drawing = padPoint(e);
  stroke(pad, drawing[0], drawing[1], drawing[0], drawing[1]);
  drawPad();
});
padCanvas.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const p = padPoint(e);
  stroke(pad, drawing[0], drawing[1], p[0], p[1]);
  drawing = p;
  drawPad();
});
const endStroke = () => { drawing = null; };
padCanvas.addEventListener('pointerup', endStroke);
padCanvas.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', () => { pad.fill(0); drawPad(); });
padCanvas.addEventListener('keydown', (e) => { if (e.key === 'Delete' || e.key === 'Backspace') { pad.fill(0); drawPad(); } });
drawPad();
