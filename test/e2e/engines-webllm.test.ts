/**
 * WebLLM in headless Chromium (WebGPU through SwiftShader). No model can be downloaded on this
 * machine, so these tests cover what happens up to the network and how loading fails: the worker
 * starts and reports its adapter; the catalogue follows the adapter's features; and models that
 * cannot be fetched fail with the documented, named errors — through our quick checks, and through
 * web-llm's own loader when those checks are skipped.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage } from '../support/browser';
import { startViteServer, type DevServer } from '../support/vite-server';

let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // A fake static host: one model whose config is fine but whose library is not WebAssembly.
  const host = mkdtempSync(join(tmpdir(), 'athanor-webllm-host-'));
  mkdirSync(join(host, 'bad-lib', 'resolve', 'main'), { recursive: true });
  writeFileSync(
    join(host, 'bad-lib', 'resolve', 'main', 'mlc-chat-config.json'),
    JSON.stringify({
      model_type: 'qwen2',
      context_window_size: 1024,
      conv_template: { name: 'qwen2' },
    }),
  );
  writeFileSync(
    join(host, 'bad-lib', 'model.wasm'),
    '<html>this is a login page, not a library</html>',
  );
  server = await startViteServer({ mounts: { '/__host/': host } });
  browser = await launchBrowser();
  ({ page } = await openPage(browser, `${server.url}test/e2e/pages/engines.html`));
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Failure {
  name: string;
  code?: string;
  failure?: string;
  url?: string;
  feature?: string;
  message: string;
  ms: number;
}

/** Loads a custom model in the page and returns how it failed (or 'loaded'). */
function loadFailure(
  model: {
    id: string;
    model: string;
    modelLib: string;
    requiredFeatures?: string[];
    memoryMB?: number;
  },
  opts: { skipPreflight?: boolean; abortAfterMs?: number } = {},
): Promise<Failure | 'loaded'> {
  return page.evaluate(
    async ({ model, opts }) => {
      const abs = (u: string) => new URL(u, location.href).href;
      const m = { ...model, model: abs(model.model), modelLib: abs(model.modelLib) };
      const ac = new AbortController();
      if (opts.abortAfterMs !== undefined) setTimeout(() => ac.abort(), opts.abortAfterMs);
      const t0 = performance.now();
      try {
        const engine = await window.engines.WebLlmEngine.load(m, {
          skipPreflight: opts.skipPreflight,
          signal: ac.signal,
        });
        await engine.unload();
        return 'loaded' as const;
      } catch (e) {
        const err = e as Error & {
          code?: string;
          failure?: string;
          url?: string;
          feature?: string;
        };
        return {
          name: err.name,
          code: err.code,
          failure: err.failure,
          url: err.url,
          feature: err.feature,
          message: err.message,
          ms: performance.now() - t0,
        };
      }
    },
    { model, opts },
  );
}

describe('WebLLM worker and adapter', () => {
  test('the worker starts and reports the same adapter and features as the page', async () => {
    const out = await page.evaluate(async () => {
      const E = window.engines;
      const worker = E.startLlmWorker();
      try {
        const inWorker = await E.probeWorker(worker);
        const onPage = await E.probeWebGpu();
        return { inWorker, onPage };
      } finally {
        worker.terminate();
      }
    });
    expect(out.inWorker.available).toBe(true);
    expect(out.inWorker.features.length).toBeGreaterThan(0);
    expect(out.inWorker.features).toEqual(out.onPage.features);
    expect(out.inWorker.shaderF16).toBe(out.inWorker.features.includes('shader-f16'));
    expect(out.inWorker.limits.maxBufferSize).toBeGreaterThan(0);
    console.log(
      'adapter',
      JSON.stringify({ ...out.inWorker, features: out.inWorker.features.join(' ') }),
    );
  });

  test('the catalogue lists the code models first, in the build the adapter can run', async () => {
    const out = await page.evaluate(async () => {
      const gpu = await window.engines.probeWebGpu();
      return {
        gpu,
        entries: window.engines.webLlmCatalogue(
          await window.engines.webLlmPrebuilt(),
          gpu.shaderF16,
        ),
      };
    });
    const quant = out.gpu.shaderF16 ? 'q4f16_1' : 'q4f32_1';
    expect(out.entries.slice(0, 4).map((e) => e.id)).toEqual(
      ['0.5B', '1.5B', '3B', '7B'].map((s) => `Qwen2.5-Coder-${s}-Instruct-${quant}-MLC`),
    );
    const chat = out.entries.filter((e) => e.kind !== 'embedding');
    expect(chat.every((e) => e.id.includes(quant))).toBe(true);
    expect(chat.length).toBeGreaterThan(6);
    // The embedding model for GPO's relevance retrieval is listed too (f32 weights, any adapter).
    expect(out.entries.filter((e) => e.kind === 'embedding').map((e) => e.id)).toEqual([
      'snowflake-arctic-embed-s-q0f32-MLC-b4',
    ]);
    for (const e of out.entries) {
      expect(e.memoryMB).toBeGreaterThan(100);
      expect(e.downloadBytes).toBeGreaterThan(100e6);
      expect(e.modelLib).toMatch(/\.wasm$/);
    }
  });
});

