/**
 * The held-out report of a run, computed from its stored records alone (so an imported bundle
 * reproduces it exactly):
 * - per seed and prompt: strict pass@1 = share of test tasks whose greedy answer (sample 0,
 *   temperature 0) passes, soft pass@1 = its mean share of tests passed; pass@k by the unbiased
 *   estimator 1 − C(n−c,k)/C(n,k) (Chen et al. 2021, arXiv 2107.03374) over the n samples 1..n
 *   drawn at the evaluation temperature (with samples = 1: the greedy answer alone);
 * - per-instance methods: the share of tasks solved by their own best prompt (test-set
 *   optimization), next to the held-out grading of the single best prompt;
 * - over seeds: mean ± sample std (n − 1);
 * - initial vs final prompt with the task as the unit (core/task-stats.ts): per-task differences of
 *   the greedy strict verdict averaged over seeds, an exact within-task relabelling test, a t
 *   interval with the spread between seeds and the smallest detectable difference; and each seed
 *   on its own with McNemar's exact test;
 * - per seed, the selected prompt's training, validation and test scores (the overfitting gap);
 * - cost from the run's call log and evaluations.
 */
import { passedBase } from '../core/evalplus-base';
import { mcnemarExact, meanPassAtK, meanStd } from '../core/stats';
import { compareTaskLevel, FEW_TASKS, verdict } from '../core/task-stats';
import type { RunConfig } from '../core/types';
import type { InstanceResult } from '../optimizers/types';
import type {
  EvaluationRecord,
  GeneralizationGap,
  ModelRole,
  PromptReport,
  RoleCost,
  RunCallRecord,
  RunCost,
  RunReport,
  SeedStat,
  SplitScore,
  TaskLevelReport,
} from '../store/records';
import { roleOf } from './roles';

export interface SeedPrompts {
  seed: number;
  initialId: string;
  finalId: string;
  /** Per-instance methods: each task's own best prompt at the end of the seed. */
  instances?: InstanceResult[];
  /** The final prompt was re-selected on the validation split among the top training candidates. */
  selectedBy?: 'training' | 'validation';
}

/** Held-out evaluations are missing for a task: the run's evaluation did not finish. */
export class IncompleteEvaluationError extends Error {
  override readonly name = 'IncompleteEvaluationError';
}

interface TaskOutcome {
  /** Samples behind pass@k and their strict passes. */
  n: number;
  c: number;
  /** The greedy answer's (sample 0) soft score and strict verdict: pass@1. */
  soft: number;
  first: boolean;
  /** EvalPlus: the greedy answer passed every base input (undefined for other tasks). */
  firstBase?: boolean;
}

/** Default temperature of the held-out samples behind pass@k (Chen et al. 2021 use 0.8). */
export const DEFAULT_HELDOUT_TEMPERATURE = 0.8;

export function heldoutTemperature(config: RunConfig): number {
  return config.evaluation.temperature ?? DEFAULT_HELDOUT_TEMPERATURE;
}

/** Stored held-out sample indices: 0 is greedy; with samples > 1, 1..samples are sampled. */
export const heldoutSampleCount = (samples: number): number => (samples > 1 ? samples + 1 : 1);

function outcomes(
  evals: readonly EvaluationRecord[],
  seed: number,
  promptId: string,
  taskIds: readonly string[],
  samples: number,
  plusFrom?: ReadonlyMap<string, number>,
): TaskOutcome[] {
  const byTask = new Map<string, EvaluationRecord[]>();
  for (const e of evals) {
    if (e.phase !== 'heldout' || e.seed !== seed || e.promptId !== promptId) continue;
    if (e.sample >= heldoutSampleCount(samples)) continue;
    const list = byTask.get(e.taskId) ?? [];
    list.push(e);
    byTask.set(e.taskId, list);
  }
  return taskIds.map((taskId) => {
    const list = byTask.get(taskId) ?? [];
    const expected = heldoutSampleCount(samples);
    if (list.length !== expected) {
      throw new IncompleteEvaluationError(
        `Seed ${seed}, prompt ${promptId.slice(0, 8)}, task ${taskId}: ${list.length} of ${expected} ` +
          'held-out samples are stored. Resume the run to finish its evaluation.',
      );
    }
    list.sort((a, b) => a.sample - b.sample);
    const greedy = list[0] as EvaluationRecord;
    const drawn = samples > 1 ? list.slice(1) : list;
    const from = plusFrom?.get(taskId);
    return {
      n: drawn.length,
      c: drawn.filter((e) => e.result.passed).length,
      soft: greedy.result.soft,
      first: greedy.result.passed,
      ...(from !== undefined ? { firstBase: passedBase(greedy.result, from) } : {}),
    };
  });
}

