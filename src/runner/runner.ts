/**
 * The runner's facade for the UI: create, start, pause, resume, cancel, delete, export and import
 * runs, and observe them. One tab drives a run at a time (a Web Lock per run); any tab can watch
 * it through the store (liveQuery over the run's records) or ask the driving tab to pause or
 * cancel it (a BroadcastChannel message).
 */
import { liveQuery, type Observable } from 'dexie';
import type { EmbedPort, ExecPort, LlmPort } from '../core/ports';
import type { ModelRef, RunConfig, Task } from '../core/types';
import { getOptimizer } from '../optimizers/registry';
import type { Optimizer } from '../optimizers/types';
import type { AthanorDb } from '../store/db';
import { exportBundle, importBundle, parseBundle, type RunBundle } from '../store/bundle';
import type { RunEnvironment, RunRecord, RunStatus, TaskRecord } from '../store/records';
import { isQuotaError, RunRepository } from '../store/runs';
import { withVerdictCache } from '../store/verdict-cache';
import { cancelledStop, noteServerFaults, updateDiagnostics, withStop } from './diagnostics';
import { isServerFault } from '../core/server-fault';
import { requireExpectedOutputs, UngradableTaskError } from '../core/expected-outputs';
import { driveRun, type RunnerEvent, type RunTasks } from './driver';
import { checkBundleReport } from './bundle-check';
import { runLockName } from './lock';
import { routeByRole } from './roles';

export type { RunnerEvent, RunTasks } from './driver';

/** Another tab (or this one) is already driving the run. */
export class RunBusyError extends Error {
  override readonly name = 'RunBusyError';
  constructor(readonly runId: string) {
    super(
      `Run ${runId} is already running in another tab or window. Pause it there, or close that tab.`,
    );
  }
}

/** The config cannot make a run; the message names the field. */
export class InvalidRunConfigError extends Error {
  override readonly name = 'InvalidRunConfigError';
}

/** The run is finished or cancelled and cannot be started again. */
export class RunFinishedError extends Error {
  override readonly name = 'RunFinishedError';
  constructor(
    readonly runId: string,
    status: RunStatus,
  ) {
    super(`Run ${runId} is ${status}; create a new run (or duplicate this one) to run again.`);
  }
}

export interface RunnerDeps {
  db: AthanorDb;
  /** The LLM for a run's model (already behind the completion cache, where wanted). */
  llm: (model: ModelRef) => LlmPort | Promise<LlmPort>;
  exec: ExecPort;
  /**
   * The embedding model loaded now, for GPO's relevance retrieval; none (or no function) means
   * TF-IDF, and the run records which it used.
   */
  embed?: () => EmbedPort | undefined | Promise<EmbedPort | undefined>;
  /** The method for a registry key; default: the optimizer registry (getOptimizer). */
  optimizer?: (method: string) => Optimizer;
  /** Tasks of a run; by default read from the datasets/tasks tables by the run's fixed task ids. */
  tasks?: (run: RunRecord) => Promise<RunTasks>;
  /** Off switch for the verdict cache (benchmarks); on by default. */
  verdictCache?: boolean;
  /** Web Locks; defaults to navigator.locks, or an in-page lock where there is none (Node). */
  locks?: LockManager | null;
  clock?: () => number;
  testTimeoutMs?: number;
  app?: { name: string; version: string; libraries?: Record<string, string> };
}

const PAUSE = 'pause';
const CANCEL = 'cancel';
const CHANNEL = 'athanor-runner';

type Control = { type: typeof PAUSE | typeof CANCEL; runId: string };

export interface CreateOptions {
  /**
   * The run's tasks, fixed now, instead of the dataset's current split. Why: a replay must grade
   * exactly the tasks its source run graded, even if the split changed since.
   */
  taskIds?: { train: string[]; validation: string[]; test: string[] };
  /** Copied onto the record (a replay keeps its source's environment, engine set to replay). */
  environment?: RunEnvironment;
}