describe('WebLLM failures give the documented errors', () => {
  test('a model URL that answers 404', async () => {
    const f = await loadFailure({
      id: 'missing-q4f32_1-MLC',
      model: '/__host/missing',
      modelLib: '/__host/bad-lib/model.wasm',
    });
    expect(f).toMatchObject({
      name: 'ModelDownloadError',
      code: 'download-failed',
      failure: 'not-found',
    });
    const err = f as Failure;
    expect(err.url).toContain('/__host/missing/resolve/main/mlc-chat-config.json');
    expect(err.message).toContain('404');
    expect(err.message).toContain('resolve/main');
  });

  test('the embedding model loads up to the network, and says the host answered 404', async () => {
    const f = await page.evaluate(async () => {
      const abs = (u: string) => new URL(u, location.href).href;
      try {
        await window.engines.WebLlmEmbedder.load({
          id: 'snowflake-arctic-embed-s-q0f32-MLC-b4',
          model: abs('/__host/missing-embed'),
          modelLib: abs('/__host/bad-lib/model.wasm'),
        });
        return 'loaded';
      } catch (e) {
        const err = e as Error & { failure?: string };
        return { name: err.name, failure: err.failure, message: err.message };
      }
    });
    expect(f).toMatchObject({ name: 'ModelDownloadError', failure: 'not-found' });
  });

  test('a model library that is not WebAssembly', async () => {
    const f = await loadFailure({
      id: 'bad-lib-q4f32_1-MLC',
      model: '/__host/bad-lib',
      modelLib: '/__host/bad-lib/model.wasm',
    });
    expect(f).toMatchObject({ name: 'ModelDownloadError', failure: 'wrong-file' });
    expect((f as Failure).url).toContain('/__host/bad-lib/model.wasm');
    expect((f as Failure).message).toContain('model library');
  });

  test("web-llm's own loader fails the same ways when the quick checks are skipped", async () => {
    const missing = await loadFailure(
      {
        id: 'missing2-q4f32_1-MLC',
        model: '/__host/missing2',
        modelLib: '/__host/bad-lib/model.wasm',
      },
      { skipPreflight: true },
    );
    // web-llm says only "Request failed"; the engine asks the host afterwards and names the 404.
    expect(missing).toMatchObject({ name: 'ModelDownloadError', failure: 'not-found' });
    const badLib = await loadFailure(
      {
        id: 'bad-lib2-q4f32_1-MLC',
        model: '/__host/bad-lib',
        modelLib: '/__host/bad-lib/model.wasm',
      },
      { skipPreflight: true },
    );
    expect(badLib).toMatchObject({ name: 'ModelDownloadError', failure: 'wrong-file' });
    console.log(
      'web-llm own errors:',
      (missing as Failure).message,
      '|',
      (badLib as Failure).message,
    );
  });

  test('a missing adapter feature, and a model too big for the device', async () => {
    const feature = await loadFailure({
      id: 'needs-feature-q4f32_1-MLC',
      model: '/__host/bad-lib',
      modelLib: '/__host/bad-lib/model.wasm',
      requiredFeatures: ['athanor-imaginary-feature'],
    });
    expect(feature).toMatchObject({
      name: 'MissingFeatureError',
      code: 'missing-feature',
      feature: 'athanor-imaginary-feature',
    });
    const f16 = await loadFailure({
      id: 'some-model-q4f16_1-MLC',
      model: '/__host/bad-lib',
      modelLib: '/__host/bad-lib/model.wasm',
    });
    const hasF16 = await page.evaluate(async () => (await window.engines.probeWebGpu()).shaderF16);
    if (hasF16) expect(f16).toMatchObject({ failure: 'wrong-file' });
    else expect(f16).toMatchObject({ name: 'MissingFeatureError', feature: 'shader-f16' });
    const huge = await loadFailure({
      id: 'huge-q4f32_1-MLC',
      model: '/__host/bad-lib',
      modelLib: '/__host/bad-lib/model.wasm',
      memoryMB: 10_000_000,
    });
    expect(huge).toMatchObject({ name: 'OutOfMemoryError', code: 'out-of-memory' });
  });

  test('cancelling a load rejects with AbortError', async () => {
    const f = await loadFailure(
      {
        id: 'cancelled-q4f32_1-MLC',
        model: '/__host/bad-lib',
        modelLib: '/__host/bad-lib/model.wasm',
      },
      { abortAfterMs: 0 },
    );
    expect(f).toMatchObject({ name: 'AbortError', code: 'aborted' });
  });

  test('cache queries answer for models never downloaded', async () => {
    const out = await page.evaluate(async () => {
      const m = {
        id: 'never-q4f32_1-MLC',
        model: new URL('/__host/never', location.href).href,
        modelLib: 'x.wasm',
      };
      const before = await window.engines.isWebLlmCached(m);
      await window.engines.deleteWebLlmCache(m);
      return { before, after: await window.engines.isWebLlmCached(m) };
    });
    expect(out).toEqual({ before: false, after: false });
  });
});
