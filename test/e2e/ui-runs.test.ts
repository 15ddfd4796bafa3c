/**
 * The lab's flows end to end in headless Chromium, through the built app's own pages: start a
 * run from the New-run form, watch it live (and from a second tab), reload mid-run and resume,
 * open its results, export the bundle, delete and re-import it, replay it, and compare two runs.
 *
 * The LLM is the scripted landscape (test/support/landscape.ts), the one allowed stand-in, because
 * only it makes a run that really improves a prompt; code is graded by the app's real Pyodide
 * pool. The same flows on the real tiny model are in ui-flows-real.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { repoRoot } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import {
  axeViolations,
  bundleDoubles,
  deleteAndReimport,
  fillProchemyOnToy,
  seedDatabase,
  shoot,
  storedRun,
  TEST_TASKS,
} from './ui-helpers';

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;
let doubles: string;

beforeAll(async () => {
  doubles = await bundleDoubles({ delayMs: 60 });
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  await context.addInitScript({ content: doubles });
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  await browser?.close();
});

/** A run record straight from IndexedDB, to check the page shows what the store holds. */

const runIdOf = (page: Page): string =>
  decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
const pctText = (x: number): string => `${(x * 100).toFixed(1)}%`;

async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations.map((v) => `${name}: ${v.id} ${v.help} ${v.nodes.join(' ')}`)).toEqual([]);
}

async function waitForStatus(page: Page, status: string, timeout = 120_000): Promise<void> {
  await page.locator(`.controls [data-status="${status}"]`).waitFor({ timeout });
}

