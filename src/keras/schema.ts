// Layer config fields, declared once per layer class: each field parses and checks an untrusted value.
// The same schema checks a user's tg.layers.dense({...}) call and a layer read back from model.json.

import type { DType } from '../tensor/dtype.js';
import { Generator } from '../tensor/random.js';
import { ACTIVATIONS } from './activations.js';
import { INITIALIZERS } from './initializers.js';
import { suggestKey } from '../tensor/validate.js';

/** Size limits every layer config obeys (the model loader may pass tighter ones). */
export interface ConfigLimits {
  /** Largest `units` (default 2^20). */
  maxUnits: number;
  /** Largest input dimension (default 2^24). */
  maxDim: number;
}
/** The limits a layer built in code obeys. */
export const DEFAULT_LIMITS: ConfigLimits = { maxUnits: 1 << 20, maxDim: 1 << 24 };

/** What is wrong with a config field; the model loader reports it as the ModelLoadError code of the same name. */
export type ConfigErrorCode = 'BAD_VALUE' | 'TOO_LARGE' | 'MISSING_FIELD' | 'UNKNOWN_FIELD';

/** A bad layer config (a RangeError): names the layer and the field; `code` says which kind of problem. */
export class ConfigError extends RangeError {
  constructor(readonly code: ConfigErrorCode, message: string) {
    super(message);
  }
}

/** Where a field is being read: the layer ('dense', or 'layer 0 (dense)' in a file), the key and the limits. */
export interface FieldContext {
  where: string;
  key: string;
  limits: ConfigLimits;
}

/**
 * One config field. `parse` gets the raw value (undefined when absent) and returns the checked value or
 * throws a ConfigError. `saved` fields go to model.json; the others are construction-only arguments
 * (a generator, inputDim), refused in a file. An `initGenerator` field is the source of initial weights:
 * the loader fills it with a throwaway generator, since the weights are read from the file.
 */
export interface Field<T> {
  readonly saved: boolean;
  readonly initGenerator?: boolean;
  parse(value: unknown, ctx: FieldContext): T;
}

/** A layer's config fields by name. */
export type Schema = Readonly<Record<string, Field<unknown>>>;
/** The checked config a schema produces. */
export type ConfigOf<S extends Schema> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** Short, safe description of an untrusted value for messages. */
export const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);

function bad(ctx: FieldContext, message: string, code: ConfigErrorCode = 'BAD_VALUE'): never {
  throw new ConfigError(code, `${ctx.where}: ${ctx.key} ${message}`);
}

/** Runs a check that throws a plain Error (a name table lookup) and re-throws it as a ConfigError. */
function rethrow<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('BAD_VALUE', e instanceof Error ? e.message : String(e));
  }
}

const optional = <T>(parse: (v: unknown, ctx: FieldContext) => T) => (v: unknown, ctx: FieldContext): T | undefined =>
  (v === undefined ? undefined : parse(v, ctx));

