/**
 * The headline resilience test: a run in headless Chromium (real IndexedDB in a persistent
 * profile, real Web Locks) is killed at random points 20 times — the tab closed or reloaded — and
 * resumed each time; it must end with exactly the evaluations and final prompts of the same run
 * made without interruption.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { Rng } from '../../src/core/rng';
import { launchPersistent } from '../support/browser';
import { runConfig } from '../support/runner-fixture';
import { startViteServer, type DevServer } from '../support/vite-server';

let server: DevServer;
let context: BrowserContext;

beforeAll(async () => {
  server = await startViteServer();
  context = await launchPersistent();
});
afterAll(async () => {
  await context?.close();
  await server?.close();
});

async function openRunnerPage(db: string, page?: Page): Promise<Page> {
  const p = page ?? (await context.newPage());
  await p.goto(`${server.url}test/e2e/pages/runner.html?db=${db}`);
  await p.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, {
    timeout: 60_000,
  });
  return p;
}

it('a run killed 20 times at random points ends identical to an uninterrupted one', async () => {
  const config = runConfig();
  const ref = await openRunnerPage('reference');
  const refId = await ref.evaluate((c) => window.runnerPage.create(c), config);
  expect(await ref.evaluate((id) => window.runnerPage.run(id), refId)).toBe('done');
  const expected = await ref.evaluate((id) => window.runnerPage.result(id), refId);
  const execKind = await ref.evaluate(() => window.runnerPage.execKind);
  expect(execKind).toBe('pyodide');
  console.info(`runner e2e: executor ${execKind}, ${expected.evaluations.length} evaluations`);
  await ref.close();

  const rng = Rng.seeded(7);
  let page = await openRunnerPage('killed');
  const id = await page.evaluate((c) => window.runnerPage.create(c), config);
  const KILLS = 20;
  for (let i = 0; i < KILLS; i++) {
    const before = await page.evaluate(() => window.runnerPage.state.stored);
    await page.evaluate((id) => window.runnerPage.kick(id), id);
    // Let the run store 1–4 more evaluations (the kill then lands wherever the run is by then).
    const more = rng.int(1, 4);
    await page
      .waitForFunction((n) => window.runnerPage.state.stored >= n, before + more, {
        polling: 5,
        timeout: 60_000,
      })
      .catch(async (e: unknown) => {
        const why = await page.evaluate((id) => window.runnerPage.describe(id), id);
        throw new Error(`${String(e)}\nkill ${i}: ${JSON.stringify(why)}`);
      });
    expect(await page.evaluate((id) => window.runnerPage.status(id), id)).toBe('running');
    if (rng.chance(0.5)) {
      await page.close();
      page = await openRunnerPage('killed');
    } else {
      await openRunnerPage('killed', page);
    }
  }
  const retries = await page.evaluate(() => window.runnerPage.state.busyRetries);
  console.info(`runner e2e: ${KILLS} kills; last tab retried a busy lock ${retries} time(s)`);
  // A killed tab leaves the run marked running; resuming continues from its last checkpoint.
  expect(await page.evaluate((id) => window.runnerPage.status(id), id)).toBe('running');
  expect(await page.evaluate((id) => window.runnerPage.run(id), id)).toBe('done');
  const got = await page.evaluate((id) => window.runnerPage.result(id), id);
  expect(got.status).toBe('done');
  expect(got.evaluations).toEqual(expected.evaluations);
  expect(got.prompts).toEqual(expected.prompts);
  expect(got.initial).toEqual(expected.initial);
  expect(got.final).toEqual(expected.final);
  await page.close();
});
