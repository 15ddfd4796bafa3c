/**
 * One run's life from its stored record to its report: for each seed, initialize or restore the
 * optimizer from its checkpoint, step it (checkpointing after every step), then grade the initial
 * and final prompts on the held-out split; finally compute the report. Everything it does is
 * written as it happens, so stopping it at any instant and calling it again continues the run as
 * if it had never stopped.
 */
import { BudgetMeter } from '../core/budget';
import { plusFromOf } from '../core/evalplus-base';
import type { EmbedPort, ExecPort, LlmPort } from '../core/ports';
import type { PromptCandidate, RunConfig, Task } from '../core/types';
import { makeCandidate } from '../optimizers/common';
import { feedbackFor } from '../optimizers/feedback';
import { createScorer } from '../optimizers/scoring';
import type { BaseState, Optimizer, OptimizerContext, OptimizerEvent } from '../optimizers/types';
import type { AthanorDb } from '../store/db';
import type { EvaluationRecord, RunProgress, RunRecord } from '../store/records';
import type { RunRepository } from '../store/runs';
import { HELDOUT_ROUND, RunCallLog } from './call-log';
import { augmentTraining } from './augment';
import { noteServerFaults, seedStop, updateDiagnostics, withStop } from './diagnostics';
import { PersistentEvaluationLog } from './evaluation-log';
import { guardWindows } from './roles';
import { buildReport, heldoutTemperature, type SeedPrompts } from './report';
import { leakageReport } from './leakage';
import { validationPhase } from './validation';

export interface RunTasks {
  train: readonly Task[];
  validation: readonly Task[];
  test: readonly Task[];
}

export type RunnerEvent =
  | { type: 'status'; runId: string; status: RunRecord['status']; message?: string }
  | { type: 'progress'; runId: string; progress: RunProgress }
  | { type: 'optimizer'; runId: string; seed: number; event: OptimizerEvent }
  | { type: 'evaluation'; runId: string; evaluation: EvaluationRecord };

export interface DriveDeps {
  db: AthanorDb;
  repo: RunRepository;
  llm: LlmPort;
  exec: ExecPort;
  /** Sentence embeddings for GPO's relevance retrieval; absent means TF-IDF (recorded on the run). */
  embed?: EmbedPort;
  optimizer: Optimizer;
  tasks: RunTasks;
  clock: () => number;
  testTimeoutMs?: number;
  emit: (event: RunnerEvent) => void;
}

interface SeedRun {
  deps: DriveDeps;
  run: RunRecord;
  seed: number;
  seedIndex: number;
  signal: AbortSignal;
  counters: { evaluations: number; llmCalls: number };
}

