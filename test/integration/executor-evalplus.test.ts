/**
 * EvalPlus the way EvalPlus grades: a file in the published HumanEvalPlus / MbppPlus format is
 * imported, validation runs each reference ONCE over base_input + plus_input to fill the expected
 * outputs (stored with the task), and candidates are then graded with the `io` kind against them,
 * with EvalPlus's float tolerance and oracles, without the reference ever running again.
 *
 * The real EvalPlus files are not available here, so the fixture is written by hand in their
 * format (lines as Python's json.dumps writes them: bare NaN, integers beyond 2^53).
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TasksService } from '../../src/app/tasks';
import type { Task, TestSpec } from '../../src/core/types';
import { parseDataset } from '../../src/datasets/import';
import { validateTasks } from '../../src/datasets/validate';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { AthanorDb } from '../../src/store/db';

/** Every reference prints this when it runs: grading must never print it. */
const MARK = 'REFERENCE-RAN';

function heRecord(
  n: number,
  entry: string,
  prompt: string,
  solution: string,
  base: string,
  plus: string,
  atol = 0,
): string {
  const fields = JSON.stringify({
    task_id: `HumanEval/${n}`,
    prompt,
    entry_point: entry,
    canonical_solution: solution,
    contract: '',
    atol,
  });
  // base_input / plus_input are written raw, as evalplus's json.dumps leaves them.
  return `${fields.slice(0, -1)}, "base_input": ${base}, "plus_input": ${plus}}`;
}

const FIXTURE = [
  heRecord(
    900,
    'power_of_two',
    'def power_of_two(n: int) -> int:\n    """2 to the n."""\n',
    `    print("${MARK}")\n    return 2 ** n\n`,
    '[[3], [70]]',
    '[[200]]',
  ),
  heRecord(
    901,
    'mean',
    'def mean(xs: list) -> float:\n    """The mean of xs."""\n',
    `    print("${MARK}")\n    return sum(xs) / len(xs)\n`,
    '[[[1, 2, 4]], [[0.1, 0.2, 0.3]]]',
    '[[[1e-9, 3]]]',
    1e-6,
  ),
  heRecord(
    902,
    'min_max',
    'def min_max(xs: list) -> tuple:\n    """(min, max) of xs."""\n',
    `    print("${MARK}")\n    return (min(xs), max(xs))\n`,
    '[[[3, 1, 2]]]',
    '[[[5]]]',
  ),
  heRecord(
    903,
    'unique',
    'def unique(xs: list) -> set:\n    """The distinct items of xs."""\n',
    `    print("${MARK}")\n    return set(xs)\n`,
    '[[[1, 1, 2]], [[]]]',
    '[[["a", "b", "a"]]]',
  ),
  heRecord(
    904,
    'safe_div',
    'def safe_div(a: float, b: float) -> float:\n    """a / b, NaN when b is 0."""\n',
    `    print("${MARK}")\n    return a / b if b else float("nan")\n`,
    '[[1, 4], [1, 0]]',
    '[[NaN, 2], [Infinity, 1]]',
  ),
  heRecord(
    32,
    'find_zero',
    'def find_zero(xs: list) -> float:\n    """A zero of the polynomial with coefficients xs."""\n',
    `    print("${MARK}")\n    lo, hi = -100.0, 100.0\n` +
      '    f = lambda x: sum(c * x ** i for i, c in enumerate(xs))\n' +
      '    for _ in range(200):\n' +
      '        mid = (lo + hi) / 2\n' +
      '        if (f(mid) > 0) == (f(hi) > 0):\n' +
      '            hi = mid\n' +
      '        else:\n' +
      '            lo = mid\n' +
      '    return lo\n',
    '[[[-6, 11, -6, 1]]]',
    '[[[2, 1]]]',
    1e-6,
  ),
].join('\n');

