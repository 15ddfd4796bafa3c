/**
 * Crash-proof, kept proven: a run of the built app is killed the hard way — SIGKILL to Chromium's
 * whole process group, on a persistent profile — at random moments spread over every phase
 * (early and late optimization of the first seed, the second seed, held-out grading and the
 * report window), then relaunched and resumed the way a user would (the Resume button of the Runs
 * list, of Home, or the Settings option that resumes on open). Two renderer crashes (CDP
 * `Page.crash`) are mixed in. At the end the run must equal an uninterrupted run of the same
 * config: evaluations by key, the call log, prompts, checkpoints and the report.
 *
 * The schedule comes from a seed printed at the start (ATHANOR_CRASH_SEED=<n> replays it). The LLM
 * is the scripted landscape (the one allowed stand-in, as in ui-runs.test.ts), each answer made a
 * distinct program (unique-programs.ts) so that every one is graded by the app's real Pyodide
 * pool, not answered from the verdict cache. Phases are read from the store: the reference run's evaluations in
 * the order they were stored say which phase the n-th stored evaluation belongs to, so the
 * evaluations a killed run holds after relaunch say where the kill landed.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { screenshot } from '../support/browser';
import { launchKillable, type KillableChromium } from '../support/killable-chromium';
import { UNIQUE_PROGRAMS } from './unique-programs';
import { runConfig } from '../support/runner-fixture';
import { startStaticServer, type StaticServer } from '../support/server';
import {
  byKey,
  dumpRun,
  putRun,
  stable,
  storedState,
  waitStored,
  type RunDump,
  type StoredState,
} from './crash-store';
import { axeViolations, bundleDoubles, seedDatabase, TEST_TASKS, TRAIN_TASKS } from './ui-helpers';

const SEED = process.env.ATHANOR_CRASH_SEED
  ? Number(process.env.ATHANOR_CRASH_SEED)
  : randomInt(2 ** 31);
const RUN_ID = 'crash-run';
/** Enough optimization in the first seed for kills to land early and late in it. */
const CONFIG = runConfig({
  name: 'Crash test',
  knobs: { variants: 3, trainTasks: 8, rounds: 4, patience: 3 },
});

type Phase = 'early' | 'late' | 'second-seed' | 'heldout' | 'report';
const PHASES: Phase[] = ['early', 'late', 'second-seed', 'heldout', 'report'];
/**
 * The SIGKILLs, aimed in the run's own order (the first seed's held-out grading comes before the
 * second seed), and two renderer crashes. A report-window kill may come too late and not land.
 */
const AIMS: (Phase | 'renderer')[] = [
  ...(['early', 'early', 'renderer', 'early', 'late', 'late', 'late'] as const),
  ...(['heldout', 'heldout', 'second-seed', 'second-seed', 'renderer'] as const),
  ...(['second-seed', 'second-seed', 'heldout', 'heldout'] as const),
  ...(['report', 'report', 'report', 'report'] as const),
];
const RENDERER_CRASHES = AIMS.filter((a) => a === 'renderer').length;

let server: StaticServer;
let doubles: string;
const profiles: string[] = [];
const browsers = new Set<KillableChromium>();
/** The app tabs' console errors and warnings, for a failure's message. */
const consoleLog: string[] = [];

beforeAll(async () => {
  console.info(`runner-crash: schedule seed ${SEED} (replay with ATHANOR_CRASH_SEED=${SEED})`);
  doubles = await bundleDoubles({ delayMs: 25 });
  server = await startStaticServer({ isolation: 'headers' });
});
afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.close();
  for (const p of profiles) rmSync(p, { recursive: true, force: true });
});

/**
 * The browser on `profile`, with two tabs: `probe`, a non-app page of the site's origin that reads
 * the store (and times the kills), and `app`, where the user works.
 */
async function launch(profile: string): Promise<Browser> {
  const kb = await launchKillable(profile);
  browsers.add(kb);
  await kb.context.addInitScript({ content: doubles });
  await kb.context.addInitScript({ content: UNIQUE_PROGRAMS });
  return { kb, ...(await tabs(kb)) };
}

interface Browser {
  kb: KillableChromium;
  probe: Page;
  app: Page;
}

async function tabs(kb: KillableChromium): Promise<{ probe: Page; app: Page }> {
  const probe = kb.context.pages()[0] ?? (await kb.context.newPage());
  await probe.goto(`${server.url}__probe`);
  const app = await kb.context.newPage();
  app.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleLog.push(`${m.type()}: ${m.text()}`);
  });
  app.on('pageerror', (e) => consoleLog.push(`pageerror: ${e.message}`));
  return { probe, app };
}

async function kill(kb: KillableChromium): Promise<void> {
  await kb.kill();
  browsers.delete(kb);
}

