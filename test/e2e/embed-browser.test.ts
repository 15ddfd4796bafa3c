/**
 * GPO retrieves by meaning through a real EmbedPort in headless Chromium (issue 16). No embedding
 * GGUF can be downloaded on the test machine, so the port is wllama's embedder over the tiny real
 * model stories260K — its own mean-pooled hidden states, through the very code path an embedding
 * model (bge-small, in the catalogue) takes. The relevance ordering is what those embeddings say;
 * the GPO run (scripted writer, scripted grader) scores its late candidates instead of refusing
 * them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { denseCosine } from '../../src/core/text';
import { launchBrowser, openPage } from '../support/browser';
import { requireShared } from '../support/paths';
import { startViteServer, type DevServer } from '../support/vite-server';

let server: DevServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  requireShared('models', 'stories260K.gguf');
  server = await startViteServer();
  browser = await launchBrowser();
  ({ page, errors } = await openPage(browser, `${server.url}test/e2e/pages/embed.html`));
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent === 'ready',
    null,
    {
      timeout: 120_000,
    },
  );
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('wllama embeddings of the real tiny model, through EmbedPort', () => {
  test('one vector per text, of one length, identical texts identical', async () => {
    const texts = [
      'Once upon a time there was a girl.',
      'The cat sat on the mat.',
      'Once upon a time there was a girl.',
    ];
    const v = await page.evaluate((t) => window.embedPage.embed(t), texts);
    expect(v).toHaveLength(3);
    expect(v[0]!.length).toBeGreaterThan(8);
    expect(new Set(v.map((x) => x.length)).size).toBe(1);
    expect(denseCosine(v[0]!, v[2]!)).toBeCloseTo(1, 5);
    expect(denseCosine(v[0]!, v[1]!)).toBeLessThan(0.9999);
    expect(await page.evaluate(() => window.embedPage.modelId)).toBe('stories260K.gguf');
  });

  test('relevance retrieval orders past prompts by the model’s similarity, most similar last', async () => {
    const query = 'Once upon a time there was a little girl named Lily. She loved to play outside.';
    const docs = [
      '7 + 8 = 15; 12 * 3 = 36; 100 / 4 = 25.',
      'Once upon a time there was a little girl named Lucy. She loved to play outside.',
      'Once upon a time there was a little boy. He liked his red ball.',
      'zxq vvb kkp ### @@@ 0x1f 0x2e',
    ];
    const vectors = await page.evaluate((t) => window.embedPage.embed(t), [query, ...docs]);
    const sims = docs.map((_, i) => denseCosine(vectors[0]!, vectors[i + 1]!));
    // What the port's vectors say, computed here independently of retrieve().
    const byModel = docs
      .map((d, i) => ({ d, s: sims[i]! }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 3)
      .reverse()
      .map((x) => x.d);
    const shown = await page.evaluate(([q, d]) => window.embedPage.order(q, d, 3), [
      query,
      docs,
    ] as const);
    expect(shown).toEqual(byModel);
    // And the model's similarity is about meaning, not noise: the near-identical story is closest.
    expect(shown[2]).toBe(docs[1]);
    expect(sims[1]!).toBeGreaterThan(sims[3]!);
  });

  test('GPO with real embeddings and a scripted grader: every late step scores its candidates', async () => {
    const r = await page.evaluate(() => window.embedPage.runGpo());
    expect(r.embedded).toBeGreaterThan(0);
    expect(r.budgets).toHaveLength(8);
    for (const b of r.budgets.slice(5)) {
      expect(b.accepted).toBe(3);
      expect(b.distances.every((d) => d > b.words)).toBe(true);
    }
    expect(r.variants?.scored).toBe(24);
    expect(r.stopReason).toBe('max-steps');
    // The dev server has no favicon; anything else logged as an error fails the test.
    expect(errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  }, 120_000);
});
