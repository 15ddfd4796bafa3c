/**
 * The pool in Node: each worker is a worker_thread running Pyodide from node_modules. Used by
 * tests, benchmarks and scripts. The worker entry is TypeScript, loaded through tsx.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
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
// The harness is a .py file imported as text (`?raw`, python-sources.ts): its hook comes first.
const rawImport = new URL('../../scripts/raw-import.mjs', import.meta.url).href;
const bootstrap = `import(${JSON.stringify(rawImport)}).then(() => import(${JSON.stringify(tsxApi)})).then((m) => m.tsImport(${JSON.stringify(workerUrl)}, ${JSON.stringify(workerUrl)}))`;

// Node 20's V8 (11.3) dies now and then ("Fatal error … unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when optimized JavaScript that inlined a call into
// Pyodide's WebAssembly is deoptimized: it took down about one test process in four that graded
// HumanEval+ and MBPP+ here. Without the inlining the calls go through V8's ordinary wrapper.
// V8 flags are per process, so this covers every worker started from now on.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

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
