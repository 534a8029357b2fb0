// toDot: the graph the tape recorded behind a tensor, as Graphviz DOT text (render it with `dot -Tsvg`).
// Pure string building, no Graphviz needed; parameters are told from inputs by Tensor.isParameter.

import { graphOrder } from './tape.js';
import { type Node, Tensor } from './tensor.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** Names for tensors: `model.namedParameters()`, a Map from tensor to name (or name to tensor), or a plain object. */
export type DotNames =
  | Iterable<readonly [string, Tensor]>
  | ReadonlyMap<Tensor, string>
  | ReadonlyMap<string, Tensor>
  | Readonly<Record<string, Tensor>>;

/** Options for {@link toDot}: tensor labels, a title and the layout direction. */
export interface DotOptions {
  /** Labels for tensors, e.g. `model.namedParameters()`; a tensor's own `name` field is used otherwise. */
  names?: DotNames;
  /** A caption drawn above the graph. */
  title?: string;
  /** Layout direction: 'TB' (inputs at the top, the default) or 'LR' (inputs on the left). */
  rankdir?: 'TB' | 'LR' | 'BT' | 'RL';
}

type Kind = 'op' | 'parameter' | 'leaf' | 'constant';

const FREED =
  'toDot: the graph behind this tensor was freed by backward(), which drops every node\'s inputs. ' +
  'Call toDot before backward(), or pass { retainGraph: true } to backward (loss.backward(undefined, { retainGraph: true })).';

/**
 * Escapes text for a double-quoted DOT string: backslashes and quotes are escaped, line breaks become
 * DOT's `\n`, other control characters are dropped, and text longer than `max` characters is shortened.
 */
export function escapeDot(text: string, max = 64): string {
  const s = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001F\u007F]/g, '');
}

/** The names option as a lookup from tensor to name (entries in either orientation are accepted). */
function nameTable(names: DotNames | undefined): Map<Tensor, string> {
  const out = new Map<Tensor, string>();
  if (names === undefined || names === null) return out;
  const isIterable = typeof (names as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
  const pairs: Iterable<readonly unknown[]> = isIterable
    ? (names as Iterable<readonly unknown[]>)
    : Object.entries(names as Record<string, Tensor>);
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('toDot: names must hold [name, tensor] pairs (as model.namedParameters() returns)');
    const [a, b] = pair;
    if (typeof a === 'string' && b instanceof Tensor) out.set(b, a);
    else if (typeof b === 'string' && a instanceof Tensor) out.set(a, b);
    else throw new TypeError('toDot: each entry of names must pair a string with a Tensor');
  }
  return out;
}

const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** A number as a short, stable string (4 significant digits). */
const fmtNumber = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

/** The attributes worth reading in a picture (axes of a sum, the power of powScalar, ...); '' for the rest. */
function attrText(node: Node): string {
  switch (node.op) {
    case 'sum': case 'max': case 'min':
      return `axes=${fmtShape(node.attrs.axes)}${node.attrs.keepdims ? ', keepdims' : ''}`;
    case 'powScalar': return `p=${fmtNumber(node.attrs.p)}`;
    case 'clamp': return `min=${fmtNumber(node.attrs.min)}, max=${fmtNumber(node.attrs.max)}`;
    case 'permute': return `dims=${fmtShape(node.attrs.dims)}`;
    case 'cast': return `to ${node.attrs.dtype}`;
    case 'concat': case 'gather': case 'indexSelect': case 'indexAdd': case 'scatterAdd':
      return `axis=${node.attrs.axis}`;
    default: return '';
  }
}

function kindOf(t: Tensor, named: boolean): Kind {
  if (t.node) return 'op';
  if (!t.requiresGrad) return 'constant';
  return t.isParameter || named ? 'parameter' : 'leaf';
}