export interface Runner {
  create(config: RunConfig, opts?: CreateOptions): Promise<string>;
  /** Drive a run until it is done, paused, cancelled or failed; resolves with that status. */
  start(runId: string): Promise<RunStatus>;
  /** Same as start: continues from the last checkpoint, repeating no stored work. */
  resume(runId: string): Promise<RunStatus>;
  pause(runId: string): Promise<void>;
  cancel(runId: string): Promise<void>;
  delete(runId: string): Promise<void>;
  exportBundle(runId: string): Promise<RunBundle>;
  importBundle(input: string | unknown): Promise<string>;
  /** Events of runs driven by this tab. Returns the unsubscribe function. */
  subscribe(listener: (event: RunnerEvent) => void): () => void;
  /** The run record, live across tabs (Dexie liveQuery). */
  watch(runId: string): Observable<RunRecord | undefined>;
  /** All runs, newest activity first, live across tabs. */
  watchAll(): Observable<RunRecord[]>;
  /** Ids of the runs this tab is driving now. */
  active(): string[];
  close(): void;
}

function environmentOf(config: RunConfig, app: RunnerDeps['app']): RunEnvironment {
  return {
    modelId: config.model.modelId,
    engine: config.model.engine,
    ...(config.optimizerModel
      ? {
          optimizerModelId: config.optimizerModel.modelId,
          optimizerEngine: config.optimizerModel.engine,
        }
      : {}),
    userAgent: typeof navigator !== 'undefined' ? navigator.userAgent : 'unknown',
    appVersion: app?.version ?? 'unknown',
    libraries: app?.libraries ?? {},
  };
}

function validateConfig(config: RunConfig, optimizer: (m: string) => Optimizer): void {
  const fail = (field: string, why: string): never => {
    throw new InvalidRunConfigError(`Run config ${field}: ${why}.`);
  };
  if (!config.name.trim()) fail('name', 'give the run a name');
  try {
    optimizer(config.method);
  } catch (e) {
    fail('method', `unknown method "${config.method}" (${(e as Error).message})`);
  }
  if (config.trainSplit === config.testSplit && !optimizer(config.method).info.perInstance) {
    fail('testSplit', 'must differ from trainSplit: results are reported on held-out tasks');
  }
  if (config.seeds.length === 0) fail('seeds', 'give at least one seed');
  if (new Set(config.seeds).size !== config.seeds.length) fail('seeds', 'seeds must be distinct');
  if (!config.seeds.every(Number.isInteger)) fail('seeds', 'seeds must be integers');
  const { samples, k, temperature } = config.evaluation;
  if (!Number.isInteger(samples) || samples < 1)
    fail('evaluation.samples', 'must be an integer >= 1');
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0))
    fail('evaluation.temperature', 'must be a number >= 0');
  if (samples > 1 && temperature === 0) {
    fail(
      'evaluation.temperature',
      'must be above 0 when samples > 1: n answers at temperature 0 are one answer n times, so pass@k would mean nothing',
    );
  }
  if (config.selection) {
    const { topM } = config.selection;
    if (!Number.isInteger(topM) || topM < 1 || topM > 1000)
      fail('selection.topM', 'must be an integer between 1 and 1000');
    if (config.trainSplit === 'validation' || config.testSplit === 'validation')
      fail('selection', 'selecting on the validation split needs it to be neither train nor test');
    if (optimizer(config.method).info.perInstance)
      fail('selection', 'per-instance methods have no single prompt to select');
    if (optimizer(config.method).info.selectsOnValidation) {
      fail(
        'selection',
        `${optimizer(config.method).info.name} already chooses its prompt on the validation split ` +
          '(its Pareto set), so selecting on that split again would not be held out: turn the option off',
      );
    }
  }
  for (const x of k) {
    if (!Number.isInteger(x) || x < 1 || x > samples) {
      fail('evaluation.k', `${x} must be an integer between 1 and samples (${samples})`);
    }
  }
}

/** Reads a run's tasks from the store: the ids fixed at creation, else the dataset's split. */
async function storedTasks(db: AthanorDb, run: RunRecord): Promise<RunTasks> {
  const ids = run.taskIds ?? (await splitIds(db, run.config));
  const load = async (list: string[], split: string): Promise<Task[]> => {
    const rows = await db.tasks.bulkGet(list);
    const missing = list.filter((_, i) => rows[i] === undefined);
    if (missing.length > 0) {
      throw new Error(
        `${missing.length} ${split} task(s) of run ${run.id} are missing (e.g. ${missing[0]}). ` +
          'Re-import the dataset, or import the run bundle, which carries its tasks.',
      );
    }
    return rows as TaskRecord[];
  };
  return {
    train: await load(ids.train, 'train'),
    validation: await load(ids.validation, 'validation'),
    test: await load(ids.test, 'test'),
  };
}

