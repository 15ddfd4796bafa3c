/**
 * The interface says what is true (issue 25), in headless Chromium on the built site:
 *   - a shared link naming a model this browser lacks keeps Start off and says why, and what
 *     differs from the link once the user picks another model;
 *   - after a task set is imported, New run keeps the task set the link chose;
 *   - while a run is paused mid-way and when it is done, Live's LLM calls and tokens equal the
 *     Results page's and the store's (read here with raw IndexedDB, by the report's definition:
 *     every seed and phase, calls the model answered, cache hits apart), and Compare counts the
 *     same calls in a table that fits its card even with a server model's long id;
 *   - no page of the offline flows shows one of the app's error class names (collected from
 *     src/), even with a model server that is down, a model download that fails and a bad file.
 *
 * The LLM is the scripted landscape (the one allowed stand-in: the claims are about the pages);
 * code is graded by the app's real Pyodide pool.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { repoRoot, requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import { bundleDoubles, fillProchemyOnToy, seedDatabase } from './ui-helpers';

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Slow enough that a pause lands mid-run; fast enough for the time budget.
  await context.addInitScript({ content: await bundleDoubles({ delayMs: 120 }) });
  const { page } = await openPage(context, `${server.url}#/runs`);
  await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
  await seedDatabase(page);
  await page.close();
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  await browser?.close();
});

const textOf = async (page: Page, testId: string): Promise<string> =>
  ((await page.getByTestId(testId).textContent()) ?? '').replace(/\s+/g, ' ').trim();
const count = (s: string): number => {
  if (!/^[\d,]+$/.test(s)) throw new Error(`not a count: "${s}"`);
  return Number(s.replaceAll(',', ''));
};

describe('choices a link makes are kept', () => {
  it('a link to a model this browser lacks keeps Start off and says why', async () => {
    const missing = 'webllm:Not-Here-Coder-q4f32_1-MLC';
    const { page, errors } = await openPage(
      context,
      `${server.url}#/runs/new?method=prochemy&dataset=toy&model=${missing}&seeds=7&maxCalls=30`,
    );
    // The page has read the store: the linked task set is shown with its split.
    await page.getByTestId('split-counts').filter({ hasText: '10 training' }).waitFor();
    const why = await textOf(page, 'link-model-missing');
    expect(why).toContain(`The link names the model ${missing}, which this browser does not have`);
    expect(why).toContain('Start stays off until a model is picked');
    const modelSelect = page.getByRole('combobox', { name: 'Model', exact: true });
    expect(await modelSelect.inputValue()).toBe('');
    const start = page.getByRole('button', { name: 'Start run' });
    expect(await start.isDisabled()).toBe(true);
    expect(await textOf(page, 'not-ready')).toBe('Pick a model to start.');
    expect(await textOf(page, 'link-differences')).toContain(
      `no model yet, where the link names ${missing}`,
    );

    // The user picks another model: Start is on, and the page says the run differs from the link.
    await modelSelect.selectOption('scripted:scripted');
    expect(await start.isEnabled()).toBe(true);
    expect(await textOf(page, 'link-differences')).toContain(
      `model Scripted landscape (test double) (scripted:scripted), where the link names ${missing}`,
    );

    // Likewise a task set the browser lacks: no other set is put in its place.
    await page.goto(
      `${server.url}#/runs/new?method=prochemy&dataset=mbpp-gone&model=scripted:scripted`,
    );
    await page.getByTestId('link-set-missing').waitFor();
    expect(await textOf(page, 'link-set-missing')).toContain(
      'The link names the task set mbpp-gone, which this browser does not have',
    );
    expect(await page.getByRole('combobox', { name: 'Task set' }).inputValue()).toBe('');
    expect(await start.isDisabled()).toBe(true);
    expect(await textOf(page, 'not-ready')).toBe('Pick a task set to start.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('after a task set is imported, New run keeps the task set the link chose', async () => {
    const link = `${server.url}#/runs/new?method=prochemy&dataset=toy&model=scripted:scripted`;
    const { page, errors } = await openPage(context, link);
    const taskSet = page.getByRole('combobox', { name: 'Task set' });
    await expect.poll(() => taskSet.inputValue()).toBe('toy');

    // Import a small set (three HumanEval tasks): it becomes the newest set in the store.
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    const three = readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8')
      .split('\n')
      .slice(0, 3)
      .join('\n');
    await page.setInputFiles('#task-file', {
      name: 'three.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(three),
    });
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 30_000 })
      .toMatch(/Imported 3 tasks from three\.jsonl/);
    // The import box no longer says it is reading the file once the banner says it is imported.
    expect(await page.getByText('Reading three.jsonl…').count()).toBe(0);

    // Back to New run through the menu: the set the link chose, not the newest.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('link', { name: 'New run', exact: true }).click();
    await page.getByTestId('split-counts').waitFor();
    await expect
      .poll(() => page.locator('select option').filter({ hasText: '(3 tasks)' }).count())
      .toBe(1);
    expect(await taskSet.inputValue()).toBe('toy');
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** The run's figures from the store with raw IndexedDB, by the report's definition. */
function storeFigures(page: Page, runId: string): Promise<{ calls: number; tokens: number }> {
  return page.evaluate(async (id) => {
    const open = indexedDB.open('athanor');
    const idb = await new Promise<IDBDatabase>((ok, fail) => {
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const req = idb
      .transaction('runCalls')
      .objectStore('runCalls')
      .index('runId')
      .getAll(IDBKeyRange.only(id));
    const rows = await new Promise<
      {
        completion: { cached?: boolean; usage: { promptTokens: number; completionTokens: number } };
      }[]
    >((ok) => (req.onsuccess = () => ok(req.result as never)));
    idb.close();
    let calls = 0;
    let tokens = 0;
    for (const r of rows) {
      if (r.completion.cached) continue;
      calls++;
      tokens += r.completion.usage.promptTokens + r.completion.usage.completionTokens;
    }
    return { calls, tokens };
  }, runId);
}

async function liveFigures(page: Page): Promise<{ calls: number; tokens: number }> {
  return {
    calls: count(await textOf(page, 'llm-calls')),
    tokens: count(await textOf(page, 'tokens')),
  };
}
async function resultsFigures(page: Page): Promise<{ calls: number; tokens: number }> {
  await page.getByTestId('cost-calls').waitFor();
  return {
    calls: count(await textOf(page, 'cost-calls')),
    tokens: count(await textOf(page, 'cost-tokens')),
  };
}

describe('one set of numbers', () => {
  it("Live's calls and tokens equal Results' and the store's, mid-run and at the end", async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs/new`);
    await fillProchemyOnToy(page, {
      variants: 2,
      tasks: 3,
      rounds: 3,
      seeds: '7',
      maxCalls: 40,
      name: 'one set of numbers',
    });
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const runId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    const results = await openPage(context, `${server.url}#/runs/${runId}/results`);

    // Pause once some calls are stored: the store is still, so every page must show it exactly.
    await expect
      .poll(async () => (await storeFigures(page, runId)).calls, { timeout: 60_000 })
      .toBeGreaterThan(4);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('.controls [data-status="paused"]').waitFor();
    const paused = await storeFigures(page, runId);
    await expect.poll(() => liveFigures(page)).toEqual(paused);
    await expect.poll(() => resultsFigures(results.page)).toEqual(paused);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('.controls [data-status="done"]').waitFor({ timeout: 120_000 });
    const done = await storeFigures(page, runId);
    expect(done.calls).toBeGreaterThan(paused.calls);
    await expect.poll(() => liveFigures(page)).toEqual(done);
    await results.page.getByTestId('summary').waitFor();
    expect(await resultsFigures(results.page)).toEqual(done);

    // Compare counts the same calls, and its table fits its card with a server model's long id
    // and an imported set's id (the run record is given them straight in IndexedDB, then the
    // page is loaded afresh).
    await page.evaluate(async (id) => {
      const open = indexedDB.open('athanor');
      const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
      const tx = idb.transaction('runs', 'readwrite');
      const req = tx.objectStore('runs').get(id);
      const run = await new Promise<{ config: { model: { modelId: string }; datasetId: string } }>(
        (ok) => (req.onsuccess = () => ok(req.result as never)),
      );
      run.config.model.modelId = 'qwen2.5-coder:1.5b-instruct-q4_K_M@192.168.100.200:11434';
      run.config.datasetId = 'evalplus-ffd60291453a';
      tx.objectStore('runs').put(run);
      await new Promise((ok) => (tx.oncomplete = ok));
      idb.close();
    }, runId);
    await page.goto(`${server.url}#/compare/${runId}`);
    await page.reload();
    const table = page.getByTestId('compare-table');
    await table.waitFor();
    // The cell under the "LLM calls" header, found by its header so a new column cannot shift it.
    const compareCalls = await table.evaluate((t) => {
      const heads = [...t.querySelectorAll('thead th')].map((h) => h.textContent?.trim());
      const row = t.querySelector('tbody tr')!;
      return row.children[heads.indexOf('LLM calls')]?.textContent?.trim() ?? '';
    });
    expect(count(compareCalls)).toBe(done.calls);
    const fit = await table.evaluate((t) => ({
      table: t.scrollWidth,
      card: t.parentElement!.clientWidth,
    }));
    expect(fit.table, 'the Compare table is wider than its card').toBeLessThanOrEqual(fit.card);
    expect(errors).toEqual([]);
    expect(results.errors).toEqual([]);
    await results.page.close();
    await page.close();
  });
});

/** Every error class the app defines (`class FooError extends …`), read from src/. */
function appErrorNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|svelte)$/.test(e.name))
        for (const m of readFileSync(path, 'utf8').matchAll(/class (\w+) extends (\w+)/g))
          if (/Error$/.test(m[1]!) || /Error$/.test(m[2]!)) names.add(m[1]!);
    }
  };
  walk(join(repoRoot, 'src'));
  return [...names];
}

