/**
 * Shows `io` test values (the executor's lossless JSON encoding of Python values, docs/sandbox.md
 * "Values of io tests") as the Python source a user would write: `(1, 2)` rather than
 * `{"$tuple":[1,2]}`, big ints in full, `float('nan')`.
 *
 * Self-contained rather than importing src/executor: the decoding is a dozen tags, and the
 * executor's compare.ts decodes into JS values for comparison, not into Python text.
 */
import type { IoCase } from '../core/types';

/** Shown in place of `== expected` while a case's expected value is still undefined. */
export const EXPECTED_NOT_COMPUTED = 'expected output not computed yet — validate the dataset';

/** One `io` case as a line of Python: `f(1, (2, 3)) == {1, 2}`. */
export function ioCaseText(entryPoint: string, c: IoCase): string {
  const call = `${entryPoint}(${c.args.map(pythonLiteral).join(', ')})`;
  return c.expected === undefined
    ? `${call}  # ${EXPECTED_NOT_COMPUTED}`
    : `${call} == ${pythonLiteral(c.expected)}`;
}

/** The Python literal (or, for nan/inf, expression) of one encoded value. */
export function pythonLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number')
    return Number.isInteger(v) && !Object.is(v, -0) ? intText(v) : floatText(v);
  if (typeof v === 'string') return quoted(v, [...v].map(strChar));
  if (Array.isArray(v)) return `[${v.map(pythonLiteral).join(', ')}]`;
  if (typeof v === 'object') {
    const tagged = taggedText(v as Record<string, unknown>);
    if (tagged !== undefined) return tagged;
    const entries = Object.entries(v as Record<string, unknown>);
    return `{${entries.map(([k, x]) => `${pythonLiteral(k)}: ${pythonLiteral(x)}`).join(', ')}}`;
  }
  return String(v);
}

function taggedText(o: Record<string, unknown>): string | undefined {
  const keys = Object.keys(o);
  if (keys.length !== 1 || !keys[0]!.startsWith('$')) return undefined;
  const x = o[keys[0]!];
  const items = (): string[] => (Array.isArray(x) ? x.map(pythonLiteral) : []);
  switch (keys[0]) {
    case '$int':
      return String(x);
    case '$float':
      return floatText(x);
    case '$tuple': {
      const it = items();
      return it.length === 1 ? `(${it[0]!},)` : `(${it.join(', ')})`;
    }
    case '$set':
      return Array.isArray(x) && x.length > 0 ? `{${items().join(', ')}}` : 'set()';
    case '$frozenset':
      return Array.isArray(x) && x.length > 0
        ? `frozenset({${items().join(', ')}})`
        : 'frozenset()';
    case '$dict':
      return `{${(Array.isArray(x) ? (x as unknown[][]) : [])
        .map(([k, val]) => `${pythonLiteral(k)}: ${pythonLiteral(val)}`)
        .join(', ')}}`;
    case '$complex':
      return Array.isArray(x) ? complexText(x[0], x[1]) : undefined;
    case '$bytes':
      return typeof x === 'string' ? bytesText(x) : undefined;
    default:
      // A one-key dict whose key starts with `$` is always tagged by the encoder; an unknown tag
      // is not ours, so it shows as the dict it looks like.
      return undefined;
  }
}

function intText(n: number): string {
  // Within 2^53 String never uses an exponent; beyond, an encoded int is `$int`, but a
  // hand-written JSON number may be large: show its exact integer value.
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

/** A float component as a number: a JSON number or `$float`'s payload (`"nan"`, `"inf"`, ...). */
function floatValue(x: unknown): number {
  if (typeof x === 'number') return x;
  if (x === 'nan') return NaN;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  if (typeof x === 'object' && x !== null && '$float' in x) return floatValue(x.$float);
  return Number(x);
}

/** Python's repr of a float: shortest round-trip digits, scientific below 1e-4 or from 1e16. */
function floatText(x: unknown): string {
  const f = floatValue(x);
  if (Number.isNaN(f)) return "float('nan')";
  if (!Number.isFinite(f)) return f > 0 ? "float('inf')" : "float('-inf')";
  const repr = floatRepr(f);
  return /[.e]/.test(repr) ? repr : `${repr}.0`;
}

/** Python's `format(f, 'r')` for a finite float: no `.0` forced (complex parts use this form). */
function floatRepr(f: number): string {
  if (Object.is(f, -0)) return '-0';
  // toExponential() without digits gives the shortest digits that round-trip, as repr does.
  const [mantissa, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const neg = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return frac ? `${sign}${whole}.${frac}` : `${sign}${whole}`;
}

/** Python's repr of complex(re, im): `2j`, `(1-2.5j)`; nan/inf parts as a complex(...) call. */
function complexText(reX: unknown, imX: unknown): string {
  const re = floatValue(reX);
  const im = floatValue(imX);
  if (!Number.isFinite(re) || !Number.isFinite(im)) {
    return `complex(${floatText(re)}, ${floatText(im)})`;
  }
  const imag = `${floatRepr(im)}j`;
  if (Object.is(re, 0)) return imag;
  return `(${floatRepr(re)}${im < 0 || Object.is(im, -0) ? '' : '+'}${imag})`;
}

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0');
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One character of a str's repr: control characters escaped, printable Unicode as is. */
function strChar(ch: string): string {
  const esc = ESCAPES[ch];
  if (esc) return esc;
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return `\\x${hex2(code)}`;
  if (code >= 0xd800 && code < 0xe000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return ch;
}

/** Python's quote choice: single quotes unless the text has `'` and no `"`. */
function quoted(raw: string, parts: string[], prefix = ''): string {
  const q = raw.includes("'") && !raw.includes('"') ? '"' : "'";
  return `${prefix}${q}${parts.map((p) => (p === q ? `\\${q}` : p)).join('')}${q}`;
}

function bytesText(hex: string): string {
  const codes = (hex.match(/../g) ?? []).map((h) => parseInt(h, 16));
  const raw = String.fromCharCode(...codes);
  const parts = codes.map((c) => {
    const ch = String.fromCharCode(c);
    return ESCAPES[ch] ?? (c < 0x20 || c >= 0x7f ? `\\x${hex2(c)}` : ch);
  });
  return quoted(raw, parts, 'b');
}