async function runSeed(s: SeedRun): Promise<SeedPrompts> {
  const { deps, run, seed, signal } = s;
  const { repo, db, optimizer } = deps;
  const config: RunConfig = run.config;
  const checkpoint = await repo.checkpoint(run.id, seed);
  const seq = await db.runCalls.where('[runId+seed]').equals([run.id, seed]).count();
  // Every request is measured against the model's window before it is sent (never cut silently).
  const guard = guardWindows(deps.llm);
  const calls = new RunCallLog(guard.port, repo, run.id, seed, seq);
  const trims = { count: 0, last: '' };
  const meter = new BudgetMeter(config.budget, deps.clock, checkpoint?.spent);
  const onStored = (evaluation: EvaluationRecord): void => {
    s.counters.evaluations++;
    deps.emit({ type: 'evaluation', runId: run.id, evaluation });
  };
  const log = new PersistentEvaluationLog({
    repo,
    runId: run.id,
    seed,
    phase: 'optimize',
    calls,
    meter,
    onStored,
  });
  const timeout = deps.testTimeoutMs !== undefined ? { testTimeoutMs: deps.testTimeoutMs } : {};
  const score = createScorer({
    llm: calls,
    exec: deps.exec,
    generate: config.sampling.generate,
    log,
    meter,
    signal,
    codeOnly: true,
    ...timeout,
  });
  const pending: Promise<void>[] = [];
  const initArgs = { knobs: config.knobs, seed, initialPrompt: config.initialPrompt };
  const mutated = optimizer.info.augmentTraining
    ? await augmentTraining({
        db,
        repo,
        runId: run.id,
        seed,
        optimizer,
        initArgs,
        train: deps.tasks.train,
        calls,
        exec: deps.exec,
        meter,
        sampling: config.sampling.mutate,
        signal,
        // With a checkpoint the augmentation is done and stored; without one it is (re)done
        // through the call log, which answers from the log what was asked before a crash.
        reuse: checkpoint !== undefined,
        note: (message) =>
          deps.emit({
            type: 'optimizer',
            runId: run.id,
            seed,
            event: { type: 'note', step: 0, message },
          }),
      })
    : [];
  const train = mutated.length > 0 ? [...deps.tasks.train, ...mutated] : deps.tasks.train;
  const ctx: OptimizerContext = {
    train,
    validation: deps.tasks.validation,
    feedback: feedbackFor(train, deps.tasks.validation),
    async complete(req) {
      meter.assertAvailable();
      signal.throwIfAborted();
      const c = await calls.complete(req, signal);
      if (!c.cached) meter.record(c.usage);
      return c;
    },
    score,
    ...(deps.embed ? { embed: deps.embed } : {}),
    fit: guard.fit,
    budget: meter,
    signal,
    emit(event) {
      if (event.type === 'note' && event.trim) {
        trims.count += 1;
        trims.last = event.message;
      }
      if (event.type === 'proposed' || event.type === 'scored' || event.type === 'best') {
        pending.push(repo.putPrompt({ ...event.prompt, runId: run.id, seed }));
      }
      deps.emit({ type: 'optimizer', runId: run.id, seed, event });
    },
  };
  const flush = async (): Promise<void> => {
    await Promise.all(pending.splice(0));
  };

  const initial: PromptCandidate = await makeCandidate(config.initialPrompt, [], 'seed', 0);
  // Once: after a checkpoint the optimizer may have proposed the same text again (a later record
  // under the same id), which writing the seed record again would undo.
  if (!checkpoint) await repo.putPrompt({ ...initial, runId: run.id, seed });

  const save = async (state: BaseState, round: number): Promise<void> => {
    await flush();
    const progress: RunProgress = {
      seedIndex: s.seedIndex,
      phase: state.done ? 'heldout' : 'optimize',
      round,
      ...(state.best ? { bestScore: state.best.score } : {}),
      evaluations: s.counters.evaluations,
      llmCalls: meter.llmCalls,
    };
    // The checkpoint and the progress the other tabs see move together.
    await db.transaction('rw', db.checkpoints, db.runs, async () => {
      await repo.putCheckpoint({
        id: `${run.id}:${seed}`,
        runId: run.id,
        seed,
        step: state.step,
        state,
        updatedAt: Date.now(),
        round,
        spent: meter.snapshot(),
        seq: calls.nextSeq,
      });
      await repo.update(run.id, { progress });
    });
    deps.emit({ type: 'progress', runId: run.id, progress });
  };

  let state: BaseState;
  let round: number;
  if (checkpoint) {
    state = checkpoint.state as BaseState;
    round = checkpoint.round ?? 0;
  } else {
    round = 0;
    calls.beginRound(round);
    log.beginRound(round);
    state = await optimizer.init(initArgs, ctx);
    await save(state, round);
  }
  while (!state.done) {
    signal.throwIfAborted();
    round++;
    calls.beginRound(round);
    log.beginRound(round);
    state = await optimizer.step(state, ctx);
    await save(state, round);
  }
  await updateDiagnostics(repo, run.id, (d) => {
    const next = withStop(d, seedStop(seed, state, meter.limitReached()));
    if (trims.count === 0) return next;
    const count = (d.trims?.count ?? 0) + trims.count;
    return { ...next, trims: { count, last: trims.last } };
  });
  const { final, selectedBy } = await validationPhase({
    repo,
    runId: run.id,
    seed,
    config,
    calls,
    exec: deps.exec,
    signal,
    ...timeout,
    onStored,
    validation: deps.tasks.validation,
    test: deps.tasks.test,
    best: state.best?.prompt ?? initial,
    prompts: (await db.prompts.where('runId').equals(run.id).toArray())
      .filter((p) => p.seed === seed)
      .sort((a, b) => a.step - b.step),
  });
  await repo.putPrompt({ ...final, runId: run.id, seed });

  // Held-out grading: no budget (the budget bounds optimization), every task, n samples each.
  calls.beginRound(HELDOUT_ROUND);
  const heldoutLog = new PersistentEvaluationLog({
    repo,
    runId: run.id,
    seed,
    phase: 'heldout',
    calls,
    onStored,
  });
  heldoutLog.beginRound(HELDOUT_ROUND);
  const heldout = (generate: RunConfig['sampling']['generate']) =>
    createScorer({
      llm: calls,
      exec: deps.exec,
      generate,
      log: heldoutLog,
      signal,
      racing: false,
      codeOnly: true,
      ...timeout,
    });
  // pass@1 is the greedy answer (sample 0, temperature 0). pass@k (samples > 1) comes from n
  // further samples 1..n at the evaluation temperature, each with its own seed (Chen et al. 2021).
  const greedy = heldout({ ...config.sampling.generate, temperature: 0 });
  const samples = config.evaluation.samples;
  const sampled =
    samples > 1
      ? heldout({
          ...config.sampling.generate,
          temperature: heldoutTemperature(config),
          seed: Math.imul(seed, 0x9e3779b1) >>> 0,
        })
      : undefined;
  for (const p of final.id !== initial.id ? [initial, final] : [initial]) {
    await greedy(p, deps.tasks.test, { samples: 1 });
    if (sampled) await sampled(p, deps.tasks.test, { samples, firstSample: 1 });
  }
  await noteServerFaults(repo, run.id);
  const instances = optimizer.info.perInstance ? optimizer.instanceResults?.(state) : undefined;
  return {
    seed,
    initialId: initial.id,
    finalId: final.id,
    selectedBy,
    ...(instances ? { instances } : {}),
  };
}

