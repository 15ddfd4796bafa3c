/**
 * The held-out report of a run, computed from its stored records alone (so an imported bundle
 * reproduces it exactly):
 * - per seed and prompt: strict pass@1 = mean over test tasks of c/n (n samples, c strict passes;
 *   the unbiased pass@1), soft pass@1 = mean share of tests passed, pass@k by the unbiased estimator;
 * - over seeds: mean ± sample std (n − 1);
 * - initial vs final prompt, paired per (seed, task): McNemar's exact test on sample 0's strict
 *   verdict, and a paired bootstrap 95% CI of the mean difference in per-task pass@1;
 * - cost from the run's call log and evaluations.
 */
import { mcnemarExact, meanPassAtK, meanStd, pairedBootstrapCi } from '../core/stats';
import type { RunConfig } from '../core/types';
import type {
  EvaluationRecord,
  PromptReport,
  RunCallRecord,
  RunCost,
  RunReport,
  SeedStat,
} from '../store/records';

export interface SeedPrompts {
  seed: number;
  initialId: string;
  finalId: string;
}

/** Held-out evaluations are missing for a task: the run's evaluation did not finish. */
export class IncompleteEvaluationError extends Error {
  override readonly name = 'IncompleteEvaluationError';
}

interface TaskOutcome {
  n: number;
  c: number;
  soft: number;
  first: boolean;
}

function outcomes(
  evals: readonly EvaluationRecord[],
  seed: number,
  promptId: string,
  taskIds: readonly string[],
  samples: number,
): TaskOutcome[] {
  const byTask = new Map<string, EvaluationRecord[]>();
  for (const e of evals) {
    if (e.phase !== 'heldout' || e.seed !== seed || e.promptId !== promptId) continue;
    if (e.sample >= samples) continue;
    const list = byTask.get(e.taskId) ?? [];
    list.push(e);
    byTask.set(e.taskId, list);
  }
  return taskIds.map((taskId) => {
    const list = byTask.get(taskId) ?? [];
    if (list.length !== samples) {
      throw new IncompleteEvaluationError(
        `Seed ${seed}, prompt ${promptId.slice(0, 8)}, task ${taskId}: ${list.length} of ${samples} ` +
          'held-out samples are stored. Resume the run to finish its evaluation.',
      );
    }
    list.sort((a, b) => a.sample - b.sample);
    return {
      n: list.length,
      c: list.filter((e) => e.result.passed).length,
      soft: list.reduce((s, e) => s + e.result.soft, 0) / list.length,
      first: (list[0] as EvaluationRecord).result.passed,
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
  const strict = perSeed.map((ts) => ts.reduce((s, t) => s + t.c / t.n, 0) / ts.length);
  const soft = perSeed.map((ts) => ts.reduce((s, t) => s + t.soft, 0) / ts.length);
  const passAtK: Record<string, SeedStat> = {};
  for (const k of ks) {
    if (k > samples) continue;
    passAtK[String(k)] = seedStat(perSeed.map((ts) => meanPassAtK(ts, k)));
  }
  return { strict: seedStat(strict), soft: seedStat(soft), passAtK };
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
  for (const { completion } of calls) {
    if (completion.cached) {
      cost.completionCacheHits++;
      continue;
    }
    cost.llmCalls++;
    cost.promptTokens += completion.usage.promptTokens;
    cost.completionTokens += completion.usage.completionTokens;
    cost.modelSeconds += completion.latencyMs / 1000;
  }
  for (const e of evaluations) {
    if (e.execCached) cost.verdictCacheHits++;
    else cost.execSeconds += e.result.durationMs / 1000;
  }
  return cost;
}

export function buildReport(args: {
  config: RunConfig;
  testTaskIds: readonly string[];
  prompts: readonly SeedPrompts[];
  evaluations: readonly EvaluationRecord[];
  calls: readonly RunCallRecord[];
  testSetOptimization: boolean;
}): RunReport {
  const { config, testTaskIds, prompts, evaluations } = args;
  if (testTaskIds.length === 0) throw new IncompleteEvaluationError('The test split has no tasks.');
  const samples = config.evaluation.samples;
  const initial = prompts.map((p) =>
    outcomes(evaluations, p.seed, p.initialId, testTaskIds, samples),
  );
  const final = prompts.map((p) => outcomes(evaluations, p.seed, p.finalId, testTaskIds, samples));
  const a = initial.flat();
  const b = final.flat();
  const boot = pairedBootstrapCi(
    a.map((t) => t.c / t.n),
    b.map((t) => t.c / t.n),
    { seed: config.seeds[0] ?? 0, resamples: 10_000 },
  );
  return {
    testSetOptimization: args.testSetOptimization,
    split: { train: config.trainSplit, test: config.testSplit, testTasks: testTaskIds.length },
    samples,
    initial: promptReport(initial, config.evaluation.k, samples),
    final: promptReport(final, config.evaluation.k, samples),
    prompts: prompts.map((p) => ({ ...p })),
    comparison: {
      mcnemar: mcnemarExact(
        a.map((t) => t.first),
        b.map((t) => t.first),
      ),
      bootstrap: boot,
    },
    cost: runCost(args.calls, evaluations),
  };
}
