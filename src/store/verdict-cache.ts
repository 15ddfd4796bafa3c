/**
 * The execution-verdict cache: an ExecPort wrapper that answers a (program, tests) job it has seen
 * before from IndexedDB instead of running Python again. Grading is deterministic for the same
 * program, tests and limits, so the verdict is too, except for timeouts (they depend on the load
 * of the machine at that moment), which are never cached.
 */
import { hashValue } from '../core/hash';
import type { ExecPort } from '../core/ports';
import type { ExecJob, ExecResult } from '../core/types';
import type { AthanorDb } from './db';

const hits = new WeakSet<ExecResult>();

/** True when `result` was served by a verdict cache rather than by running the program. */
export function isCachedVerdict(result: ExecResult): boolean {
  return hits.has(result);
}

export function verdictKey(job: ExecJob): Promise<string> {
  return hashValue({
    program: job.program,
    tests: job.tests,
    testTimeoutMs: job.testTimeoutMs ?? null,
    jobTimeoutMs: job.jobTimeoutMs ?? null,
  });
}

export interface VerdictCache extends ExecPort {
  readonly stats: { hits: number; misses: number };
}

export function withVerdictCache(exec: ExecPort, db: AthanorDb): VerdictCache {
  const stats = { hits: 0, misses: 0 };
  return {
    stats,
    async run(job, signal) {
      const key = await verdictKey(job);
      const stored = await db.verdicts.get(key);
      if (stored) {
        stats.hits++;
        const result = structuredClone(stored.result);
        hits.add(result);
        return result;
      }
      stats.misses++;
      const result = await exec.run(job, signal);
      if (!result.tests.some((t) => t.outcome === 'timeout')) {
        // A full disk must not fail the grading: the verdict is still good, only not remembered.
        await db.verdicts.put({ key, result, createdAt: Date.now() }).catch(() => undefined);
      }
      return result;
    },
  };
}
