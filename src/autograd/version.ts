// Version counters, as PyTorch keeps them: every write into a tensor's storage after it was made (an optimizer
// step, loadStateDict, an in-place init) bumps the storage's counter. The tape notes the counters of each op's
// inputs and output when it records the op, and backward refuses a VJP whose saved tensors have changed since.

/** Anything backed by a buffer: the typed array under a tensor (views of one storage share its buffer). */
type Storage = { readonly buffer: ArrayBufferLike };

const versions = new WeakMap<ArrayBufferLike, number>();

/** How many in-place writes the storage has had (0 for storage never written in place). */
export function storageVersion(data: Storage): number {
  return versions.get(data.buffer) ?? 0;
}

/**
 * Marks one in-place write into `data`, and so into every view of it. When a write replaces a tensor's storage
 * (a strided parameter made dense, loadStateDict's fresh copy), pass the storage it replaces as `previous`: the
 * new one then continues its count, so the tensor's version still goes up.
 */
export function bumpVersion(data: Storage, previous?: Storage): void {
  const before = Math.max(storageVersion(data), previous ? storageVersion(previous) : 0);
  versions.set(data.buffer, before + 1);
}