function labelOf(t: Tensor, kind: Kind, name: string | undefined): string {
  const lines: string[] = [];
  const node = t.node;
  if (kind === 'op' && node) {
    lines.push(name ? `${name} = ${node.op}` : node.op);
    const extra = attrText(node);
    if (extra) lines.push(extra);
  } else if (kind === 'constant') {
    lines.push(name ?? (t.size === 1 ? `constant ${fmtNumber(t.item())}` : 'constant'));
  } else {
    lines.push(name ?? (kind === 'parameter' ? 'parameter' : 'leaf'));
  }
  lines.push(t.dtype === 'float32' ? fmtShape(t.shape) : `${fmtShape(t.shape)} ${t.dtype}`);
  if (t.grad) lines.push(`grad ${fmtShape(t.grad.shape)}`);
  return lines.map((line) => escapeDot(line)).join('\\n');
}

const STYLE: Record<Kind, string> = {
  op: 'shape=ellipse',
  parameter: 'shape=box, style="filled,bold", fillcolor="#cfe2f3"',
  leaf: 'shape=box, style=filled, fillcolor="#fff2cc"',
  constant: 'shape=box, style=dashed, color="#888888", fontcolor="#555555"',
};

/**
 * The computational graph behind `root` (or several roots) as Graphviz DOT text. Each op is an ellipse
 * with its name and output shape; parameters (nn.Parameter, or any tensor given a name in `names`) are
 * blue boxes, other leaves that require grad yellow boxes, constants dashed boxes. A tensor with a
 * gradient in `.grad` shows the gradient's shape. Edges go from inputs to the op that used them; the
 * result has a double border. Output is deterministic: nodes are numbered n0, n1, ... in traversal order.
 *
 * backward() frees the graph it walks, so call toDot before it, or backward with { retainGraph: true }
 * (then the leaves' gradient shapes appear too). On a freed graph toDot throws an Error saying so.
 *
 * @example
 * const w = tg.tensor([0.5, -1], { requiresGrad: true });
 * const loss = tg.tensor([1, 2]).mul(w).sum();
 * fs.writeFileSync('graph.dot', tg.toDot(loss, { names: { w } }));  // then: dot -Tsvg graph.dot -o graph.svg
 */
const DOT_OPTIONS = optionKeys<DotOptions>({ names: true, title: true, rankdir: true });

export function toDot(root: Tensor | readonly Tensor[], options: DotOptions = {}): string {
  checkOptions('toDot', options, DOT_OPTIONS);
  const roots: readonly Tensor[] = root instanceof Tensor ? [root] : root;
  if (!Array.isArray(roots) || roots.length === 0 || !roots.every((t) => t instanceof Tensor)) {
    throw new TypeError('toDot: expected a Tensor or a non-empty array of Tensors');
  }
  const rankdir = options.rankdir ?? 'TB';
  if (!['TB', 'LR', 'BT', 'RL'].includes(rankdir)) throw new RangeError(`toDot: rankdir must be 'TB', 'LR', 'BT' or 'RL', got ${JSON.stringify(rankdir)}`);
  const names = nameTable(options.names);
  const order = graphOrder(roots, { constants: true, freedMessage: FREED });
  const id = new Map<Tensor, string>();
  order.forEach((t, i) => id.set(t, `n${i}`));
  const rootSet = new Set(roots);

  const lines = ['digraph tapegrad {', `  rankdir=${rankdir};`, '  fontname="Helvetica";'];
  if (options.title !== undefined) lines.push(`  label="${escapeDot(String(options.title), 200)}";`, '  labelloc=t;');
  lines.push('  node [fontname="Helvetica", fontsize=11];', '  edge [color="#444444"];');
  for (const t of order) {
    const name = names.get(t) ?? t.name;
    const kind = kindOf(t, names.has(t));
    const extra = rootSet.has(t) ? ', peripheries=2' : '';
    lines.push(`  ${id.get(t)} [label="${labelOf(t, kind, name)}", ${STYLE[kind]}${extra}];`);
  }
  for (const t of order) {
    for (const input of t.node?.inputs ?? []) lines.push(`  ${id.get(input)} -> ${id.get(t)};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
