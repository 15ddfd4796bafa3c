/**
 * Bring-your-own model server, end to end in headless Chromium over the built site: a real
 * OpenAI-compatible server (test/support/openai-server.ts: node-llama-cpp serving
 * ../shared/models/stories260K.gguf, with an API key) is added on the Models page, probed, and
 * its model picked; a Prochemy run goes through it at c = 4 (the server sees requests overlap),
 * survives a reload and resumes, exports a bundle without the key, and replays exactly. The
 * failures a user meets are provoked for real: a server that refuses this origin (CORS, the way
 * Ollama does) and one that is not there.
 *
 * Build first: `npx vite build --outDir dist-server`, run with ATHANOR_DIST=dist-server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { startOpenAiServer, type TestServer } from '../support/openai-server';
import { repoRoot } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import { axeViolations, seedDatabase, shoot, storedRun } from './ui-helpers';

const KEY = 'sk-athanor-e2e-secret';

let browser: Browser;
let site: StaticServer;
let model: TestServer;
let refusing: TestServer;
let interrupting: TestServer;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  site = await startStaticServer({ isolation: 'headers' });
  model = await startOpenAiServer({ parallel: 4, apiKey: KEY });
  refusing = await startOpenAiServer({ parallel: 1, allowOrigins: ['https://elsewhere.example'] });
  // Paced like a real model's decoding, so the probe's two requests overlap however fast the
  // tiny model is (it raced and found nothing to cut once in a quiet CI rehearsal).
  interrupting = await startOpenAiServer({ interruptRequests: true, tokenDelayMs: 25 });
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
});
afterAll(async () => {
  await context?.close();
  await site?.close();
  await model?.close();
  await refusing?.close();
  await interrupting?.close();
  await browser?.close();
});

const runIdOf = (page: Page): string =>
  decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');

async function waitForStatus(page: Page, status: string, timeout = 150_000): Promise<void> {
  await page.locator(`.controls [data-status="${status}"]`).waitFor({ timeout });
}

/** Every graded answer of a run, as comparable lines. */
function answers(page: Page, runId: string): Promise<string[]> {
  return page.evaluate(async (id) => {
    const open = indexedDB.open('athanor');
    const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
    const req = idb.transaction('evaluations').objectStore('evaluations').getAll();
    const all = await new Promise<
      {
        runId: string;
        seed: number;
        phase: string;
        promptId: string;
        taskId: string;
        sample: number;
        completion?: { text: string };
        result: { passed: boolean };
      }[]
    >((ok) => (req.onsuccess = () => ok(req.result as never)));
    idb.close();
    return all
      .filter((e) => e.runId === id)
      .map(
        (e) =>
          `${e.seed}|${e.phase}|${e.promptId}|${e.taskId}|${e.sample}|${e.result.passed}|${e.completion?.text}`,
      )
      .sort();
  }, runId);
}

async function addServer(page: Page, url: string, key = ''): Promise<void> {
  await page.getByLabel('Server URL').fill(url);
  await page.getByLabel('API key (optional)').fill(key);
  await page.getByLabel('Requests at once', { exact: true }).first().fill('4');
  await page.getByRole('button', { name: 'Probe and save' }).click();
}

