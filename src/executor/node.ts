/**
 * The pool in Node: each worker is a worker_thread running Pyodide from node_modules. Used by
 * tests, benchmarks and scripts. The worker entry is TypeScript, loaded through tsx.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createExecPool, type ExecPool, type ExecPoolOptions } from './pool';
import type { PythonWorkerApi } from './protocol';

export type { ExecPool, ExecPoolOptions, ExecPoolStats } from './pool';
export { ExecAbortedError, ExecPoolClosedError, PythonWorkerStartError } from './pool';

const workerUrl = new URL('./node-worker.ts', import.meta.url).href;
// tsx's import API, resolved from here so the worker finds it whatever the cwd; the worker entry
// is TypeScript and worker_threads do not inherit the parent's loader hooks.
const tsxApi = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/index\.cjs$/, 'index.mjs'),
).href;
const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => m.tsImport(${JSON.stringify(workerUrl)}, ${JSON.stringify(workerUrl)}))`;

export function createNodeExecPool(opts: ExecPoolOptions = {}): ExecPool {
  return createExecPool(
    (onCrash) => {
      const worker = new Worker(bootstrap, { eval: true });
      // A worker must never keep a test run or script alive on its own.
      worker.unref();
      worker.on('error', onCrash);
      return {
        api: wrap<PythonWorkerApi>(nodeEndpoint(worker)),
        terminate: () => void worker.terminate(),
      };
    },
    { ...opts, cores: opts.cores ?? availableParallelism(), sharedMemory: true },
  );
}
