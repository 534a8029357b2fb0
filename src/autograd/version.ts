// Version counters, as PyTorch keeps them: every write into a tensor's storage after it was made (an optimizer
// step, loadStateDict, an in-place init) bumps the storage's counter. The tape notes the counters of each op's
// inputs and output when it records the op, and backward refuses a VJP whose saved tensors have changed since.
// A storage is the typed array under a tensor, shared by its views (NDArray's view methods keep `data`).

import type { TypedArray } from '../tensor/dtype.js';

/**
 * The counts of storages written in place at least once. Keyed on the typed array itself, never on its
 * `.buffer` (reading that moves a small array out of V8's heap), and only written by `bumpVersion`: the
 * arrays that ops make fresh, nearly all of them, are never entered, so recording an op costs one lookup.
 */
const versions = new WeakMap<TypedArray, number>();

/** How many in-place writes the storage has had (0 for storage never written in place). */
export function storageVersion(data: TypedArray): number {
  return versions.get(data) ?? 0;
}

/**
 * Marks one in-place write into `data`, and so into every view of it. When a write replaces a tensor's storage
 * (a strided parameter made dense, loadStateDict's fresh copy), pass the storage it replaces as `previous`: the
 * new one then continues its count, so the tensor's version still goes up.
 */
export function bumpVersion(data: TypedArray, previous?: TypedArray): void {
  const before = Math.max(storageVersion(data), previous ? storageVersion(previous) : 0);
  versions.set(data, before + 1);
}