/** Opens the app at `hash` and waits for the page to render. */
async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`${server.url}${hash}`);
  await page.locator('main h1').first().waitFor({ timeout: 30_000 });
}

function runRecord(): Record<string, unknown> {
  const now = Date.now();
  return {
    id: RUN_ID,
    config: CONFIG,
    status: 'created',
    createdAt: now,
    updatedAt: now,
    environment: {
      modelId: 'scripted',
      engine: 'scripted',
      userAgent: 'test',
      appVersion: 'test',
      libraries: {},
    },
    testSetOptimization: false,
    taskIds: {
      train: TRAIN_TASKS.map((t) => t.id),
      validation: [],
      test: TEST_TASKS.map((t) => t.id),
    },
  };
}

/** A fresh profile with the toy task set and the run, started from its page's Start button. */
async function startRun(): Promise<Browser & { profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'athanor-crash-'));
  profiles.push(profile);
  const b = await launch(profile);
  await open(b.app, '#/runs');
  await seedDatabase(b.app);
  await putRun(b.app, runRecord());
  await open(b.app, `#/runs/${RUN_ID}`);
  await b.app.locator('.controls button.primary', { hasText: 'Start' }).click();
  // The click marks the run running a moment later. Every wait on the store reads a status other
  // than 'running' as the end of the run, so none may begin while it still says 'created'.
  const until = Date.now() + 30_000;
  let s = await storedState(b.probe, RUN_ID);
  while (s.status === 'created' && Date.now() < until) {
    await new Promise((ok) => setTimeout(ok, 10));
    s = await storedState(b.probe, RUN_ID);
  }
  expect(s.status, `seed ${SEED}: the run did not start within 30 s of the Start click`).not.toBe(
    'created',
  );
  return { ...b, profile };
}

async function waitDone(page: Page): Promise<void> {
  const s = await waitStored(page, RUN_ID, Number.MAX_SAFE_INTEGER, 0, {
    timeoutMs: 150_000,
  }).catch((e: unknown) => {
    throw new Error(`seed ${SEED}: the run did not finish: ${String(e)}`);
  });
  expect(s.status, `seed ${SEED}: run ended ${s.status}`).toBe('done');
}

/** What must be equal between the killed run and the reference, as comparable plain data. */
function comparable(d: RunDump): Record<string, unknown> {
  const run = d.run as { status: string; report: unknown; progress: unknown };
  return {
    status: run.status,
    report: stable(run.report),
    evaluations: byKey(d.evaluations, (e) => [e.seed, e.phase, e.promptId, e.taskId, e.sample]),
    calls: byKey(d.runCalls, (c) => [c.seed, c.seq]),
    prompts: byKey(d.prompts, (p) => [p.seed, p.id]),
    checkpoints: byKey(d.checkpoints, (c) => [c.id]),
  };
}

interface Kill {
  kind: 'sigkill' | 'renderer';
  aimed: Phase | 'any';
  target: number;
  delayMs: number;
}

/**
 * The next kill: a stored-evaluation count drawn among the aimed phase's counts still ahead of the
 * run (from the nearer half, so that the kill cannot overshoot into the next phase), and a delay
 * after it is reached. Undefined when the run is already past that phase.
 */
function nextKill(
  rng: Rng,
  aim: Phase | 'renderer',
  stored: number,
  counts: Record<Phase, number[]>,
): Kill | undefined {
  if (aim === 'renderer') {
    return { kind: 'renderer', aimed: 'any', target: stored + rng.int(1, 6), delayMs: 0 };
  }
  // The report window is held open by a busy store (waitStored); kill within it.
  const delayMs = aim === 'report' ? rng.int(0, 40) : rng.int(0, 20);
  const all = counts[aim].filter((n) => n > stored || (aim === 'report' && n === stored));
  // Only the nearer stretch of the phase (held-out comes once per seed).
  const gap = all.findIndex((n, i) => i > 0 && n !== all[i - 1]! + 1);
  const ahead = gap < 0 ? all : all.slice(0, gap);
  if (ahead.length === 0) return undefined;
  const target = ahead[rng.int(0, Math.max(0, Math.ceil(ahead.length / 2) - 1))]!;
  return { kind: 'sigkill', aimed: aim, target, delayMs };
}