/** Field constructors: one per kind of value a layer config holds. */
export const field = {
  /** A required integer in [1, limits.maxUnits] (units, filters, ...). */
  units: (): Field<number> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined) bad(ctx, 'is required', 'MISSING_FIELD');
      if (!Number.isSafeInteger(v) || (v as number) < 1) bad(ctx, `must be a positive integer, got ${show(v)}`);
      if ((v as number) > ctx.limits.maxUnits) bad(ctx, `${v as number} exceeds the limit of ${ctx.limits.maxUnits}`, 'TOO_LARGE');
      return v as number;
    },
  }),
  /** A required number in [lo, hi) (a dropout rate). */
  fraction: (): Field<number> => ({
    saved: true,
    parse: (v, ctx) => {
      if (typeof v !== 'number' || !(v >= 0 && v < 1)) bad(ctx, `must be a number in [0, 1), got ${show(v)}`);
      return v;
    },
  }),
  /** A positive finite number, with a default (an epsilon). */
  positive: (defaultValue: number): Field<number> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined) return defaultValue;
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) bad(ctx, `must be a positive number, got ${show(v)}`);
      return v;
    },
  }),
  /** true or false, with a default. */
  bool: (defaultValue: boolean): Field<boolean> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined) return defaultValue;
      if (typeof v !== 'boolean') bad(ctx, `must be true or false, got ${show(v)}`);
      return v;
    },
  }),
  /** An activation name (canonical name kept), with a default (required when the default is null). */
  activation: (defaultValue: string | null): Field<string> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined && defaultValue === null) bad(ctx, "is required, e.g. 'relu'", 'MISSING_FIELD');
      return rethrow(() => ACTIVATIONS.get(v ?? defaultValue, ctx.where).name);
    },
  }),
  /** An initializer name (canonical name kept), with a default. */
  initializer: (defaultValue: string): Field<string> => ({
    saved: true,
    parse: (v, ctx) => rethrow(() => INITIALIZERS.get(v ?? defaultValue, `${ctx.where}: ${ctx.key}`).name),
  }),
  /** 'float32' (default) or 'float64'. */
  dtype: (): Field<DType> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined) return 'float32';
      if (v !== 'float32' && v !== 'float64') bad(ctx, `must be 'float32' or 'float64', got ${show(v)}`);
      return v;
    },
  }),
  /** A layer or model name: 1 to 128 letters, digits, '_', '-', '.'; optional. */
  name: (): Field<string | undefined> => ({ saved: true, parse: optional((v, ctx) => checkName(v, ctx.where)) }),
  /** The shape of one input row without the batch dim; optional (only on a model's first layer). */
  inputShape: (): Field<number[] | undefined> => ({ saved: true, parse: optional((v, ctx) => checkShapeArg(v, ctx.where, ctx.limits)) }),
  /** A construction-only positive integer (inputDim). */
  argInt: (): Field<number | undefined> => ({
    saved: false,
    parse: optional((v, ctx) => {
      if (!Number.isSafeInteger(v) || (v as number) < 1 || (v as number) > ctx.limits.maxDim) bad(ctx, `must be an integer in [1, ${ctx.limits.maxDim}], got ${show(v)}`);
      return v as number;
    }),
  }),
  /** A finite number with a default (required when the default is null) that must pass `ok`, described by `what`. */
  number: (defaultValue: number | null, ok: (v: number) => boolean = () => true, what = 'a finite number'): Field<number> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined && defaultValue === null) bad(ctx, `is required (${what})`, 'MISSING_FIELD');
      const x = v ?? defaultValue;
      if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) bad(ctx, `must be ${what}, got ${show(v)}`);
      return x as number;
    },
  }),
  /** One of a fixed list of strings, with a default. */
  choice: <T extends string>(values: readonly T[], defaultValue: T): Field<T> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined) return defaultValue;
      if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) bad(ctx, `must be one of ${values.map((x) => `'${x}'`).join(', ')}, got ${show(v)}`);
      return v as T;
    },
  }),
  /**
   * A Keras augmentation factor: a number f (the range [−f, f]) or a [low, high] pair with low ≤ high, every value
   * at least `min`; required unless `optional`.
   */
  factor: (optional = false, min = -Infinity): Field<number | [number, number] | undefined> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined || v === null) {
        if (!optional) bad(ctx, 'is required: a number f (the range [−f, f]) or a [low, high] pair', 'MISSING_FIELD');
        return undefined;
      }
      const pair = typeof v === 'number' ? [-Math.abs(v), Math.abs(v)] : v;
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((x) => typeof x === 'number' && Number.isFinite(x)) || pair[0] > pair[1]) {
        bad(ctx, `must be a finite number or a [low, high] pair with low ≤ high, got ${Array.isArray(v) ? JSON.stringify(v) : show(v)}`);
      }
      if (pair[0] < min) bad(ctx, `must not go below ${min}, got ${JSON.stringify(v)}`);
      return typeof v === 'number' ? v : [pair[0], pair[1]];
    },
  }),
  /** A [low, high] value range with low < high (Keras' value_range), with a default. */
  valueRange: (defaultValue: [number, number]): Field<[number, number]> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined || v === null) return [...defaultValue];
      if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || !(v[0] < v[1])) {
        bad(ctx, `must be a [low, high] pair of finite numbers with low < high, got ${Array.isArray(v) ? JSON.stringify(v) : show(v)}`);
      }
      return [v[0], v[1]];
    },
  }),
  /** An optional integer seed (saved, so a loaded layer draws the same augmentations). */
  seed: (): Field<number | undefined> => ({
    saved: true,
    parse: optional((v, ctx) => {
      if (!Number.isSafeInteger(v)) bad(ctx, `must be an integer, got ${show(v)}`);
      return v as number;
    }),
  }),
  /**
   * A size per spatial axis (kernelSize, strides, poolSize, ...): one integer for every axis or a list of `nd`,
   * each at least `min`; kept as the list. Required when the default is null; `optional` makes absent mean undefined.
   */
  sizes: (nd: number, defaultValue: number | null, min = 1): Field<number[]> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined && defaultValue === null) bad(ctx, `is required: an integer or a list of ${nd}`, 'MISSING_FIELD');
      return parseSizes(v ?? defaultValue, nd, min, ctx);
    },
  }),
  /** An optional size per spatial axis (a pooling layer's strides: absent means the pool size). */
  optionalSizes: (nd: number, min = 1): Field<number[] | undefined> => ({
    saved: true,
    parse: (v, ctx) => (v === undefined || v === null ? undefined : parseSizes(v, nd, min, ctx)),
  }),
  /** An integer (an axis), with a default. */
  int: (defaultValue: number): Field<number> => ({
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined) return defaultValue;
      if (!Number.isSafeInteger(v)) bad(ctx, `must be an integer, got ${show(v)}`);
      return v as number;
    },
  }),
  /** A construction-only tg.Generator; `init` marks the source of initial weights (see {@link Field}). */
  generator: (init: boolean): Field<Generator | undefined> => ({
    saved: false,
    initGenerator: init,
    parse: optional((v, ctx) => {
      if (!(v instanceof Generator)) bad(ctx, 'must be a tg.Generator');
      return v;
    }),
  }),
};