async function splitIds(
  db: AthanorDb,
  config: RunConfig,
): Promise<{ train: string[]; validation: string[]; test: string[] }> {
  const dataset = await db.datasets.get(config.datasetId);
  if (!dataset?.split) {
    throw new InvalidRunConfigError(
      `Dataset ${config.datasetId} is missing or has no train/test split: import it and make a split first.`,
    );
  }
  const ids = dataset.split.ids;
  const train = ids[config.trainSplit];
  const test = ids[config.testSplit];
  const validation =
    config.trainSplit === 'validation' || config.testSplit === 'validation' ? [] : ids.validation;
  return { train: [...train], validation: [...validation], test: [...test] };
}

/** An in-page stand-in for Web Locks where the platform has none (Node tests). */
function localLocks(): Pick<LockManager, 'request'> {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request(name: string, opts: LockOptions, cb: LockGrantedCallback<unknown>) {
      const before = tails.get(name);
      if (before && opts.ifAvailable) return Promise.resolve(cb(null));
      const mine = (before ?? Promise.resolve()).then(() =>
        cb({ name, mode: 'exclusive' } as Lock),
      );
      const tail: Promise<unknown> = mine
        .catch(() => undefined)
        .then(() => {
          if (tails.get(name) === tail) tails.delete(name);
        });
      tails.set(name, tail);
      return mine;
    },
  } as Pick<LockManager, 'request'>;
}