it('a run SIGKILLed in every phase and resumed as a user would ends identical to an uninterrupted one', async () => {
  const t0 = performance.now();
  // The reference: the same config, never interrupted.
  const ref = await startRun();
  await waitDone(ref.probe);
  const expected = await dumpRun(ref.probe, RUN_ID);
  await ref.kb.close();
  browsers.delete(ref.kb);
  const referenceMs = performance.now() - t0;

  // Which phase the n-th stored evaluation belongs to (the reference's storage order).
  const order = [...expected.evaluations].sort(
    (a, b) => (a.createdAt as number) - (b.createdAt as number),
  );
  const total = order.length;
  const firstSeed = CONFIG.seeds[0];
  const firstOpt = order.filter((e) => e.seed === firstSeed && e.phase === 'optimize').length;
  const phaseAt = (n: number): Phase => {
    if (n >= total) return 'report';
    const e = order[n]!;
    if (e.phase === 'heldout') return 'heldout';
    if (e.seed !== firstSeed) return 'second-seed';
    const index = order.filter((x) => x.seed === firstSeed && x.phase === 'optimize').indexOf(e);
    return index < firstOpt / 2 ? 'early' : 'late';
  };
  const counts = Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<
    Phase,
    number[]
  >;
  for (let n = 0; n <= total; n++) counts[phaseAt(n)].push(n);
  const rng = Rng.seeded(SEED);

  // The killed run.
  const started = await startRun();
  const profile = started.profile;
  let { kb, probe, app } = started;
  const landed: { kind: Kill['kind']; aimed: string; phase: Phase; stored: number }[] = [];
  let resumes = { runs: 0, home: 0, settings: 0, auto: 0 };
  let autoOn = false;
  let figuresChecked = 0;
  /** The next kill's wait, when it had to begin before the resume (the report window). */
  let waiting: Promise<StoredState> | undefined;
  let stored = 0;
  const skipped: string[] = [];
  /** Index into AIMS of the kill `k`. */
  let aim = 0;
  let k: Kill | undefined = nextKill(rng, AIMS[0]!, stored, counts)!;
  for (let i = 0; k; i++) {
    // Ready before the moment comes, so the crash is not late.
    const cdp = k.kind === 'renderer' ? await kb.context.newCDPSession(app) : undefined;
    const before = await (waiting ?? waitStored(probe, RUN_ID, k.target, k.delayMs)).catch(
      async (e: unknown) => {
        await app.screenshot({ path: 'test-results/screenshots/crash-stalled.png' });
        const dump = await dumpRun(probe, RUN_ID);
        const held = await probe.evaluate(async () => (await navigator.locks.query()).held);
        throw new Error(
          `seed ${SEED}, kill ${i}: ${String(e)}; run ${JSON.stringify({ ...dump.run, config: undefined })}; locks ${JSON.stringify(held)}; landed ${JSON.stringify(landed)}; console ${consoleLog.slice(-10).join('\n')}`,
        );
      },
    );
    waiting = undefined;
    if (before.status !== 'running') break;
    if (k.kind === 'sigkill') {
      await kill(kb);
      ({ kb, probe, app } = await launch(profile));
    } else {
      const crashed = app.waitForEvent('crash');
      void cdp!.send('Page.crash').catch(() => undefined);
      await crashed;
      // The probe tab may have shared the crashed renderer; open both afresh.
      ({ probe, app } = await tabs(kb));
    }
    const after = await storedState(probe, RUN_ID);
    // Nothing half-done: a report exists only on a finished run.
    expect(after.hasReport, `seed ${SEED}, kill ${i}: report on a ${after.status} run`).toBe(
      after.status === 'done',
    );
    if (after.status === 'done') break; // the kill came after the end: it did not land
    expect(after.status, `seed ${SEED}, kill ${i}`).toBe('running');
    stored = after.stored;
    landed.push({ kind: k.kind, aimed: k.aimed, phase: phaseAt(stored), stored });

    // A kill in the report window must be timed from the moment the resumed drive marks the run
    // running, which may be over before the resume click returns: start watching first.
    let next: Kill | undefined;
    while (!next && aim < AIMS.length - 1) {
      aim++;
      next = nextKill(rng, AIMS[aim]!, stored, counts);
      if (!next) skipped.push(AIMS[aim]!);
    }
    if (next?.aimed === 'report') {
      waiting = waitStored(probe, RUN_ID, next.target, next.delayMs, {
        holdReport: { after: after.updatedAt },
      });
      waiting.catch(() => undefined);
    }
    const mode = autoOn
      ? 'auto'
      : aim < AIMS.length / 3
        ? 'runs'
        : aim < AIMS.length / 2
          ? 'home'
          : 'settings';
    if (mode === 'auto') {
      // Opening Athanor is all it takes.
      await open(app, '#/');
    } else {
      // The user sees it interrupted, not running, and resumes it with one click.
      await open(app, '#/runs');
      const row = app.locator(`tr[data-run-id="${RUN_ID}"]`);
      await row
        .locator('[data-status="interrupted"]')
        .waitFor({ timeout: 15_000 })
        .catch(async (e: unknown) => {
          await app.screenshot({ path: 'test-results/screenshots/crash-not-interrupted.png' });
          const held = await app.evaluate(async () => (await navigator.locks.query()).held);
          throw new Error(
            `seed ${SEED}, kill ${i} (${landed.at(-1)?.kind}): not shown interrupted; locks ${JSON.stringify(held)}: ${String(e)}`,
          );
        });
      if (i % 3 === 1) {
        // The live figures equal the store from the first paint (nothing drives the run now).
        await open(app, `#/runs/${RUN_ID}`);
        await app.locator('[data-testid="live-figures"][data-ready="true"]').waitFor();
        const dump = await dumpRun(probe, RUN_ID);
        // The run's calls the model answered (every seed and phase, cache hits apart), as the
        // Results page's cost counts them.
        const answered = dump.runCalls.filter(
          (c) => !(c.completion as { cached?: boolean } | undefined)?.cached,
        ).length;
        expect(await app.getByTestId('evaluations').textContent()).toBe(
          String(dump.evaluations.length),
        );
        expect(await app.getByTestId('llm-calls').textContent()).toBe(
          answered.toLocaleString('en-US'),
        );
        if (figuresChecked === 0) await screenshot(app, 'interrupted-live-run');
        figuresChecked++;
        await open(app, '#/runs');
      }
      if (resumes[mode] === 0) {
        await screenshot(app, `interrupted-runs-list`);
        expect(await axeViolations(app), 'Runs list').toEqual([]);
      }
      if (mode === 'home') {
        await open(app, '#/');
        await app.getByTestId('interrupted').waitFor();
        if (resumes.home === 0) {
          await screenshot(app, 'interrupted-home');
          expect(await axeViolations(app), 'Home').toEqual([]);
        }
        await app
          .getByTestId('interrupted')
          .getByRole('button', { name: `Resume run ${CONFIG.name}` })
          .click();
      } else if (mode === 'runs') {
        await row.getByRole('button', { name: `Resume run ${CONFIG.name}` }).click();
      } else {
        // Turn on "resume interrupted runs when Athanor opens", then open Athanor again.
        await open(app, '#/settings');
        await app.getByLabel('Resume interrupted runs when Athanor opens').check();
        await app.getByText('Interrupted runs will resume when Athanor opens.').waitFor();
        await screenshot(app, 'interrupted-settings');
        autoOn = true;
        await app.goto('about:blank');
        await open(app, '#/');
      }
    }
    resumes = { ...resumes, [mode]: resumes[mode] + 1 };
    if (process.env.ATHANOR_CRASH_DEBUG) console.info(`resumed by ${mode}`);
    k = next;
  }
  await waiting?.catch(() => undefined);
  await waitDone(probe);
  const got = await dumpRun(probe, RUN_ID);

  const sigkills = landed.filter((l) => l.kind === 'sigkill');
  const perPhase = Object.fromEntries(
    PHASES.map((p) => [p, sigkills.filter((l) => l.phase === p).length]),
  );
  console.info(
    `runner-crash: seed ${SEED}; ${total} evaluations; reference run ${(referenceMs / 1000).toFixed(1)} s; ` +
      `${sigkills.length} SIGKILLs landed ${JSON.stringify(perPhase)}, ` +
      `${landed.length - sigkills.length} renderer crashes; resumed ${JSON.stringify(resumes)}; ` +
      `live figures checked ${figuresChecked}×; aims skipped (run already past) ${JSON.stringify(skipped)}; total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  expect(sigkills.length, `seed ${SEED}: ${JSON.stringify(landed)}`).toBeGreaterThanOrEqual(15);
  for (const p of PHASES) {
    expect(
      perPhase[p],
      `seed ${SEED}: SIGKILLs in ${p}: ${JSON.stringify(landed)}`,
    ).toBeGreaterThanOrEqual(2);
  }
  expect(landed.filter((l) => l.kind === 'renderer').length).toBe(RENDERER_CRASHES);
  expect(resumes.runs).toBeGreaterThan(0);
  expect(resumes.home).toBeGreaterThan(0);
  expect(resumes.settings).toBe(1);
  expect(resumes.auto).toBeGreaterThan(0);

  const want = comparable(expected);
  const have = comparable(got);
  expect(Object.keys(have.evaluations as object).length).toBe(total);
  expect(have.evaluations, `seed ${SEED}`).toEqual(want.evaluations);
  expect(have.calls, `seed ${SEED}`).toEqual(want.calls);
  expect(have.prompts, `seed ${SEED}`).toEqual(want.prompts);
  expect(have.checkpoints, `seed ${SEED}`).toEqual(want.checkpoints);
  expect(have.report, `seed ${SEED}`).toEqual(want.report);
  expect(have.status).toBe('done');
}, 300_000);
