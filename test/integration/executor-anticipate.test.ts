/**
 * Without the interrupt buffer, a job still running at its deadline costs its worker. The pool
 * starts the replacement's spare a second before that deadline, so the pool is whole when the
 * verdict is given; a job that finishes in time gives that extra spare back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecJob } from '../../src/core/types';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';

const job = (body: string, jobTimeoutMs: number): ExecJob => ({
  program: `import time\ndef f():\n${body}\n    return 1\n`,
  tests: { kind: 'asserts', setup: '', asserts: ['assert f() == 1'] },
  testTimeoutMs: jobTimeoutMs,
  jobTimeoutMs,
});

let pool: ExecPool;
beforeAll(async () => {
  pool = createNodeExecPool({ size: 1, spares: 1, useInterrupts: false });
  await pool.warm();
});
afterAll(async () => {
  await pool?.close();
});

/** Runs the job, sampling the spare count every 10 ms: the most spares seen while it ran. */
async function peakSpares(j: ExecJob) {
  let peak = pool.stats().spares;
  const timer = setInterval(() => (peak = Math.max(peak, pool.stats().spares)), 10);
  try {
    const result = await pool.run(j);
    return { result, peak, after: pool.stats().spares };
  } finally {
    clearInterval(timer);
  }
}

describe('a spare started ahead of a deadline that kills', () => {
  it('replaces the killed worker, and is given back when the job finishes in time', async () => {
    expect(pool.stats().interrupts).toBe(false);
    expect(pool.stats().spares).toBe(1);

    const runaway = await peakSpares(job('    while True:\n        pass', 2500));
    expect(runaway.result.tests[0]?.message).toBe('timed out; the worker was terminated');
    expect(runaway.peak).toBe(2);
    expect(runaway.after).toBe(1); // the early spare is the refill, not one more
    expect(pool.stats().replaced).toBe(1);
    await pool.whenFull();
    expect(pool.stats().sparesReady).toBe(1);

    const inTime = await peakSpares(job('    time.sleep(2.0)', 2500));
    expect(inTime.result.passed).toBe(true);
    expect(inTime.peak).toBe(2);
    expect(inTime.after).toBe(1);
    expect(pool.stats().replaced).toBe(1);

    // Far from the deadline, nothing is started.
    const quick = await peakSpares(job('    pass', 5000));
    expect(quick.result.passed).toBe(true);
    expect(quick.peak).toBe(1);
  });
});
