/**
 * The hostile suite in Node: each program gets the right verdict, the pool answers the next job
 * in time, and that job sees the interpreter exactly as a fresh worker does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { HOSTILE_CASES, PROBE_PROGRAM, probeJob } from './executor-hostile-cases';

let pool: ExecPool;
let baseline: unknown;

beforeAll(async () => {
  pool = createNodeExecPool({ size: 1, spares: 1, maxHeapBytes: 512 * 2 ** 20 });
  await pool.warm();
  const r = await pool.run({
    program: `${PROBE_PROGRAM}\nimport json\nprint(json.dumps(fingerprint()))\n`,
    tests: { kind: 'stdio', compare: 'exact', cases: [{ stdin: '', stdout: '' }] },
  });
  baseline = JSON.parse(r.stdout.text);
});
afterAll(async () => {
  await pool.close();
});

describe('hostile programs (Node pool)', () => {
  it('has at least 30 cases and a sane baseline', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
    expect(baseline).toMatchObject({ recursion: 1000, tmp: [], js_loaded: [], getframe: false });
  });

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await pool.run(c.job);
    expect(c.verdict(r), JSON.stringify({ ...r, stdout: r.stdout.text.length })).toBeUndefined();
    const t0 = performance.now();
    const probe = await pool.run(probeJob(baseline));
    const waited = performance.now() - t0;
    // "In time": within the probe's own job limit, whatever the replacement of a worker costs.
    expect(waited).toBeLessThan(50_000);
    expect(probe.tests[0]?.message ?? '', 'the next job saw a changed interpreter').toBe('');
    expect(probe.passed).toBe(true);
  });

  it('still grades correctly after all of that', async () => {
    const ok = await pool.run({
      program: 'def add(a, b):\n    return a + b\n',
      tests: {
        kind: 'check',
        entryPoint: 'add',
        source:
          'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(0, 0) == 1\n',
      },
    });
    expect(ok.passed).toBe(false);
    expect(ok.soft).toBe(0.5);
    expect(ok.tests.map((t) => t.outcome)).toEqual(['passed', 'failed']);
    // Replacements started from the first worker's memory snapshot, not from a cold boot.
    expect(pool.stats().replaced).toBeGreaterThan(0);
    expect(pool.stats().fromSnapshot).toBeGreaterThan(0);
    // For the record (visible with --reporter=verbose): why workers were replaced.
    console.info('replaced workers:', pool.stats().replaced, pool.stats().replaceReasons);
  });
});
