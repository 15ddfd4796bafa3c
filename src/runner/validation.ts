/**
 * The validation phase of a seed, between optimization and the held-out test:
 * - with `config.selection` (off by default, so the papers' methods stay as published), the top m
 *   prompts by training score are graded on the validation split and the best there becomes the
 *   final prompt (ties go to the better training score, then the earlier prompt);
 * - in every run with a validation split, the final prompt is graded on it, so the report can put
 *   its training, validation and test scores side by side (the overfitting gap).
 * Greedy answers (temperature 0), no budget (like the test grading), stored as `validation`
 * evaluations, so a resume repeats nothing. The test split is never touched here.
 */
import type { ExecPort } from '../core/ports';
import type { PromptCandidate, RunConfig, Task } from '../core/types';
import { createScorer } from '../optimizers/scoring';
import type { EvaluationRecord, PromptRecord } from '../store/records';
import type { RunRepository } from '../store/runs';
import type { RunCallLog } from './call-log';
import { PersistentEvaluationLog } from './evaluation-log';

/** Call-log round of the validation phase (beside call-log's HELDOUT_ROUND −1 and AUGMENT_ROUND −2). */
export const VALIDATION_ROUND = -3;

export interface TrainingRank {
  promptId: string;
  score: number;
  tasks: number;
}

/**
 * Prompts of one seed ranked by training score (greedy strict pass over the optimize-phase tasks
 * that are not validation or test tasks). Only prompts graded on as many tasks as the most-graded
 * one compete: a candidate that racing dropped early has a score over a few tasks only.
 */
export function rankByTraining(
  evaluations: readonly EvaluationRecord[],
  seed: number,
  excluded: ReadonlySet<string>,
  order: ReadonlyMap<string, number>,
): TrainingRank[] {
  const byPrompt = new Map<string, Map<string, boolean>>();
  for (const e of evaluations) {
    if (e.seed !== seed || e.phase !== 'optimize' || e.sample !== 0 || excluded.has(e.taskId))
      continue;
    const m = byPrompt.get(e.promptId) ?? new Map<string, boolean>();
    m.set(e.taskId, e.result.passed);
    byPrompt.set(e.promptId, m);
  }
  const ranks = [...byPrompt].map(([promptId, m]) => ({
    promptId,
    tasks: m.size,
    score: [...m.values()].filter(Boolean).length / m.size,
  }));
  const most = Math.max(0, ...ranks.map((r) => r.tasks));
  return ranks
    .filter((r) => r.tasks === most)
    .sort(
      (a, b) =>
        b.score - a.score ||
        (order.get(a.promptId) ?? Infinity) - (order.get(b.promptId) ?? Infinity),
    );
}

export interface ValidationPhaseArgs {
  repo: RunRepository;
  runId: string;
  seed: number;
  config: RunConfig;
  calls: RunCallLog;
  exec: ExecPort;
  signal: AbortSignal;
  testTimeoutMs?: number;
  onStored: (e: EvaluationRecord) => void;
  validation: readonly Task[];
  test: readonly Task[];
  /** The optimizer's choice. */
  best: PromptCandidate;
  /** The seed's stored prompts, in the order they were proposed. */
  prompts: readonly PromptRecord[];
}

export async function validationPhase(
  a: ValidationPhaseArgs,
): Promise<{ final: PromptCandidate; selectedBy: 'training' | 'validation' }> {
  if (a.config.selection && a.validation.length === 0) {
    throw new Error(
      'This run selects its final prompt on the validation split, but the split has no tasks: ' +
        'make a split with a validation share on the Tasks page, or turn the option off.',
    );
  }
  if (a.validation.length === 0) return { final: a.best, selectedBy: 'training' };
  a.calls.beginRound(VALIDATION_ROUND);
  const log = new PersistentEvaluationLog({
    repo: a.repo,
    runId: a.runId,
    seed: a.seed,
    phase: 'validation',
    calls: a.calls,
    onStored: a.onStored,
  });
  log.beginRound(VALIDATION_ROUND);
  const score = createScorer({
    llm: a.calls,
    exec: a.exec,
    generate: { ...a.config.sampling.generate, temperature: 0 },
    log,
    signal: a.signal,
    racing: false,
    ...(a.testTimeoutMs !== undefined ? { testTimeoutMs: a.testTimeoutMs } : {}),
  });
  if (!a.config.selection) {
    await score(a.best, a.validation, { samples: 1 });
    return { final: a.best, selectedBy: 'training' };
  }
  const excluded = new Set([...a.validation, ...a.test].map((t) => t.id));
  const order = new Map(a.prompts.map((p, i) => [p.id, i]));
  const evaluations = await a.repo.evaluations(a.runId);
  const top = rankByTraining(evaluations, a.seed, excluded, order)
    .slice(0, a.config.selection.topM)
    .map((r) => r.promptId);
  if (!top.includes(a.best.id)) top.push(a.best.id);
  const byId = new Map<string, PromptCandidate>(a.prompts.map((p) => [p.id, p]));
  byId.set(a.best.id, a.best);
  let chosen = a.best;
  let chosenScore = -1;
  for (const id of top) {
    const prompt = byId.get(id);
    if (!prompt) continue;
    const s = await score(prompt, a.validation, { samples: 1 });
    // Strictly better only: the training order (best first) breaks ties.
    if (s.strict > chosenScore) {
      chosen = prompt;
      chosenScore = s.strict;
    }
  }
  return { final: chosen, selectedBy: 'validation' };
}