function seedStat(values: number[]): SeedStat {
  const { mean, std, n } = meanStd(values);
  return { mean, std, n, perSeed: values };
}

function promptReport(
  perSeed: TaskOutcome[][],
  ks: readonly number[],
  samples: number,
): PromptReport {
  const strict = perSeed.map((ts) => ts.filter((t) => t.first).length / ts.length);
  const soft = perSeed.map((ts) => ts.reduce((s, t) => s + t.soft, 0) / ts.length);
  const passAtK: Record<string, SeedStat> = {};
  for (const k of ks) {
    if (k > samples) continue;
    passAtK[String(k)] = seedStat(perSeed.map((ts) => meanPassAtK(ts, k)));
  }
  // EvalPlus sets: pass@1 on the base inputs too, when every task has them.
  const base = perSeed.every((ts) => ts.every((t) => t.firstBase !== undefined))
    ? { base: seedStat(perSeed.map((ts) => ts.filter((t) => t.firstBase).length / ts.length)) }
    : {};
  return { strict: seedStat(strict), soft: seedStat(soft), passAtK, ...base };
}

export function runCost(
  calls: readonly RunCallRecord[],
  evaluations: readonly EvaluationRecord[],
): RunCost {
  const cost: RunCost = {
    llmCalls: 0,
    promptTokens: 0,
    completionTokens: 0,
    modelSeconds: 0,
    execSeconds: 0,
    completionCacheHits: 0,
    verdictCacheHits: 0,
  };
  const byRole: Record<ModelRole, RoleCost> = {
    task: { llmCalls: 0, promptTokens: 0, completionTokens: 0, modelSeconds: 0 },
    optimizer: { llmCalls: 0, promptTokens: 0, completionTokens: 0, modelSeconds: 0 },
  };
  for (const { completion, request } of calls) {
    if (completion.cached) {
      cost.completionCacheHits++;
      continue;
    }
    cost.llmCalls++;
    if (completion.usageEstimated) cost.estimatedCalls = (cost.estimatedCalls ?? 0) + 1;
    cost.promptTokens += completion.usage.promptTokens;
    cost.completionTokens += completion.usage.completionTokens;
    cost.modelSeconds += completion.latencyMs / 1000;
    const role = byRole[roleOf(request.purpose)];
    role.llmCalls++;
    role.promptTokens += completion.usage.promptTokens;
    role.completionTokens += completion.usage.completionTokens;
    role.modelSeconds = (role.modelSeconds ?? 0) + completion.latencyMs / 1000;
  }
  cost.byRole = byRole;
  for (const e of evaluations) {
    if (e.execCached) cost.verdictCacheHits++;
    else cost.execSeconds += e.result.durationMs / 1000;
  }
  return cost;
}

export function buildReport(args: {
  config: RunConfig;
  testTaskIds: readonly string[];
  /** Excluded from the training score when an optimizer also graded them (gap report). */
  validationTaskIds?: readonly string[];
  prompts: readonly SeedPrompts[];
  evaluations: readonly EvaluationRecord[];
  calls: readonly RunCallRecord[];
  testSetOptimization: boolean;
  /** EvalPlus test tasks: where each one's plus inputs start (for the base pass@1). */
  plusFrom?: ReadonlyMap<string, number>;
}): RunReport {
  const { config, testTaskIds, prompts, evaluations } = args;
  if (testTaskIds.length === 0) throw new IncompleteEvaluationError('The test split has no tasks.');
  const samples = config.evaluation.samples;
  const initial = prompts.map((p) =>
    outcomes(evaluations, p.seed, p.initialId, testTaskIds, samples, args.plusFrom),
  );
  const final = prompts.map((p) =>
    outcomes(evaluations, p.seed, p.finalId, testTaskIds, samples, args.plusFrom),
  );
  return {
    testSetOptimization: args.testSetOptimization,
    split: { train: config.trainSplit, test: config.testSplit, testTasks: testTaskIds.length },
    samples,
    initial: promptReport(initial, config.evaluation.k, samples),
    final: promptReport(final, config.evaluation.k, samples),
    prompts: prompts.map(({ seed, initialId, finalId }) => ({ seed, initialId, finalId })),
    taskLevel: taskLevelReport(prompts, initial, final),
    gap: generalizationGap(
      prompts,
      final,
      evaluations,
      new Set([...testTaskIds, ...(args.validationTaskIds ?? [])]),
      new Set(args.validationTaskIds ?? []),
    ),
    cost: runCost(args.calls, evaluations),
    ...(samples > 1 ? { samplingTemperature: heldoutTemperature(config) } : {}),
    ...perInstanceReport(prompts, testTaskIds),
  };
}

