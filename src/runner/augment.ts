/**
 * Prochemy's training set in a real run (Ye et al. 2025, arXiv 2503.11085): K real training tasks
 * plus K tasks the LLM writes from them, each kept only when its own reference solution passes its
 * own tests (datasets/mutate.ts). The runner does it once per seed, before the optimizer's init,
 * through the run's call log (so the calls are logged, counted in the run's cost and charged to its
 * budget) and the run's executor; the kept tasks are stored beside their parents, tagged with the
 * run id, and listed on the run record so a resume reuses them instead of mutating again.
 */
import type { BudgetMeter } from '../core/budget';
import type { ExecPort, LlmPort } from '../core/ports';
import type { SamplingParams, Task } from '../core/types';
import { augmentTasks, type Rejection } from '../datasets/mutate';
import type { InitArgs, Optimizer } from '../optimizers/types';
import type { AthanorDb } from '../store/db';
import type { AugmentedTasks, TaskRecord } from '../store/records';
import type { RunRepository } from '../store/runs';
import { AUGMENT_ROUND, type RunCallLog } from './call-log';

export interface AugmentArgs {
  db: AthanorDb;
  repo: RunRepository;
  runId: string;
  seed: number;
  optimizer: Optimizer;
  initArgs: InitArgs;
  train: readonly Task[];
  calls: RunCallLog;
  exec: ExecPort;
  meter: BudgetMeter;
  sampling: SamplingParams;
  signal: AbortSignal;
  /** True once the seed has a checkpoint: its augmentation is stored and must not be redone. */
  reuse: boolean;
  /** Progress lines for the live view (the augmentation may take minutes on a real model). */
  note?: (message: string) => void;
}

/** The stored mutated tasks of a run are gone (deleted with their dataset). */
export class MissingAugmentedTasksError extends Error {
  override readonly name = 'MissingAugmentedTasksError';
}

async function stored(a: AugmentArgs, entry: AugmentedTasks): Promise<Task[]> {
  const rows = await a.db.tasks.bulkGet(entry.taskIds);
  const missing = entry.taskIds.filter((_, i) => rows[i] === undefined);
  if (missing.length > 0) {
    throw new MissingAugmentedTasksError(
      `${missing.length} mutated training task(s) of run ${a.runId}, seed ${a.seed} are missing ` +
        `(e.g. ${missing[0]}). Import the run bundle again, which carries them, or start a new run.`,
    );
  }
  return rows as TaskRecord[];
}

/** Seed of the i-th mutation request of a run seed: distinct per seed, fixed across resumes. */
const mutationSeed = (seed: number): number => Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0;

export async function augmentTraining(a: AugmentArgs): Promise<Task[]> {
  if (a.reuse) {
    const run = await a.repo.get(a.runId);
    const entry = run.augmented?.find((x) => x.seed === a.seed);
    if (entry) return stored(a, entry);
  }
  const real = a.train.filter((t) => t.origin.kind === 'real');
  const parents = a.optimizer.trainingParents?.(a.initArgs, real) ?? real;
  a.calls.beginRound(AUGMENT_ROUND);
  // Charged like any other call of the run; a call answered from the log after a crash is charged
  // again because the meter it was charged to was never checkpointed.
  const llm: LlmPort = {
    modelId: a.calls.modelId,
    complete: async (req, signal) => {
      const c = await a.calls.complete(req, signal);
      if (!c.cached) a.meter.record(c.usage);
      return c;
    },
  };
  const kept: Task[] = [];
  const rejected: Rejection[] = [];
  const base = mutationSeed(a.seed);
  a.note?.(`Writing ${parents.length} mutated training tasks (one per chosen training task).`);
  for (const [i, parent] of parents.entries()) {
    // A spent budget ends the augmentation; the optimizer then stops at its first check.
    if (a.meter.exhausted()) break;
    const r = await augmentTasks([parent], llm, a.exec, {
      seed: (base + i) >>> 0,
      sampling: a.sampling,
      runId: a.runId,
      signal: a.signal,
    });
    kept.push(...r.kept);
    rejected.push(...r.rejected);
  }
  const entry: AugmentedTasks = { seed: a.seed, taskIds: kept.map((t) => t.id), rejected };
  a.note?.(
    `Kept ${kept.length} mutated training task(s) whose reference passes its own tests; ` +
      `${rejected.length} rejected.`,
  );
  const { db } = a;
  await db.transaction('rw', db.tasks, db.runs, async () => {
    // A task id is a hash of its parent and the answer: the same task may exist from another run
    // (a replay); that record is kept as it is.
    const present = await db.tasks.bulkGet(entry.taskIds);
    const fresh = kept.filter((_, i) => present[i] === undefined);
    await db.tasks.bulkAdd(fresh.map((t): TaskRecord => ({ ...t, valid: true })));
    const run = await a.repo.get(a.runId);
    const others = (run.augmented ?? []).filter((x) => x.seed !== a.seed);
    await a.repo.update(a.runId, { augmented: [...others, entry] });
  });
  return kept;
}
