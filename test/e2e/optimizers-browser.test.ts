/**
 * Every method of the registry end to end in headless Chromium on real HumanEval tasks (fetched
 * from ../shared), with the scripted LLM; a seed reproduces a run exactly in the browser too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { requireShared } from '../support/paths';
import { REQUIRED_METHODS } from '../support/run-optimizer';
import { startViteServer, type DevServer } from '../support/vite-server';

let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  requireShared('datasets', 'HumanEval.jsonl');
  server = await startViteServer();
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${server.url}test/e2e/pages/optimizers.html`);
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent === 'ready',
    null,
    { timeout: 120_000 },
  );
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('every method runs to the end in the browser and reproduces from its seed', async () => {
  const ids = await page.evaluate(() => window.optimizersPage.methods());
  expect(ids).toEqual(expect.arrayContaining([...REQUIRED_METHODS]));
  expect(await page.evaluate(() => window.optimizersPage.taskIds.length)).toBe(3);
  expect(await page.evaluate(() => window.optimizersPage.execKind)).toBe('pyodide');
  for (const id of ids) {
    const a = await page.evaluate((m) => window.optimizersPage.run(m, 1), id);
    const b = await page.evaluate((m) => window.optimizersPage.run(m, 1), id);
    expect(a.done, id).toBe(true);
    expect(a.scored, id).toBeGreaterThan(0);
    expect(a.best, id).not.toBeNull();
    expect(a.calls, id).toBeLessThanOrEqual(a.projected);
    expect(b.state, id).toBe(a.state);
    if (['prochemy', 'gpo', 'reflexion'].includes(id)) expect(a.best, id).toBeGreaterThan(0);
    if (id === 'zero-shot') expect(a.best).toBe(0);
  }
});