export function createRunner(runnerDeps: RunnerDeps): Runner {
  const deps = { ...runnerDeps, optimizer: runnerDeps.optimizer ?? getOptimizer };
  const repo = new RunRepository(deps.db);
  const exec = deps.verdictCache === false ? deps.exec : withVerdictCache(deps.exec, deps.db);
  const locks: Pick<LockManager, 'request'> =
    deps.locks ??
    (typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : localLocks());
  const listeners = new Set<(e: RunnerEvent) => void>();
  const driving = new Map<string, AbortController>();
  const emit = (e: RunnerEvent): void => {
    for (const l of listeners) {
      try {
        l(e);
      } catch {
        // A listener's bug must not stop the run.
      }
    }
  };
  const channel =
    typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANNEL) : undefined;
  channel?.addEventListener('message', (m: MessageEvent<Control>) => {
    driving.get(m.data.runId)?.abort(m.data.type);
  });
  const lockName = runLockName;

  async function setStatus(
    runId: string,
    status: RunStatus,
    extra: Partial<RunRecord> = {},
  ): Promise<void> {
    try {
      await repo.update(runId, { status, ...extra });
    } catch (e) {
      // A full disk may refuse even this small write; the run's data is intact either way.
      if (!isQuotaError(e)) throw e;
    }
    emit({ type: 'status', runId, status, ...(extra.message ? { message: extra.message } : {}) });
  }

  /** The stop of the seed being optimized when the user cancelled (kept on the run). */
  async function recordCancel(runId: string): Promise<void> {
    try {
      const stop = cancelledStop(await repo.get(runId));
      if (stop) await updateDiagnostics(repo, runId, (d) => withStop(d, stop));
    } catch (e) {
      if (!isQuotaError(e)) throw e;
    }
  }

  async function drive(runId: string): Promise<RunStatus> {
    const run = await repo.get(runId);
    if (run.status === 'done' || run.status === 'cancelled')
      throw new RunFinishedError(runId, run.status);
    const controller = new AbortController();
    driving.set(runId, controller);
    try {
      await setStatus(runId, 'running', {
        message: undefined,
        error: undefined,
      } as Partial<RunRecord>);
      const optimizer = deps.optimizer(run.config.method);
      const tasks = await (deps.tasks ? deps.tasks(run) : storedTasks(deps.db, run));
      // A task whose expected outputs were never computed cannot be graded: refuse in words.
      requireExpectedOutputs([...tasks.train, ...tasks.validation, ...tasks.test]);
      const runTasks: RunTasks = optimizer.info.perInstance
        ? { train: tasks.test, validation: [], test: tasks.test }
        : tasks;
      const task = await deps.llm(run.config.model);
      const llm = run.config.optimizerModel
        ? routeByRole(task, await deps.llm(run.config.optimizerModel))
        : task;
      const embed = await deps.embed?.();
      const done = await driveRun(
        {
          db: deps.db,
          repo,
          llm,
          exec,
          ...(embed ? { embed } : {}),
          optimizer,
          tasks: runTasks,
          clock: deps.clock ?? Date.now,
          ...(deps.testTimeoutMs !== undefined ? { testTimeoutMs: deps.testTimeoutMs } : {}),
          emit,
        },
        runId,
        controller.signal,
      );
      return done.status;
    } catch (err) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason === CANCEL) {
        await recordCancel(runId);
        await setStatus(runId, 'cancelled');
        return 'cancelled';
      }
      if (reason === PAUSE) {
        await setStatus(runId, 'paused');
        return 'paused';
      }
      if (isQuotaError(err)) {
        const message =
          'Paused: the browser has no storage left for this site. Free space (delete old runs or ' +
          'clear caches on the Storage page), then resume; nothing already done is lost.';
        await setStatus(runId, 'paused', { message });
        return 'paused';
      }
      if (err instanceof UngradableTaskError) {
        await setStatus(runId, 'paused', { message: `Paused before grading: ${err.message}` });
        return 'paused';
      }
      if (isServerFault(err)) {
        // Nothing cut short was graded or cached: fix the server (or its concurrency), resume.
        const message = `Paused: ${err.message}`;
        await noteServerFaults(repo, runId, err.message).catch(() => undefined);
        await setStatus(runId, 'paused', { message });
        return 'paused';
      }
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await setStatus(runId, 'failed', { error });
      return 'failed';
    } finally {
      driving.delete(runId);
    }
  }

  async function start(runId: string): Promise<RunStatus> {
    return locks.request(lockName(runId), { ifAvailable: true }, async (lock) => {
      if (!lock) throw new RunBusyError(runId);
      return drive(runId);
    }) as Promise<RunStatus>;
  }

  async function stop(runId: string, type: Control['type']): Promise<void> {
    const local = driving.get(runId);
    if (local) {
      local.abort(type);
      return;
    }
    // Nobody here drives it: either another tab does (tell it), or nobody does (a crashed tab
    // left it marked running), in which case the status is set directly.
    await locks.request(lockName(runId), { ifAvailable: true }, async (lock) => {
      if (!lock) {
        channel?.postMessage({ type, runId } satisfies Control);
        return;
      }
      const run = await repo.get(runId);
      if (run.status === 'done' || run.status === 'cancelled') return;
      if (type === CANCEL) await recordCancel(runId);
      await setStatus(runId, type === PAUSE ? 'paused' : 'cancelled');
    });
  }

  return {
    async create(config, opts = {}) {
      validateConfig(config, deps.optimizer);
      const optimizer = deps.optimizer(config.method);
      const id = globalThis.crypto.randomUUID();
      const now = Date.now();
      const draft: RunRecord = {
        id,
        config: structuredClone(config),
        status: 'created',
        createdAt: now,
        updatedAt: now,
        environment: opts.environment
          ? structuredClone(opts.environment)
          : environmentOf(config, deps.app),
        testSetOptimization: optimizer.info.perInstance,
      };
      if (opts.taskIds) draft.taskIds = structuredClone(opts.taskIds);
      else if (!deps.tasks) draft.taskIds = await splitIds(deps.db, config);
      await repo.create(draft);
      return id;
    },
    start,
    resume: start,
    pause: (id) => stop(id, PAUSE),
    cancel: (id) => stop(id, CANCEL),
    async delete(runId) {
      await stop(runId, CANCEL).catch(() => undefined);
      await locks.request(lockName(runId), {}, () => repo.delete(runId));
    },
    exportBundle: (runId) =>
      exportBundle(deps.db, runId, {
        name: deps.app?.name ?? 'athanor',
        version: deps.app?.version ?? 'unknown',
      }),
    async importBundle(input) {
      // Shape and references (parseBundle), then the report against its evaluations, then one
      // transaction.
      const bundle = parseBundle(input);
      checkBundleReport(bundle);
      return importBundle(deps.db, bundle);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watch: (runId) => liveQuery(() => deps.db.runs.get(runId)),
    watchAll: () => liveQuery(() => repo.list()),
    active: () => [...driving.keys()],
    close() {
      for (const c of driving.values()) c.abort(PAUSE);
      channel?.close();
      listeners.clear();
    },
  };
}
