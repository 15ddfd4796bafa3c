/**
 * The browser pool in headless Chromium (Vite dev server, cross-origin isolated): real-data
 * samples get the same verdicts as in Node, and the hostile suite holds, with the interrupt
 * buffer and without it (terminate-and-replace).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ExecJob, ExecResult } from '../../src/core/types';
import type { ExecPoolStats } from '../../src/executor/pool';
import { launchBrowser } from '../support/browser';
import { requireShared } from '../support/paths';
import { startViteServer, type DevServer } from '../support/vite-server';
import { humanEvalJobs, mbppJobs, sanitizedMbppJobs } from '../integration/executor-data';
import { HOSTILE_CASES, PROBE_PROGRAM, probeJob } from '../integration/executor-hostile-cases';

let server: DevServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

interface PageApi {
  start(o?: {
    size?: number;
    spares?: number;
    useInterrupts?: boolean;
  }): Promise<{ isolated: boolean; size: number }>;
  runAll(jobs: ExecJob[]): Promise<ExecResult[]>;
  run(job: ExecJob): Promise<{ result: ExecResult; ms: number }>;
  stats(): ExecPoolStats;
}
type Win = { executorPage: PageApi };

const start = (o: Parameters<PageApi['start']>[0]) =>
  page.evaluate((o) => (window as unknown as Win).executorPage.start(o), o);
const runAll = (jobs: ExecJob[]) =>
  page.evaluate((jobs) => (window as unknown as Win).executorPage.runAll(jobs), jobs);
const run = (job: ExecJob) =>
  page.evaluate((job) => (window as unknown as Win).executorPage.run(job), job);

beforeAll(async () => {
  server = await startViteServer();
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}test/e2e/pages/executor.html`);
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent === 'ready',
    null,
    {
      timeout: 120_000,
    },
  );
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('browser pool, cross-origin isolated', () => {
  it('loads Pyodide from our own origin with the interrupt buffer', async () => {
    const info = await start({ size: 2, spares: 1 });
    expect(info.isolated).toBe(true);
    const stats = await page.evaluate(() => (window as unknown as Win).executorPage.stats());
    expect(stats.interrupts).toBe(true);
  });

  it('grades a real-data sample as Node does', async () => {
    const he = humanEvalJobs(requireShared('datasets', 'HumanEval.jsonl'));
    const none = humanEvalJobs(requireShared('datasets', 'HumanEval.jsonl'), 'return-none');
    const mb = mbppJobs(requireShared('datasets', 'mbpp.jsonl'));
    const sa = sanitizedMbppJobs(requireShared('datasets', 'sanitized-mbpp.json'));
    const pick = <T>(xs: T[], step: number): T[] => xs.filter((_x, i) => i % step === 0);
    const passing = [...pick(he, 4), ...pick(mb, 25), ...pick(sa, 12)];
    const failing = pick(none, 4);
    const results = await runAll([...passing, ...failing].map((j) => j.job));
    const wrong = results
      .map((r, i) => ({
        id: (i < passing.length ? passing : failing)[i < passing.length ? i : i - passing.length]!
          .id,
        r,
        want: i < passing.length,
      }))
      .filter(({ r, want }) => r.passed !== want)
      .map(
        ({ id, r }) =>
          `${id}: ${r.setupError ?? JSON.stringify(r.tests.find((t) => t.outcome !== 'passed'))}`,
      );
    expect(wrong).toEqual([]);
    expect(passing.length + failing.length).toBeGreaterThan(100);
  });

  it('passes the hostile suite, each followed by a clean probe', async () => {
    await start({ size: 1, spares: 1 });
    const base = await run({
      program: `${PROBE_PROGRAM}\nimport json\nprint(json.dumps(fingerprint()))\n`,
      tests: { kind: 'stdio', compare: 'exact', cases: [{ stdin: '', stdout: '' }] },
    });
    const baseline: unknown = JSON.parse(base.result.stdout.text);
    const problems: string[] = [];
    for (const c of HOSTILE_CASES) {
      const { result } = await run(c.job);
      const bad = c.verdict(result);
      if (bad) problems.push(`${c.name}: ${bad}`);
      const probe = await run(probeJob(baseline));
      if (!probe.result.passed)
        problems.push(
          `${c.name}: next job saw ${probe.result.tests[0]?.message ?? probe.result.setupError}`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('cannot reach the page: no IndexedDB database or network request was made by a job', async () => {
    const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(dbs).toEqual([]);
  });
});

describe('browser pool without the interrupt buffer', () => {
  it('stops runaway code by terminating and replacing the worker', async () => {
    await start({ size: 1, spares: 1, useInterrupts: false });
    const loop = HOSTILE_CASES.find((c) => c.name === 'infinite loop in the function')!;
    const { result } = await run({ ...loop.job, jobTimeoutMs: 1500 });
    expect(result.passed).toBe(false);
    expect(result.tests.some((t) => t.outcome === 'timeout')).toBe(true);
    const ok = await run({
      program: 'def f(x):\n    return 2 * x\n',
      tests: { kind: 'asserts', setup: '', asserts: ['assert f(2) == 4'] },
    });
    expect(ok.result.passed).toBe(true);
    const stats = await page.evaluate(() => (window as unknown as Win).executorPage.stats());
    expect(stats.interrupts).toBe(false);
    expect(stats.replaced).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