const MBPP_FIXTURE = JSON.stringify({
  task_id: 'Mbpp/2',
  prompt:
    '"""\nWrite a function to find the shared elements from the given two lists.\nassert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n"""\n',
  code: `\ndef similar_elements(test_tup1, test_tup2):\n  print("${MARK}")\n  return tuple(set(test_tup1) & set(test_tup2))\n`,
  entry_point: 'similar_elements',
  contract: '',
  atol: 0,
  base_input: [
    [
      [3, 4, 5, 6],
      [5, 7, 4, 10],
    ],
  ],
  plus_input: [
    [
      [1, 2, 3],
      [3, 2, 9],
    ],
  ],
});

const CANDIDATES: Record<string, { good: string[]; bad: string[] }> = {
  power_of_two: {
    good: ['def power_of_two(n):\n    return 1 << n\n'],
    // Right up to 2^53, wrong beyond: a float cannot hold 2^70 + the rounding of 2^200.
    bad: ['def power_of_two(n):\n    return int(float(2) ** n) + (1 if n > 60 else 0)\n'],
  },
  mean: {
    // Within atol of the reference's float, computed another way.
    good: ['import math\ndef mean(xs):\n    return math.fsum(xs) / len(xs) + 1e-9\n'],
    bad: ['def mean(xs):\n    return sum(xs) / len(xs) + 1e-3\n'],
  },
  min_max: {
    good: ['def min_max(xs):\n    s = sorted(xs)\n    return (s[0], s[-1])\n'],
    // A list is not the tuple the reference returns ([1, 3] != (1, 3) in Python).
    bad: ['def min_max(xs):\n    return [min(xs), max(xs)]\n'],
  },
  unique: {
    good: ['def unique(xs):\n    return frozenset(xs)\n'],
    bad: ['def unique(xs):\n    return sorted(set(xs))\n'],
  },
  safe_div: {
    good: ['import math\ndef safe_div(a, b):\n    return math.nan if b == 0 else a / b\n'],
    bad: ['def safe_div(a, b):\n    return a / b if b else 0.0\n'],
  },
  find_zero: {
    // Another root of (x-1)(x-2)(x-3) than the reference's: EvalPlus's oracle accepts it.
    good: [
      'def find_zero(xs):\n    if xs == [-6, 11, -6, 1]:\n        return 3.0\n    return -xs[0] / xs[1]\n',
    ],
    bad: ['def find_zero(xs):\n    return 0.5\n'],
  },
  similar_elements: {
    // EvalPlus's set-equality oracle: order and container do not matter.
    good: ['def similar_elements(a, b):\n    return sorted(set(a) & set(b), reverse=True)\n'],
    bad: ['def similar_elements(a, b):\n    return tuple(set(a) | set(b))\n'],
  },
};

let pool: ExecPool;
let tasks: Task[];

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

beforeAll(async () => {
  pool = createNodeExecPool({ size: 1 });
  const he = await parseDataset({ name: 'HumanEvalPlus.jsonl', bytes: enc(FIXTURE + '\n') });
  const mbpp = await parseDataset({ name: 'MbppPlus.jsonl', bytes: enc(MBPP_FIXTURE + '\n') });
  tasks = [...he.tasks, ...mbpp.tasks];
});
afterAll(async () => {
  await pool?.close();
});

function ioTests(t: Task): Extract<TestSpec, { kind: 'io' }> {
  if (t.tests.kind !== 'io') throw new Error(`${t.id} is not an io task`);
  return t.tests;
}