describe('a model server from the Models page (node-llama-cpp with stories260K)', () => {
  let runId = '';
  let bundlePath = '';
  const modelKey = () => `openai:stories260K@${new URL(model.origin).host}`;

  it('names a CORS refusal and a server that is not there, with what to do', async () => {
    const { page, errors } = await openPage(context, `${site.url}#/models`);
    const origin = new URL(site.url).origin;
    await addServer(page, refusing.origin);
    const cors = page.locator(`li[data-server="${refusing.apiBase}"]`);
    await expect
      .poll(() => cors.getByTestId('server-status').textContent(), { timeout: 20_000 })
      .toContain('refuses requests from this page (CORS)');
    const advice = await cors.getByTestId('server-error').textContent();
    expect(advice).toContain(`OLLAMA_ORIGINS=${origin} ollama serve`);
    expect(advice).toContain('lms server start --cors');
    await addServer(page, 'http://127.0.0.1:9');
    const gone = page.locator('li[data-server="http://127.0.0.1:9/v1"]');
    await expect
      .poll(() => gone.getByTestId('server-status').textContent(), { timeout: 20_000 })
      .toContain('not reachable');
    expect(await gone.getByTestId('server-error').textContent()).toContain('ollama serve');
    await shoot(page, 'models-server-errors');
    await cors.getByRole('button', { name: /^Remove/ }).click();
    await gone.getByRole('button', { name: /^Remove/ }).click();
    await expect.poll(() => page.locator('li[data-server]').count()).toBe(0);
    // The browser logs the refused requests itself; the page logged nothing of its own.
    expect(
      errors.filter((e) => !/CORS|Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)),
    ).toEqual([]);
    await page.close();
  });

  it('sets Requests at once to 1 for a server that cuts overlapping answers, and says why', async () => {
    const { page, errors } = await openPage(context, `${site.url}#/models`);
    await addServer(page, interrupting.origin);
    const row = page.locator(`li[data-server="${interrupting.apiBase}"]`);
    const note = row.getByTestId('concurrency-note');
    await note.waitFor({ timeout: 60_000 });
    expect(await note.textContent()).toContain(
      'Set to 1: when two requests overlapped, the server cut one answer short (the answer ended without a finish reason).',
    );
    expect(await note.textContent()).toContain('--interrupt_requests false');
    expect(await row.getByLabel('Requests at once').inputValue()).toBe('1');
    await row.getByRole('button', { name: /^Remove/ }).click();
    await expect.poll(() => page.locator('li[data-server]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('adds the server with its key, lists its model, and makes it the task model', async () => {
    const { page, errors } = await openPage(context, `${site.url}#/models`);
    await addServer(page, model.origin, KEY);
    const row = page.locator(`li[data-server="${model.apiBase}"]`);
    await expect
      .poll(() => row.getByTestId('server-status').textContent(), { timeout: 20_000 })
      .toMatch(/reachable[\s\S]*\b1\s+model\b/);
    await row.getByRole('button', { name: /Use as task model: stories260K from / }).click();
    await page.getByTestId('loaded-model').filter({ hasText: 'stories260K on' }).waitFor();
    // Picked as the optimizer model, it is preselected in the next New-run form (once).
    await row
      .getByRole('button', { name: /Use as optimizer model in the next run: stories260K from / })
      .click();
    await row.getByTestId('optimizer-choice').waitFor();
    await page.goto(`${site.url}#/runs/new`);
    await expect.poll(() => page.getByTestId('optimizer-model').inputValue()).toBe(modelKey());
    await page.goto(`${site.url}#/runs`);
    await page.goto(`${site.url}#/runs/new`);
    // The form has read the models (its task model is set) and did not preselect again.
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Model', exact: true }).inputValue())
      .not.toBe('');
    expect(await page.getByTestId('optimizer-model').inputValue()).toBe('');
    await page.goto(`${site.url}#/models`);
    // The try-it form goes through the server port.
    await page.getByLabel('Prompt').fill('Tell me a story.');
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect.poll(() => page.getByTestId('answer').textContent()).toMatch(/\w+/);
    const violations = await axeViolations(page);
    expect(violations.map((v) => `${v.id} ${v.help} ${v.nodes.join(' ')}`)).toEqual([]);
    await shoot(page, 'models-server', true);
    // The key is in this browser's localStorage, nowhere in IndexedDB.
    const inIdb = await page.evaluate(async (key) => {
      const open = indexedDB.open('athanor');
      const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
      const req = idb.transaction('models').objectStore('models').getAll();
      const rows = await new Promise<unknown[]>((ok) => (req.onsuccess = () => ok(req.result)));
      idb.close();
      return JSON.stringify(rows).includes(key);
    }, KEY);
    expect(inIdb).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs Prochemy on the server at c = 4, survives a reload, and finishes', async () => {
    const { page, errors } = await openPage(context, `${site.url}#/runs`);
    await seedDatabase(page);
    await page.goto(`${site.url}#/runs/new`);
    await page.getByRole('radio', { name: /Prochemy/ }).check();
    await page.getByLabel('Task set').selectOption('toy');
    await page.getByRole('combobox', { name: 'Model', exact: true }).selectOption(modelKey());
    await page.getByTestId('split-counts').filter({ hasText: '10 training' }).waitFor();
    await page.getByLabel('Variants per round (N)').fill('2');
    await page.getByLabel('Real training tasks (K)').fill('3');
    await page.getByLabel('Rounds (').fill('1');
    await page.getByLabel('Re-asks on a malformed answer').fill('1');
    await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill('1');
    await page.getByLabel('Max LLM calls per seed').fill('0');
    await page.getByLabel('Max minutes per seed').fill('0');
    await page.getByLabel('Run name').fill('Prochemy on a model server');
    model.stats.peak = 0;
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    runId = runIdOf(page);
    await expect
      .poll(
        async () => {
          const r = await storedRun(page, runId);
          if (r?.status === 'failed') throw new Error(`run failed: ${r.error}`);
          return Number(await page.getByTestId('evaluations').textContent());
        },
        { timeout: 150_000, interval: 250 },
      )
      .toBeGreaterThanOrEqual(2);
    expect((await storedRun(page, runId))?.status).toBe('running');
    await page.reload();
    await page.getByTestId('stale').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitForStatus(page, 'done');
    const run = (await storedRun(page, runId))!;
    expect(run.status).toBe('done');
    expect(run.report!.final.strict.mean).toBe(0);
    expect(run.report!.cost.llmCalls).toBeGreaterThan(5);
    // The browser kept several requests in flight at the server.
    expect(model.stats.peak).toBeGreaterThan(1);
    await shoot(page, 'live-run-server');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('exports the run without the key and replays it exactly', async () => {
    const { page, errors } = await openPage(context, `${site.url}#/runs/${runId}/results`);
    await page.getByTestId('summary').waitFor();
    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-bundle').click();
    bundlePath = join(repoRoot, 'test-results', 'server-run.athanor.json');
    await (await downloading).saveAs(bundlePath);
    const text = readFileSync(bundlePath, 'utf8');
    expect(text).not.toContain(KEY);
    expect(JSON.parse(text).run.config.model).toMatchObject({
      engine: 'openai',
      server: model.apiBase,
    });

    await page.goto(`${site.url}#/replay`);
    await page.getByTestId('bundle-file').setInputFiles(bundlePath);
    const before = model.stats.requests;
    await page.getByRole('button', { name: 'Re-run with the recorded answers' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const replayId = runIdOf(page);
    expect(replayId).not.toBe(runId);
    await waitForStatus(page, 'done');
    // Replay asks the server nothing, and every graded answer is the recorded one.
    expect(model.stats.requests).toBe(before);
    const original = await answers(page, runId);
    expect(original.length).toBeGreaterThan(5);
    expect(await answers(page, replayId)).toEqual(original);
    expect(errors).toEqual([]);
    await page.close();
  });
});
