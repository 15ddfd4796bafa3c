/**
 * The worker's API, shared by the Node worker (worker_threads) and the browser's Web Worker:
 * load Pyodide once, then grade jobs one after another in that interpreter.
 */
import { transfer } from 'comlink';
import type { PyodideAPI } from 'pyodide';
import type { ExecJob } from '../core/types';
import { createEngine, type Engine } from './engine';
import { PRELOAD_PY } from './harness.py';
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

export function createWorkerApi(load: PyodideLoader): PythonWorkerApi {
  let engine: Engine | undefined;
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
      return engine.run(job, seq);
    },
  };
}
