/**
 * GEPA from the New-run form with a separate optimizer model, in headless Chromium over the built
 * site, twice:
 *
 * 1. Real parts only: the starter task set, wllama running the real tiny model stories260K as the
 *    task model and a second wllama instance (the same weights under another file name, copied
 *    to a temp dir) as the optimizer model; code graded by the app's Pyodide. The model writes
 *    stories, so every score is 0 and no reflection is well formed; what this proves is the
 *    wiring: each role on its own model, the real execution feedback in the stored meta-prompt,
 *    cost per model, and a replay of both models from the exported bundle.
 * 2. The scripted landscape (the one allowed stand-in, for the LLM only; grading is still real
 *    Pyodide): an optimizer model that reads failure text, so GEPA improves the prompt and the
 *    Live and Results pages show a Pareto front and a family tree with the feedback behind each
 *    child.
 *
 * Build first: `npx vite build --outDir dist-gepa`, run with ATHANOR_DIST=dist-gepa.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { repoRoot, requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import { axeViolations, bundleDoubles, seedDatabase, shoot, storedRun } from './ui-helpers';

const REFLECTOR = 'stories260K-reflector.gguf';

let browser: Browser;
let server: StaticServer;
let copies: string;

beforeAll(async () => {
  copies = mkdtempSync(join(tmpdir(), 'athanor-gepa-'));
  copyFileSync(requireShared('models', 'stories260K.gguf'), join(copies, REFLECTOR));
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers', mounts: { '/__copies/': copies } });
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
  if (copies) rmSync(copies, { recursive: true, force: true });
});

const runIdOf = (page: Page): string =>
  decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');

async function waitForStatus(page: Page, status: string, timeout = 240_000): Promise<void> {
  await page.locator(`.controls [data-status="${status}"]`).waitFor({ timeout });
}

interface StoredCall {
  seed: number;
  request: { purpose: string; messages: { role: string; content: string }[] };
  completion: { model: string };
}
interface StoredEval {
  promptId: string;
  phase: string;
  result: { passed: boolean; setupError?: string; tests: { outcome: string; message?: string }[] };
}

/** Every row of an object store for one run, straight from the app's IndexedDB. */
function rowsOf<T>(page: Page, store: string, runId: string): Promise<T[]> {
  return page.evaluate(
    async ({ store, runId }) => {
      const open = indexedDB.open('athanor');
      const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
      const req = idb.transaction(store).objectStore(store).getAll();
      const all = await new Promise<unknown[]>((ok) => (req.onsuccess = () => ok(req.result)));
      idb.close();
      return all.filter((r) => (r as { runId: string }).runId === runId) as never;
    },
    { store, runId },
  );
}

async function fillKnob(page: Page, label: RegExp, value: string): Promise<void> {
  await page.getByLabel(label).fill(value);
}

