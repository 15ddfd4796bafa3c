/** Node worker_threads entry: Pyodide from node_modules, exposed with Comlink. */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { loadPyodide } from 'pyodide';
import { createWorkerApi, snapshotOptions } from './worker-core';

if (!parentPort) throw new Error('node-worker.ts must run in a worker thread (see node.ts).');

// Pyodide guesses its own folder from a stack trace, which fails under tsx in a worker.
const localIndex = `${dirname(createRequire(import.meta.url).resolve('pyodide'))}/`;

// An empty object as the `js` module: generated code that gets hold of it finds nothing.
const api = createWorkerApi((opts) =>
  loadPyodide({
    jsglobals: Object.create(null) as object,
    ...snapshotOptions({ indexURL: localIndex, ...opts }),
  }),
);
expose(api, nodeEndpoint(parentPort));
