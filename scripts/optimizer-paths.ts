// Draws docs/img/optimizer-paths.svg: the paths SGD, SGD with momentum, Adam and AdamW take across a long,
// narrow, tilted valley. The steps come from tapegrad's own optimizers; the SVG is written by hand.

import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';

// The valley: f(x, y) = ½·(u² + 20·v²), with (u, v) the offset from the minimum M rotated by 30°.
// Along u it is shallow, across it (v) 20 times steeper: the shape that makes plain SGD zig-zag.
const M = [1, 0.5];
const COS = Math.cos(Math.PI / 6);
const SIN = Math.sin(Math.PI / 6);
const STEEP = 20;
export const START = [-2.9, -0.8];
export const STEPS = 60;

/** f on a [2] parameter tensor, built from tape ops so backward() gives its gradient. */
export function valley(p: tg.Tensor): tg.Tensor {
  const dx = p.slice(0, 0, 1).sub(M[0]);
  const dy = p.slice(0, 1, 2).sub(M[1]);
  const u = dx.mul(COS).add(dy.mul(SIN));
  const v = dy.mul(COS).sub(dx.mul(SIN));
  return u.square().add(v.square().mul(STEEP)).mul(0.5).sum();
}

/** The same function on plain numbers, for the contour lines. */
function valleyAt(x: number, y: number): number {
  const dx = x - M[0];
  const dy = y - M[1];
  const u = dx * COS + dy * SIN;
  const v = dy * COS - dx * SIN;
  return 0.5 * (u * u + STEEP * v * v);
}

export interface Run {
  label: string;
  color: string;
  make: (params: tg.Tensor[]) => tg.optim.Optimizer<tg.optim.BaseOptions>;
}

export const RUNS: Run[] = [
  { label: 'SGD, lr 0.09', color: '#0072B2', make: (p) => new tg.optim.SGD(p, { lr: 0.09 }) },
  { label: 'SGD + momentum 0.8, lr 0.02', color: '#E69F00', make: (p) => new tg.optim.SGD(p, { lr: 0.02, momentum: 0.8 }) },
  { label: 'Adam, lr 0.2', color: '#009E73', make: (p) => new tg.optim.Adam(p, { lr: 0.2 }) },
  { label: 'AdamW, lr 0.2, weight decay 0.5', color: '#CC79A7', make: (p) => new tg.optim.AdamW(p, { lr: 0.2, weightDecay: 0.5 }) },
];

/** The points one optimizer visits: the start, then the parameter after each of `steps` steps. */
export function path(run: Run, steps = STEPS): [number, number][] {
  const p = new tg.nn.Parameter(tg.tensor(START, { dtype: 'float64' }));
  const opt = run.make([p]);
  const out: [number, number][] = [[START[0], START[1]]];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    valley(p).backward();
    opt.step();
    const [x, y] = p.dataSync();
    out.push([x, y]);
  }
  return out;
}

// ---- the picture ---------------------------------------------------------------------------------

const W = 640;
const H = 420;
const PAD = { left: 44, right: 16, top: 34, bottom: 36 };
const X0 = -3.5;
const X1 = 2.5;
const Y0 = -2.1;
const Y1 = 1.9;
const px = (x: number) => PAD.left + ((x - X0) / (X1 - X0)) * (W - PAD.left - PAD.right);
const py = (y: number) => H - PAD.bottom - ((y - Y0) / (Y1 - Y0)) * (H - PAD.top - PAD.bottom);
const r1 = (v: number) => String(Math.round(v * 10) / 10);

/**
 * Contour segments of one level by marching squares: each grid cell whose corners straddle the level
 * contributes one segment (two for a saddle), with end points interpolated along the cell's edges.
 */
function contour(level: number, nx: number, ny: number): string {
  const xs = Array.from({ length: nx + 1 }, (_, i) => X0 + ((X1 - X0) * i) / nx);
  const ys = Array.from({ length: ny + 1 }, (_, j) => Y0 + ((Y1 - Y0) * j) / ny);
  const v = ys.map((y) => xs.map((x) => valleyAt(x, y)));
  const parts: string[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      // corners counter-clockwise from bottom-left, and the point where the level crosses each edge
      const c = [[xs[i], ys[j], v[j][i]], [xs[i + 1], ys[j], v[j][i + 1]], [xs[i + 1], ys[j + 1], v[j + 1][i + 1]], [xs[i], ys[j + 1], v[j + 1][i]]];
      const cross: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const [xa, ya, va] = c[e];
        const [xb, yb, vb] = c[(e + 1) % 4];
        if ((va < level) !== (vb < level)) {
          const t = (level - va) / (vb - va);
          cross.push([xa + t * (xb - xa), ya + t * (yb - ya)]);
        }
      }
      for (let k = 0; k + 1 < cross.length; k += 2) {
        parts.push(`M${r1(px(cross[k][0]))} ${r1(py(cross[k][1]))}L${r1(px(cross[k + 1][0]))} ${r1(py(cross[k + 1][1]))}`);
      }
    }
  }
  return parts.join('');
}

