/**
 * The built executor in a page of its own: the e2e hostile suite and bench:exec load the pool the
 * app builds (dist/, served with COOP/COEP) through it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distDir } from './paths';

/**
 * The app's built executor chunk: the one that exports the pool the app uses (the app builds it
 * through createCachedBrowserExecPool, which keeps Pyodide's memory snapshot between visits).
 */
export function builtExecutorChunk(): string {
  const dir = join(distDir, 'assets');
  const hit = readdirSync(dir).find(
    (f) =>
      f.endsWith('.js') &&
      /export\s*\{[^}]*\bcreateCachedBrowserExecPool\b/.test(
        readFileSync(join(dir, f), 'utf8').slice(-2000),
      ),
  );
  if (!hit) throw new Error(`No built executor chunk in ${dir}: run \`npx vite build\` first.`);
  return `./assets/${hit}`;
}

/**
 * A page that imports the built executor chunk and exposes its pool as `window.executorPage`.
 */
export const EXECUTOR_PAGE = (chunk: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>built executor</title></head>
<body><p id="status">loading</p>
<script type="module">
import { createCachedBrowserExecPool } from '${chunk}';
let pool;
window.executorPage = {
  async start(opts = {}) {
    await pool?.close();
    // The product's limits unless a caller asks otherwise.
    pool = await createCachedBrowserExecPool(opts);
    await pool.warm();
    return { isolated: globalThis.crossOriginIsolated === true, size: pool.size };
  },
  runAll: (jobs) => Promise.all(jobs.map((j) => pool.run(j))),
  async run(job) {
    const t0 = performance.now();
    const result = await pool.run(job);
    return { result, ms: performance.now() - t0 };
  },
  stats: () => pool.stats(),
  /** A runaway job: when its verdict came, whether every slot was full then, when the spare was back. */
  async runaway(job) {
    const t0 = performance.now();
    const result = await pool.run(job);
    const verdictMs = performance.now() - t0;
    const slotsFull = pool.stats().ready === pool.size;
    await pool.whenFull();
    return { result, verdictMs, slotsFull, fullMs: performance.now() - t0, stats: pool.stats() };
  },
  whenFull: () => pool.whenFull(),
  /** What the origin's storage holds: databases and caches anyone (page or worker) opened. */
  async storage() {
    return {
      databases: (await indexedDB.databases()).map((d) => d.name),
      caches: await caches.keys(),
    };
  },
  async clearStorage() {
    for (const d of await indexedDB.databases()) indexedDB.deleteDatabase(d.name);
    for (const k of await caches.keys()) await caches.delete(k);
  },
  /** The positive control: a plain worker makes a request and opens IndexedDB and a cache. */
  control() {
    // Absolute: a blob worker's own URL cannot resolve a path.
    const url = new URL('/athanor-control-request', location.href).href;
    const src = "fetch('" + url + "').catch(() => 0);" +
      "indexedDB.open('athanor-control');" +
      "caches.open('athanor-control').then(() => postMessage('done'), () => postMessage('done'));";
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    return new Promise((ok) => { w.onmessage = () => { setTimeout(() => { w.terminate(); ok(); }, 300); }; });
  },
};
document.getElementById('status').textContent = 'ready';
</script></body></html>`;