describe('no jargon', () => {
  it('no page of the offline flows shows an error class name', async () => {
    const names = appErrorNames();
    expect(names).toContain('ServerUnreachableError');
    expect(names).toContain('ModelDownloadError');
    const { page } = await openPage(context, `${server.url}#/models`);
    const probes: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith('http://127.0.0.1:9/')) probes.push(r.url());
    });
    const shown: string[] = [];
    const check = async (where: string): Promise<void> => {
      const text = await page.locator('body').innerText();
      for (const n of names) if (text.includes(n)) shown.push(`${where}: ${n}`);
    };

    // A model server that is down: its state in words, what to do below it.
    await page.getByLabel('Server URL').fill('http://127.0.0.1:9');
    await page.getByRole('button', { name: 'Probe and save' }).click();
    const gone = page.locator('li[data-server="http://127.0.0.1:9/v1"]');
    await expect
      .poll(() => gone.getByTestId('server-status').textContent(), { timeout: 20_000 })
      .toContain('not reachable');
    // A server found down is not asked again on every visit to the page (Probe again asks now).
    const asked = probes.length;
    expect(asked).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    expect(await gone.getByTestId('server-status').textContent()).toContain('not reachable');
    expect(probes.length).toBe(asked);
    // A model whose download fails (the host answers 404): the error sits by its row.
    await page.getByLabel('wllama (CPU): one .gguf URL').check();
    await page.getByRole('textbox', { name: 'GGUF URL' }).fill(`${server.url}nowhere/missing.gguf`);
    await page.getByRole('button', { name: 'Add model' }).click();
    const row = page.locator('tr[data-model-id="missing.gguf"]');
    await row.getByRole('button', { name: /Download/ }).click();
    const note = page.locator('tr.row-problem').getByRole('alert');
    await note.waitFor();
    expect(await note.innerText()).toMatch(/404/);
    await check('Models');

    // A file that is not a run bundle, on Runs and on Replay.
    const junk = {
      name: 'junk.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"x":1}'),
    };
    await page.goto(`${server.url}#/runs`);
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await page.locator('input[type="file"]').setInputFiles(junk);
    await page.getByRole('alert').first().waitFor();
    await check('Runs');
    await page.goto(`${server.url}#/replay`);
    await page.getByRole('heading', { name: 'Replay a run bundle', level: 1 }).waitFor();
    await page.getByTestId('bundle-file').setInputFiles(junk);
    await page.getByRole('alert').first().waitFor();
    await check('Replay');

    // Every other page as it opens, with the runs the tests above made.
    const runId = await page.evaluate(async () => {
      const open = indexedDB.open('athanor');
      const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
      const req = idb.transaction('runs').objectStore('runs').getAllKeys();
      const keys = await new Promise<IDBValidKey[]>((ok) => (req.onsuccess = () => ok(req.result)));
      idb.close();
      return String(keys[0] ?? '');
    });
    const pages = ['', 'tasks', 'runs/new', 'compare', 'settings'];
    if (runId) pages.push(`runs/${runId}`, `runs/${runId}/results`);
    for (const route of pages) {
      await page.goto(`${server.url}#/${route}`);
      await page.locator('h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      await check(route || 'home');
    }
    expect(shown).toEqual([]);
    await page.close();
  });
});
