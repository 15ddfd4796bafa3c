/**
 * The browser pool in headless Chromium, on the BUILT site (dist/, served like a static host with
 * COOP/COEP): the page imports the app's own executor chunk, which starts the app's own built
 * Python worker. Real-data samples get the same verdicts as in Node; the whole hostile suite
 * holds at the product's default limits (2 s grace, 768 MiB heap) with strict verdicts, each
 * by its stated path (the change in `stats().replaced`), and repeated probes; watchers for requests and IndexedDB / Cache API
 * use prove they can see a worker's request (a positive control) and then see none from any
 * hostile program; without the interrupt buffer, runaway code is stopped by terminate-and-replace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ExecJob, ExecResult } from '../../src/core/types';
import type { ExecPoolStats } from '../../src/executor/pool';
import { launchBrowser } from '../support/browser';
import { requireShared } from '../support/paths';
import { builtExecutorChunk, EXECUTOR_PAGE } from '../support/executor-page';
import { startStaticServer, type StaticServer } from '../support/server';
import { humanEvalJobs, mbppJobs, sanitizedMbppJobs } from '../integration/executor-data';
import {
  BASELINE_JOB,
  HOSTILE_CASES,
  PROBE_DELAYS_MS,
  probeJob,
  replacementError,
  WARM_INTERRUPT_JOB,
} from '../integration/executor-hostile-cases';

let server: StaticServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** Every request the page or its workers made, as Chromium reports it. */
const requests: string[] = [];

interface PageApi {
  start(o?: {
    size?: number;
    spares?: number;
    useInterrupts?: boolean;
    interruptGraceMs?: number;
  }): Promise<{ isolated: boolean; size: number }>;
  runAll(jobs: ExecJob[]): Promise<ExecResult[]>;
  run(job: ExecJob): Promise<{ result: ExecResult; ms: number }>;
  stats(): ExecPoolStats;
  whenFull(): Promise<void>;
  storage(): Promise<{ databases: string[]; caches: string[] }>;
  clearStorage(): Promise<void>;
  control(): Promise<void>;
}
type Win = { executorPage: PageApi };

const start = (o: Parameters<PageApi['start']>[0]) =>
  page.evaluate((o) => (window as unknown as Win).executorPage.start(o), o);
const runAll = (jobs: ExecJob[]) =>
  page.evaluate((jobs) => (window as unknown as Win).executorPage.runAll(jobs), jobs);
const run = (job: ExecJob) =>
  page.evaluate((job) => (window as unknown as Win).executorPage.run(job), job);
const stats = () => page.evaluate(() => (window as unknown as Win).executorPage.stats());
const storage = () => page.evaluate(() => (window as unknown as Win).executorPage.storage());
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const pathOf = (url: string) => new URL(url).pathname;