const greedyPasses = (ts: readonly TaskOutcome[]): Uint8Array =>
  Uint8Array.from(ts, (t) => (t.first ? 1 : 0));

function taskLevelReport(
  prompts: readonly SeedPrompts[],
  initial: readonly TaskOutcome[][],
  final: readonly TaskOutcome[][],
): TaskLevelReport {
  const a = initial.map(greedyPasses);
  const b = final.map(greedyPasses);
  const combined = compareTaskLevel(a, b);
  return {
    combined,
    verdict: verdict(combined),
    perSeed: prompts.map((p, s) => {
      const ai = a[s] as Uint8Array;
      const bi = b[s] as Uint8Array;
      const share = (x: Uint8Array): number => x.reduce((t, v) => t + v, 0) / x.length;
      return {
        seed: p.seed,
        initial: share(ai),
        final: share(bi),
        mcnemar: mcnemarExact(
          Array.from(ai, (v) => v === 1),
          Array.from(bi, (v) => v === 1),
        ),
      };
    }),
    fewTasks: combined.tasks < FEW_TASKS,
  };
}

/** Share of passing greedy answers of one prompt in one phase and seed (null when none graded). */
export function splitScore(
  evaluations: readonly EvaluationRecord[],
  seed: number,
  promptId: string,
  phase: EvaluationRecord['phase'],
  excluded?: ReadonlySet<string>,
): SplitScore | null {
  const byTask = new Map<string, boolean>();
  for (const e of evaluations) {
    if (e.seed !== seed || e.promptId !== promptId || e.phase !== phase || e.sample !== 0) continue;
    if (excluded?.has(e.taskId)) continue;
    byTask.set(e.taskId, e.result.passed);
  }
  if (byTask.size === 0) return null;
  let passed = 0;
  for (const v of byTask.values()) if (v) passed++;
  return { score: passed / byTask.size, tasks: byTask.size };
}

function generalizationGap(
  prompts: readonly SeedPrompts[],
  final: readonly TaskOutcome[][],
  evaluations: readonly EvaluationRecord[],
  notTraining: ReadonlySet<string>,
  validationIds: ReadonlySet<string>,
): GeneralizationGap[] {
  return prompts.map((p, s) => {
    const test = final[s] as TaskOutcome[];
    // An optimize-phase grade on a validation task: the method chose among prompts there.
    const validationUsed = evaluations.some(
      (e) => e.seed === p.seed && e.phase === 'optimize' && validationIds.has(e.taskId),
    );
    return {
      seed: p.seed,
      promptId: p.finalId,
      train: splitScore(evaluations, p.seed, p.finalId, 'optimize', notTraining),
      validation: splitScore(evaluations, p.seed, p.finalId, 'validation'),
      test: { score: test.filter((t) => t.first).length / test.length, tasks: test.length },
      selectedBy: p.selectedBy ?? 'training',
      ...(validationUsed ? { validationUsed } : {}),
    };
  });
}

/** Share of test tasks solved by their own best prompt, per seed (a task with none: unsolved). */
function perInstanceReport(
  prompts: readonly SeedPrompts[],
  testTaskIds: readonly string[],
): Pick<RunReport, 'perInstance'> {
  if (!prompts.some((p) => p.instances)) return {};
  const perSeed = prompts.map((p) => {
    const solved = new Set((p.instances ?? []).filter((r) => r.passed).map((r) => r.taskId));
    return testTaskIds.filter((id) => solved.has(id)).length / testTaskIds.length;
  });
  return { perInstance: { label: 'test-set optimization', strict: seedStat(perSeed) } };
}
