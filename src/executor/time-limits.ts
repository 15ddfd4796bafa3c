/**
 * EvalPlus's time limits (evalplus 0.3.1, `evalplus/eval/__init__.py` `untrusted_check` and
 * `evalplus/config.py`): each input may take `max(min_time_limit, gt_time_limit_factor × t)`,
 * where `t` is the reference solution's own time on that input, measured once when the expected
 * outputs are computed; `min_time_limit` is 1 s and the factor 4. EvalPlus runs base and plus
 * inputs as two processes, each allowed `min(60 s, sum of its limits) + 1 s`; here one job holds
 * both, so its limit is the sum of those two.
 *
 * The reference's time is measured in the same interpreter that grades (Pyodide), so the factor
 * keeps its meaning: a program may be 4× slower than the reference on the same machine.
 */
import type { ExecJob, TestSpec } from '../core/types';

export const EVALPLUS_MIN_TIME_LIMIT_MS = 1000;
export const EVALPLUS_TIME_LIMIT_FACTOR = 4;
const PER_PROCESS_CAP_MS = 60_000;
const PER_PROCESS_EXTRA_MS = 1000;

/** Per-case limits (ms) of an io spec whose cases carry the reference's times; else undefined. */
export function caseTimeLimits(tests: TestSpec): number[] | undefined {
  if (tests.kind !== 'io' || tests.cases.length === 0) return undefined;
  if (!tests.cases.every((c) => typeof c.refMs === 'number')) return undefined;
  return tests.cases.map((c) =>
    Math.max(EVALPLUS_MIN_TIME_LIMIT_MS, EVALPLUS_TIME_LIMIT_FACTOR * (c.refMs as number)),
  );
}

/** The whole job's limit (ms) for such a spec: EvalPlus's per-process limit for base, and plus. */
export function jobTimeLimit(tests: TestSpec, limits: readonly number[]): number {
  const plusFrom = tests.kind === 'io' ? (tests.plusFrom ?? limits.length) : limits.length;
  const part = (xs: readonly number[]): number =>
    xs.length === 0
      ? 0
      : Math.min(
          PER_PROCESS_CAP_MS,
          xs.reduce((a, b) => a + b, 0),
        ) + PER_PROCESS_EXTRA_MS;
  return part(limits.slice(0, plusFrom)) + part(limits.slice(plusFrom));
}

/**
 * The limits the pool applies to a job: per step (case) when the job's cases carry reference
 * times, and for the whole job. An explicit `jobTimeoutMs` wins.
 */
export function jobLimits(
  job: ExecJob,
  defaultTestTimeoutMs: number,
): { testTimeout: number; perStep?: number[]; jobTimeout: number } {
  const perStep = job.collect ? undefined : caseTimeLimits(job.tests);
  if (perStep) {
    return {
      testTimeout: perStep.reduce((a, b) => Math.max(a, b), 0),
      perStep,
      jobTimeout: job.jobTimeoutMs ?? jobTimeLimit(job.tests, perStep),
    };
  }
  const testTimeout = job.testTimeoutMs ?? defaultTestTimeoutMs;
  const jobTimeout = job.jobTimeoutMs ?? 10 * testTimeout;
  // Collecting (validation) runs every input of an io job as one step (engine.ts): its limit is
  // the job's.
  if (job.collect && job.tests.kind === 'io') return { testTimeout: jobTimeout, jobTimeout };
  return { testTimeout, jobTimeout };
}