/** Drive a run to its end (or until `signal` aborts, which rejects with the signal's reason). */
export async function driveRun(
  deps: DriveDeps,
  runId: string,
  signal: AbortSignal,
): Promise<RunRecord> {
  const run = await deps.repo.get(runId);
  const counters = { evaluations: await deps.repo.countEvaluations(runId), llmCalls: 0 };
  const wording = run.config.knobs['wording'];
  if (wording === 'paper' || wording === 'small-model' || methodHasWording(deps.optimizer)) {
    await updateDiagnostics(deps.repo, runId, (d) => ({
      ...d,
      wording: wording === 'small-model' ? 'small-model' : 'paper',
    }));
  }
  if (usesRelevance(run.config)) {
    await updateDiagnostics(deps.repo, runId, (d) => ({
      ...d,
      relevance: deps.embed
        ? { measure: 'embeddings', modelId: deps.embed.modelId }
        : { measure: 'tf-idf' },
    }));
  }
  const prompts: SeedPrompts[] = [];
  for (const [seedIndex, seed] of run.config.seeds.entries()) {
    prompts.push(await runSeed({ deps, run, seed, seedIndex, signal, counters }));
  }
  signal.throwIfAborted();
  const testSetOptimization = deps.optimizer.info.perInstance;
  const calls = await deps.repo.calls(runId);
  const report = buildReport({
    config: run.config,
    testTaskIds: deps.tasks.test.map((t) => t.id),
    validationTaskIds: deps.tasks.validation.map((t) => t.id),
    prompts,
    evaluations: await deps.repo.evaluations(runId),
    calls,
    testSetOptimization,
    plusFrom: new Map(
      deps.tasks.test.flatMap((t) => {
        const from = plusFromOf(t);
        return from === undefined ? [] : [[t.id, from] as const];
      }),
    ),
  });
  report.leakage = leakageReport(calls, deps.tasks);
  // The progress the seeds wrote since this drive began; keep the last training best on display.
  const last = (await deps.repo.get(runId)).progress;
  const progress: RunProgress = {
    seedIndex: run.config.seeds.length - 1,
    phase: 'done',
    round: last?.round ?? 0,
    ...(last?.bestScore !== undefined ? { bestScore: last.bestScore } : {}),
    evaluations: counters.evaluations,
    llmCalls: report.cost.llmCalls,
  };
  await deps.repo.update(runId, { status: 'done', report, progress, testSetOptimization });
  deps.emit({ type: 'progress', runId, progress });
  deps.emit({ type: 'status', runId, status: 'done' });
  return deps.repo.get(runId);
}

/** True for runs whose method retrieves past prompts by relevance (GPO's default trajectory). */
function usesRelevance(config: RunConfig): boolean {
  return config.method === 'gpo' && (config.knobs['trajectory'] ?? 'relevance') === 'relevance';
}

/** True for methods that offer the small-model wording (knob `wording`). */
function methodHasWording(optimizer: Optimizer): boolean {
  return optimizer.info.knobs.some((k) => k.name === 'wording');
}
