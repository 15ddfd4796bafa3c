/**
 * Real data through the Node pool at the product's limits (3 s a test, as answers are graded;
 * 768 MiB): every HumanEval reference passes and every `return None` variant fails; MBPP full and
 * sanitized references all pass (orders from the datasets' README), and their broken references
 * (every function they define returns None) fail exactly where native CPython, running the same
 * programs, says they fail.
 *
 * One reference is slower than the product's answer limit: MBPP 123 (amicable numbers up to 9999,
 * about 10^8 Python steps by trial division). Here it took 20 s for its three tests in Pyodide
 * and 13 s in CPython on a loaded machine, so a correct answer as slow as it is graded a timeout,
 * as in the official harnesses' 3 s limits. It is graded at the limit the product gives a
 * reference (validation, VALIDATION_TEST_TIMEOUT_MS) and must pass there.
 *
 * Last, the harness itself (src/executor/*.py) runs every job graded here again in native
 * CPython, driven as engine.ts drives it in Pyodide (test/support/harness_cpython.py), and must
 * give the same verdict: the same outcome, and error type, for every test.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import type { ExecJob, ExecResult } from '../../src/core/types';
import { VALIDATION_TEST_TIMEOUT_MS } from '../../src/datasets/validate';
import { repoRoot, sharedFile } from '../support/paths';
import { pythonTools } from '../support/python';
import { humanEvalJobs, mbppJobs, sanitizedMbppJobs, type NamedJob } from './executor-data';

const humanEval = sharedFile('datasets', 'HumanEval.jsonl');
const mbpp = sharedFile('datasets', 'mbpp.jsonl');
const sanitized = sharedFile('datasets', 'sanitized-mbpp.json');

let pool: ExecPool;
beforeAll(async () => {
  // The product's limits (3 s a test, 768 MiB): every reference must pass as a user's would.
  pool = createNodeExecPool({ size: 2, spares: 0 });
  await pool.warm();
});
afterAll(async () => {
  await pool.close();
});

/** References slower than the product's answer limit (see the header), in both MBPP files. */
const SLOW_REFERENCES = new Set(['mbpp/123', 'sanitized/123']);

/** Every job graded in Pyodide here, with its verdict: the CPython run at the end repeats them. */
const graded: { id: string; job: ExecJob; result: ExecResult }[] = [];

async function runAll(jobs: NamedJob[]): Promise<Map<string, ExecResult>> {
  const limited = jobs.map((j) =>
    SLOW_REFERENCES.has(j.id) ? { ...j.job, testTimeoutMs: VALIDATION_TEST_TIMEOUT_MS } : j.job,
  );
  const results = await Promise.all(limited.map((job) => pool.run(job)));
  jobs.forEach((j, i) => graded.push({ id: j.id, job: limited[i]!, result: results[i]! }));
  return new Map(jobs.map((j, i) => [j.id, results[i]!]));
}

function failures(results: Map<string, ExecResult>, want: boolean): string[] {
  return [...results]
    .filter(([, r]) => r.passed !== want)
    .map(
      ([id, r]) =>
        `${id}: ${r.setupError ?? r.tests.find((t) => t.outcome !== 'passed')?.message ?? ''}`,
    );
}

describe.skipIf(!humanEval)('HumanEval (164)', () => {
  it('passes every reference solution, with full soft credit', async () => {
    const results = await runAll(humanEvalJobs(humanEval!));
    expect(results.size).toBe(164);
    expect(failures(results, true)).toEqual([]);
    for (const r of results.values()) {
      expect(r.soft).toBe(1);
      expect(r.tests.length).toBeGreaterThan(0);
    }
  });

  it('fails every `return None` variant, on a test that really failed', async () => {
    const results = await runAll(humanEvalJobs(humanEval!, 'return-none'));
    expect(results.size).toBe(164);
    expect(failures(results, false)).toEqual([]);
    for (const [id, r] of results) {
      expect(r.soft, id).toBeLessThan(1);
      const bad = r.tests.some((t) => t.outcome === 'failed' || t.outcome === 'error');
      expect(bad || r.setupError !== undefined, id).toBe(true);
    }
  });
});

describe.skipIf(!mbpp)('MBPP full (974)', () => {
  it('passes every reference: code + test_setup_code + test_list', async () => {
    const jobs = mbppJobs(mbpp!);
    expect(jobs.filter((j) => SLOW_REFERENCES.has(j.id))).toHaveLength(1);
    const results = await runAll(jobs);
    expect(results.size).toBe(974);
    expect(failures(results, true)).toEqual([]);
  });
});

