// toString for arrays, in PyTorch's style: tensor([[1.0000, 2.0000], ...]) with "..." for large ones.
// Elements share one width and precision so columns line up.

import type { NDArray } from './ndarray.js';

const EDGE = 3; // elements shown at each end of a long dimension
const THRESHOLD = 1000; // summarise arrays with more elements than this

function formatNumber(v: number, intLike: boolean, sci: boolean, int = false): string {
  if (int) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (sci) return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2'); // two-digit exponent, as PyTorch
  if (intLike) return `${v.toFixed(0)}.`;
  return v.toFixed(4);
}

/** Formats an array like PyTorch prints tensors; `suffix` is appended inside the parentheses. */
export function formatArray(x: NDArray, suffix = ''): string {
  const v = x.contiguous();
  const data = v.data;
  const summarise = x.size > THRESHOLD;
  let intLike = true;
  let maxAbs = 0;
  let minAbs = Infinity;
  for (let i = 0; i < data.length; i++) {
    const a = data[i];
    if (!Number.isFinite(a)) continue;
    if (a !== Math.round(a)) intLike = false;
    const m = Math.abs(a);
    if (m > maxAbs) maxAbs = m;
    if (m > 0 && m < minAbs) minAbs = m;
  }
  const sci = !intLike && (maxAbs >= 1e8 || (minAbs < 1e-4 && maxAbs > 0) || maxAbs / minAbs > 1e6);
  let width = 0;
  const int = x.dtype === 'int32'; // integers print without the trailing dot of integral floats, as PyTorch
  for (let i = 0; i < data.length; i++) width = Math.max(width, formatNumber(data[i], intLike, sci, int).length);
  const strides: number[] = [];
  for (let d = x.ndim - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= x.shape[d];
  }
  const pad = (s: string) => s.padStart(width);
  const render = (dim: number, base: number, indent: string): string => {
    if (dim === x.ndim) return pad(formatNumber(data[base], intLike, sci, int));
    const n = x.shape[dim];
    const idx: (number | null)[] = [];
    if (summarise && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else for (let i = 0; i < n; i++) idx.push(i);
    const parts = idx.map((i) => (i === null ? '...' : render(dim + 1, base + i * strides[dim], `${indent} `)));
    if (dim === x.ndim - 1) return `[${parts.join(', ')}]`;
    const sep = `,${'\n'.repeat(x.ndim - dim - 1)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const dtypeNote = x.dtype === 'float32' ? '' : `dtype=${x.dtype}`;
  const extras = [dtypeNote, suffix].filter((s) => s.length > 0);
  const body = x.size === 0 ? `[]` : render(0, 0, '       ');
  const tail = x.size === 0 ? [`size=[${x.shape.join(', ')}]`, ...extras] : extras;
  return `tensor(${body}${tail.length ? `, ${tail.join(', ')}` : ''})`;
}
