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
import { landscapeExec, landscapeLlm } from '../../support/landscape';
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
async function makeExec(): Promise<{ exec: ExecPort; kind: string }> {
  const load = Object.values(browserExec)[0];
  if (load) return { exec: (await load()).createBrowserExecPool(), kind: 'pyodide' };
  return { exec: landscapeExec(), kind: 'scripted' };
}

const { exec, kind } = await makeExec();
const runner = createRunner({
  db,
  llm: () => slow(unseededSampling(landscapeLlm()), 8),
  exec,
  optimizer: optimizers,
  tasks: () => Promise.resolve(runTasks),
});
const state = { stored: await db.evaluations.count(), lastStatus: '' };
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
    runner.start(id).catch((e: unknown) => {
      state.lastStatus = `error: ${String(e)}`;
    });
  },
  run: (id: string) => runner.start(id),
  async status(id: string) {
    return (await db.runs.get(id))?.status;
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
