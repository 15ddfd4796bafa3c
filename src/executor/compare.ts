/**
 * EvalPlus-style output comparison, done in JavaScript on the lossless JSON encoding of Python
 * values (docs/sandbox.md, "Values of io tests"), so a program cannot fake equality with a custom
 * `__eq__`: only builtin values encode, read through their C slots.
 *
 * `ioOutputMatches` follows evalplus/eval `check_output` (Liu et al., 2023, arXiv 2305.01210):
 * `out == exp` with Python's `==`; the special oracles; then, when that failed and `atol` is
 * non-zero (EvalPlus enforces 1e-6 when the expected value is a float or a list/tuple of floats),
 * same outer type, same length and `np.allclose(out, exp, rtol=1e-7, atol)`.
 * Deliberate differences, for data that EvalPlus cannot grade sensibly either:
 * - NaN equals NaN (in EvalPlus an input whose expected output is NaN fails every candidate);
 * - an expected JSON list also accepts a tuple (JSON has no tuples: hand-written expected values
 *   and collected lists look alike; a collected tuple is `{"$tuple": …}` and wants a tuple);
 * - inside `allclose`, non-numeric leaves compare with `==` instead of making numpy raise.
 */
import type { IoOracle } from '../core/types';

const RTOL = 1e-7;

type Kind =
  | 'none'
  | 'bool'
  | 'int'
  | 'float'
  | 'complex'
  | 'str'
  | 'list'
  | 'tuple'
  | 'set'
  | 'dict'
  | 'bytes'
  | 'other';

interface Tagged {
  [k: string]: unknown;
}

function tagOf(v: object): [string, unknown] | undefined {
  const keys = Object.keys(v);
  if (keys.length !== 1 || !keys[0]!.startsWith('$')) return undefined;
  return [keys[0]!, (v as Tagged)[keys[0]!]];
}

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') {
    const tag = tagOf(v);
    if (!tag) return 'dict';
    switch (tag[0]) {
      case '$int':
        return 'int';
      case '$float':
        return 'float';
      case '$complex':
        return 'complex';
      case '$tuple':
        return 'tuple';
      case '$set':
      case '$frozenset':
        return 'set';
      case '$dict':
        return 'dict';
      case '$bytes':
        return 'bytes';
      default:
        return 'dict';
    }
  }
  return 'other';
}

/** An `$int` text: decimal, or `0x…` hex (with an optional sign) for very large ints. */
function bigIntOf(text: string): bigint {
  return text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
}

/** A real number as JS sees it: a double, or a bigint for ints beyond 2^53. */
function realOf(v: unknown): number | bigint {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  const tag = tagOf(v as object);
  if (tag?.[0] === '$int') return bigIntOf(tag[1] as string);
  if (tag?.[0] === '$float') {
    const f = tag[1];
    if (f === 'nan') return NaN;
    if (f === 'inf') return Infinity;
    if (f === '-inf') return -Infinity;
    return Number(f);
  }
  return NaN;
}

function complexOf(v: unknown): [number | bigint, number | bigint] {
  if (kindOf(v) === 'complex') {
    const [re, im] = tagOf(v as object)![1] as [unknown, unknown];
    return [realOf(re), realOf(im)];
  }
  return [realOf(v), 0];
}

const NUMERIC = new Set<Kind>(['bool', 'int', 'float', 'complex']);

function realEq(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = typeof a === 'bigint' ? a : Number.isInteger(a) ? BigInt(a) : undefined;
    const y = typeof b === 'bigint' ? b : Number.isInteger(b) ? BigInt(b) : undefined;
    return x !== undefined && y !== undefined && x === y;
  }
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function itemsOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  const tag = tagOf(v as object);
  return (tag?.[1] as unknown[] | undefined) ?? [];
}

function dictPairs(v: unknown): [unknown, unknown][] {
  const tag = tagOf(v as object);
  if (tag?.[0] === '$dict') return tag[1] as [unknown, unknown][];
  return Object.entries(v as Tagged);
}

/** Same elements, each matched once: Python set equality without hashing. */
function sameElements(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  const used = new Array<boolean>(b.length).fill(false);
  return a.every((x) => {
    const i = b.findIndex((y, j) => !used[j] && pyEquals(x, y));
    if (i < 0) return false;
    used[i] = true;
    return true;
  });
}

/**
 * Python's `==` on two encoded values (`got` from the program, `expected` from the task), with
 * NaN == NaN and an expected plain list accepting a tuple.
 */
