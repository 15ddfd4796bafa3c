/**
 * A small, fully deterministic run for runner tests: Prochemy on the scripted landscape (toy
 * tasks, a scripted LLM), with failures injected at chosen call numbers to simulate a crash.
 */
import type { ExecPort, LlmPort } from '../../src/core/ports';
import type { RunConfig } from '../../src/core/types';
import { prochemy } from '../../src/optimizers/prochemy';
import type { Optimizer } from '../../src/optimizers/types';
import type { RunTasks } from '../../src/runner';
import type { AthanorDb } from '../../src/store/db';
import type { EvaluationRecord } from '../../src/store/records';
import { toyTask, toyTasks } from './landscape';

export const runTasks: RunTasks = {
  train: toyTasks(10),
  validation: [],
  test: [10, 11, 12, 13, 14, 15].map((i) => toyTask(i)),
};

/**
 * Stores the run's tasks as the app has them (a dataset's records), so that its bundle carries
 * them: an import refuses evaluations of tasks it cannot find.
 */
export async function storeRunTasks(db: AthanorDb, tasks: RunTasks = runTasks): Promise<void> {
  await db.tasks.bulkPut(
    [...tasks.train, ...tasks.validation, ...tasks.test].map((t) => ({ ...t, valid: true })),
  );
}

export function runConfig(over: Partial<RunConfig> = {}): RunConfig {
  return {
    name: 'runner fixture',
    method: 'prochemy',
    knobs: { variants: 3, trainTasks: 5, rounds: 3, patience: 2 },
    model: { engine: 'scripted', modelId: 'scripted' },
    datasetId: 'toy',
    trainSplit: 'train',
    testSplit: 'test',
    seeds: [1, 2],
    budget: {},
    sampling: {
      generate: { temperature: 0, max_tokens: 256 },
      mutate: { temperature: 1, max_tokens: 256 },
    },
    initialPrompt: 'Write correct Python code.',
    evaluation: { samples: 2, k: [1, 2] },
    ...over,
  };
}

export const optimizers = (method: string): Optimizer => {
  if (method === 'prochemy') return prochemy as unknown as Optimizer;
  throw new Error(`no method ${method}`);
};

/** Thrown by the crash injectors: stands for a tab closed at that instant. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** Counts calls across ports and throws SimulatedCrash at the call numbers in `at`. */
export class CrashSwitch {
  calls = 0;
  constructor(public at: Set<number> = new Set()) {}
  tick(): void {
    this.calls++;
    if (this.at.has(this.calls)) throw new SimulatedCrash(`crash at call ${this.calls}`);
  }
  llm(inner: LlmPort): LlmPort {
    return {
      modelId: inner.modelId,
      complete: async (req, signal) => {
        this.tick();
        return inner.complete(req, signal);
      },
    };
  }
  /** Crashes after the program ran, before its verdict is stored. */
  exec(inner: ExecPort): ExecPort {
    return {
      run: async (job, signal) => {
        const result = await inner.run(job, signal);
        this.tick();
        return result;
      },
    };
  }
}

/** What must be identical between an interrupted and an uninterrupted run. */
export function comparable(evals: readonly EvaluationRecord[]): unknown[] {
  return evals
    .map((e) => ({
      seed: e.seed,
      phase: e.phase,
      promptId: e.promptId,
      taskId: e.taskId,
      sample: e.sample,
      round: e.round,
      passed: e.result.passed,
      soft: e.result.soft,
      code: e.code,
      completionKey: e.completionKey,
      text: e.completion?.text,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * Makes a pure scripted LLM behave like a sampling model that ignores seeds: the n-th time the
 * same meta-request (mutate / rewrite) is asked, it answers as if sampled afresh. A resumed run
 * then matches an uninterrupted one only if it never re-asks what it already asked — which is
 * what the run's call log must guarantee.
 */
export function unseededSampling(inner: LlmPort): LlmPort {
  const asked = new Map<string, number>();
  return {
    modelId: inner.modelId,
    complete(req, signal) {
      if (req.purpose === 'generate') return inner.complete(req, signal);
      const key = JSON.stringify([req.messages, req.sampling]);
      const n = asked.get(key) ?? 0;
      asked.set(key, n + 1);
      const seed = ((req.sampling.seed ?? 0) + 7919 * n) >>> 0;
      return inner.complete({ ...req, sampling: { ...req.sampling, seed } }, signal);
    },
  };
}