describe('GEPA with a separate optimizer model, real parts (wllama stories260K ×2, Pyodide)', () => {
  let context: BrowserContext;
  let runId = '';
  let bundlePath = '';
  beforeAll(async () => {
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
  });
  afterAll(async () => {
    await context?.close();
  });

  it('adds the task model and the optimizer model on the Models page', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/models`);
    for (const [url, label] of [
      [`${server.url}__shared/models/stories260K.gguf`, 'Stories 260K'],
      [`${server.url}__copies/${REFLECTOR}`, 'Stories 260K reflector'],
    ] as const) {
      await page.getByLabel('wllama (CPU): one .gguf URL').check();
      await page.getByRole('textbox', { name: 'GGUF URL' }).fill(url);
      await page.getByLabel('Label (optional)').fill(label);
      await page.getByRole('button', { name: 'Add model' }).click();
      await page
        .locator(`section:has(#custom-h) tr[data-model-id="${url.split('/').pop()}"]`)
        .waitFor();
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs GEPA on the starter set: each role on its model, the real feedback in the stored meta-prompt', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs/new`);
    await page.getByRole('radio', { name: /GEPA/ }).check();
    await page
      .getByTestId('split-counts')
      .filter({ hasText: /[1-9]\d* training/ })
      .waitFor();
    await page
      .getByRole('combobox', { name: 'Model', exact: true })
      .selectOption('wllama:stories260K.gguf');
    await page.getByTestId('optimizer-model').selectOption(`wllama:${REFLECTOR}`);
    await fillKnob(page, /^Feedback tasks/, '2');
    await fillKnob(page, /^Pareto tasks/, '2');
    await fillKnob(page, /^Minibatch size/, '1');
    await fillKnob(page, /^Iterations/, '2');
    await fillKnob(page, /^Re-asks/, '0');
    await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill('1');
    await page.getByLabel('Max LLM calls per seed').fill('0');
    await page.getByLabel('Max minutes per seed').fill('0');
    await page.getByLabel('Run name').fill('GEPA on stories260K, two models');
    const roles = page.getByTestId('projection-roles');
    await expect.poll(() => roles.textContent()).toContain(`Optimizer model ${REFLECTOR}`);
    await expect
      .poll(() => roles.textContent())
      .toMatch(/Task model stories260K\.gguf: about \d+ calls/);
    // Two 1 MB models fit: no memory warning.
    expect(await page.getByTestId('memory-warning').count()).toBe(0);
    await shoot(page, 'gepa-new-run-two-models');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    runId = runIdOf(page);
    await waitForStatus(page, 'done');

    const run = (await storedRun(page, runId)) as unknown as {
      status: string;
      config: { optimizerModel?: { engine: string; modelId: string } };
      environment: { optimizerModelId?: string };
      report: { cost: { llmCalls: number; byRole: Record<string, { llmCalls: number }> } };
    };
    expect(run.status).toBe('done');
    expect(run.config.optimizerModel).toEqual({ engine: 'wllama', modelId: REFLECTOR });
    expect(run.environment.optimizerModelId).toBe(REFLECTOR);

    const calls = await rowsOf<StoredCall>(page, 'runCalls', runId);
    const reflections = calls.filter((c) => c.request.purpose === 'mutate');
    const code = calls.filter((c) => c.request.purpose === 'generate');
    expect(reflections.length).toBeGreaterThan(0);
    expect(code.length).toBeGreaterThan(0);
    for (const c of reflections) expect(c.completion.model).toBe(REFLECTOR);
    for (const c of code) expect(c.completion.model).toBe('stories260K.gguf');
    expect(run.report.cost.byRole.optimizer!.llmCalls).toBe(reflections.length);
    expect(run.report.cost.byRole.task!.llmCalls + reflections.length).toBe(
      run.report.cost.llmCalls,
    );

    // The feedback reached the meta-prompt: the stored reflection request quotes what Pyodide
    // said about the seed prompt's code on the minibatch task.
    const meta = reflections[0]!.request.messages[0]!.content;
    expect(meta).toContain('Test results:');
    const evals = await rowsOf<StoredEval>(page, 'evaluations', runId);
    const said = evals
      .filter((e) => e.phase === 'optimize' && !e.result.passed)
      .map(
        (e) =>
          e.result.setupError ?? e.result.tests.find((t) => t.outcome !== 'passed')?.message ?? '',
      )
      .map((m) => m.replace(/\s+/g, ' ').trim().slice(0, 60))
      .filter((m) => m !== '');
    expect(said.length).toBeGreaterThan(0);
    expect(said.some((m) => meta.includes(m))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows each model’s calls and tokens on Results, exports, and replays both models', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/runs/${runId}/results`);
    await page.getByTestId('summary').waitFor();
    const cost = (await page.getByTestId('cost-by-role').textContent())?.replace(/\s+/g, ' ');
    expect(cost).toMatch(/Task model stories260K\.gguf: \d+ calls, [\d,]+ tokens/);
    expect(cost).toContain(`optimizer model ${REFLECTOR}`);
    await page.getByTestId('pareto-front').waitFor();
    await shoot(page, 'gepa-results-real-models');
    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-bundle').click();
    bundlePath = join(repoRoot, 'test-results', 'ui-gepa-real.athanor.json');
    await (await downloading).saveAs(bundlePath);
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
      run: { config: { optimizerModel?: { modelId: string } } };
      completions: { model: string }[];
    };
    expect(bundle.run.config.optimizerModel?.modelId).toBe(REFLECTOR);
    expect(new Set(bundle.completions.map((c) => c.model))).toEqual(
      new Set(['stories260K.gguf', REFLECTOR]),
    );

    await page.goto(`${server.url}#/replay`);
    await page.getByTestId('bundle-file').setInputFiles(bundlePath);
    await page.getByRole('button', { name: 'Re-run with the recorded answers' }).click();
    await page.waitForFunction(
      (id) => /^#\/runs\/[\w-]{36}$/.test(location.hash) && !location.hash.includes(id),
      runId,
    );
    const replayId = runIdOf(page);
    await waitForStatus(page, 'done');
    const replayed = (await storedRun(page, replayId)) as unknown as {
      config: {
        model: { engine: string; modelId: string };
        optimizerModel?: { engine: string; modelId: string };
      };
      report: { final: unknown; prompts: unknown; cost: { byRole: unknown } };
    };
    const original = (await storedRun(page, runId)) as unknown as typeof replayed;
    expect(replayed.config.model).toMatchObject({ engine: 'replay', modelId: 'stories260K.gguf' });
    expect(replayed.config.optimizerModel).toMatchObject({ engine: 'replay', modelId: REFLECTOR });
    expect(replayed.report.final).toEqual(original.report.final);
    expect(replayed.report.prompts).toEqual(original.report.prompts);
    // Calls and tokens replay exactly; model time is the replay's own, not the models'.
    const callsAndTokens = (b: unknown) =>
      Object.entries(b as Record<string, Record<string, number>>).map(([role, c]) => [
        role,
        c.llmCalls,
        c.promptTokens,
        c.completionTokens,
      ]);
    expect(callsAndTokens(replayed.report.cost.byRole)).toEqual(
      callsAndTokens(original.report.cost.byRole),
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('GEPA with a separate optimizer model on the scripted landscape (real Pyodide)', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript({ content: await bundleDoubles({ delayMs: 0 }) });
    // A 4 GB device (this Chromium reports 16): the memory check's budget is half of it.
    await context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 4 }),
    );
  });
  afterAll(async () => {
    await context?.close();
  });

  it('improves the prompt, and Live and Results show the Pareto front and the family tree with feedback', async () => {
    const { page, errors } = await openPage(context, `${server.url}#/`);
    await seedDatabase(page);
    await page.evaluate(async () => {
      const open = indexedDB.open('athanor');
      const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
      const tx = idb.transaction('models', 'readwrite');
      // Two large WebLLM models, only to see the memory warning (never loaded).
      for (const id of [
        'Qwen2.5-Coder-7B-Instruct-q4f16_1-MLC',
        'Qwen2.5-Coder-3B-Instruct-q4f16_1-MLC',
      ]) {
        tx.objectStore('models').put({
          id,
          engine: 'webllm',
          label: id,
          source: 'test',
          addedAt: 1,
        });
      }
      tx.objectStore('models').put({
        id: 'scripted-reflector',
        engine: 'scripted',
        label: 'Scripted reflector (test double)',
        source: 'test',
        addedAt: Date.now(),
      });
      await new Promise<void>((ok) => (tx.oncomplete = () => ok()));
      idb.close();
    });
    await page.goto(`${server.url}#/runs/new`);
    await page.getByRole('radio', { name: /GEPA/ }).check();
    await page.getByLabel('Task set').selectOption('toy');
    // Two big in-browser models together: the form warns before anything is loaded.
    const model = page.getByRole('combobox', { name: 'Model', exact: true });
    await model.selectOption('webllm:Qwen2.5-Coder-7B-Instruct-q4f16_1-MLC');
    await page
      .getByTestId('optimizer-model')
      .selectOption('webllm:Qwen2.5-Coder-3B-Instruct-q4f16_1-MLC');
    await expect
      .poll(async () =>
        (await page.getByTestId('memory-warning').textContent())?.replace(/\s+/g, ' '),
      )
      .toMatch(
        /may not fit in memory together: the task model needs about [\d,]+ MB and the optimizer model about [\d,]+ MB, more than the 2,048 MB this page can count on\./,
      );
    await shoot(page, 'gepa-new-run-memory-warning');
    await model.selectOption('scripted:scripted');
    await page.getByTestId('optimizer-model').selectOption('scripted:scripted-reflector');
    expect(await page.getByTestId('memory-warning').count()).toBe(0);
    await fillKnob(page, /^Feedback tasks/, '5');
    await fillKnob(page, /^Pareto tasks/, '5');
    await fillKnob(page, /^Minibatch size/, '2');
    await fillKnob(page, /^Iterations/, '8');
    // Seed 4: a run that accepts children, rejects one and converges within the 8 iterations.
    await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill('4');
    await page.getByLabel('Max LLM calls per seed').fill('0');
    // A metric-call budget below the floor: the projection says what it buys before the run.
    // Floor: 5 (the seed on the Pareto set) + 3 · (2·2 + 5) = 32; 20 calls buy (20 − 5) / 9 → 1.
    await fillKnob(page, /^Metric-call budget/, '20');
    const floor = page.getByTestId('budget-floor');
    await expect
      .poll(async () => (await floor.textContent())?.replace(/\s+/g, ' '))
      .toMatch(
        /^GEPA's budget buys 1 proposal: the metric-call budget of 20 pays for scoring the seed and 1 proposal after it\. .* Give at least 32 metric calls .* will be refused unless "Run below the budget floor" is on\.$/,
      );
    await fillKnob(page, /^Metric-call budget/, '300');
    await expect.poll(() => floor.count()).toBe(0);
    await page.getByLabel('Run name').fill('GEPA on the landscape, two models');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const runId = runIdOf(page);
    await waitForStatus(page, 'done');
    await page.getByTestId('pareto-front').waitFor();
    await page.getByTestId('family-tree').waitFor();
    await shoot(page, 'gepa-live-landscape', true);

    const run = (await storedRun(page, runId))!;
    expect(run.report!.final.strict.mean).toBeGreaterThan(run.report!.initial.strict.mean);
    const calls = await rowsOf<StoredCall>(page, 'runCalls', runId);
    const reflections = calls.filter((c) => c.request.purpose === 'mutate');
    expect(reflections.every((c) => c.completion.model === 'scripted-reflector')).toBe(true);
    // Real Pyodide's failure text, with the topic the assert names, in the stored meta-prompt.
    expect(reflections[0]!.request.messages[0]!.content).toMatch(
      /AssertionError: f\(\) is wrong on a \w+ case/,
    );

    await page.goto(`${server.url}#/runs/${runId}/results`);
    await page.getByTestId('summary').waitFor();
    const tree = page.getByTestId('family-tree');
    await tree.waitFor();
    expect(await tree.locator('li').count()).toBeGreaterThan(1);
    expect(await tree.getByText('reflect').count()).toBeGreaterThan(0);
    // Each proposal says what its reflection cost.
    expect(await tree.getByTestId('proposal-cost').first().textContent()).toMatch(
      /^reflection: \d+ calls?, [\d,]+ tokens \([\d,]+ in, [\d,]+ out\), \d+\.\d s of model time$/,
    );
    // Proposals GEPA did not keep say why (the minibatch acceptance rule).
    expect(
      await tree.getByText(/not kept: minibatch \d+\/\d+ does not beat/).count(),
    ).toBeGreaterThan(0);
    await tree.locator('summary', { hasText: 'Feedback that prompted it' }).first().click();
    expect(await tree.locator('details[open] pre').first().textContent()).toContain(
      'Test results:',
    );
    expect(await page.locator('[data-testid="pareto-front"] tbody tr').count()).toBeGreaterThan(0);
    await shoot(page, 'gepa-results-landscape', true);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