beforeAll(async () => {
  server = await startStaticServer({
    overrides: {
      '/__executor.html': {
        status: 200,
        type: 'text/html',
        body: EXECUTOR_PAGE(builtExecutorChunk()),
      },
    },
  });
  browser = await launchBrowser();
  const context = await browser.newContext();
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}__executor.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('built browser pool, cross-origin isolated', () => {
  it('loads Pyodide from our own origin with the interrupt buffer', async () => {
    const info = await start({ size: 2, spares: 1 });
    expect(info.isolated).toBe(true);
    expect((await stats()).interrupts).toBe(true);
  });

  it('grades a real-data sample as Node does', async () => {
    const he = humanEvalJobs(requireShared('datasets', 'HumanEval.jsonl'));
    const none = humanEvalJobs(requireShared('datasets', 'HumanEval.jsonl'), 'return-none');
    const mb = mbppJobs(requireShared('datasets', 'mbpp.jsonl'));
    const sa = sanitizedMbppJobs(requireShared('datasets', 'sanitized-mbpp.json'));
    const pick = <T>(xs: T[], step: number): T[] => xs.filter((_x, i) => i % step === 0);
    const passing = [...pick(he, 4), ...pick(mb, 25), ...pick(sa, 12)];
    const failing = pick(none, 4);
    const all = [
      ...passing.map((j) => ({ ...j, want: true })),
      ...failing.map((j) => ({ ...j, want: false })),
    ];
    const results = await runAll(all.map((j) => j.job));
    const wrong = results
      .map((r, i) => ({ id: all[i]!.id, r, want: all[i]!.want }))
      .filter(({ r, want }) => r.passed !== want)
      .map(
        ({ id, r }) =>
          `${id}: ${r.setupError ?? JSON.stringify(r.tests.find((t) => t.outcome !== 'passed'))}`,
      );
    expect(wrong).toEqual([]);
    // Every 4th of 164, every 25th of 974, every 12th of 427.
    expect(passing.length).toBe(41 + 39 + 36);
    expect(failing.length).toBe(41);
  });

  it('has watchers that see a worker request and a worker opening IndexedDB and a cache', async () => {
    await page.evaluate(() => (window as unknown as Win).executorPage.control());
    // The server's own log is the request watcher (every request to our origin, from the page
    // or any worker); Chromium's request events may not include a worker's.
    await expect.poll(() => server.log).toContain('GET /athanor-control-request 404');
    const seen = await storage();
    expect(seen.databases).toContain('athanor-control');
    expect(seen.caches).toContain('athanor-control');
    await page.evaluate(() => (window as unknown as Win).executorPage.clearStorage());
    expect(await storage()).toEqual({ databases: [], caches: [] });
  });
});

describe('the hostile suite in the built worker', () => {
  let baseline: unknown;
  let allowed = new Set<string>();
  let before = 0;
  let logBefore = 0;

  beforeAll(async () => {
    // The product's limits: the grace and heap cap a user's pool has.
    await start({ size: 1, spares: 1 });
    await run(WARM_INTERRUPT_JOB);
    const base = await run(BASELINE_JOB);
    baseline = JSON.parse(base.result.stdout.text);
    // What a worker loads when it starts (a replacement loads the same files): allowed.
    await page.evaluate(() => (window as unknown as Win).executorPage.whenFull());
    allowed = new Set(server.log.map((l) => l.split(' ')[1] ?? ''));
    before = requests.length;
    logBefore = server.log.length;
  });

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // A replacement from an earlier case may still be loading: its time is not this case's.
    await page.evaluate(() => (window as unknown as Win).executorPage.whenFull());
    const before = await stats();
    const { result } = await run(c.job);
    expect(c.verdict(result), JSON.stringify(result).slice(0, 1500)).toBeUndefined();
    expect(replacementError(c, before, await stats())).toBeUndefined();
    for (const delay of PROBE_DELAYS_MS) {
      await sleep(delay);
      const probe = await run(probeJob(baseline));
      expect(
        probe.result.tests[0]?.message ?? probe.result.setupError ?? '',
        `probe after ${delay} ms`,
      ).toBe('');
    }
  });

  it('saw no request and no storage from any of those programs', async () => {
    const served = server.log.slice(logBefore).filter((l) => !allowed.has(l.split(' ')[1] ?? ''));
    expect(served, 'requests our origin served while hostile programs ran').toEqual([]);
    const reported = requests
      .slice(before)
      .map(pathOf)
      .filter((p) => !allowed.has(p));
    expect(reported, 'requests Chromium reported').toEqual([]);
    // The pool itself keeps Python's memory snapshot in one cache (executor/snapshot-cache.ts);
    // nothing else may exist.
    const seen = await storage();
    expect({
      ...seen,
      caches: seen.caches.filter((c: string) => c !== 'athanor-python-snapshot-v1'),
    }).toEqual({ databases: [], caches: [] });
    expect(pageErrors).toEqual([]);
  });
});

describe('built browser pool without the interrupt buffer', () => {
  it('stops runaway code by terminating and replacing the worker', async () => {
    await start({ size: 1, spares: 1, useInterrupts: false });
    const loop = HOSTILE_CASES.find((c) => c.name === 'infinite loop in the function')!;
    const { result } = await run({ ...loop.job, jobTimeoutMs: 1500 });
    expect(result.passed).toBe(false);
    expect(result.tests.map((t) => t.outcome)).toEqual(['timeout', 'not-run']);
    const ok = await run({
      program: 'def f(x):\n    return 2 * x\n',
      tests: { kind: 'asserts', setup: '', asserts: ['assert f(2) == 4'] },
    });
    expect(ok.result.passed).toBe(true);
    const s = await stats();
    expect(s.interrupts).toBe(false);
    expect(s.replaced).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