describe('EvalPlus through the io kind', () => {
  it('imports io cases without expected outputs, and refuses to grade before validation', async () => {
    expect(tasks).toHaveLength(7);
    for (const t of tasks) {
      expect(ioTests(t).cases.every((c) => c.expected === undefined)).toBe(true);
      expect(JSON.stringify(t.tests)).not.toContain(MARK);
    }
    const r = await pool.run({ program: tasks[0]!.reference!, tests: tasks[0]!.tests });
    expect(r.passed).toBe(false);
    expect(r.tests[0]?.errorType).toBe('MissingExpectedOutput');
  });

  it('validation runs each reference once and fills the expected outputs', async () => {
    const results = await validateTasks(tasks, pool);
    expect(results.map((r) => [r.taskId.split('/').slice(1).join('/'), r.valid])).toEqual(
      tasks.map((t) => [t.sourceId, true]),
    );
    tasks = tasks.map((t, i) => ({ ...t, tests: results[i]!.tests! }));
    const byEntry = Object.fromEntries(tasks.map((t) => [t.entryPoint!, ioTests(t)] as const));
    expect(byEntry.power_of_two!.cases.map((c) => c.expected)).toEqual([
      8,
      { $int: String(2n ** 70n) },
      { $int: String(2n ** 200n) },
    ]);
    expect(byEntry.mean!.cases[0]!.expected).toBe(7 / 3);
    expect(byEntry.min_max!.cases[0]!.expected).toEqual({ $tuple: [1, 3] });
    expect(byEntry.unique!.cases.map((c) => c.expected)).toEqual([
      { $set: [1, 2] },
      { $set: [] },
      { $set: ['a', 'b'] },
    ]);
    expect(byEntry.safe_div!.cases.map((c) => c.expected)).toEqual([
      0.25,
      { $float: 'nan' },
      { $float: 'nan' },
      { $float: 'inf' },
    ]);
    // Mbpp/2's inputs are re-typed to tuples, as EvalPlus does.
    expect(byEntry.similar_elements!.cases[0]!.args[0]).toEqual({ $tuple: [3, 4, 5, 6] });
  });

  it('grades right and wrong candidates per input, without running the reference', async () => {
    for (const t of tasks) {
      const c = CANDIDATES[t.entryPoint!]!;
      for (const program of c.good) {
        const r = await pool.run({ program, tests: t.tests });
        expect({ task: t.entryPoint, passed: r.passed, tests: r.tests }).toMatchObject({
          passed: true,
        });
        expect(r.stdout.text).not.toContain(MARK);
      }
      for (const program of c.bad) {
        const r = await pool.run({ program: `print("${MARK}")\n${program}`, tests: t.tests });
        expect({ task: t.entryPoint, passed: r.passed }).toEqual({
          task: t.entryPoint,
          passed: false,
        });
        // The candidate's own print is there once; the reference never printed.
        expect(r.stdout.text.split(MARK).length - 1).toBe(1);
      }
    }
  });

  it('gives per-input credit: a candidate right on small inputs only earns a share', async () => {
    const t = tasks.find((x) => x.entryPoint === 'power_of_two')!;
    const r = await pool.run({ program: CANDIDATES.power_of_two!.bad[0]!, tests: t.tests });
    expect(r.tests.map((v) => v.outcome)).toEqual(['passed', 'failed', 'failed']);
    expect(r.soft).toBeCloseTo(1 / 3);
  });

  it('a candidate whose output is not plain data fails, whatever its __eq__ says', async () => {
    const t = tasks.find((x) => x.entryPoint === 'min_max')!;
    const program =
      'class Any(tuple):\n    def __eq__(self, o):\n        return True\n' +
      'class Fake:\n    def __eq__(self, o):\n        return True\n' +
      'def min_max(xs):\n    return Any((0, 0)) if len(xs) > 1 else Fake()\n';
    const r = await pool.run({ program, tests: t.tests });
    expect(r.tests.map((v) => v.outcome)).toEqual(['failed', 'failed']);
    expect(r.tests[1]?.message).toMatch(/not plain data/);
  });
});

describe('EvalPlus through the Tasks service', () => {
  it('stores the expected outputs validation computed with the task', async () => {
    const db = new AthanorDb('executor-evalplus');
    await db.open();
    try {
      const service = new TasksService(db, () => pool);
      const record = await service.importFile(
        { name: 'HumanEvalPlus.jsonl', bytes: enc(FIXTURE + '\n') },
        { commit: 'all-or-nothing' },
      );
      await service.validate(record.id);
      const stored = await service.repo.tasks(record.id);
      expect(stored.every((t) => t.valid === true)).toBe(true);
      const pow2 = stored.find((t) => t.entryPoint === 'power_of_two')!;
      expect(ioTests(pow2).cases[1]!.expected).toEqual({ $int: String(2n ** 70n) });
      const r = await pool.run({ program: CANDIDATES.power_of_two!.good[0]!, tests: pow2.tests });
      expect(r.passed).toBe(true);
    } finally {
      db.close();
      await db.delete();
    }
  });
});
