// Gradient mode: whether new operations are recorded on the tape.
// `noGrad(fn)` turns recording off for inference and optimizer updates, like torch.no_grad().

let enabled = true;

/**
 * Whether new operations are being recorded on the tape right now: false inside {@link noGrad}, true otherwise
 * (torch.is_grad_enabled).
 * @example
 * ```ts
 * tg.isGradEnabled();                   // true
 * tg.noGrad(() => tg.isGradEnabled());  // false
 * ```
 */
export function isGradEnabled(): boolean {
  return enabled;
}

const isThenable = (v: unknown): boolean =>
  (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';

function asyncError(where: string): TypeError {
  return new TypeError(
    `${where}: the callback is async (or returned a Promise). The grad mode cannot follow an await: operations after ` +
      `the first await would run with the mode already restored. Wrap the synchronous steps instead, e.g. ` +
      `\`const y = tg.noGrad(() => model.call(x)); await save(y);\``,
  );
}

/**
 * Runs fn with recording switched on or off, restoring the previous mode afterwards (even on throw). fn must be
 * synchronous: an async function is refused before it runs, and a returned Promise is an error.
 */
export function withGradMode<T>(on: boolean, fn: () => T, where = on ? 'enableGrad' : 'noGrad'): T {
  if (typeof fn !== 'function') throw new TypeError(`${where}: expected a function, got ${typeof fn}`);
  if (fn.constructor?.name === 'AsyncFunction' || fn.constructor?.name === 'AsyncGeneratorFunction') throw asyncError(where);
  const prev = enabled;
  enabled = on;
  let out: T;
  try {
    out = fn();
  } finally {
    enabled = prev;
  }
  if (isThenable(out)) throw asyncError(where);
  return out;
}

/**
 * Runs fn without recording operations: results have requiresGrad = false (torch.no_grad). Use it for
 * inference and for hand-written parameter updates; returns fn's result.
 * @example
 * ```ts
 * const w = tg.randn([3], { requiresGrad: true });
 * const y = tg.noGrad(() => w.mul(2)); // y.requiresGrad === false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with recording on (inside a noGrad block, for example). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** How many backward passes are running (the tape may read tensors the caller disposed but the graph saved). */
let backwardDepth = 0;

/** @internal Runs fn as part of a backward pass: VJPs may use saved tensors the caller has disposed. */
export function asBackward<T>(fn: () => T): T {
  backwardDepth++;
  try {
    return fn();
  } finally {
    backwardDepth--;
  }
}

/**
 * @internal Starts a backward pass (as asBackward) with recording set to `record` (as withGradMode), without a
 * callback: the tape's loop stays free of closures. Returns what {@link exitBackward} restores; pair them in
 * try/finally.
 */
export function enterBackward(record: boolean): boolean {
  const prev = enabled;
  backwardDepth++;
  enabled = record;
  return prev;
}

/** @internal Ends the backward pass {@link enterBackward} started, restoring the recording mode it returned. */
export function exitBackward(previous: boolean): void {
  enabled = previous;
  backwardDepth--;
}

/** @internal True inside a backward pass (see {@link asBackward}). */
export function inBackward(): boolean {
  return backwardDepth > 0;
}
