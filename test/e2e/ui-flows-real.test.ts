/**
 * The lab's flows end to end on the real parts only, in headless Chromium over the built site:
 * no test double at all. Tasks come from the real HumanEval file, the LLM is wllama running the
 * tiny real model ../shared/models/stories260K.gguf, code is graded by the app's Pyodide pool, and
 * the offline copy is the service worker's.
 *
 * The tiny model writes children's stories, not code or prompts, so its scores are 0 and every
 * meta-prompt answer is malformed: what these flows prove is that a run on a real model that
 * cannot help still finishes cleanly (bounded re-asks, variants dropped, the seed prompt kept, a
 * report written), survives a reload, exports, re-imports, replays and compares. A run that
 * really improves a prompt needs the scripted LLM: that is ui-runs.test.ts.
 *
 * Build first: `npx vite build --outDir dist-ui2`, run with ATHANOR_DIST=dist-ui2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { repoRoot, requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import { deleteAndReimport, shoot, storedRun } from './ui-helpers';

/** The first tasks of the real HumanEval file: enough for a split, few enough to grade quickly. */
const SLICE = 12;
/** Prochemy's knobs for the real run: N variants per round, each re-asked at most REASKS times. */
const N = 2;
const REASKS = 2;

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  await browser?.close();
});

const runIdOf = (page: Page): string =>
  decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');

const evaluations = async (page: Page): Promise<number> => {
  // The figures are read from the store; wait for the first read.
  await page.locator('[data-testid="live-figures"][data-ready="true"]').waitFor();
  return Number(await page.getByTestId('evaluations').textContent());
};

async function waitForStatus(page: Page, status: string, timeout = 120_000): Promise<void> {
  await page.locator(`.controls [data-status="${status}"]`).waitFor({ timeout });
}

