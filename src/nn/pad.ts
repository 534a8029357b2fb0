// F.pad: constant, reflect, replicate and circular padding, composed from slice, concat and indexSelect.
// Each padded dim is one concat (constant) or one indexSelect (the others), so gradients need no new rule.

import { concat } from '../autograd/functions.js';
import type { Tensor } from '../autograd/tensor.js';

/** How {@link pad} fills the new border: a constant, the mirror image without the edge, the edge repeated, or wrap-around. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/** The source index of each output position along a dim of size n padded by (left, right). */
function sourceIndices(n: number, left: number, right: number, mode: Exclude<PadMode, 'constant'>): number[] {
  const out: number[] = [];
  for (let i = -left; i < n + right; i++) {
    if (mode === 'replicate') out.push(Math.min(Math.max(i, 0), n - 1));
    else if (mode === 'circular') out.push(((i % n) + n) % n);
    else out.push(i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i); // reflect: mirror about the edge element
  }
  return out;
}

/**
 * Pads `input` (torch.nn.functional.pad). `pad` lists (left, right) pairs starting from the last dim:
 * `[1, 2]` pads the last dim by 1 before and 2 after, `[1, 1, 2, 2]` also the dim before it by 2 on each side.
 * 'constant' fills with `value` (a negative amount crops instead); 'reflect' mirrors the input without repeating
 * the edge (each amount below the dim's size); 'replicate' repeats the edge; 'circular' wraps around
 * (each amount at most the dim's size).
 * @example
 * ```ts
 * const x = tg.tensor([[1, 2, 3]]);
 * tg.nn.functional.pad(x, [2, 1]);            // [[0, 0, 1, 2, 3, 0]]
 * tg.nn.functional.pad(x, [2, 1], 'reflect'); // [[3, 2, 1, 2, 3, 2]]
 * tg.nn.functional.pad(x, [1, 1], 'replicate'); // [[1, 1, 2, 3, 3]]
 * ```
 */
export function pad(input: Tensor, pad: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (!MODES.includes(mode)) throw new RangeError(`pad: unknown mode ${JSON.stringify(mode)} (known: ${MODES.map((m) => `'${m}'`).join(', ')})`);
  if (!Array.isArray(pad) || pad.length % 2 !== 0) throw new RangeError(`pad: expected an even number of pad amounts, got [${pad}]`);
  if (pad.length / 2 > input.ndim) {
    throw new RangeError(`pad: ${pad.length / 2} (left, right) pairs for a tensor of ${input.ndim} dims (shape [${input.shape}])`);
  }
  for (const p of pad) if (!Number.isInteger(p)) throw new RangeError(`pad: amounts must be integers, got [${pad}]`);
  if (typeof value !== 'number') throw new TypeError(`pad: value must be a number, got ${typeof value}`);
  if (mode !== 'constant' && value !== 0) throw new RangeError(`pad: value is only used by mode 'constant', got mode '${mode}' and value ${value}`);
  let x = input;
  for (let k = 0; k < pad.length / 2; k++) {
    const dim = x.ndim - 1 - k;
    const [left, right] = [pad[2 * k], pad[2 * k + 1]];
    if (left === 0 && right === 0) continue;
    const n = x.shape[dim];
    if (mode === 'constant') {
      // negative amounts crop: slice first, then concat the constant blocks on the positive sides
      if (left < 0 || right < 0) {
        if (-Math.min(left, 0) - Math.min(right, 0) > n) {
          throw new RangeError(`pad: cropping [${left}, ${right}] removes more than the ${n} elements of dim ${dim}`);
        }
        x = x.slice(dim, Math.max(-left, 0), n + Math.min(right, 0));
      }
      const block = (m: number) => x.newFull(x.shape.map((d, i) => (i === dim ? m : d)), value);
      const parts = [...(left > 0 ? [block(left)] : []), x, ...(right > 0 ? [block(right)] : [])];
      x = parts.length === 1 ? x : concat(parts, dim);
      continue;
    }
    if (left < 0 || right < 0) throw new RangeError(`pad: mode '${mode}' needs non-negative amounts, got [${left}, ${right}] for dim ${dim}`);
    if (n === 0) throw new RangeError(`pad: mode '${mode}' cannot pad the empty dim ${dim} of shape [${x.shape}]`);
    const limit = mode === 'reflect' ? n - 1 : mode === 'circular' ? n : Infinity;
    if (left > limit || right > limit) {
      const rule = mode === 'reflect' ? 'below' : 'at most';
      throw new RangeError(`pad: mode '${mode}' needs amounts ${rule} the size ${n} of dim ${dim}, got [${left}, ${right}]`);
    }
    x = x.indexSelect(dim, sourceIndices(n, left, right, mode));
  }
  return x;
}

