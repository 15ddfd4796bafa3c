/**
 * Real data through the Node pool: every HumanEval reference passes and every `return None`
 * variant fails; MBPP full and sanitized references all pass (orders from the datasets' README).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import type { ExecResult } from '../../src/core/types';
import { sharedFile } from '../support/paths';
import { humanEvalJobs, mbppJobs, sanitizedMbppJobs, type NamedJob } from './executor-data';

const humanEval = sharedFile('datasets', 'HumanEval.jsonl');
const mbpp = sharedFile('datasets', 'mbpp.jsonl');
const sanitized = sharedFile('datasets', 'sanitized-mbpp.json');

let pool: ExecPool;
beforeAll(async () => {
  pool = createNodeExecPool({ size: 2, spares: 0, testTimeoutMs: 20_000 });
  await pool.warm();
});
afterAll(async () => {
  await pool.close();
});

async function runAll(jobs: NamedJob[]): Promise<Map<string, ExecResult>> {
  const results = await Promise.all(jobs.map((j) => pool.run(j.job)));
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

  it('fails every `return None` variant', async () => {
    const results = await runAll(humanEvalJobs(humanEval!, 'return-none'));
    expect(failures(results, false)).toEqual([]);
    for (const r of results.values()) expect(r.soft).toBeLessThan(1);
  });
});

describe.skipIf(!mbpp)('MBPP full (974)', () => {
  it('passes every reference: code + test_setup_code + test_list', async () => {
    const results = await runAll(mbppJobs(mbpp!));
    expect(results.size).toBe(974);
    expect(failures(results, true)).toEqual([]);
  });
});

describe.skipIf(!sanitized)('MBPP sanitized (427)', () => {
  it('passes every reference: test_imports + code + test_list', async () => {
    const results = await runAll(sanitizedMbppJobs(sanitized!));
    expect(results.size).toBe(427);
    expect(failures(results, true)).toEqual([]);
  });

  it('leaves the pool healthy: no worker had to be replaced', () => {
    expect(pool.stats().replaced).toBe(0);
  });
});
