/**
 * EvalPlus-style output comparison, done in JavaScript on plain data converted from Python, so
 * a program cannot fake equality with a custom `__eq__` (only builtin values convert).
 * Numbers: equal, or (when either is not an integer) within `atol` plus EvalPlus's relative
 * tolerance of 1e-7. Python's bool equals 0/1 as in `==`. Lists and tuples compare alike,
 * because JSON (the format of expected outputs) cannot tell them apart.
 */
const RTOL = 1e-7;

function numberish(x: unknown): x is number | bigint | boolean {
  return typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean';
}

function closeNumbers(
  a: number | bigint | boolean,
  b: number | bigint | boolean,
  atol: number,
): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    try {
      return BigInt(a) === BigInt(b);
    } catch {
      return Number(a) === Number(b);
    }
  }
  const x = Number(a);
  const y = Number(b);
  if (x === y) return true;
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  if (Number.isInteger(x) && Number.isInteger(y)) return false;
  return Math.abs(x - y) <= atol + RTOL * Math.abs(y);
}

export function valuesMatch(got: unknown, expected: unknown, atol: number): boolean {
  if (numberish(got) && numberish(expected)) return closeNumbers(got, expected, atol);
  if (got === null || got === undefined) return expected === null || expected === undefined;
  if (typeof got === 'string') return got === expected;
  if (Array.isArray(got)) {
    return (
      Array.isArray(expected) &&
      got.length === expected.length &&
      got.every((g, i) => valuesMatch(g, expected[i], atol))
    );
  }
  if (got instanceof Set) {
    const exp: unknown[] = Array.isArray(expected)
      ? expected
      : expected instanceof Set
        ? [...(expected as Set<unknown>)]
        : [];
    if (!(Array.isArray(expected) || expected instanceof Set) || got.size !== new Set(exp).size)
      return false;
    return exp.every((e) => [...got].some((g) => valuesMatch(g, e, atol)));
  }
  if (got instanceof Map) return valuesMatch(Object.fromEntries(got), expected, atol);
  if (typeof got === 'object' && typeof expected === 'object' && expected !== null) {
    const g = got as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const gk = Object.keys(g);
    if (Array.isArray(expected) || gk.length !== Object.keys(e).length) return false;
    return gk.every((k) => k in e && valuesMatch(g[k], e[k], atol));
  }
  return false;
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
