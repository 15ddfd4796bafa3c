/**
 * The Live page's figures (evaluations, LLM calls, tokens, model + Python time of the whole run,
 * as the Results page's cost counts them, and the seed's budget use) against the store, sampled continuously while a run is driven: in the tab that drives it and in
 * a second tab that only watches. Each sample reads the store, then the page, then the store again,
 * all inside the page, so three claims can be checked without trusting any timing of the test:
 *   - never ahead: every figure shown is at most what the store holds right after;
 *   - never behind by more than a moment: every figure is at least what the store held LAG_MS
 *     before (a figure taken from checkpoints lags a whole optimizer step and fails this);
 *   - exact when the store is still: if the store did not change during the LAG_MS before a sample
 *     nor during it, every figure shown equals the store's, text for text.
 * And while the run is running, the "Latest completion" never shows a test task's verdict (held-out
 * grading stays hidden until the run is done); once done, it may.
 * The store is read with raw IndexedDB and the figures are derived here independently of the
 * app's code (src/ui/run-figures.ts), so a wrong rule in the app cannot agree with itself.
 *
 * The LLM is the scripted landscape (the one allowed stand-in); code is graded by the real Pyodide pool.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { startStaticServer, type StaticServer } from '../support/server';
import { bundleDoubles, fillProchemyOnToy, seedDatabase, TEST_TASKS } from './ui-helpers';

/** How long a write may take to reach the page (liveQuery, and BroadcastChannel across tabs). */
const LAG_MS = 1500;
const MAX_CALLS = 40;

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: await bundleDoubles({ delayMs: 40 }) });
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  await browser?.close();
});

interface Figures {
  evaluations: number;
  llmCalls: number;
  chargedCalls: number;
  tokens: number;
  workMs: number;
}
interface Shown {
  evaluations: string;
  llmCalls: string;
  budgetCalls: string;
  tokens: string;
  workTime: string;
}
interface Sample {
  t0: number;
  t1: number;
  before: Figures;
  shown: Shown;
  after: Figures;
  status: string;
  /** The run's phase as the page shows it, and the "Latest completion" line. */
  phase: string;
  latest: string;
}

/**
 * Samples in the page until the run's status is done (or `untilMs` passes): store, page, store.
 * Raw IndexedDB, one read-only transaction per store read.
 */
