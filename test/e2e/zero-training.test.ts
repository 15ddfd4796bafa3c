/**
 * A 0% training split from the New-run form, in headless Chromium on the built site: a method
 * that searches says it needs training tasks and cannot start; zero-shot starts, finishes and
 * grades every task held out. The LLM is the scripted landscape; code is graded by Pyodide.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { startStaticServer, type StaticServer } from '../support/server';
import { axeViolations, bundleDoubles, seedDatabase, storedRun, TEST_TASKS } from './ui-helpers';

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;

beforeAll(async () => {
  const doubles = await bundleDoubles({ delayMs: 20 });
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: doubles });
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  await browser?.close();
});

describe('a split with no training tasks', () => {
  it('refuses Prochemy in words, and runs zero-shot on every held-out task', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs`);
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await seedDatabase(page, { train: [], test: TEST_TASKS });
    await page.goto(`${server.url}#/runs/new`);
    await page.getByRole('radio', { name: /Prochemy/ }).check();
    await page.getByLabel('Task set').selectOption('toy');
    await page.getByTestId('split-counts').filter({ hasText: '0 training' }).waitFor();
    await expect(page.getByTestId('needs-training').textContent()).resolves.toMatch(
      /Prochemy trains on tasks, and this split has no training tasks/,
    );
    expect(await page.getByRole('button', { name: 'Start run' }).isDisabled()).toBe(true);

    await page.getByRole('radio', { name: /Zero-shot/ }).check();
    await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill('1');
    await page.getByLabel('Run name').fill('Zero-shot, no training tasks');
    expect(await page.getByTestId('needs-training').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const id = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    await page.locator('.controls [data-status="done"]').waitFor({ timeout: 120_000 });
    const run = await storedRun(page, id);
    expect(run?.status).toBe('done');
    expect((run?.report as { split?: { testTasks: number } }).split?.testTasks).toBe(
      TEST_TASKS.length,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