describe.skipIf(!sanitized)('MBPP sanitized (427)', () => {
  it('passes every reference: test_imports + code + test_list', async () => {
    const jobs = sanitizedMbppJobs(sanitized!);
    expect(jobs.filter((j) => SLOW_REFERENCES.has(j.id))).toHaveLength(1);
    const results = await runAll(jobs);
    expect(results.size).toBe(427);
    expect(failures(results, true)).toEqual([]);
  });

  it('leaves the pool healthy: no worker had to be replaced', () => {
    expect(pool.stats().replaced).toBe(0);
  });
});

/** Appended to a reference: every function it defined now returns None. */
const BREAK = `
import types as _athanor_types
for _athanor_k, _athanor_v in list(globals().items()):
    if isinstance(_athanor_v, _athanor_types.FunctionType):
        globals()[_athanor_k] = lambda *a, **k: None
`;

function broken(jobs: NamedJob[]): NamedJob[] {
  return jobs.map((j) => ({ ...j, job: { ...j.job, program: `${j.job.program}\n${BREAK}` } }));
}

/** Native CPython's strict verdict for each job: program, setup, then the asserts in order. */
function nativeVerdicts(python: string, jobs: NamedJob[]): boolean[] {
  const rows = jobs.map((j) => {
    const t = j.job.tests;
    if (t.kind !== 'asserts') throw new Error('MBPP jobs are asserts jobs');
    return { program: j.job.program, setup: t.setup, asserts: t.asserts };
  });
  const script = `
import json, signal, sys
def alarm(*a):
    raise TimeoutError()
signal.signal(signal.SIGALRM, alarm)
out = []
for r in json.load(sys.stdin):
    g = {}
    signal.alarm(10)
    try:
        exec(r['program'], g)
        exec(r['setup'], g)
        for a in r['asserts']:
            exec(a, g)
        out.append(True)
    except BaseException:
        out.append(False)
    finally:
        signal.alarm(0)
print(json.dumps(out))
`;
  const text = execFileSync(python, ['-c', script], {
    input: JSON.stringify(rows),
    maxBuffer: 64 * 2 ** 20,
  }).toString();
  return JSON.parse(text) as boolean[];
}

const python = pythonTools();

describe.skipIf(!mbpp || !sanitized || !python)('MBPP negative controls', () => {
  it.each([
    ['MBPP full', () => mbppJobs(mbpp!)],
    ['MBPP sanitized', () => sanitizedMbppJobs(sanitized!)],
  ] as const)(
    '%s: broken references fail, task by task as in native CPython',
    async (_n, make) => {
      const jobs = broken(make());
      const results = await runAll(jobs);
      const native = nativeVerdicts(python!, jobs);
      const disagree = jobs
        .map((j, i) => ({ id: j.id, ours: results.get(j.id)!.passed, native: native[i] }))
        .filter((x) => x.ours !== x.native);
      expect(disagree).toEqual([]);
      const stillPassing = jobs.filter((j) => results.get(j.id)!.passed).length;
      // Tasks whose every assert holds for None are rare; most broken references must fail.
      expect(stillPassing / jobs.length).toBeLessThan(0.05);
      console.info(`${_n}: ${jobs.length - stillPassing}/${jobs.length} broken references fail`);
    },
    600_000,
  );
});

/** What both interpreters must agree on: the strict verdict, and each test's outcome and type. */
const shape = (r: {
  passed: boolean;
  setupError?: string | null;
  tests: { outcome: string; errorType?: string | null }[];
}) =>
  JSON.stringify([
    r.passed,
    r.setupError ? 'setup error' : null,
    r.tests.map((t) => [t.outcome, t.errorType ?? null]),
  ]);

describe.skipIf(!python)('the harness in native CPython', () => {
  it('gives every job graded above the verdict Pyodide gave it', () => {
    expect(graded.length).toBe(164 + 164 + 974 + 427 + 974 + 427);
    const out = execFileSync(
      python!,
      [join(repoRoot, 'test/support/harness_cpython.py'), join(repoRoot, 'src/executor')],
      {
        input: JSON.stringify(graded.map((g) => g.job)),
        maxBuffer: 256 * 2 ** 20,
        env: { ...process.env, PYTHONHASHSEED: '0' },
      },
    ).toString();
    const native = JSON.parse(out) as {
      passed: boolean;
      setupError: string | null;
      tests: [string, string | null][];
    }[];
    const disagree = graded
      .map((g, i) => ({
        id: g.id,
        pyodide: shape(g.result),
        cpython: shape({
          ...native[i]!,
          tests: native[i]!.tests.map(([outcome, errorType]) => ({ outcome, errorType })),
        }),
      }))
      .filter((d) => d.pyodide !== d.cpython);
    expect(disagree).toEqual([]);
  }, 600_000);
});
