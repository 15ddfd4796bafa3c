/**
 * From a fresh profile, one click on Home to a finished demo run's Results page, on real parts:
 * wllama with the tiny real model ../shared/models/stories260K.gguf, the app's Pyodide pool and
 * IndexedDB, in headless Chromium over the built site.
 *
 * The recommended model cannot be downloaded here (no network), so the test names a stand-in
 * explicitly: `__athanorDemoStandIn`, set before the app loads, with the smallest preset so the
 * test stays short. The page must say that a stand-in is in use; the app itself never sets one.
 *
 * What it proves: the speed probe runs after the model loads and stores its figures with the
 * model; the Live "time left" and New run's projection use those stored figures (and the run's
 * own token counts); the demo runs from the button to the Results page; the share link opens New
 * run filled in; the Models page recommends a model with a reason and marks models that won't fit.
 *
 * Build first: `npx vite build --logLevel warn`.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import { axeViolations, shoot, storedRun } from './ui-helpers';

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;

beforeAll(async () => {
  requireShared('models', 'stories260K.gguf');
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
  // A new context is a fresh profile: no model, no speed, no run, not even the starter set.
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((url) => {
    (globalThis as { __athanorDemoStandIn?: unknown }).__athanorDemoStandIn = {
      url,
      label: 'stories260K (test stand-in)',
      preset: 'tiny',
    };
  }, `${server.url}__shared/models/stories260K.gguf`);
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  await browser?.close();
});

interface StoredSpeed {
  prefillTps: number;
  decodeTps: number;
  overheadMs: number;
  measuredAt: number;
  probe: { prefillTokens: number; decodeTokens: number };
}

function storedModel(page: Page, id: string): Promise<{ speed?: StoredSpeed } | undefined> {
  return page.evaluate(async (modelId) => {
    const open = indexedDB.open('athanor');
    const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
    const req = idb.transaction('models').objectStore('models').get(modelId);
    const row = await new Promise<unknown>((ok) => (req.onsuccess = () => ok(req.result)));
    idb.close();
    return row as never;
  }, id);
}

/** An element's text with whitespace collapsed, as a reader sees it. */
const textOf = async (l: Locator): Promise<string> =>
  ((await l.textContent()) ?? '').replace(/\s+/g, ' ').trim();

/** How the app writes a rate (ui/projection.ts speedText). */
const rate = (tps: number): string => (tps >= 100 ? Math.round(tps).toString() : tps.toFixed(1));

describe('the quick demo, from a fresh profile, on the real tiny model', () => {
  let speed: StoredSpeed;
  let shareUrl = '';

  it('shows the preset and its projected time before anything downloads, then runs to Results', async () => {
    const { page, errors } = await openPage(context, server.url);
    const demo = page.getByTestId('quick-demo');
    await demo.getByTestId('demo-preset').waitFor({ timeout: 60_000 });
    await expect.poll(() => textOf(demo.getByTestId('stand-in'))).toMatch(/Test stand-in/);
    expect(await textOf(demo.getByTestId('demo-preset'))).toMatch(
      /tiny preset.*one seed, then the held-out report on 4 tasks — at most \d+ LLM calls, about/s,
    );
    // Nothing measured yet: the time is labelled as a typical figure, not a measurement.
    expect(await textOf(demo.getByTestId('demo-assumed'))).toMatch(/not yet measured here/);
    expect(await storedModel(page, 'stories260K.gguf')).toBeUndefined();
    shareUrl = await demo.getByTestId('demo-link').inputValue();
    expect(shareUrl).toContain('#/runs/new?method=prochemy&dataset=starter');
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, 'home-quick-demo', true);

    await demo.getByRole('button', { name: 'Try a quick demo' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash), null, {
      timeout: 120_000,
    });
    const runId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');

    // The probe ran after the load and stored its figures with the model.
    speed = (await storedModel(page, 'stories260K.gguf'))!.speed!;
    expect(speed.prefillTps).toBeGreaterThan(0);
    expect(speed.decodeTps).toBeGreaterThan(0);
    expect(speed.probe.prefillTokens).toBeGreaterThan(100);
    expect(speed.probe.decodeTokens).toBeGreaterThan(1);

    // Live's time left reads them, with the run's own token counts once it has calls.
    const how = page.getByTestId('time-left-assumed');
    await expect
      .poll(() => textOf(how), { timeout: 60_000, interval: 500 })
      .toMatch(/this run's \d+ calls/);
    const text = await textOf(how);
    expect(text).toContain(
      `${rate(speed.prefillTps)} prompt and ${rate(speed.decodeTps)} answer tokens/s measured on this device`,
    );
    expect(text).toMatch(/planned calls left/);
    await shoot(page, 'live-quick-demo');

    // No second click: the demo opens its results when the run is done.
    await page.waitForFunction((id) => location.hash === `#/runs/${id}/results`, runId, {
      timeout: 240_000,
    });
    const run = (await storedRun(page, runId))!;
    expect(run.status).toBe('done');
    expect(run.config.name).toMatch(/Quick demo/);
    expect(run.report!.cost.llmCalls).toBeGreaterThan(0);
    await page.getByTestId('summary').waitFor();
    await shoot(page, 'results-quick-demo');

    // The Models page: the model stays loaded with its measured speed; a model is recommended
    // with a reason, and those that will not fit say why.
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('recommended').waitFor({ timeout: 60_000 });
    expect(await textOf(page.getByTestId('recommended'))).toMatch(
      /Qwen2\.5 Coder .*: (fits your GPU|runs on your CPU).*to download/,
    );
    // Which rows are marked depends on the device (this Chromium's WebGPU is SwiftShader, so its
    // GPU models run, slowly); the reasons themselves are tested on device profiles in
    // test/unit/engines-recommend.test.ts.
    const marked = page.locator('[data-fit]');
    expect(await marked.count()).toBeGreaterThan(0);
    for (const text of await marked.allTextContents())
      expect(text.replace(/\s+/g, ' ')).toMatch(
        /^(Won't fit: Needs .+|Runs, but on a software renderer.+)$/,
      );
    await shoot(page, 'models-advice');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the share link opens New run filled in, with a projection from the measured speed', async () => {
    const { page, errors } = await openPage(context, shareUrl);
    await page.getByTestId('from-link').waitFor();
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Model', exact: true }).inputValue())
      .toBe('wllama:stories260K.gguf');
    expect(await page.getByRole('radio', { name: /Prochemy/ }).isChecked()).toBe(true);
    expect(await page.getByLabel('Variants per round (N)').inputValue()).toBe('2');
    expect(await page.getByLabel('Real training tasks (K)').inputValue()).toBe('2');
    expect(await page.getByRole('textbox', { name: 'Seeds', exact: true }).inputValue()).toBe('1');
    // The demo has no call or time limit: its preset is its budget, and the link says so.
    expect(await page.getByLabel('Max LLM calls per seed').inputValue()).toBe('0');
    expect(await page.getByLabel('Max minutes per seed').inputValue()).toBe('0');
    expect(await textOf(page.getByTestId('split-counts'))).toMatch(/4 held-out tasks/);
    const assumed = page.getByTestId('projection-assumed');
    await expect
      .poll(() => textOf(assumed))
      .toContain(
        `${rate(speed.prefillTps)} prompt and ${rate(speed.decodeTps)} answer tokens/s measured on this device`,
      );
    // The demo's answers are this model's history now: their token counts, not an assumption.
    expect(await textOf(assumed)).toMatch(/earlier answers of this model/);
    await page.getByTestId('projected-time').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, 'new-run-from-link');
    expect(errors).toEqual([]);
    await page.close();
  });
});