/** One integer per axis from a number or a list of `nd` numbers, each an integer in [min, limits.maxDim]. */
function parseSizes(v: unknown, nd: number, min: number, ctx: FieldContext): number[] {
  const list = typeof v === 'number' ? new Array<number>(nd).fill(v) : v;
  const ok = (d: unknown) => Number.isSafeInteger(d) && (d as number) >= min && (d as number) <= ctx.limits.maxDim;
  if (!Array.isArray(list) || list.length !== nd || !list.every(ok)) {
    const what = min > 0 ? 'a positive integer' : 'a non-negative integer';
    bad(ctx, `must be ${what}${nd > 1 ? ` or a list of ${nd} of them` : ''}, got ${Array.isArray(v) ? JSON.stringify(v).slice(0, 60) : show(v)}`);
  }
  return [...(list as number[])];
}

/** Checks a layer or model name: 1 to 128 letters, digits, '_', '-', '.'. */
export function checkName(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(v)) {
    throw new ConfigError('BAD_VALUE', `${where}: name must be 1 to 128 letters, digits, '_', '-' or '.', got ${show(v)}`);
  }
  return v;
}

/** Checks a shape without its batch dim: 1 to 8 positive integers, each at most limits.maxDim. */
export function checkShapeArg(v: unknown, where: string, limits: ConfigLimits = DEFAULT_LIMITS): number[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > 8) throw new ConfigError('BAD_VALUE', `${where}: inputShape must be an array of 1 to 8 positive integers, got ${show(v)}`);
  for (const d of v) {
    if (!Number.isSafeInteger(d) || d < 1 || d > limits.maxDim) {
      throw new ConfigError('BAD_VALUE', `${where}: inputShape [${v.map(show).join(',')}] has dimension ${show(d)}, not an integer in [1, ${limits.maxDim}]`);
    }
  }
  return [...(v as number[])];
}

/** The fields every layer has: an optional name and, on a model's first layer, the input shape. */
export const LAYER_FIELDS = { name: field.name(), inputShape: field.inputShape() } satisfies Schema;

/** Where the config comes from: a user's call (construction-only fields allowed) or a saved file. */
export type ConfigSource = 'code' | 'file';

/**
 * Checks a raw config against a schema: it must be an object, have no field outside the schema (and, from a
 * file, no construction-only field), and every field must parse. Returns the checked config.
 */
export function parseConfig<S extends Schema>(schema: S, raw: unknown, where: string, limits: ConfigLimits, source: ConfigSource, example: string): ConfigOf<S> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('BAD_VALUE', `${where}: expected a config object such as ${example}`);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const f = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!f || (source === 'file' && !f.saved)) {
      const known = Object.keys(schema).filter((k) => source === 'code' || schema[k].saved);
      const guess = suggestKey(key, known);
      const hint = guess === undefined ? '' : ` (did you mean ${show(guess)}?)`;
      throw new ConfigError('UNKNOWN_FIELD', `${where} has an unknown field ${show(key)}${hint} (fields: ${known.join(', ')})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema)) {
    const f = schema[key];
    // a file's weights replace the initial ones, so their draws come from a throwaway generator
    const value = source === 'file' && f.initGenerator ? new Generator(0) : Object.hasOwn(obj, key) ? obj[key] : undefined;
    out[key] = f.parse(value, { where, key, limits });
  }
  return out as ConfigOf<S>;
}

/** The saved fields of a checked config, as JSON values (absent optional fields left out). */
export function savedConfig<S extends Schema>(schema: S, config: ConfigOf<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema)) {
    const v = (config as Record<string, unknown>)[key];
    if (schema[key].saved && v !== undefined) out[key] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return out;
}
