/**
 * The Tasks page in headless Chromium on the built site: the starter set is there on first start;
 * a real HumanEval file imported through the file input is stored with its count and split and
 * validated (when the browser executor is in the build); a malformed file lets the user import
 * nothing; a URL that cannot load says so; search, the task view and delete-with-confirmation work.
 * Build first: `npx vite build --outDir dist-datasets`, run with ATHANOR_DIST=dist-datasets.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot } from '../support/browser';
import { requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import { axeViolations } from './ui-helpers';

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

describe('Tasks page', () => {
  it('has the starter set on first start', async () => {
    await expect
      .poll(() => row('starter').locator('[data-count]').textContent(), { timeout: 30_000 })
      .toBe('43');
    expect(await row('starter').locator('[data-split]').textContent()).toMatch(
      /train 13 · validation 4 · test 26 \(seed 1\)/,
    );
  });

  it('imports the real HumanEval file through the file input', async () => {
    await page.setInputFiles('#task-file', requireShared('datasets', 'HumanEval.jsonl'));
    await expect
      .poll(() => row('humaneval-').locator('[data-count]').textContent(), { timeout: 30_000 })
      .toBe('164');
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toMatch(/Imported 164 tasks from HumanEval\.jsonl/);
    expect(await row('humaneval-').locator('[data-split]').textContent()).toMatch(
      /train 49 · validation 16 · test 99/,
    );
    // Validation starts on import; Pyodide's cold start alone keeps the progress bar up for seconds.
    await expect
      .poll(() =>
        row('humaneval-').getByRole('progressbar', { name: 'Validating HumanEval' }).count(),
      )
      .toBe(1);
    await expect
      .poll(() => row('humaneval-').locator('[data-validation]').textContent(), {
        timeout: 150_000,
        interval: 1000,
      })
      .toBe('all 164 pass');
  });

  it('searches tasks and shows a task with its tests and reference', async () => {
    await page.getByRole('searchbox').fill('separate_paren');
    await expect.poll(() => page.locator('.task-list li').count()).toBe(1);
    await page.locator('.task-item').first().click();
    const view = page.locator('.task-view article');
    await expect.poll(() => view.locator('h3').textContent()).toBe('separate_paren_groups');
    expect(await view.locator('pre.code').first().textContent()).toContain(
      'def separate_paren_groups(paren_string: str) -> List[str]:',
    );
    expect(await view.locator('pre.code').nth(1).textContent()).toContain('def check(candidate):');
    await view.getByRole('button', { name: 'Run the reference' }).click();
    // HumanEval/1's check has four asserts.
    await expect
      .poll(() => view.locator('.ref-result').textContent(), { timeout: 60_000 })
      .toMatch(/^\s*Passed: 4 \/ 4 tests in \d+ ms/);
    await page.getByRole('searchbox').fill('');
  });

  it('a malformed file: the user can import nothing, and nothing is stored', async () => {
    const lines = readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8')
      .split('\n')
      .slice(0, 5);
    lines[2] = (lines[2] as string).slice(0, 100);
    await page.setInputFiles('#task-file', {
      name: 'broken.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(lines.join('\n')),
    });
    const pending = page.getByRole('region', { name: 'Malformed records' });
    await expect
      .poll(() => pending.textContent())
      .toMatch(/broken\.jsonl: 4 valid tasks, 1 malformed record/);
    expect(await pending.textContent()).toContain('broken.jsonl, line 3, field `(record)`');
    await pending.getByRole('button', { name: 'Import nothing' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toMatch(/Nothing was imported from broken\.jsonl/);
    expect(await page.locator('tr[data-dataset]').count()).toBe(2);
  });

  it('a URL that cannot load gives a clear error', async () => {
    await page.getByRole('button', { name: 'HumanEval (openai/human-eval)' }).click();
    await page.getByRole('button', { name: 'Download' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 })
      .toMatch(
        /Could not download https:\/\/raw\.githubusercontent\.com\/openai\/human-eval.*import it with the file picker/,
      );
    await page.getByRole('alert').getByRole('button', { name: 'Dismiss this message' }).click();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('makes a new seeded split from the page', async () => {
    await page.getByText(/^Split: train 49/).click();
    await page.getByLabel('Seed', { exact: true }).fill('7');
    await page.getByLabel('Train %').fill('50');
    await page.getByLabel('Validation %').fill('0');
    await page.getByRole('button', { name: 'Make this split' }).click();
    await expect
      .poll(() => row('humaneval-').locator('[data-split]').textContent())
      .toBe('train 82 · validation 0 · test 82 (seed 7)');
    await page.getByText(/^Split: train 82/).click();
  });

  it('imports your own tasks by drag and drop', async () => {
    const own = JSON.stringify({
      name: 'Drag-and-drop set',
      license: 'MIT',
      tasks: [
        {
          id: 'inc',
          prompt: 'Add one to x.',
          entry_point: 'inc',
          asserts: ['assert inc(1) == 2'],
          reference: 'def inc(x):\n    return x + 1\n',
        },
        {
          // io values in the executor's encoding: the page shows them as Python literals.
          id: 'pair',
          prompt: 'The set of a and the first item of b.',
          tests: {
            kind: 'io',
            entryPoint: 'pair',
            cases: [{ args: [1, { $tuple: [2, 3] }], expected: { $set: [1, 2] } }],
          },
          reference: 'def pair(a, b):\n    return {a, b[0]}\n',
        },
      ],
    });
    const transfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'mine.json', { type: 'application/json' }));
      return dt;
    }, own);
    await page.dispatchEvent('.drop', 'drop', { dataTransfer: transfer });
    await expect
      .poll(() => row('athanor-').locator('[data-count]').textContent(), { timeout: 30_000 })
      .toBe('2');
    await expect
      .poll(() => row('athanor-').locator('[data-validation]').textContent(), { timeout: 60_000 })
      .toBe('all 2 pass');
    await row('athanor-').getByRole('button', { name: 'Drag-and-drop set', exact: true }).click();
    await page.getByRole('searchbox').fill('pair');
    await expect.poll(() => page.locator('.task-list li').count()).toBe(1);
    await page.locator('.task-item').first().click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Tests' }).textContent())
      .toBe('pair(1, (2, 3)) == {1, 2}');
    await page.getByRole('searchbox').fill('');
  });

  it('looks like something a researcher wants to use', async () => {
    await row('humaneval-').getByRole('button', { name: 'HumanEval', exact: true }).click();
    await page.getByRole('searchbox').fill('HumanEval/1');
    await page.locator('.task-item').first().click();
    await page.getByRole('searchbox').fill('');
    await screenshot(page, 'tasks');
    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'tasks-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('deletes a dataset after confirmation', async () => {
    await page.getByRole('button', { name: /^Delete HumanEval/ }).click();
    const confirm = page.getByRole('group', { name: /Confirm deleting HumanEval/ });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('tr[data-dataset]').count()).toBe(2);
    expect(await row('humaneval-').count()).toBe(0);
    const unexpected = errors.filter(
      (e) => !/Failed to load resource|net::ERR|raw\.githubusercontent/.test(e),
    );
    expect(unexpected).toEqual([]);
  });
});
