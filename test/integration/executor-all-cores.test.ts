/**
 * useAllCores: batch work (validation) borrows one worker per core and gives them back. While
 * borrowed, as many jobs run at once as there are cores; after the release, once their jobs are
 * done, the lent workers are gone and the pool is its own size again. Nested borrowers keep them
 * until the last one releases. Without a borrower, the pool never runs more than its size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecJob } from '../../src/core/types';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';

const CORES = 3;
const slowJob = (i: number): ExecJob => ({
  program: `import time\ndef f():\n    time.sleep(1.5)\n    return ${i}\n`,
  tests: { kind: 'asserts', setup: '', asserts: [`assert f() == ${i}`] },
  testTimeoutMs: 60_000,
});

let pool: ExecPool;
beforeAll(async () => {
  // `cores` is the pool's figure for "every core"; size 1 stands for a small machine's pool.
  pool = createNodeExecPool({ size: 1, spares: 0, cores: CORES });
  await pool.warm();
});
afterAll(async () => {
  await pool?.close();
});

/** Runs the jobs, sampling stats every 10 ms: the most jobs seen running at once. */
async function peakRunning(jobs: ExecJob[]): Promise<number> {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, pool.stats().running)), 10);
  try {
    const results = await Promise.all(jobs.map((j) => pool.run(j)));
    expect(results.map((r) => r.passed)).toEqual(jobs.map(() => true));
  } finally {
    clearInterval(timer);
  }
  return peak;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never: ${what} (${JSON.stringify(pool.stats())})`);
}

describe('useAllCores', () => {
  it('runs one job per core while borrowed, and shrinks back after the last release', async () => {
    expect(await peakRunning([0, 1, 2].map(slowJob))).toBe(1);

    const outer = pool.useAllCores();
    const inner = pool.useAllCores();
    await until(() => pool.stats().ready === CORES, `${CORES} workers loaded`);
    expect(await peakRunning([0, 1, 2, 3, 4, 5].map(slowJob))).toBe(CORES);

    inner(); // still borrowed by the outer one
    inner(); // a second call of the same release does nothing
    expect(pool.stats().ready).toBe(CORES);
    // Released while jobs run: the lent workers finish them, then go.
    const busy = Promise.all([0, 1, 2].map((i) => pool.run(slowJob(i))));
    await until(() => pool.stats().running === CORES, 'every worker busy');
    outer();
    expect((await busy).map((r) => r.passed)).toEqual([true, true, true]);
    await until(() => pool.stats().ready === 1, 'back to one worker');
    expect(await peakRunning([0, 1, 2].map(slowJob))).toBe(1);
  });
});
