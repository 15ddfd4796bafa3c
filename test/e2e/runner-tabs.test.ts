/**
 * Two tabs of the same origin in headless Chromium (one persistent profile: shared IndexedDB, Web
 * Locks and BroadcastChannel): the second tab sees the run live through liveQuery, cannot drive
 * it while the first does (Web Locks), and can pause or cancel it from afar. Also the real
 * StorageManager behind requestPersistence / storageReport.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
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

async function openTab(): Promise<Page> {
  const p = await context.newPage();
  await p.goto(`${server.url}test/e2e/pages/runner.html?db=tabs`);
  await p.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, {
    timeout: 60_000,
  });
  return p;
}

const watchedStatus = (p: Page) => p.evaluate(() => window.runnerPage.state.watched.at(-1)?.status);

it('a second tab watches the run live, cannot drive it, and pauses and cancels it', async () => {
  const a = await openTab();
  const b = await openTab();
  const id = await a.evaluate((c) => window.runnerPage.create(c), runConfig());
  await b.evaluate((id) => window.runnerPage.watch(id), id);
  const endA = a.evaluate((id) => window.runnerPage.tryStart(id), id);

  // Live: tab B sees the progress tab A writes grow, without reloading.
  await b.waitForFunction(
    () => new Set(window.runnerPage.state.watched.map((w) => w.evaluations)).size >= 3,
    null,
    { timeout: 60_000 },
  );
  expect(await watchedStatus(b)).toBe('running');
  expect(await a.evaluate(() => window.runnerPage.active())).toEqual([id]);

  // Web Locks: B cannot drive the run A drives.
  expect(await b.evaluate((id) => window.runnerPage.tryStart(id), id)).toBe('RunBusyError');
  expect(await b.evaluate(() => window.runnerPage.active())).toEqual([]);

  // B pauses A's run (BroadcastChannel); A's drive ends paused and B sees it.
  await b.evaluate((id) => window.runnerPage.pause(id), id);
  expect(await endA).toBe('paused');
  await b.waitForFunction(() => window.runnerPage.state.watched.at(-1)?.status === 'paused');
  const pausedAt = await b.evaluate(() => window.runnerPage.state.watched.at(-1)!.evaluations);

  // Now B may drive it; A cancels it from afar, and it stays cancelled.
  await a.evaluate((id) => window.runnerPage.watch(id), id);
  const endB = b.evaluate((id) => window.runnerPage.tryStart(id), id);
  await a.waitForFunction(
    (n) => window.runnerPage.state.watched.some((w) => w.status === 'running' && w.evaluations > n),
    pausedAt,
    { timeout: 60_000 },
  );
  await a.evaluate((id) => window.runnerPage.cancel(id), id);
  expect(await endB).toBe('cancelled');
  await a.waitForFunction(() => window.runnerPage.state.watched.at(-1)?.status === 'cancelled');
  expect(await a.evaluate((id) => window.runnerPage.tryStart(id), id)).toBe('RunFinishedError');
  await a.close();
  await b.close();
});

it('asks Chromium for persistent storage and reports usage against quota', async () => {
  const p = await openTab();
  const granted = await p.evaluate(() => window.runnerPage.requestPersistence());
  const report = await p.evaluate(() => window.runnerPage.storageReport());
  expect(typeof granted).toBe('boolean');
  expect(report.supported).toBe(true);
  expect(report.persisted).toBe(granted);
  expect(report.quota).toBeGreaterThan(0);
  // The tab's database holds the runs above, so this origin uses some storage.
  expect(report.usage).toBeGreaterThan(0);
  expect(report.usage!).toBeLessThan(report.quota!);
  await p.close();
});
