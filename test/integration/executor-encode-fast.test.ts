/**
 * The harness encodes a list or tuple of plain numbers in C (harness.py, `_seq`): validation of
 * HumanEval/130 collects millions of them. That path must give exactly the text the item-by-item
 * path gives, for every mix of ints, floats, integral floats, −0.0 and values near the limits, and
 * must step aside for what it cannot encode the same way (NaN, infinities, ints beyond 2^53, bools).
 * Each list is collected twice by the real pool: whole (the fast path, when it applies) and as
 * one-item lists (always the item-by-item path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecJob } from '../../src/core/types';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';

const PROGRAM = String.raw`
import random

def values(seed, n, extra):
    rnd = random.Random(seed)
    kinds = [
        lambda: rnd.randint(-10 ** 6, 10 ** 6),
        lambda: float(rnd.randint(-1000, 1000)),
        lambda: rnd.uniform(-1e6, 1e6),
        lambda: -0.0,
        lambda: 0,
        lambda: 2 ** 53 - 1,
        lambda: -(2 ** 53 - 1),
        lambda: float(2 ** 53 - 1),
        lambda: rnd.random() * 1e-300,
        lambda: 1e-5,
        lambda: 123456789.0,
        lambda: 0.1 + 0.2,
    ]
    xs = [kinds[rnd.randrange(len(kinds))]() for _ in range(n)]
    if extra is not None:
        xs.insert(rnd.randrange(n + 1), {'nan': float('nan'), 'inf': float('inf'),
                                         '-inf': float('-inf'), 'big': 2 ** 53,
                                         'bigf': 2.0 ** 60, 'true': True}[extra])
    return xs

def whole(seed, n, extra, as_tuple):
    xs = values(seed, n, extra)
    return tuple(xs) if as_tuple else xs

def one_by_one(seed, n, extra, as_tuple):
    xs = values(seed, n, extra)
    return [(x,) if as_tuple else [x] for x in xs]
`;

const EXTRAS = [null, 'nan', 'inf', '-inf', 'big', 'bigf', 'true'] as const;
const CASES = EXTRAS.flatMap((extra, e) =>
  [0, 1, 2, 3].map((k) => ({
    args: [e * 10 + k, 9 + k * 17, extra, k % 2 === 1],
    expected: undefined,
  })),
);

function job(entryPoint: string): ExecJob {
  return {
    program: PROGRAM,
    // atol > 0: outputs are encoded whole, never digested.
    tests: { kind: 'io', entryPoint, cases: CASES, atol: 1e-6 },
    collect: true,
  };
}

let pool: ExecPool;
beforeAll(async () => {
  pool = createNodeExecPool({ size: 1, spares: 0 });
  await pool.warm();
});
afterAll(async () => {
  await pool?.close();
});

describe('encoding a list of plain numbers', () => {
  it('gives the same value whole as item by item, for every mix', async () => {
    const [fast, slow] = await Promise.all([pool.run(job('whole')), pool.run(job('one_by_one'))]);
    expect(fast.passed, JSON.stringify(fast.tests.find((t) => t.outcome !== 'passed'))).toBe(true);
    expect(slow.passed, JSON.stringify(slow.tests.find((t) => t.outcome !== 'passed'))).toBe(true);
    CASES.forEach((c, i) => {
      const whole = fast.tests[i]!.actual as unknown;
      const items = slow.tests[i]!.actual as unknown[];
      const asTuple = c.args[3] === true;
      // A tuple is {"$tuple": [...]}; one-item tuples likewise.
      const unwrap = (v: unknown): unknown[] =>
        asTuple ? (v as { $tuple: unknown[] }).$tuple : (v as unknown[]);
      expect(unwrap(whole), `case ${i} (${JSON.stringify(c.args)})`).toEqual(
        items.map((x) => unwrap(x)[0]),
      );
    });
    // The lists hold what the fast path must mark: integral floats, −0.0 among them.
    const flat = fast.tests.flatMap((t) => {
      const v = t.actual as unknown[] | { $tuple: unknown[] };
      return Array.isArray(v) ? v : v.$tuple;
    });
    const floats = flat.filter((x): x is { $float: number } => typeof x === 'object' && x !== null);
    expect(floats.some((x) => Object.is(x.$float, -0))).toBe(true);
    expect(floats.filter((x) => x.$float !== 0).length).toBeGreaterThan(5);
  });

  it('digests rows of strings and runs of numbers as the item-by-item path does', async () => {
    // Long outputs are kept as a SHA-256 of a canonical text. Each value comes three ways: plain
    // (the fast paths), with one element of a subclass (the fast paths step aside; the canonical
    // text must not change), and with one element changed (the digest must change).
    const program = String.raw`
from itertools import combinations_with_replacement

class S(str):
    pass

class I(int):
    pass

def rows(k, how, as_list):
    xs = list(combinations_with_replacement(['Dog', 'Cat', 'Bird', '', 'Fish\u00e9'], k))
    xs = [list(r) for r in xs] if as_list else xs
    first = xs[0]
    if how == 'subclass':
        first = type(first)([S(first[0])]) + first[1:]
    elif how == 'changed':
        first = type(first)(['Dug']) + first[1:]
    return [first] + xs[1:]

def numbers(n, how):
    xs = [True, 2, 3.0, -0.0, False, 7.5, 2 ** 40] * n
    if how == 'subclass':
        xs[1] = I(2)
    elif how == 'changed':
        xs[1] = 3
    return xs
`;
    const ways = ['plain', 'subclass', 'changed'];
    const cases = [
      ...ways.flatMap((how) => [
        { args: [12, how, false] },
        { args: [12, how, true] },
        { args: [1, how, false] },
      ]),
    ];
    const run = (entryPoint: string, cs: { args: unknown[]; expected?: unknown }[]) =>
      pool.run({
        program,
        tests: {
          kind: 'io',
          entryPoint,
          cases: cs.map((c) => ({ args: c.args, expected: undefined })),
          atol: 0,
        },
        collect: true,
      });
    const r = await run('rows', cases);
    const n = await run(
      'numbers',
      ways.map((how) => ({ args: [4000, how] })),
    );
    for (const x of [r, n])
      expect(x.passed, JSON.stringify(x.tests.find((t) => t.outcome !== 'passed'))).toBe(true);
    const digest = (v: unknown): string => {
      const d = (v as { $sha256?: string }).$sha256;
      if (typeof d !== 'string') throw new Error(`not a digest: ${JSON.stringify(v).slice(0, 80)}`);
      return d;
    };
    const rowDigests = r.tests.map((t) => t.actual);
    // k = 12 over 5 strings: 1,820 rows, long enough to be digested; k = 1: 5 rows, kept whole.
    for (const i of [0, 1]) {
      expect(digest(rowDigests[i + 3]), `rows ${i}: subclass`).toBe(digest(rowDigests[i]));
      expect(digest(rowDigests[i + 6]), `rows ${i}: changed`).not.toBe(digest(rowDigests[i]));
    }
    expect(rowDigests[1]).not.toEqual(rowDigests[0]); // lists of rows are not tuples of rows
    const [plain, subclass, changed] = n.tests.map((t) => digest(t.actual));
    expect(subclass).toBe(plain);
    expect(changed).not.toBe(plain);
  });
});
