/**
 * The worker's API, shared by the Node worker (worker_threads) and the browser's Web Worker:
 * load Pyodide once, then grade jobs one after another in that interpreter.
 */
import { transfer } from 'comlink';
import type { PyodideAPI } from 'pyodide';
import type { ExecJob } from '../core/types';
import { createEngine, type Engine } from './engine';
import { installJobGuard } from './job-guard';
import { PRELOAD_PY } from './python-sources';
import type { PythonWorkerApi, WorkerInfo, WorkerInit, WorkerResult } from './protocol';

export interface LoadOptions {
  indexURL?: string;
  /** Pyodide's `_makeSnapshot` / `_loadSnapshot` (private options, checked against 314.0.7). */
  makeSnapshot?: boolean;
  snapshot?: Uint8Array;
}

export type PyodideLoader = (opts: LoadOptions) => Promise<PyodideAPI>;

/** loadPyodide's options for a load, including the snapshot ones its types mark private. */
export function snapshotOptions(opts: LoadOptions): Record<string, unknown> {
  return {
    ...(opts.indexURL ? { indexURL: opts.indexURL } : {}),
    ...(opts.makeSnapshot ? { _makeSnapshot: true } : {}),
    ...(opts.snapshot ? { _loadSnapshot: opts.snapshot } : {}),
  };
}

export class ExecWorkerNotReadyError extends Error {
  override name = 'ExecWorkerNotReadyError';
  constructor() {
    super('The Python worker got a job before init() finished; call init() first.');
  }
}

export class ExecWorkerRetiredError extends Error {
  override name = 'ExecWorkerRetiredError';
  constructor(why: string) {
    super(`This Python worker asked to be replaced (${why}) and takes no more jobs.`);
  }
}

export function createWorkerApi(load: PyodideLoader): PythonWorkerApi {
  let engine: Engine | undefined;
  // Installed before Pyodide loads, so every route to a JS timer goes through it.
  const guard = installJobGuard();
  /** Set once a job left the interpreter untrustworthy: the pool replaces this worker. */
  let retired = '';
  return {
    async init(opts: WorkerInit): Promise<WorkerInfo> {
      const t0 = performance.now();
      const py = await load({
        ...(opts.indexURL ? { indexURL: opts.indexURL } : {}),
        ...(opts.makeSnapshot && !opts.snapshot ? { makeSnapshot: true } : {}),
        ...(opts.snapshot ? { snapshot: opts.snapshot } : {}),
      });
      let snapshot: Uint8Array | undefined;
      if (opts.makeSnapshot && !opts.snapshot) {
        py.runPython(PRELOAD_PY);
        snapshot = (py as unknown as { makeMemorySnapshot(): Uint8Array }).makeMemorySnapshot();
      }
      engine = createEngine(py, { ...opts, snapshot: undefined });
      const info: WorkerInfo = {
        startMs: performance.now() - t0,
        pyodideVersion: py.version,
        fromSnapshot: !!opts.snapshot,
      };
      if (!snapshot) return info;
      info.snapshot = snapshot;
      return transfer(info, [snapshot.buffer]);
    },
    async run(job: ExecJob, seq: number): Promise<WorkerResult> {
      if (!engine) throw new ExecWorkerNotReadyError();
      // A job sent ahead to a worker that is being replaced must not run in its interpreter.
      if (retired) throw new ExecWorkerRetiredError(retired);
      guard.begin();
      let result: WorkerResult;
      try {
        result = engine.run(job, seq);
      } finally {
        const scheduled = guard.end();
        if (scheduled)
          retired = `the job scheduled JavaScript callbacks (${scheduled}); they were cancelled`;
      }
      if (retired && !result.recycle) result.recycle = retired;
      if (result.recycle) retired = result.recycle;
      return result;
    },
  };
}