describe('a run through the pages (scripted LLM that improves the prompt; code graded by Pyodide)', () => {
  let firstRun = '';
  let bundlePath = '';

  it('starts from the New-run form, shows live progress in two tabs, survives a reload and finishes', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs`);
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await seedDatabase(page);

    await page.goto(`${server.url}#/runs/new`);
    await fillProchemyOnToy(page, {
      variants: 2,
      tasks: 4,
      rounds: 2,
      seeds: '1, 2',
      maxCalls: 0,
      name: 'Prochemy on toy tasks',
    });
    await expect(page.getByTestId('projection').textContent()).resolves.toMatch(
      /At most \d+ LLM calls/,
    );
    await expectAccessible(page, 'new run (filled)');
    await shoot(page, 'new-run-filled');
    await page.getByRole('button', { name: 'Start run' }).click();

    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    firstRun = runIdOf(page);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="evaluations"]')?.textContent) >= 3,
    );

    // A second tab sees the same run live, through the store.
    const second = await openPage(context, `${server.url}#/runs/${firstRun}`);
    await second.page.getByText('Running in another tab').waitFor();
    // The figures are read from the store; wait for the first read.
    await second.page.locator('[data-testid="live-figures"][data-ready="true"]').waitFor();
    const seenThere = Number(await second.page.getByTestId('evaluations').textContent());
    await second.page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="evaluations"]')?.textContent) > n,
      seenThere,
    );
    await second.page.close();

    // Reload mid-run: nobody drives it any more; the page says so and offers to resume.
    expect((await storedRun(page, firstRun))?.status).toBe('running');
    await page.reload();
    await page.getByTestId('stale').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="live-figures"][data-ready="true"]').waitFor();
    const before = Number(await page.getByTestId('evaluations').textContent());
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="evaluations"]')?.textContent) > n,
      before,
    );
    await page.getByTestId('heatmap').waitFor();
    await page.getByTestId('candidates').waitFor();
    await shoot(page, 'live-run', true);
    await expectAccessible(page, 'live run');
    await waitForStatus(page, 'done');
    await shoot(page, 'live-run-done');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the results with the held-out figures the store holds, and exports the bundle', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs/${firstRun}/results`);
    await page.getByTestId('summary').waitFor();
    const run = (await storedRun(page, firstRun))!;
    expect(run.status).toBe('done');
    const final = run.report!.final.strict.mean;
    expect(await page.getByTestId('final-strict').textContent()).toContain(pctText(final));
    expect(await page.getByTestId('task-test').textContent()).toMatch(/p = [\d.e-]+/);
    await page.getByTestId('verdict').waitFor();
    expect(await page.locator('[data-testid="per-seed"] tbody tr').count()).toBe(
      run.report!.prompts.length + 1,
    );
    expect(await page.locator('[data-testid="per-task"] tbody tr').count()).toBe(TEST_TASKS.length);
    await page.getByTestId('prompt-diff').waitFor();
    await page.locator('[data-testid="per-task"] summary').first().click();
    await page.locator('[data-testid="per-task"] .cm-content').first().waitFor();
    await expectAccessible(page, 'results');
    await shoot(page, 'results', true);

    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-bundle').click();
    const download = await downloading;
    bundlePath = join(repoRoot, 'test-results', 'ui-run.athanor.json');
    await download.saveAs(bundlePath);
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
      run: { id: string };
      evaluations: unknown[];
    };
    expect(bundle.run.id).toBe(firstRun);
    expect(bundle.evaluations.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('deletes the run, re-imports the bundle with the same figures, replays it and compares the two', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs`);
    await deleteAndReimport(page, firstRun, bundlePath);
    const imported = (await storedRun(page, firstRun))!;
    expect(await page.getByTestId('final-strict').textContent()).toContain(
      pctText(imported.report!.final.strict.mean),
    );

    // Replay: the recorded answers again, the code graded again here: the same figures.
    await page.goto(`${server.url}#/replay`);
    await page.getByTestId('bundle-file').setInputFiles(bundlePath);
    await page.getByRole('button', { name: 'Re-run with the recorded answers' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const replayId = runIdOf(page);
    expect(replayId).not.toBe(firstRun);
    await waitForStatus(page, 'done');
    const replayed = (await storedRun(page, replayId))!;
    expect(replayed.report!.final.strict.mean).toBe(imported.report!.final.strict.mean);
    expect(replayed.report!.initial.strict.mean).toBe(imported.report!.initial.strict.mean);
    // Its Results page says whether the verdicts match the original's, verdict by verdict.
    await page.goto(`${server.url}#/runs/${replayId}/results`);
    await expect
      .poll(async () => (await page.getByTestId('replay-match').textContent())?.trim())
      .toMatch(/^All [\d,]+ verdicts match the original run's\.$/);

    // Everything the page ever shows as a reason not to compare, from the first paint: verdicts
    // that are merely still loading must never be reported missing.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { refusals: string[] }).refusals = seen;
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="head-to-head"]')?.textContent ?? '';
        if (/Not compared/.test(t)) seen.push(t);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page.goto(`${server.url}#/compare/${firstRun},${replayId}`);
    await page.getByTestId('compare-table').waitFor();
    expect(await page.locator('[data-testid="compare-table"] tbody tr').count()).toBe(2);
    // A replay gives the very same answers: paired task by task, no difference at all.
    await page.getByTestId('head-to-head').waitFor();
    const pair = page.locator('[data-testid="head-to-head"] tbody tr');
    expect(await pair.count()).toBe(1);
    expect(await pair.textContent()).toMatch(
      /\+?0\.0 \[.*\].*1\.00.*not distinguishable from chance/s,
    );
    expect(
      await page.evaluate(() => (window as unknown as { refusals: string[] }).refusals),
    ).toEqual([]);
    await page.getByRole('img', { name: /one line per run/ }).waitFor();
    await page.waitForTimeout(300);
    await expectAccessible(page, 'compare');
    await shoot(page, 'compare-two-runs', true);

    await page.goto(`${server.url}#/runs`);
    await page.getByTestId('runs-table').waitFor();
    await shoot(page, 'runs-list');
    await page.goto(`${server.url}#/replay`);
    await page.getByTestId('bundle-file').setInputFiles(bundlePath);
    await page.getByRole('heading', { name: 'Prochemy on toy tasks' }).waitFor();
    await shoot(page, 'replay-opened');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows each task's own best prompt for a PPO per-instance run (scripted LLM: the tiny model solves no task)", async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs/new`);
    await page.getByRole('radio', { name: /PPO prompt agent \(per-instance/ }).check();
    await page.getByLabel('Task set').selectOption('toy');
    await page.getByTestId('split-counts').filter({ hasText: '6 held-out' }).waitFor();
    await page.locator('#knob-maxSteps').fill('12');
    await page.locator('#knob-horizon').fill('3');
    await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill('1');
    await page.getByLabel('Max LLM calls per seed').fill('0');
    await page.getByLabel('Max minutes per seed').fill('0');
    await page.getByLabel('Run name').fill('PPO per-instance on toy tasks');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const id = runIdOf(page);
    await waitForStatus(page, 'done');

    await page.goto(`${server.url}#/runs/${id}/results`);
    const table = page.getByTestId('per-instance');
    await table.waitFor();
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(TEST_TASKS.length);
    const solved = await table.locator('tbody td.ok').count();
    // The page reads the checkpoint; the runner's report is computed apart: they must agree.
    const stored = (await storedRun(page, id)) as unknown as {
      report: { perInstance: { strict: { mean: number } } };
    };
    expect(solved / TEST_TASKS.length).toBeCloseTo(stored.report.perInstance.strict.mean, 9);
    expect(solved).toBeGreaterThan(0);
    expect(await page.getByTestId('per-instance-summary').textContent()).toContain(
      `${solved} of ${TEST_TASKS.length} tasks solved`,
    );
    await expectAccessible(page, 'results (per-instance)');
    await shoot(page, 'results-per-instance');
    expect(errors).toEqual([]);
    await page.close();
  });
});
