/**
 * A run's live figures read from what is stored — evaluations and the run's call log — never
 * from checkpoints, which lag a whole optimizer step behind. Any tab shows the same numbers the
 * store holds at that moment, from its first paint.
 */
import { HELDOUT_ROUND } from '../runner/call-log';
import type { AthanorDb } from '../store/db';

export interface RunFigures {
  /** Evaluations stored for the whole run (every seed, both phases). */
  evaluations: number;
  /** LLM calls in the seed's call log (optimization, augmentation and held-out). */
  llmCalls: number;
  /** Calls of the seed that count against the budget: not held-out, not a cache hit. */
  chargedCalls: number;
  /** Prompt + completion tokens of the seed's calls that count against the budget. */
  tokens: number;
  /** Some of those counts were estimated (the engine reported none). */
  tokensEstimated: boolean;
  /** Model time of the seed's calls plus Python time of its graded answers, in ms. */
  workMs: number;
}

/** One consistent read (one transaction) of the figures of a run and one of its seeds. */
export async function readRunFigures(
  db: AthanorDb,
  runId: string,
  seed: number,
): Promise<RunFigures> {
  return db.transaction('r', [db.evaluations, db.runCalls], async () => {
    const evaluations = await db.evaluations.where('runId').equals(runId).count();
    let llmCalls = 0;
    let chargedCalls = 0;
    let tokens = 0;
    let tokensEstimated = false;
    let workMs = 0;
    await db.runCalls
      .where('[runId+seed]')
      .equals([runId, seed])
      .each((c) => {
        llmCalls++;
        workMs += c.completion.latencyMs || 0;
        if (c.round === HELDOUT_ROUND || c.completion.cached) return;
        chargedCalls++;
        tokens += c.completion.usage.promptTokens + c.completion.usage.completionTokens;
        if (c.completion.usageEstimated) tokensEstimated = true;
      });
    await db.evaluations
      .where('[runId+seed]')
      .equals([runId, seed])
      .each((e) => {
        if (!e.execCached) workMs += e.result.durationMs || 0;
      });
    return { evaluations, llmCalls, chargedCalls, tokens, tokensEstimated, workMs };
  });
}
