// Name lookup for the Keras-style API: activations, losses, optimizers, metrics and initializers are
// chosen by name from fixed allowlists. Names match in camelCase or Keras snake_case, any letter case.

/** Lower-cases and drops underscores: 'binary_crossentropy', 'binaryCrossentropy' and 'BinaryCrossentropy' agree. */
export function nameKey(name: string): string {
  return name.toLowerCase().replace(/_/g, '');
}

/**
 * Keras' default layer name for a class name (its to_snake_case): 'MaxPooling2D' → 'max_pooling2d',
 * 'Conv2DTranspose' → 'conv2d_transpose', 'SimpleRNN' → 'simple_rnn', 'LSTM' → 'lstm'.
 */
export function snakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** One table entry: [canonical name, value, ...aliases]. */
export type NameEntry<T> = readonly [string, T, ...string[]];

/** Keras' snake_case spelling of a camelCase name: 'leakyRelu' → 'leaky_relu'. */
export type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;

/**
 * The names of a table's entries (canonical names, aliases, and their snake_case spellings) as a
 * string-literal union: editors complete them and typos fail to compile (lookups also ignore letter case).
 */
export type NamesOf<E extends readonly NameEntry<unknown>[]> = {
  [I in keyof E]: E[I] extends readonly [infer N extends string, unknown, ...infer A extends string[]] ? N | A[number] | SnakeCase<N | A[number]> : never;
}[number];

/**
 * A NameTable whose names are a string-literal union: `nameTable<Def>()('loss', [...])` (two calls, so the
 * value type is given and the names are inferred).
 */
export const nameTable = <T>() => <const N extends string>(what: string, entries: readonly (readonly [N, T, ...N[]])[]): NameTable<T, N> =>
  new NameTable<T, N>(what, entries);

/** The names a NameTable accepts, with their snake_case spellings: editors complete them, typos fail to compile. */
export type NameOf<X> = X extends NameTable<unknown, infer N> ? N | SnakeCase<N> : never;

/** A fixed table of named things; lookups never touch an object prototype (it is a Map). */
export class NameTable<T, N extends string = string> {
  private readonly byKey = new Map<string, { name: N; value: T }>();
  readonly names: N[] = [];

  /** entries: [canonical name, value, ...aliases]. */
  constructor(readonly what: string, entries: readonly (readonly [N, T, ...N[]])[]) {
    for (const [name, value, ...aliases] of entries) {
      this.names.push(name);
      for (const n of [name, ...aliases]) this.byKey.set(nameKey(n), { name, value });
    }
  }

  has(name: unknown): boolean {
    return typeof name === 'string' && this.byKey.has(nameKey(name));
  }

  /** The canonical name and value for `name`; throws listing the known names otherwise. */
  get(name: unknown, where: string): { name: N; value: T } {
    const hit = typeof name === 'string' ? this.byKey.get(nameKey(name)) : undefined;
    if (!hit) {
      const shown = typeof name === 'string' ? JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name) : typeof name;
      throw new RangeError(`${where}: unknown ${this.what} ${shown} (known: ${this.names.join(', ')})`);
    }
    return hit;
  }
}
