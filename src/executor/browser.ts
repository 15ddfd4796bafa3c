/**
 * The pool in the browser: each worker is a module Web Worker running Pyodide from our own
 * origin (`<base>pyodide/`, copied there by scripts/pyodide-assets.ts). Timeouts use the
 * interrupt buffer when the page is cross-origin isolated, else terminate-and-replace.
 */
import { wrap } from 'comlink';
import { createExecPool, type ExecPool, type ExecPoolOptions } from './pool';
import type { PythonWorkerApi } from './protocol';
import { snapshotStore } from './snapshot-cache';

export type { ExecPool, ExecPoolOptions, ExecPoolStats } from './pool';
export { ExecAbortedError, ExecPoolClosedError, PythonWorkerStartError } from './pool';

export interface BrowserExecPoolOptions extends ExecPoolOptions {
  /** Where Pyodide's files are; default `<app base>pyodide/` on this origin. */
  indexURL?: string;
}

function defaultIndexURL(): string {
  return new URL(`${import.meta.env.BASE_URL}pyodide/`, globalThis.location.href).href;
}

export function createBrowserExecPool(opts: BrowserExecPoolOptions = {}): ExecPool {
  const indexURL = opts.indexURL ?? defaultIndexURL();
  return createExecPool(
    (onCrash) => {
      const worker = new Worker(new URL('../workers/python.worker.ts', import.meta.url), {
        type: 'module',
        name: 'athanor-python',
      });
      worker.addEventListener('error', (e) => onCrash(new Error(e.message || 'worker error')));
      // A private channel: once Pyodide is loaded the worker removes its own postMessage, so
      // code that reaches the worker's global scope cannot talk to the page.
      const channel = new MessageChannel();
      worker.postMessage({ port: channel.port2 }, [channel.port2]);
      return {
        api: wrap<PythonWorkerApi>(channel.port1),
        terminate: () => {
          worker.terminate();
          channel.port1.close();
        },
      };
    },
    {
      ...opts,
      indexURL,
      cores: opts.cores ?? globalThis.navigator?.hardwareConcurrency ?? 2,
      sharedMemory:
        typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true,
    },
  );
}

/**
 * The browser pool, its workers started from the Python snapshot an earlier session kept in
 * Cache Storage (snapshot-cache.ts) when there is one; the snapshot this pool makes otherwise is
 * kept for the next session.
 */
export async function createCachedBrowserExecPool(
  opts: BrowserExecPoolOptions = {},
): Promise<ExecPool> {
  const indexURL = opts.indexURL ?? defaultIndexURL();
  const store = await snapshotStore(indexURL);
  const kept = opts.snapshot === false ? undefined : await store.load();
  return createBrowserExecPool({
    ...opts,
    indexURL,
    ...(kept ? { snapshotBytes: kept } : {}),
    onSnapshot: (bytes) => {
      void store.save(bytes).catch(() => undefined); // A full disk only costs the next boot.
    },
    onSnapshotRejected: () => void store.drop(),
  });
}
