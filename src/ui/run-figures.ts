/**
 * A run's live figures read from what is stored — evaluations and the run's call log — never
 * from checkpoints, which lag a whole optimizer step behind. Any tab shows the same numbers the
 * store holds at that moment, from its first paint.
 *
 * One definition of each figure, shared with the Results page and the exports: calls, tokens and
 * time are the run's cost as `runCost` (runner/report.ts) counts it — every seed and phase, calls
 * the model answered (cache hits apart) — so Live at the end equals Results. Only "budget used" is
 * per seed, as the budget is: the seed's calls that count against it (not held-out, not cached).
 */
import { HELDOUT_ROUND } from '../runner/call-log';
import { runCost } from '../runner/report';
import type { AthanorDb } from '../store/db';
import type { EvaluationRecord, RunCallRecord } from '../store/records';

export interface RunFigures {
  /** Evaluations stored for the whole run (every seed, both phases). */
  evaluations: number;
  /** LLM calls the model answered, whole run (report.cost.llmCalls). */
  llmCalls: number;
  /** Calls answered from the completion cache, whole run (report.cost.completionCacheHits). */
  cacheHits: number;
  /** Calls of the seed on show that count against its budget: not held-out, not a cache hit. */
  chargedCalls: number;
  /** Prompt + completion tokens of the calls the model answered, whole run. */
  tokens: number;
  /** Some of those counts were estimated (the engine reported none). */
  tokensEstimated: boolean;
  /** Model time of the answered calls plus Python time of the graded answers, whole run, in ms. */
  workMs: number;
}

/** The figures from a run's records: the same function the report's cost is. */
export function figuresOf(
  calls: readonly RunCallRecord[],
  evaluations: readonly EvaluationRecord[],
  seed: number,
): RunFigures {
  const cost = runCost(calls, evaluations);
  const chargedCalls = calls.filter(
    (c) => c.seed === seed && c.round !== HELDOUT_ROUND && !c.completion.cached,
  ).length;
  return {
    evaluations: evaluations.length,
    llmCalls: cost.llmCalls,
    cacheHits: cost.completionCacheHits,
    chargedCalls,
    tokens: cost.promptTokens + cost.completionTokens,
    tokensEstimated: (cost.estimatedCalls ?? 0) > 0,
    workMs: Math.round((cost.modelSeconds + cost.execSeconds) * 1000),
  };
}

/** One consistent read (one transaction) of the figures of a run, with one seed's budget use. */
export async function readRunFigures(
  db: AthanorDb,
  runId: string,
  seed: number,
): Promise<RunFigures> {
  return db.transaction('r', [db.evaluations, db.runCalls], async () => {
    const [calls, evaluations] = await Promise.all([
      db.runCalls.where('runId').equals(runId).toArray(),
      db.evaluations.where('runId').equals(runId).toArray(),
    ]);
    return figuresOf(calls, evaluations, seed);
  });
}