export function pyEquals(got: unknown, expected: unknown): boolean {
  const g = kindOf(got);
  const e = kindOf(expected);
  if (NUMERIC.has(g) && NUMERIC.has(e)) {
    if (g === 'complex' || e === 'complex') {
      const [gr, gi] = complexOf(got);
      const [er, ei] = complexOf(expected);
      return realEq(gr, er) && realEq(gi, ei);
    }
    return realEq(realOf(got), realOf(expected));
  }
  if (g === 'none' || e === 'none') return g === e;
  if (g === 'str' || e === 'str') return got === expected;
  if ((g === 'list' || g === 'tuple') && (e === g || (e === 'list' && g === 'tuple'))) {
    const a = itemsOf(got);
    const b = itemsOf(expected);
    return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  }
  if (g === 'set' && e === 'set') return sameElements(itemsOf(got), itemsOf(expected));
  if (g === 'dict' && e === 'dict') {
    const a = dictPairs(got);
    const b = dictPairs(expected);
    return (
      a.length === b.length &&
      a.every(([k, v]) => b.some(([k2, v2]) => pyEquals(k, k2) && pyEquals(v, v2)))
    );
  }
  if (g === 'bytes' && e === 'bytes') return itemsOf(got) === itemsOf(expected);
  return false;
}

function close(a: number | bigint, b: number | bigint, atol: number): boolean {
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= atol + RTOL * Math.abs(y);
}

/** np.allclose on nested sequences of numbers (non-numeric leaves: `==`). */
function allClose(got: unknown, expected: unknown, atol: number): boolean {
  const g = kindOf(got);
  const e = kindOf(expected);
  if (NUMERIC.has(g) && NUMERIC.has(e)) {
    if (g === 'complex' || e === 'complex') {
      const [gr, gi] = complexOf(got).map(Number) as [number, number];
      const [er, ei] = complexOf(expected).map(Number) as [number, number];
      return Math.hypot(gr - er, gi - ei) <= atol + RTOL * Math.hypot(er, ei);
    }
    return close(realOf(got), realOf(expected), atol);
  }
  if ((g === 'list' || g === 'tuple') && (e === 'list' || e === 'tuple')) {
    const a = itemsOf(got);
    const b = itemsOf(expected);
    return a.length === b.length && a.every((x, i) => allClose(x, b[i], atol));
  }
  return pyEquals(got, expected);
}

/** evalplus `is_floats`: a float, or a list/tuple of floats only. */
function isFloats(v: unknown): boolean {
  const k = kindOf(v);
  if (k === 'float') return true;
  if (k === 'list' || k === 'tuple') return itemsOf(v).every((x) => kindOf(x) === 'float');
  return false;
}

/** Elements of `set(x)`: a sequence's or set's items, a string's characters, a dict's keys. */
function setOf(v: unknown): unknown[] | undefined {
  const k = kindOf(v);
  let items: unknown[];
  if (k === 'list' || k === 'tuple' || k === 'set') items = itemsOf(v);
  else if (k === 'str') items = [...(v as string)];
  else if (k === 'dict') items = dictPairs(v).map(([key]) => key);
  else return undefined;
  const unique: unknown[] = [];
  for (const x of items) if (!unique.some((u) => pyEquals(x, u))) unique.push(x);
  return unique;
}

function digitDistance(a: unknown, b: unknown): bigint | undefined {
  const x = realOf(a);
  const y = realOf(b);
  if (typeof x === 'number' && !Number.isInteger(x)) return undefined;
  if (typeof y === 'number' && !Number.isInteger(y)) return undefined;
  const d = BigInt(x) - BigInt(y);
  return [...(d < 0n ? -d : d).toString()].reduce((s, c) => s + BigInt(c), 0n);
}

/**
 * Does a program's output pass one io case? `args` are the case's (encoded) arguments, for the
 * oracles that need them.
 */
