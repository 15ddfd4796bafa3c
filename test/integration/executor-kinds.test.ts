/**
 * Each test kind through the real Node pool at the product's limits (2 s grace, 768 MiB heap):
 * verdict shapes, partial credit, limits and cancel, each limit by the interrupt path (no worker
 * replaced).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeExecPool, ExecAbortedError, type ExecPool } from '../../src/executor/node';
import { WARM_INTERRUPT_JOB } from './executor-hostile-cases';

let pool: ExecPool;
beforeAll(async () => {
  pool = createNodeExecPool({ size: 1, spares: 1 });
  await pool.warm();
  // The first interrupt a process serves is slow on a loaded machine (see WARM_INTERRUPT_JOB).
  await pool.run(WARM_INTERRUPT_JOB);
  await pool.whenFull();
});
afterAll(async () => {
  await pool.close();
});

const CHECK = `
METADATA = {'author': 'x'}

def check(candidate):
    base = 10
    assert candidate(1) == 11
    assert candidate(2) == 12, 'two'
    for i in range(3):
        assert candidate(i) == base + i
    assert candidate(-1) == 9
`;

describe('check (HumanEval)', () => {
  it('passes a right program and names each assert-bearing statement', async () => {
    const r = await pool.run({
      program: 'def f(x):\n    return x + 10\n',
      tests: { kind: 'check', source: CHECK, entryPoint: 'f' },
    });
    expect(r.passed).toBe(true);
    expect(r.soft).toBe(1);
    expect(r.tests.map((t) => t.name)).toEqual([
      'assert candidate(1) == 11',
      "assert candidate(2) == 12, 'two'",
      'for i in range(3): assert candidate(i) == base + i',
      'assert candidate(-1) == 9',
    ]);
  });

  it('gives partial credit after a failure, with the assertion message', async () => {
    const r = await pool.run({
      program: 'def f(x):\n    return 12 if x == 2 else x + 10 if x != 1 else 0\n',
      tests: { kind: 'check', source: CHECK, entryPoint: 'f' },
    });
    expect(r.passed).toBe(false);
    expect(r.tests.map((t) => t.outcome)).toEqual(['failed', 'passed', 'failed', 'passed']);
    expect(r.soft).toBe(0.5);
  });

  it('reports errors with their type and the line in the program', async () => {
    const r = await pool.run({
      program: 'def f(x):\n    y = 1\n    return {}[x]\n',
      tests: { kind: 'check', source: CHECK, entryPoint: 'f' },
    });
    expect(r.tests[0]).toMatchObject({ outcome: 'error', errorType: 'KeyError', line: 3 });
  });

  it('reports a syntax error as a setup error with its line', async () => {
    const r = await pool.run({
      program: 'def f(x):\n    return (x +\n',
      tests: { kind: 'check', source: CHECK, entryPoint: 'f' },
    });
    expect(r.passed).toBe(false);
    expect(r.soft).toBe(0);
    expect(r.setupError).toMatch(/SyntaxError/);
    // The line is named once (Python's own text may already carry it).
    expect(r.setupError!.match(/\bline \d+/g)).toHaveLength(1);
  });

  it('fails when the entry point is missing', async () => {
    const r = await pool.run({
      program: 'def g(x):\n    return x\n',
      tests: { kind: 'check', source: CHECK, entryPoint: 'f' },
    });
    expect(r.passed).toBe(false);
    expect(r.setupError).toMatch(/f/);
  });
});

describe('asserts (MBPP)', () => {
  it('runs setup after the program and each assert as one test', async () => {
    const r = await pool.run({
      program: 'class P:\n    pass\ndef area(p):\n    return p.w * p.h\n',
      tests: {
        kind: 'asserts',
        setup: 'p = P(); p.w = 2; p.h = 3',
        asserts: ['assert area(p) == 6', 'assert area(p) == 7'],
      },
    });
    expect(r.tests.map((t) => t.outcome)).toEqual(['passed', 'failed']);
    expect(r.soft).toBe(0.5);
    expect(r.passed).toBe(false);
  });

  it('stops at the first timeout: the rest is not run, counted failed (interrupt buffer)', async () => {
    const r = await pool.run({
      program: 'def f(x):\n    while x:\n        pass\n    return 1\n',
      tests: {
        kind: 'asserts',
        setup: '',
        asserts: ['assert f(0) == 1', 'assert f(1) == 1', 'assert f(0) == 1'],
      },
      testTimeoutMs: 300,
    });
    expect(r.tests.map((t) => t.outcome)).toEqual(['passed', 'timeout', 'not-run']);
    expect(r.tests[2]?.message).toBe('not run: an earlier test timed out');
    expect(r.soft).toBeCloseTo(1 / 3);
    expect(r.passed).toBe(false);
    expect(pool.stats().replaceReasons).toEqual([]);
  });

  it('stops a job at its job limit, marking what did not run', async () => {
    // Each test is well within its own limit; together they are not within the job's. The third
    // sleeps from 0.8 s to 1.2 s: the limit lands 0.2 s from either end of it.
    const replaced = pool.stats().replaced;
    const r = await pool.run({
      program: 'import time\ndef f(x):\n    time.sleep(0.4)\n    return True\n',
      tests: {
        kind: 'asserts',
        setup: '',
        asserts: ['assert f(1)', 'assert f(2)', 'assert f(3)', 'assert f(4)'],
      },
      testTimeoutMs: 5000,
      jobTimeoutMs: 1000,
    });
    expect(r.passed).toBe(false);
    expect(r.tests.map((t) => [t.outcome, t.message])).toEqual([
      ['passed', undefined],
      ['passed', undefined],
      ['timeout', 'timed out'],
      ['not-run', 'not run: the job ran out of time'],
    ]);
    expect(pool.stats().replaced).toBe(replaced);
  });
});

describe('io (EvalPlus)', () => {
  it('compares plain data with a float tolerance', async () => {
    const r = await pool.run({
      program: 'def f(xs, k):\n    return [x / k for x in xs], {"n": len(xs)}\n',
      tests: {
        kind: 'io',
        entryPoint: 'f',
        atol: 1e-6,
        cases: [
          { args: [[1, 2], 3], expected: [[0.3333333, 0.6666667], { n: 2 }] },
          { args: [[1], 4], expected: [[0.3], { n: 1 }] },
        ],
      },
    });
    expect(r.tests.map((t) => t.outcome)).toEqual(['passed', 'failed']);
    expect(r.tests[1]?.message).toMatch(/expected/);
  });
});

describe('stdio (APPS)', () => {
  it('feeds stdin per case and compares stdout', async () => {
    const program = 'import sys\nn = int(input())\nprint(*range(n))\nsys.exit(0)\n';
    const cases = [
      { stdin: '3\n', stdout: '0 1 2\n' },
      { stdin: '2\n', stdout: '0  1  \n\n' },
    ];
    const exact = await pool.run({ program, tests: { kind: 'stdio', compare: 'exact', cases } });
    expect(exact.tests.map((t) => t.outcome)).toEqual(['passed', 'failed']);
    const loose = await pool.run({
      program,
      tests: { kind: 'stdio', compare: 'whitespace', cases },
    });
    expect(loose.passed).toBe(true);
  });

  it('counts a non-zero exit as an error', async () => {
    const r = await pool.run({
      program: 'raise SystemExit(3)\n',
      tests: { kind: 'stdio', compare: 'exact', cases: [{ stdin: '', stdout: '' }] },
    });
    expect(r.tests[0]).toMatchObject({ outcome: 'error', errorType: 'SystemExit' });
  });
});

describe('cancellation', () => {
  it('rejects a running job with AbortError and keeps the pool usable', async () => {
    const ctrl = new AbortController();
    const running = pool.run(
      {
        program: 'while True:\n    pass\n',
        tests: { kind: 'asserts', setup: '', asserts: ['assert True'] },
        testTimeoutMs: 60_000,
      },
      ctrl.signal,
    );
    const replaced = pool.stats().replaced;
    setTimeout(() => ctrl.abort(), 200);
    await expect(running).rejects.toBeInstanceOf(ExecAbortedError);
    const ok = await pool.run({
      program: 'x = 2',
      tests: { kind: 'asserts', setup: '', asserts: ['assert x == 2'] },
    });
    expect(ok.passed).toBe(true);
    // The interrupt stopped it: the worker was kept.
    expect(pool.stats().replaced).toBe(replaced);
  });
});
