/**
 * Web Worker entry for the Python sandbox: Pyodide from our own origin, the grader from
 * src/executor, exposed with Comlink on a private MessagePort the page sends first.
 */
import { expose } from 'comlink';
import { loadPyodide } from 'pyodide';
import { createWorkerApi, snapshotOptions } from '../executor/worker-core';

/**
 * What generated code could use, were it to reach this scope, to touch the app's data or the
 * network. Removed after Pyodide has loaded (it needs fetch while loading).
 */
const DANGEROUS = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebTransport',
  'EventSource',
  'indexedDB',
  'caches',
  'importScripts',
  'postMessage',
  'BroadcastChannel',
  'Worker',
  'SharedWorker',
  'navigator',
  'close',
  'Request',
  'Response',
];

function lockDownScope(): void {
  for (const name of DANGEROUS) {
    let obj: object | null = globalThis;
    while (obj) {
      if (Object.prototype.hasOwnProperty.call(obj, name)) {
        try {
          Object.defineProperty(obj, name, {
            value: undefined,
            configurable: false,
            writable: false,
          });
        } catch {
          // A non-configurable property stays; the realm hardening in engine.ts still applies.
        }
      }
      obj = Object.getPrototypeOf(obj) as object | null;
    }
  }
}

// Pyodide schedules asyncio callbacks through a MessageChannel when one exists, which the job
// guard (src/executor/job-guard.ts) cannot see; without it, it uses setTimeout, which the guard
// wraps. Nothing else in this worker makes channels (the page hands us our port).
Object.defineProperty(globalThis, 'MessageChannel', {
  value: undefined,
  configurable: false,
  writable: false,
});

const api = createWorkerApi(async (opts) => {
  const py = await loadPyodide({
    jsglobals: Object.create(null) as object,
    ...snapshotOptions(opts),
  });
  lockDownScope();
  return py;
});

self.addEventListener(
  'message',
  (e: MessageEvent<{ port?: MessagePort }>) => {
    if (e.data?.port) expose(api, e.data.port);
  },
  { once: true },
);
