// Per-output compile settings for models with several outputs (the functional API): losses, loss weights
// and metrics given by output name or in output order, checked against the output names, as Keras does.

import type { LossConfig, LossSpec, ResolvedLoss } from './losses.js';
import { resolveLoss } from './losses.js';
import { resolveMetrics } from './metrics.js';

/** One output's compile settings. */
export interface OutputCompile {
  /** The output's name (the layer that makes it, or its key in a record of outputs). */
  name: string;
  loss: ResolvedLoss;
  lossConfig: LossConfig | null;
  /** Its weight in the total loss (default 1). */
  weight: number;
  metricNames: string[];
}

/** Per output, or one value for all: a value, an array in output order, or a record by output name. */
export type PerOutput<T> = T | T[] | Record<string, T>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * The value for each output from a spec given once, in output order, or by output name. `single(v)` says
 * whether v is one value for all outputs (e.g. a loss name) rather than a list or record of them.
 */
export function perOutput<T>(spec: PerOutput<T> | undefined, names: readonly string[], what: string, single: (v: unknown) => boolean, fallback: T | undefined): T[] {
  if (spec === undefined) {
    if (fallback === undefined) throw new RangeError(`compile: ${what} is required`);
    return names.map(() => fallback);
  }
  if (Array.isArray(spec) && !single(spec)) {
    if (spec.length !== names.length) throw new RangeError(`compile: ${what} has ${spec.length} entries but the model has ${names.length} outputs (${names.join(', ')})`);
    return spec as T[];
  }
  if (isRecord(spec) && !single(spec)) {
    for (const k of Object.keys(spec)) {
      if (!names.includes(k)) throw new RangeError(`compile: ${what} names ${JSON.stringify(k)}, which is not an output; the outputs are ${names.join(', ')}`);
    }
    return names.map((n) => {
      if (Object.hasOwn(spec, n)) return (spec as Record<string, T>)[n];
      if (fallback === undefined) throw new RangeError(`compile: ${what} has no entry for output ${JSON.stringify(n)}; the outputs are ${names.join(', ')}`);
      return fallback;
    });
  }
  return names.map(() => spec as T);
}

const isLossValue = (v: unknown): boolean => typeof v === 'string' || typeof v === 'function' || (isRecord(v) && typeof v.name === 'string');

/** Resolves compile's loss, lossWeights and metrics for each output (names are checked here, before training). */
export function compileOutputs(
  names: readonly string[], loss: PerOutput<LossSpec>, lossWeights: PerOutput<number> | undefined, metrics: PerOutput<string[]> | undefined,
): OutputCompile[] {
  const losses = perOutput(loss, names, 'loss', isLossValue, undefined);
  const weights = perOutput(lossWeights, names, 'lossWeights', (v) => typeof v === 'number', 1);
  // a plain list of names applies to every output (as Keras 2 did); a list of lists or a record goes per output
  const metricLists = metrics === undefined ? names.map(() => [])
    : Array.isArray(metrics) && metrics.every((m) => typeof m === 'string') ? names.map(() => metrics as string[])
      : perOutput(metrics as PerOutput<string[]>, names, 'metrics', () => false, []);
  return names.map((name, i) => {
    const w = weights[i];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new RangeError(`compile: lossWeights for output ${JSON.stringify(name)} must be a finite number ≥ 0, got ${String(w)}`);
    const resolved = resolveLoss(losses[i], `compile (output ${name})`);
    resolveMetrics(metricLists[i], { kind: resolved.kind, units: 1, fromLogits: resolved.fromLogits }, `compile (output ${name})`); // names only
    return { name, loss: resolved, lossConfig: resolved.config, weight: w, metricNames: [...metricLists[i]] };
  });
}
