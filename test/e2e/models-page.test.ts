/**
 * The Models page end to end, on the built site: the catalogue (code models first, sizes and
 * memory), a custom GGUF model downloaded with progress, the downloaded list, generation through
 * the loaded model's LlmPort, delete; a GGUF picked as a local file; a custom WebLLM model whose
 * host answers 404 shows the documented error. Saves test-results/screenshots/models.png.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot } from '../support/browser';
import { requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';

let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];
const modelFile = requireShared('models', 'stories260K.gguf');

beforeAll(async () => {
  server = await startStaticServer();
  browser = await launchBrowser();
  ({ page, errors } = await openPage(browser));
  await page.goto(`${server.url}#/models`);
  await page.getByRole('heading', { name: 'GPU models (WebLLM)' }).waitFor();
  await page.locator('tr[data-model-id^="Qwen2.5-Coder-0.5B"]').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Models page', () => {
  test('lists code models first with download size and memory, in the adapter’s build', async () => {
    const ids = await page
      .locator('section:has(#gpu-h) tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model-id')));
    expect(ids.slice(0, 4).map((id) => id?.replace(/-q4f(16|32)_1-MLC$/, ''))).toEqual(
      ['0.5B', '1.5B', '3B', '7B'].map((s) => `Qwen2.5-Coder-${s}-Instruct`),
    );
    const facts = await page.locator('section:has(#env-h)').innerText();
    const quant = facts.includes('q4f16') ? 'q4f16_1' : 'q4f32_1';
    // Chat models in the adapter's build; the embedding model (for GPO) is listed last, as is.
    expect(ids.at(-1)).toBe('snowflake-arctic-embed-s-q0f32-MLC-b4');
    expect(ids.slice(0, -1).every((id) => id?.includes(quant))).toBe(true);
    const first = await page.locator('tr[data-model-id^="Qwen2.5-Coder-0.5B"] td').allInnerTexts();
    expect(first[1]).toMatch(/≈ \d+(\.\d)? MB/);
    expect(first[2]).toMatch(/\d\.\d GB/);
    expect(first[3]).toBe('not downloaded');
  });

  test('a custom GGUF model downloads with progress, generates through the port, and is deleted', async () => {
    await page.getByLabel('wllama (CPU): one .gguf URL').check();
    await page
      .getByRole('textbox', { name: 'GGUF URL' })
      .fill(`${server.url}__shared/models/stories260K.gguf`);
    await page.getByLabel('Label (optional)').fill('Stories (self-hosted)');
    await page.getByRole('button', { name: 'Add model' }).click();
    const row = page.locator('section:has(#custom-h) tr[data-model-id="stories260K.gguf"]');
    await row.waitFor();
    expect(await row.locator('td').nth(3).innerText()).toBe('not downloaded');

    // Watch the download panel: it must show a percentage while the file arrives.
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { seenProgress: string[] }).seenProgress = []);
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="progress-text"]')?.textContent;
        if (t) seen.push(t.trim());
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await row.getByRole('button', { name: 'Download and load Stories (self-hosted)' }).click();
    await page.getByTestId('loaded-model').filter({ hasText: 'Stories (self-hosted)' }).waitFor();
    const seen = await page.evaluate(
      () => (window as unknown as { seenProgress: string[] }).seenProgress,
    );
    expect(seen.some((t) => /\d+%/.test(t))).toBe(true);
    expect(await page.getByTestId('last-load').innerText()).toMatch(
      /Loaded Stories \(self-hosted\) \(1\.1 MB\)/,
    );
    expect(await page.getByTestId('cached-list').innerText()).toContain('Stories (self-hosted)');
    expect(await row.locator('td').nth(3).innerText()).toBe('loaded');

    await page.getByLabel('Prompt').fill('Once upon a time');
    await page.getByLabel('Max tokens').fill('20');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByTestId('answer-stats').waitFor();
    expect((await page.getByTestId('answer').innerText()).trim().length).toBeGreaterThan(0);
    expect(await page.getByTestId('answer-stats').innerText()).toMatch(
      /\d+ prompt tokens, 20 completion tokens/,
    );
    await screenshot(page, 'models');

    await row.getByRole('button', { name: 'Delete Stories (self-hosted)' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await page.getByTestId('cached-list').innerText()).not.toContain(
      'Stories (self-hosted)',
    );
  });

  test('a GGUF picked as a local file loads and generates through the port', async () => {
    await page.getByLabel(/Load a GGUF file from this computer/).setInputFiles(modelFile);
    await page
      .getByTestId('loaded-model')
      .filter({ hasText: 'stories260K.gguf (local file)' })
      .waitFor();
    await page.getByLabel('Max tokens').fill('12');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByTestId('answer-stats').filter({ hasText: '12 completion tokens' }).waitFor();
    expect((await page.getByTestId('answer').innerText()).trim().length).toBeGreaterThan(0);
  });

  test('a custom WebLLM model whose host answers 404 shows the documented error', async () => {
    await page.getByLabel('WebLLM (GPU): weights folder + model library').check();
    await page.getByLabel('Model id').fill('Classroom-Coder-q4f32_1-MLC');
    await page
      .getByLabel('Model URL (weights folder)')
      .fill(`${server.url}classroom/Classroom-Coder`);
    await page.getByLabel('Model library URL (.wasm)').fill(`${server.url}classroom/lib.wasm`);
    await page.getByRole('button', { name: 'Add model' }).click();
    const row = page.locator('tr[data-model-id="Classroom-Coder-q4f32_1-MLC"]');
    await row.getByRole('button', { name: /Download/ }).click();
    // The error sits by the row whose button was clicked, in words (the class name only in a
    // details line).
    const alert = page.locator('tr.row-problem').getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).not.toContain('ModelDownloadError');
    expect(text).toContain('classroom/Classroom-Coder/resolve/main/mlc-chat-config.json');
    expect(text).toContain('404');
    await row.getByRole('button', { name: /^Delete/ }).click();
    await row.waitFor({ state: 'detached' });
  });

  test('a bad custom entry is refused with a named error and nothing is stored', async () => {
    await page.getByLabel('wllama (CPU): one .gguf URL').check();
    await page
      .getByRole('textbox', { name: 'GGUF URL' })
      .fill(`${server.url}models/not-a-model.bin`);
    await page.getByRole('button', { name: 'Add model' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('must end in .gguf');
    expect(await page.locator('section:has(#custom-h) tbody tr').count()).toBe(0);
  });

  test('no page errors', () => {
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
