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

/** Runs fn with recording switched on or off, restoring the previous mode afterwards (even on throw). */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
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
