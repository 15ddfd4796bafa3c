/**
 * The browser's composition root: builds the runner with real ports — the Pyodide worker pool
 * (src/executor/browser.ts), the LLM engine a run names (wllama / WebLLM behind the completion
 * cache, or a replay of a recorded run) and the optimizer registry — once per page.
 *
 * The only test seam is the LLM (the `scripted` engine); code is always graded by real Pyodide.
 */
import type { ExecPort, LlmPort } from '../core/ports';
import type { ExecPool } from '../executor/browser';
import type { ModelRef } from '../core/types';
// Engines by module, not through engines/index: that would pull web-llm (6 MB) into every run page.
import { CachedEngine, type CompletionEntry } from '../engines/cache';
import { ReplayEngine } from '../engines/replay';
import { getOptimizer, listMethods } from '../optimizers/registry';
import type { Optimizer } from '../optimizers/types';
import type { RunStatus } from '../store/records';
import { createRunner, type Runner } from '../runner';
import { completionRepo } from '../store/completions';
import { db } from '../store/db';
import { serverLlm } from './servers';
import { version as appVersion } from '../../package.json';
import { currentEmbedder } from './embedder';
import { isDeviceModel, openDeviceModel } from './device-models';

/** The LLM a run names cannot be had (not loaded, not downloaded, unknown engine). */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';
}

// ---------------------------------------------------------------------------------------------
// Methods, from the optimizer registry.
// ---------------------------------------------------------------------------------------------

/** Every registered method by id, in the registry's display order. */
export function loadMethods(): Promise<Map<string, Optimizer>> {
  return Promise.resolve(new Map(listMethods().map((info) => [info.id, getOptimizer(info.id)])));
}

// ---------------------------------------------------------------------------------------------
// The executor: the Pyodide worker pool of src/executor/browser.ts.
// ---------------------------------------------------------------------------------------------

let execPromise: Promise<ExecPool> | undefined;

/**
 * The page's one Pyodide pool, made on first use. The pool module is imported dynamically so that
 * pages that never run code (Home, Settings, Compare...) do not load the executor's wiring. Its
 * workers start from the Python snapshot an earlier session kept, when there is one.
 */
function browserExec(): Promise<ExecPool> {
  execPromise ??= import('../executor/browser').then((mod) => mod.createCachedBrowserExecPool());
  // A failed start (no Worker, no Pyodide files) is not kept: the next job tries again.
  execPromise.catch(() => (execPromise = undefined));
  return execPromise;
}

/** An ExecPort that starts the Pyodide pool on first use, so pages that never run code stay light. */
const lazyExec: ExecPort = {
  async run(job, signal) {
    return (await browserExec()).run(job, signal);
  },
  useAllCores() {
    let release: (() => void) | undefined;
    let released = false;
    void browserExec().then(
      (pool) => {
        if (!released) release = pool.useAllCores();
      },
      () => undefined, // The next run() reports why the pool did not start.
    );
    return () => {
      released = true;
      release?.();
    };
  },
};

/** The page's one executor, for pages that run code outside a run (the Tasks page validates). */
export const appExec = (): ExecPort => lazyExec;

// ---------------------------------------------------------------------------------------------
// LLMs
// ---------------------------------------------------------------------------------------------

/**
 * Engines loaded elsewhere (the Models page loads WebLLM with its progress UI) are handed over
 * here, so a run uses the already-loaded model rather than loading it twice.
 */
const loaded = new Map<string, LlmPort>();

export function provideEngine(engine: ModelRef['engine'], port: LlmPort): void {
  loaded.set(`${engine}:${port.modelId}`, port);
}

/**
 * A test double may be installed by end-to-end tests and benchmarks (never by the app) as
 * `globalThis.__athanorScriptedLlm`; the engine `scripted` refuses to run without one.
 */
function scriptedLlm(model: ModelRef): LlmPort {
  // A second double by model id (`__athanorScriptedLlms`) plays a separate optimizer model.
  const g = globalThis as {
    __athanorScriptedLlm?: LlmPort;
    __athanorScriptedLlms?: Record<string, LlmPort>;
  };
  const port = g.__athanorScriptedLlms?.[model.modelId] ?? g.__athanorScriptedLlm;
  if (!port) {
    throw new ModelUnavailableError(
      `Run model "${model.modelId}" uses the scripted test engine, which exists only in tests. Pick a real model.`,
    );
  }
  return port;
}

async function wllamaFor(model: ModelRef): Promise<LlmPort> {
  const record = await db().models.get(model.modelId);
  if (record && isDeviceModel(record)) return openDeviceModel(record);
  const source = record?.source ?? model.modelId;
  if (!/^(https?:|\.{0,2}\/)/.test(source) || !/\.gguf(\?|$)/i.test(source)) {
    throw new ModelUnavailableError(
      `The wllama model "${model.modelId}" is not downloaded from a URL this page can reach. Load it on the Models page first.`,
    );
  }
  const { WllamaEngine } = await import('../engines/wllama');
  return WllamaEngine.fromUrl(new URL(source, document.baseURI).href);
}

async function replayFor(model: ModelRef): Promise<LlmPort> {
  if (!model.replayOf) {
    throw new ModelUnavailableError('A replay run must name the run it replays (model.replayOf).');
  }
  const calls = await db().runCalls.where('runId').equals(model.replayOf).toArray();
  if (calls.length === 0) {
    throw new ModelUnavailableError(
      `Run ${model.replayOf} has no recorded LLM calls to replay. Import its bundle first.`,
    );
  }
  const entries: CompletionEntry[] = calls
    .sort((a, b) => a.seed - b.seed || a.seq - b.seq)
    .map((c) => ({
      key: c.key,
      model: model.modelId,
      request: c.request,
      completion: c.completion,
      createdAt: c.seq,
    }));
  return ReplayEngine.fromLog(model.modelId, entries);
}

async function llmFor(model: ModelRef): Promise<LlmPort> {
  if (model.engine === 'replay') return replayFor(model);
  if (model.engine === 'scripted') return scriptedLlm(model);
  // A server model is built afresh each time: the key and concurrency may have changed since.
  if (model.engine === 'openai') return new CachedEngine(serverLlm(model), completionRepo(db()));
  let port = loaded.get(`${model.engine}:${model.modelId}`);
  if (!port && model.engine === 'wllama') {
    port = await wllamaFor(model);
    provideEngine('wllama', port);
  }
  if (!port) {
    throw new ModelUnavailableError(
      `The ${model.engine} model "${model.modelId}" is not loaded in this tab. Load it on the Models page, then resume the run.`,
    );
  }
  return new CachedEngine(port, completionRepo(db()));
}

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

let runnerPromise: Promise<Runner> | undefined;

export function appRunner(): Promise<Runner> {
  runnerPromise ??= (async () => {
    const runner = createRunner({
      db: db(),
      llm: llmFor,
      embed: () => currentEmbedder()?.port,
      exec: lazyExec,
      optimizer: getOptimizer,
      app: { name: 'athanor', version: appVersion },
    });
    // Python boots while the run starts: the LLM's first answers do not wait for it, and the
    // first grading finds it (nearly) ready. Why: after a crash, boot time is lost progress.
    const warmFirst =
      (drive: (id: string) => Promise<RunStatus>) =>
      (id: string): Promise<RunStatus> => {
        void browserExec()
          .then((pool) => pool.warm())
          .catch(() => undefined); // A pool that cannot start fails the first grading instead.
        return drive(id);
      };
    return { ...runner, start: warmFirst(runner.start), resume: warmFirst(runner.resume) };
  })();
  return runnerPromise;
}
