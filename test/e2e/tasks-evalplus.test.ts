/**
 * The real EvalPlus files in headless Chromium on the built site, as a user brings them: both
 * HumanEvalPlus.jsonl.gz (164 tasks, ~124,000 inputs) and MbppPlus.jsonl.gz (378 tasks, ~41,000
 * inputs) import through the Tasks page's file input and validate completely in the browser's
 * Pyodide workers (every reference passes all of its base and plus inputs); a task view shows the
 * EvalPlus details (base/plus inputs, tolerance, oracle, time limits).
 * Build first (`npx vite build`; `npm test` does).
 *
 * Both files whole take about 3.5 minutes on two cores (validation grades on every core); for a
 * quick local check, ATHANOR_EVALPLUS_SUBSET=1 takes the first records of each file (the real
 * records, unchanged) through the same page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot } from '../support/browser';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';

let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

const row = (id: string) => page.locator(`tr[data-dataset^="${id}"]`);

beforeAll(async () => {
  server = await startStaticServer();
  browser = await launchBrowser();
  ({ page, errors } = await openPage(browser));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}#/tasks`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const FULL = process.env.ATHANOR_EVALPLUS_SUBSET !== '1';
const subsetDir = mkdtempSync(join(tmpdir(), 'athanor-evalplus-'));

/** The file itself, or its first `count` records under the same name. */
function datasetFile(file: string, count: number): string {
  const path = requireShared('datasets', file);
  if (FULL) return path;
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean);
  const out = join(subsetDir, file);
  writeFileSync(out, gzipSync(lines.slice(0, count).join('\n') + '\n'));
  return out;
}

async function importAndValidate(file: string, count: number): Promise<number> {
  const t0 = performance.now();
  await page.setInputFiles('#task-file', datasetFile(file, count));
  await expect
    .poll(() => page.getByRole('status').first().textContent(), { timeout: 120_000 })
    .toMatch(new RegExp(`Imported ${count} tasks from ${file.replace(/\./g, '\\.')}`));
  const r = row('evalplus-').filter({
    has: page.locator('[data-count]', { hasText: new RegExp(`^${count}$`) }),
  });
  // Wait until validation is over (passing or not), then say which tasks failed and why.
  await expect
    .poll(() => r.locator('[data-validation]').textContent(), {
      timeout: 1_500_000,
      interval: 2000,
    })
    .toMatch(new RegExp(`^(all ${count} pass|\\d+ pass · \\d+ fail)$`));
  const seconds = (performance.now() - t0) / 1000;
  const summary = await r.locator('[data-validation]').textContent();
  // The verdict is the summary; the list of failing tasks only explains a red one.
  const failing: string[] = [];
  if (summary !== `all ${count} pass`) {
    await r.getByRole('button').first().click();
    await page.getByLabel('Status').selectOption('failed');
    await page
      .locator('.task-item')
      .first()
      .waitFor({ timeout: 10_000 })
      .catch(() => failing.push('(the list of failed tasks did not show)'));
    for (const item of await page.locator('.task-item').all()) {
      await item.click();
      const view = await page.locator('.task-view article').textContent();
      failing.push(`${await item.textContent()}: ${view}`.slice(0, 600));
    }
  }
  expect(summary, `failing tasks:\n${failing.join('\n')}`).toBe(`all ${count} pass`);
  return seconds;
}

describe('EvalPlus files in Chromium', () => {
  it('imports and validates HumanEval+ and MBPP+ whole', async () => {
    const he = await importAndValidate('HumanEvalPlus.jsonl.gz', FULL ? 164 : 12);
    const mbpp = await importAndValidate('MbppPlus.jsonl.gz', FULL ? 378 : 30);
    console.log(
      `Chromium: HumanEval+ imported and validated in ${he.toFixed(0)} s, MBPP+ in ${mbpp.toFixed(0)} s`,
    );
    expect(errors).toEqual([]);
  }, 3_200_000);

  it('shows the EvalPlus details of a task', async () => {
    await page.getByRole('searchbox').fill('similar_elements');
    await page.locator('.task-item').first().click();
    const details = page.getByRole('definition');
    const view = page.locator('.task-view article');
    await expect.poll(() => view.locator('dl.io-details').textContent()).toMatch(/Inputs/);
    const text = (await view.locator('dl.io-details').textContent()) ?? '';
    expect(text).toMatch(/\d+ base, \d+ plus/);
    expect(text).toMatch(/set_eq: set\(output\) == set\(expected\)/);
    expect(text).toMatch(/per input max\(1 s, 4 × the reference's time\)/);
    expect(await details.count()).toBe(4);
    await screenshot(page, 'tasks-evalplus-details');
  });
});