/** The whole SVG document as a string. */
export function optimizerPathsSvg(): string {
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push('<title>Paths of SGD, momentum, Adam and AdamW on a narrow tilted valley</title>');
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${STEPS} steps on f(x, y) = ½(u² + ${STEEP}v²), a valley tilted by 30°, from (${START.join(', ')})</text>`);
  // contour lines at f = 0.25, 0.5, 1, 2, ..., 64 (each one doubles f)
  for (let k = -2; k <= 6; k++) {
    out.push(`<path d="${contour(2 ** k, 160, 100)}" fill="none" stroke="#c8c8c8" stroke-width="1"/>`);
  }
  // axes
  const axisY = H - PAD.bottom;
  out.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${axisY - PAD.top}" fill="none" stroke="#444"/>`);
  for (let x = Math.ceil(X0); x <= X1; x++) {
    out.push(`<line x1="${r1(px(x))}" y1="${axisY}" x2="${r1(px(x))}" y2="${axisY + 4}" stroke="#444"/>`);
    out.push(`<text x="${r1(px(x))}" y="${axisY + 16}" text-anchor="middle">${x}</text>`);
  }
  for (let y = Math.ceil(Y0); y <= Y1; y++) {
    out.push(`<line x1="${PAD.left - 4}" y1="${r1(py(y))}" x2="${PAD.left}" y2="${r1(py(y))}" stroke="#444"/>`);
    out.push(`<text x="${PAD.left - 7}" y="${r1(py(y) + 4)}" text-anchor="end">${y}</text>`);
  }
  out.push(`<text x="${W - PAD.right}" y="${H - 6}" text-anchor="end">x</text>`);
  out.push(`<text x="12" y="${PAD.top + 10}">y</text>`);
  // the paths, one dot per step
  for (const run of RUNS) {
    const pts = path(run).map(([x, y]) => [px(x), py(y)]);
    out.push(`<polyline points="${pts.map(([x, y]) => `${r1(x)},${r1(y)}`).join(' ')}" fill="none" stroke="${run.color}" stroke-width="1.6" stroke-linejoin="round"/>`);
    out.push(`<g fill="${run.color}">${pts.map(([x, y]) => `<circle cx="${r1(x)}" cy="${r1(y)}" r="2"/>`).join('')}</g>`);
  }
  // start and minimum
  out.push(`<circle cx="${r1(px(START[0]))}" cy="${r1(py(START[1]))}" r="4.5" fill="white" stroke="#000" stroke-width="1.5"/>`);
  out.push(`<text x="${r1(px(START[0]) + 8)}" y="${r1(py(START[1]) - 8)}">start</text>`);
  out.push(`<path d="M${r1(px(M[0]) - 6)} ${r1(py(M[1]))}h12M${r1(px(M[0]))} ${r1(py(M[1]) - 6)}v12" stroke="#000" stroke-width="2"/>`);
  out.push(`<text x="${r1(px(M[0]) + 9)}" y="${r1(py(M[1]) + 16)}">minimum (${M.join(', ')})</text>`);
  // legend
  const lx = PAD.left + 10;
  const ly = PAD.top + 22;
  out.push(`<rect x="${lx - 6}" y="${ly - 14}" width="236" height="${RUNS.length * 18 + 8}" fill="white" fill-opacity="0.9" stroke="#bbb"/>`);
  RUNS.forEach((run, i) => {
    const y = ly + i * 18;
    out.push(`<line x1="${lx}" y1="${y - 4}" x2="${lx + 22}" y2="${y - 4}" stroke="${run.color}" stroke-width="2.5"/>`);
    out.push(`<text x="${lx + 30}" y="${y}">${run.label}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function main(): void {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'img', 'optimizer-paths.svg');
  writeFileSync(file, optimizerPathsSvg());
  console.log(`wrote ${file}`);
  for (const run of RUNS) {
    const end = path(run).at(-1)!;
    console.log(`${run.label.padEnd(34)} ends at (${end[0].toFixed(3)}, ${end[1].toFixed(3)}), f = ${valleyAt(end[0], end[1]).toExponential(2)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