function sampleInPage(page: Page, runId: string, seed: number, untilMs: number): Promise<Sample[]> {
  return page.evaluate(
    async ({ runId, seed, untilMs, lagMs }) => {
      const HELDOUT_ROUND = -1; // src/runner/call-log.ts
      const open = indexedDB.open('athanor');
      const idb = await new Promise<IDBDatabase>((ok, fail) => {
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      const req = <T>(r: IDBRequest<T>) =>
        new Promise<T>((ok, fail) => {
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
      type Call = {
        seed: number;
        round: number;
        completion: {
          cached?: boolean;
          latencyMs: number;
          usage: { promptTokens: number; completionTokens: number };
        };
      };
      type Ev = { execCached?: boolean; result: { durationMs: number } };
      // The run's figures, by one definition for Live and Results: every seed and phase, the
      // calls the model answered (cache hits apart); budget use is the seed's (not held-out).
      const read = async () => {
        const tx = idb.transaction(['evaluations', 'runCalls'], 'readonly');
        const [calls, evs] = await Promise.all([
          req(tx.objectStore('runCalls').index('runId').getAll(IDBKeyRange.only(runId))),
          req(tx.objectStore('evaluations').index('runId').getAll(IDBKeyRange.only(runId))),
        ]);
        let llmCalls = 0;
        let chargedCalls = 0;
        let tokens = 0;
        let workMs = 0;
        for (const c of calls as Call[]) {
          if (c.completion.cached) continue;
          llmCalls++;
          workMs += c.completion.latencyMs || 0;
          tokens += c.completion.usage.promptTokens + c.completion.usage.completionTokens;
          if (c.seed === seed && c.round !== HELDOUT_ROUND) chargedCalls++;
        }
        for (const e of evs as Ev[]) if (!e.execCached) workMs += e.result.durationMs || 0;
        return { evaluations: evs.length, llmCalls, chargedCalls, tokens, workMs };
      };
      const text = (id: string) =>
        document.querySelector(`[data-testid="${id}"]`)?.textContent?.replace(/\s+/g, ' ').trim() ??
        '';
      const statusNow = () =>
        document.querySelector('.controls [data-status]')?.getAttribute('data-status') ?? '';
      const samples = [];
      const end = performance.now() + untilMs;
      // After the run is done, sample on past the lag so the final figures are checked as still.
      let doneAt = Infinity;
      while (performance.now() < end && performance.now() - doneAt < lagMs + 1000) {
        const t0 = performance.now();
        const before = await read();
        const ready =
          document.querySelector('[data-testid="live-figures"]')?.getAttribute('data-ready') ===
          'true';
        const shown = {
          evaluations: text('evaluations'),
          llmCalls: text('llm-calls'),
          budgetCalls: text('budget-calls'),
          tokens: text('tokens'),
          workTime: text('work-time'),
        };
        const after = await read();
        const status = statusNow();
        const phase =
          document.querySelector('[data-testid="phase"]')?.getAttribute('data-phase') ?? '';
        const latest = document.querySelector('[data-testid="latest-line"]')?.textContent ?? '';
        if (ready)
          samples.push({ t0, t1: performance.now(), before, shown, after, status, phase, latest });
        if (status === 'done' && doneAt === Infinity) doneAt = performance.now();
        await new Promise((r) => setTimeout(r, 15 + Math.random() * 30));
      }
      idb.close();
      return samples;
    },
    { runId, seed, untilMs, lagMs: LAG_MS },
  );
}

/** src/ui/format.ts's duration, restated: whole seconds, then minutes. */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
const seconds = (d: string): number => {
  const m = /^(?:(\d+) h )?(?:(\d+) min ?)?(?:(\d+) s)?$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
};
const num = (s: string): number => {
  if (!/^[\d,]+$/.test(s)) throw new Error(`not a count: "${s}"`);
  return Number(s.replaceAll(',', ''));
};
const budgetText = (f: Figures) =>
  `Budget used: ${f.chargedCalls.toLocaleString('en-US')} of ${MAX_CALLS} calls`;
const exact = (f: Figures): Shown => ({
  evaluations: String(f.evaluations),
  llmCalls: f.llmCalls.toLocaleString('en-US'),
  budgetCalls: budgetText(f),
  tokens: f.tokens.toLocaleString('en-US'),
  workTime: duration(f.workMs),
});
const same = (a: Figures, b: Figures) =>
  a.evaluations === b.evaluations &&
  a.llmCalls === b.llmCalls &&
  a.chargedCalls === b.chargedCalls &&
  a.tokens === b.tokens &&
  a.workMs === b.workMs;

/** The three claims over one tab's samples; returns how often each was checked. */
function check(tab: string, samples: Sample[]) {
  let exactChecks = 0;
  let lagChecks = 0;
  const shownEvaluations = new Set<number>();
  samples.forEach((s, i) => {
    const where = `${tab}, sample ${i} at ${s.t0.toFixed(0)} ms (${s.status})`;
    const shownN = {
      evaluations: num(s.shown.evaluations),
      llmCalls: num(s.shown.llmCalls),
      tokens: num(s.shown.tokens),
      chargedCalls: num(/^Budget used: ([\d,]+) of/.exec(s.shown.budgetCalls)?.[1] ?? ''),
      workS: seconds(s.shown.workTime),
    };
    if (s.status === 'running') shownEvaluations.add(shownN.evaluations);
    // Never ahead of the store.
    const a = s.after;
    expect(shownN.evaluations, `${where}: evaluations ahead`).toBeLessThanOrEqual(a.evaluations);
    expect(shownN.llmCalls, `${where}: calls ahead`).toBeLessThanOrEqual(a.llmCalls);
    expect(shownN.chargedCalls, `${where}: budget calls ahead`).toBeLessThanOrEqual(a.chargedCalls);
    expect(shownN.tokens, `${where}: tokens ahead`).toBeLessThanOrEqual(a.tokens);
    expect(shownN.workS, `${where}: time ahead`).toBeLessThanOrEqual(seconds(duration(a.workMs)));
    // Never behind what the store held LAG_MS ago.
    const old = samples.filter((o) => o.t1 <= s.t0 - LAG_MS).at(-1);
    if (old) {
      lagChecks++;
      const b = old.after;
      expect(shownN.evaluations, `${where}: evaluations behind`).toBeGreaterThanOrEqual(
        b.evaluations,
      );
      expect(shownN.llmCalls, `${where}: calls behind`).toBeGreaterThanOrEqual(b.llmCalls);
      expect(shownN.chargedCalls, `${where}: budget calls behind`).toBeGreaterThanOrEqual(
        b.chargedCalls,
      );
      expect(shownN.tokens, `${where}: tokens behind`).toBeGreaterThanOrEqual(b.tokens);
      expect(shownN.workS, `${where}: time behind`).toBeGreaterThanOrEqual(
        seconds(duration(b.workMs)),
      );
    }
    // Exact when the store was still for LAG_MS before and during the sample.
    const window = samples.filter((o) => o.t0 >= s.t0 - LAG_MS && o.t0 <= s.t0);
    const still =
      old !== undefined &&
      same(s.before, s.after) &&
      same(old.after, s.after) &&
      window.every((o) => same(o.before, s.after) && same(o.after, s.after));
    if (still) {
      exactChecks++;
      expect(s.shown, `${where}: the store was still, the page must show it`).toEqual(
        exact(s.after),
      );
    }
  });
  // Test-split verdicts stay hidden on Live until the run is done (nobody steers by them): while
  // the held-out phase grades, the latest completion shown is never a test task's.
  const testIds = new Set(TEST_TASKS.map((t) => t.id));
  const duringHeldout = samples.filter((s) => s.status === 'running' && s.phase === 'heldout');
  for (const s of samples.filter((x) => x.status === 'running')) {
    const shownId = s.latest.trim().split(' · ')[0] ?? '';
    expect(testIds.has(shownId), `${tab}: a test task shown while running: ${s.latest}`).toBe(
      false,
    );
    expect(s.latest, `${tab}: a held-out verdict shown while running`).not.toMatch(
      /· held-out task/,
    );
  }
  // The last sample is after the run finished: figures final and exact.
  const last = samples.at(-1)!;
  expect(last.status, `${tab}: sampling ended before the run finished`).toBe('done');
  expect(last.shown, `${tab}: final figures`).toEqual(exact(last.after));
  // Once done, the held-out verdicts may show (a positive control for the check above).
  const doneLatest = samples.filter((s) => s.status === 'done').map((s) => s.latest);
  return {
    samples: samples.length,
    lagChecks,
    exactChecks,
    distinct: shownEvaluations.size,
    heldoutSamples: duringHeldout.length,
    heldoutShownWhenDone: doneLatest.some((l) => /· held-out task/.test(l)),
  };
}

describe('live figures against the store while a run is driven', () => {
  it('match the store at every sample, in the driving tab and in a watching tab', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs`);
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await seedDatabase(page);
    await page.goto(`${server.url}#/runs/new`);
    await fillProchemyOnToy(page, {
      variants: 3,
      tasks: 5,
      rounds: 3,
      seeds: '7',
      maxCalls: MAX_CALLS,
      name: 'live figures',
    });
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const runId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');

    const watcher = await openPage(context, `${server.url}#/runs/${runId}`);
    await watcher.page.getByText('Running in another tab').waitFor();

    const [driving, watching] = await Promise.all([
      sampleInPage(page, runId, 7, 150_000),
      sampleInPage(watcher.page, runId, 7, 150_000),
    ]);
    const d = check('driving tab', driving);
    const w = check('watching tab', watching);
    console.log(
      `live figures: driving tab ${JSON.stringify(d)}; watching tab ${JSON.stringify(w)}; final ${JSON.stringify(driving.at(-1)!.after)}`,
    );
    // The claims were exercised while the figures moved, not only at the end.
    for (const [tab, c] of [
      ['driving', d],
      ['watching', w],
    ] as const) {
      expect(c.distinct, `${tab}: distinct evaluation counts seen while running`).toBeGreaterThan(
        5,
      );
      expect(c.lagChecks, `${tab}: lag checks`).toBeGreaterThan(50);
      expect(c.exactChecks, `${tab}: exact checks`).toBeGreaterThan(5);
      expect(c.heldoutShownWhenDone, `${tab}: held-out verdicts shown once done`).toBe(true);
      expect(c.heldoutSamples, `${tab}: samples while held-out tasks were graded`).toBeGreaterThan(
        3,
      );
    }
    expect(errors).toEqual([]);
    expect(watcher.errors).toEqual([]);
  });
});
