/**
 * Whether a replay's verdicts match the original run's: the same prompt (ids are hashes of the
 * text), seed, task, sample and phase, passed or failed alike. A replay answers every call with
 * the recorded answer, so a difference can only come from grading: this browser's Python, its
 * packages, or a test that depends on time or chance.
 */
import { db } from '../store/db';
import type { EvaluationRecord } from '../store/records';

export interface ReplayCheck {
  /** Verdicts present in both runs. */
  compared: number;
  /** Of those, the ones that differ (passed in one, failed in the other), first ten. */
  differing: { seed: number; taskId: string; phase: string; original: boolean }[];
  differingCount: number;
  /** Verdicts of the replay taken from this browser's verdict cache rather than run again. */
  fromCache: number;
  /** Verdicts of the replay with no counterpart in the original (should be none). */
  unmatched: number;
}

const key = (e: EvaluationRecord): string =>
  `${e.seed}|${e.phase}|${e.promptId}|${e.taskId}|${e.sample}`;

export function compareVerdicts(
  original: readonly EvaluationRecord[],
  replay: readonly EvaluationRecord[],
): ReplayCheck {
  const before = new Map(original.map((e) => [key(e), e.result.passed]));
  const out: ReplayCheck = {
    compared: 0,
    differing: [],
    differingCount: 0,
    fromCache: 0,
    unmatched: 0,
  };
  for (const e of replay) {
    if (e.execCached) out.fromCache++;
    const was = before.get(key(e));
    if (was === undefined) {
      out.unmatched++;
      continue;
    }
    out.compared++;
    if (was !== e.result.passed) {
      out.differingCount++;
      if (out.differing.length < 10)
        out.differing.push({ seed: e.seed, taskId: e.taskId, phase: e.phase, original: was });
    }
  }
  return out;
}

export async function checkReplay(replayId: string, originalId: string): Promise<ReplayCheck> {
  const [original, replay] = await Promise.all([
    db().evaluations.where('runId').equals(originalId).toArray(),
    db().evaluations.where('runId').equals(replayId).toArray(),
  ]);
  return compareVerdicts(original, replay);
}
