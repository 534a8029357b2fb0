// Reads the values a docs comment says a console.log line prints (`console.log(x.shape); // [2, 3]`) and
// compares them with what the line printed. Only plain values are read: numbers (the claim's decimals set
// the tolerance), arrays of them, true/false/NaN/Infinity, quoted strings and dtype words; a comment that
// does not start with such values (or, after "≈", continue with them) is prose and is not checked.

/** A value a claim can state. */
export type Claimed = number | boolean | string | Claimed[];

/** A number in a claim, with the half-unit of its last digit as the tolerance. */
interface Num { num: number; tol: number }
type Parsed = Num | boolean | string | Parsed[];

const WORDS = new Set(['int32', 'float32', 'float64']);

/** Parses a run of values at the start of `text` (separated by spaces); returns them and the rest. */
function parseValues(text: string): { values: Parsed[]; rest: string } {
  let i = 0;
  const values: Parsed[] = [];
  const space = () => { while (i < text.length && text[i] === ' ') i++; };
  function value(): Parsed | undefined {
    space();
    const c = text[i];
    if (c === '[') {
      i++;
      const items: Parsed[] = [];
      space();
      if (text[i] === ']') { i++; return items; }
      for (;;) {
        const v = value();
        if (v === undefined) return undefined;
        items.push(v);
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return items; }
        return undefined;
      }
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(-?(?:\d+(?:\.(\d+))?(?:e[-+]?\d+)?|Infinity)|NaN|true|false|int32|float32|float64)(?![\w.])/.exec(text.slice(i).replace(/^−/, '-'));
    if (!m) return undefined;
    i += m[0].length;
    if (m[0] === 'true' || m[0] === 'false') return m[0] === 'true';
    if (WORDS.has(m[0])) return m[0];
    const num = Number(m[0]);
    const decimals = m[2]?.length ?? 0;
    return { num, tol: decimals > 0 ? 0.5 * 10 ** -decimals + 1e-12 : 1e-9 };
  }
  for (;;) {
    const save = i;
    const v = value();
    if (v === undefined) { i = save; break; }
    values.push(v);
    if (i < text.length && text[i] !== ' ') break;
  }
  return { values, rest: text.slice(i).trim() };
}

/**
 * The values a comment claims, or null when it is prose. Values count when they follow its last "≈", open
 * the comment, or follow its first ": " (tried in that order), and what follows them is empty or starts an
 * explanation (":", "(", ";", ",", "—").
 */
export function claimOf(comment: string): Parsed[] | null {
  const text = comment.trim();
  const approx = text.lastIndexOf('≈');
  const colon = text.indexOf(': ');
  const candidates = [...(approx >= 0 ? [text.slice(approx + 1).trim()] : []), text, ...(colon >= 0 ? [text.slice(colon + 2)] : [])];
  for (const candidate of candidates) {
    const { values, rest } = parseValues(candidate);
    if (values.length > 0 && (rest === '' || /^[:(;,—]/.test(rest))) return values;
  }
  return null;
}

/** What console.log printed, as comparable values: numbers, booleans, strings, arrays (typed arrays too). */
function printed(v: unknown): Parsed | undefined {
  if (typeof v === 'number') return { num: v, tol: 0 };
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const out: Parsed[] = [];
    for (const x of Array.from(v as ArrayLike<unknown>)) {
      const p = printed(x);
      if (p === undefined) return undefined;
      out.push(p);
    }
    return out;
  }
  return undefined;
}

/** A printed string of space-separated values ('0.098 0.090', '131 parameters') as values. */
function tokens(s: string): Parsed[] {
  return s.trim().split(/\s+/).map((t) => (/^-?\d+(\.\d+)?$/.test(t) ? { num: Number(t), tol: 0 } : t));
}

function same(claim: Parsed, got: Parsed): boolean {
  if (Array.isArray(claim)) return Array.isArray(got) && got.length === claim.length && claim.every((c, k) => same(c, got[k]));
  if (typeof claim === 'object') {
    if (typeof got !== 'object' || Array.isArray(got)) return false;
    if (Number.isNaN(claim.num)) return Number.isNaN(got.num);
    if (!Number.isFinite(claim.num)) return claim.num === got.num;
    // a whole number is read as exact up to float32 rounding; a decimal to the half-unit of its last digit
    const tol = claim.tol > 1e-9 ? claim.tol : 1e-6 * Math.max(1, Math.abs(claim.num));
    return Math.abs(claim.num - got.num) <= tol;
  }
  return claim === got;
}

/**
 * Checks one printed line against its comment: 'ok', 'prose' (nothing checkable), or a message saying what
 * differs. Printed strings are read as their space-separated words and numbers ('0.098 0.090', '131
 * parameters'); a leading label ('sigmoid') and trailing words ('parameters') beyond the claimed values are
 * not compared.
 */
export function checkClaim(comment: string, args: readonly unknown[]): 'ok' | 'prose' | string {
  const claim = claimOf(comment);
  if (!claim) return 'prose';
  const got = args.map(printed);
  if (got.some((g) => g === undefined)) return 'prose'; // an object (a tensor, a node): not a plain value
  let values = (got as Parsed[]).flatMap((g) => (typeof g === 'string' ? tokens(g) : [g]));
  if (values.length > claim.length && typeof values[0] === 'string' && typeof claim[0] !== 'string') values = values.slice(1);
  while (values.length > claim.length && typeof values[values.length - 1] === 'string') values = values.slice(0, -1);
  if (values.length !== claim.length) return `the comment claims ${claim.length} value(s) but the line printed ${values.length}: ${JSON.stringify(args)}`;
  return claim.every((c, k) => same(c, values[k])) ? 'ok' : `the comment says "${comment.trim()}" but the line printed ${JSON.stringify(args)}`;
}