export function ioOutputMatches(
  got: unknown,
  expected: unknown,
  atol: number,
  oracle?: IoOracle,
  args: readonly unknown[] = [],
): boolean {
  // A long expected output kept as the digest of its canonical text (exact `==`, no tolerance).
  if (isDigest(expected)) return isDigest(got) && pyEquals(got, expected);
  let exact = pyEquals(got, expected);
  const numeric = (v: unknown): boolean => NUMERIC.has(kindOf(v)) && kindOf(v) !== 'complex';
  switch (oracle) {
    case 'find_zero': {
      // |poly(xs, out)| <= atol, with poly = sum(c * math.pow(x, i)) as evalplus' _poly.
      if (!numeric(got)) return false;
      const x = Number(realOf(got));
      const poly = itemsOf(args[0]).reduce<number>(
        (s, c, i) => s + Number(realOf(c)) * Math.pow(x, i),
        0,
      );
      return Math.abs(poly) <= atol;
    }
    case 'are_equivalent':
      exact = true;
      break;
    case 'sum_div':
      exact ||= numeric(got) && realEq(realOf(got), 0);
      break;
    case 'surface_area': {
      const [b, s] = args.map((a) => Number(realOf(a))) as [number, number];
      exact ||= numeric(got) && Math.abs(Number(realOf(got)) - (2 * b * s + b ** 2)) <= atol;
      break;
    }
    case 'digit_distance_nums': {
      const d = digitDistance(args[0], args[1]);
      exact ||= d !== undefined && numeric(got) && realEq(realOf(got), d);
      break;
    }
    case 'set_eq': {
      const a = setOf(got);
      const b = setOf(expected);
      exact = a !== undefined && b !== undefined && sameElements(a, b);
      break;
    }
    case 'not_none':
      // The expected value is stored as `reference output is not None` (as EvalPlus does).
      exact = kindOf(got) === 'bool' ? got === expected : expected === (kindOf(got) !== 'none');
      break;
    default:
      break;
  }
  let tol = atol;
  if (tol === 0 && isFloats(expected)) tol = 1e-6;
  if (exact || tol === 0) return exact;
  const g = kindOf(got);
  const e = kindOf(expected);
  const sameType = g === e || (e === 'list' && g === 'tuple' && Array.isArray(expected));
  if (!sameType) return false;
  return allClose(got, expected, tol);
}

/** Encodings longer than this are kept as a SHA-256 digest when that decides `==` exactly. */
export const DIGEST_OVER_CHARS = 64 * 1024;

const isDigest = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && tagOf(v)?.[0] === '$sha256';

/**
 * What the harness's `output_of` (src/executor/io_values.py) returns for a case: 1, EvalPlus's
 * `not_none` view; 3, only the digest (the expected value is one); 2, collecting, the encoding or
 * its digest when it is long and compared exactly; 0, the encoding.
 */
export function outputMode(
  spec: { oracle?: IoOracle },
  expected: unknown,
  atol: number,
  collect: boolean,
): 0 | 1 | 2 | 3 {
  if (spec.oracle === 'not_none') return 1;
  if (collect) return spec.oracle === undefined && atol === 0 ? 2 : 0;
  return isDigest(expected) ? 3 : 0;
}

/**
 * EvalPlus's `atol`, input by input: `unsafe_execute` sets it to 1e-6 for good once an expected
 * value is a float or a list/tuple of floats, and every later input of that process is compared
 * with it; base and plus inputs run in separate processes, so it starts again at `plusFrom`.
 * While collecting, the expected values arrive one by one (`saw`).
 */
export function stickyAtols(spec: { atol: number; plusFrom?: number }): {
  at(i: number, expected: unknown): number;
  saw(expected: unknown): void;
} {
  let tol = spec.atol;
  let last = -1;
  let pending: unknown;
  let hasPending = false;
  const upgrade = (v: unknown): void => {
    if (tol === 0 && isFloats(v)) tol = 1e-6;
  };
  return {
    at(i, expected) {
      if (hasPending) upgrade(pending);
      hasPending = false;
      if (i === spec.plusFrom || i <= last) tol = spec.atol;
      last = i;
      if (expected !== undefined) {
        upgrade(expected);
      }
      return tol;
    },
    saw(expected) {
      pending = expected;
      hasPending = true;
    },
  };
}

/** Back-compatible name: an io case with no oracle. */
export function valuesMatch(got: unknown, expected: unknown, atol: number): boolean {
  return ioOutputMatches(got, expected, atol);
}

/** APPS: exact, or equal after collapsing whitespace runs and trimming each line's ends. */
export function stdoutMatches(
  got: string,
  expected: string,
  mode: 'exact' | 'whitespace',
): boolean {
  if (mode === 'exact') return got === expected;
  const norm = (s: string): string =>
    s
      .split('\n')
      .map((l) => l.trim().split(/\s+/).join(' '))
      .filter((l) => l.length > 0)
      .join('\n');
  return norm(got) === norm(expected);
}
