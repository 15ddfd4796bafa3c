/**
 * Runs the real runner in the page for test/e2e/runner-resume.test.ts: real Dexie over the
 * browser's IndexedDB, real Web Locks, the browser Pyodide executor when it is built
 * (src/executor/browser.ts), and the scripted landscape LLM (the one allowed stand-in), slowed a
 * little so that a kill can land in the middle of a call. Nothing here decides a result.
 */
import type { ExecPort, LlmPort } from '../../../src/core/ports';
import type { RunConfig } from '../../../src/core/types';
import { createRunner } from '../../../src/runner';
import { AthanorDb } from '../../../src/store/db';
import { requestPersistence, storageReport } from '../../../src/store/storage';
import { landscapeLlm } from '../../support/landscape';
import { comparable, optimizers, runTasks, unseededSampling } from '../../support/runner-fixture';

const params = new URLSearchParams(location.search);
const db = new AthanorDb(params.get('db') ?? 'athanor-e2e');

function slow(inner: LlmPort, ms: number): LlmPort {
  return {
    modelId: inner.modelId,
    complete: async (req, signal) => {
      await new Promise((ok) => setTimeout(ok, ms));
      return inner.complete(req, signal);
    },
  };
}

const browserExec = import.meta.glob<{ createBrowserExecPool: () => ExecPort }>(
  '../../../src/executor/browser.ts',
);
// Real Pyodide or nothing: a page that quietly graded with a stand-in would prove nothing.
async function makeExec(): Promise<{ exec: ExecPort; kind: string }> {
  const load = Object.values(browserExec)[0];
  if (!load)
    throw new Error('src/executor/browser.ts is missing: this page grades with real Pyodide only.');
  return { exec: (await load()).createBrowserExecPool(), kind: 'pyodide' };
}

const { exec, kind } = await makeExec();
const runner = createRunner({
  db,
  llm: () => slow(unseededSampling(landscapeLlm()), 8),
  exec,
  optimizer: optimizers,
  tasks: () => Promise.resolve(runTasks),
});
const state = {
  stored: await db.evaluations.count(),
  lastStatus: '',
  busyRetries: 0,
  /** What this tab saw of a run through runner.watch (liveQuery), in order, deduplicated. */
  watched: [] as { status: string; evaluations: number }[],
};
runner.subscribe((e) => {
  if (e.type === 'evaluation') state.stored++;
  if (e.type === 'status') state.lastStatus = e.status;
});

const api = {
  execKind: kind,
  state,
  create: (config: RunConfig) => runner.create(config),
  /** Start (or resume) and return at once; the test kills the page while it runs. */
  kick(id: string): void {
    // A killed tab's Web Lock is released when the browser has torn that tab down, which may
    // lag behind the new tab's start: retry a busy run for a while (counted, and reported).
    const attempt = (left: number): void => {
      runner.start(id).catch((e: unknown) => {
        if ((e as Error).name === 'RunBusyError' && left > 0) {
          state.busyRetries++;
          setTimeout(() => attempt(left - 1), 250);
          return;
        }
        state.lastStatus = `error: ${String(e)}`;
      });
    };
    attempt(40);
  },
  run: (id: string) => runner.start(id),
  /** Start and report how it ended: a status, or the error's name (RunBusyError). */
  async tryStart(id: string): Promise<string> {
    try {
      return await runner.start(id);
    } catch (e) {
      return (e as Error).name;
    }
  },
  pause: (id: string) => runner.pause(id),
  cancel: (id: string) => runner.cancel(id),
  active: () => runner.active(),
  watch(id: string): void {
    runner.watch(id).subscribe((run) => {
      if (!run) return;
      const seen = { status: run.status, evaluations: run.progress?.evaluations ?? 0 };
      const last = state.watched[state.watched.length - 1];
      if (last?.status !== seen.status || last.evaluations !== seen.evaluations)
        state.watched.push(seen);
    });
  },
  requestPersistence,
  storageReport,
  async status(id: string) {
    return (await db.runs.get(id))?.status;
  },
  /** Status, error and progress of a run, for a failing test's message. */
  async describe(id: string) {
    const run = await db.runs.get(id);
    return {
      status: run?.status,
      error: run?.error,
      progress: run?.progress,
      last: state.lastStatus,
    };
  },
  async result(id: string) {
    const run = await db.runs.get(id);
    return {
      status: run?.status,
      prompts: run?.report?.prompts,
      initial: run?.report?.initial,
      final: run?.report?.final,
      evaluations: comparable(await db.evaluations.where('runId').equals(id).toArray()),
    };
  },
};

declare global {
  interface Window {
    runnerPage: typeof api;
  }
}
window.runnerPage = api;
document.getElementById('status')!.textContent = 'ready';