describe('the lab on real parts only (wllama with stories260K, Pyodide, the service worker)', () => {
  let datasetId = '';
  let runId = '';
  let bundlePath = '';

  it('imports real HumanEval tasks through the Tasks page and validates them with Pyodide', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/tasks`);
    await page.locator('tr[data-dataset="starter"]').waitFor({ timeout: 30_000 });
    const lines = readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, SLICE);
    await page.setInputFiles('#task-file', {
      name: 'HumanEval-first12.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(lines.join('\n') + '\n'),
    });
    const row = page.locator('tr[data-dataset^="humaneval"]');
    await expect
      .poll(() => row.locator('[data-count]').textContent(), { timeout: 30_000 })
      .toBe(String(SLICE));
    await expect
      .poll(() => row.locator('[data-validation]').textContent(), {
        timeout: 90_000,
        interval: 500,
      })
      .toBe(`all ${SLICE} pass`);
    datasetId = (await row.getAttribute('data-dataset')) ?? '';
    expect(datasetId).toMatch(/^humaneval/);
    await shoot(page, 'tasks-imported', true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads stories260K on the Models page from its URL', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/models`);
    await page.getByLabel('wllama (CPU): one .gguf URL').check();
    await page
      .getByRole('textbox', { name: 'GGUF URL' })
      .fill(`${server.url}__shared/models/stories260K.gguf`);
    await page.getByLabel('Label (optional)').fill('Stories 260K');
    await page.getByRole('button', { name: 'Add model' }).click();
    const row = page.locator('section:has(#custom-h) tr[data-model-id="stories260K.gguf"]');
    await row.getByRole('button', { name: 'Download and load Stories 260K' }).click();
    await page.getByTestId('loaded-model').filter({ hasText: 'Stories 260K' }).waitFor();
    await shoot(page, 'models-loaded', true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs Prochemy on the real model: scores 0, malformed answers dropped, survives a reload, finishes with the seed prompt', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs/new`);
    await page.getByRole('radio', { name: /Prochemy/ }).check();
    await page.getByLabel('Task set').selectOption(datasetId);
    await page
      .getByRole('combobox', { name: 'Model', exact: true })
      .selectOption('wllama:stories260K.gguf');
    await page
      .getByTestId('split-counts')
      .filter({ hasText: /[1-9]\d* training/ })
      .waitFor();
    await page.getByLabel('Variants per round (N)').fill(String(N));
    await page.getByLabel('Real training tasks (K)').fill('2');
    await page.getByLabel('Rounds (').fill('1');
    await page.getByLabel('Re-asks on a malformed answer').fill(String(REASKS));
    await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill('1');
    await page.getByLabel('Max LLM calls per seed').fill('0');
    await page.getByLabel('Max minutes per seed').fill('0');
    await page.getByLabel('Run name').fill('Prochemy on stories260K');
    await shoot(page, 'new-run-real-model');
    await page.getByRole('button', { name: 'Start run' }).click();

    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    runId = runIdOf(page);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="evaluations"]')?.textContent) >= 1,
      null,
      { timeout: 60_000 },
    );

    // Reload mid-run: the wllama engine is gone with the page; Resume loads it again from its URL.
    expect((await storedRun(page, runId))?.status).toBe('running');
    await page.reload();
    await page.getByTestId('stale').waitFor({ timeout: 10_000 });
    const before = await evaluations(page);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="evaluations"]')?.textContent) > n,
      before,
      { timeout: 60_000 },
    );
    await shoot(page, 'live-run-real-model', true);
    await waitForStatus(page, 'done');

    const run = (await storedRun(page, runId))!;
    expect(run.status).toBe('done');
    // Stories are not code: nothing passes, so no variant can beat the seed prompt.
    expect(run.report!.initial.strict.mean).toBe(0);
    expect(run.report!.final.strict.mean).toBe(0);
    for (const p of run.report!.prompts) expect(p.finalId).toBe(p.initialId);
    expect(run.report!.cost.llmCalls).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the results of the real run and exports its bundle', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs/${runId}/results`);
    await page.getByTestId('summary').waitFor();
    expect(await page.getByTestId('final-strict').textContent()).toContain('0.0%');
    expect(await page.locator('[data-testid="per-task"] tbody tr').count()).toBeGreaterThan(0);
    await shoot(page, 'results-real-model', true);
    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-bundle').click();
    bundlePath = join(repoRoot, 'test-results', 'ui-real-run.athanor.json');
    await (await downloading).saveAs(bundlePath);
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
      run: { id: string };
      prompts: { operator?: string }[];
      completions: { request: { purpose?: string; messages: { content: string }[] } }[];
    };
    expect(bundle.run.id).toBe(runId);
    // Every meta answer was a story, not `{{prompt}}`: each variant was asked once, re-asked
    // REASKS times in the same conversation (no more) and dropped, so the only stored prompt is
    // the seed. (Other mutate calls, e.g. the training-task augmentation, are not variants.)
    const variantCalls = bundle.completions.filter(
      (c) =>
        c.request.purpose === 'mutate' && c.request.messages[0]?.content.includes('{{new prompt}}'),
    );
    const turns = variantCalls.map((c) => c.request.messages.length);
    expect(turns.filter((n) => n === 1)).toHaveLength(N);
    expect(turns.filter((n) => n === 1 + 2 * REASKS)).toHaveLength(N);
    expect(Math.max(...turns)).toBe(1 + 2 * REASKS);
    expect(bundle.prompts.map((p) => p.operator)).toEqual(['seed']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('re-imports the bundle after deleting the run, replays the recorded answers and compares the two runs', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs`);
    await deleteAndReimport(page, runId, bundlePath);
    expect((await storedRun(page, runId))?.status).toBe('done');

    await page.goto(`${server.url}#/replay`);
    await page.getByTestId('bundle-file').setInputFiles(bundlePath);
    await page.getByRole('button', { name: 'Re-run with the recorded answers' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const replayId = runIdOf(page);
    expect(replayId).not.toBe(runId);
    await waitForStatus(page, 'done');
    const replayed = (await storedRun(page, replayId))!;
    const original = (await storedRun(page, runId))!;
    expect(replayed.report!.final.strict.mean).toBe(original.report!.final.strict.mean);

    await page.goto(`${server.url}#/compare/${runId},${replayId}`);
    await page.getByTestId('compare-table').waitFor();
    expect(await page.locator('[data-testid="compare-table"] tbody tr').count()).toBe(2);
    await page.getByRole('img', { name: /one line per run/ }).waitFor();
    await shoot(page, 'compare-real-and-replay', true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('goes offline after one visit and still runs a task reference with the cached Pyodide', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/settings`);
    await page.getByRole('button', { name: /the offline copy now/ }).click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="offline-status"]')
          ?.textContent?.includes('Ready offline'),
      null,
      { timeout: 120_000, polling: 500 },
    );
    await shoot(page, 'settings-offline-ready');
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const all = await Promise.all(names.map(async (n) => (await caches.open(n)).keys()));
      return all.flat().map((r) => new URL(r.url).pathname);
    });
    for (const file of ['pyodide.mjs', 'pyodide.asm.wasm', 'pyodide.asm.mjs', 'python_stdlib.zip'])
      expect(cached).toContain(`/pyodide/${file}`);
    expect(cached.some((p) => /\/assets\/python\.worker-[\w-]+\.js$/.test(p))).toBe(true);

    await context.setOffline(true);
    try {
      await page.goto(`${server.url}#/tasks`);
      await page.locator('tr[data-dataset="starter"]').waitFor({ timeout: 30_000 });
      await page.locator('tr[data-dataset="starter"]').click();
      await page.locator('.task-item').first().click();
      const view = page.locator('.task-view article');
      await view.getByRole('button', { name: 'Run the reference' }).click();
      await expect
        .poll(() => view.locator('.ref-result').textContent(), { timeout: 60_000 })
        .toMatch(/Passed: \d+ \/ \d+ tests/);
      await shoot(page, 'tasks-offline-reference');
    } finally {
      await context.setOffline(false);
    }
    expect(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'))).toEqual([]);
    await page.close();
  });
});
