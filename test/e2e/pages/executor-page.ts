/** Test page for the browser pool: the e2e test drives it through `window.executorPage`. */
import { createBrowserExecPool, type ExecPool } from '../../../src/executor/browser';
import type { ExecJob, ExecResult } from '../../../src/core/types';

let pool: ExecPool | undefined;

const api = {
  async start(opts: { size?: number; spares?: number; useInterrupts?: boolean } = {}): Promise<{
    isolated: boolean;
    size: number;
  }> {
    await pool?.close();
    pool = createBrowserExecPool(opts);
    await pool.warm();
    return { isolated: globalThis.crossOriginIsolated === true, size: pool.size };
  },
  async runAll(jobs: ExecJob[]): Promise<ExecResult[]> {
    return Promise.all(jobs.map((j) => pool!.run(j)));
  },
  async run(job: ExecJob): Promise<{ result: ExecResult; ms: number }> {
    const t0 = performance.now();
    const result = await pool!.run(job);
    return { result, ms: performance.now() - t0 };
  },
  stats: () => pool!.stats(),
  /** What a page-level script sees: the worker must not have touched the page's storage. */
  async close(): Promise<void> {
    await pool?.close();
  },
};

(globalThis as unknown as { executorPage: typeof api }).executorPage = api;
document.getElementById('status')!.textContent = 'ready';
