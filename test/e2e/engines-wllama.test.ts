/**
 * wllama with the real stories260K model, through LlmPort, in headless Chromium: token counts,
 * stop strings, max_tokens, cancel and timeout, seeded sampling, then the cache (over the real
 * IndexedDB repository) and replay round-trips of a recorded log.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LlmPort } from '../../src/core/ports';
import type { WllamaEngine } from '../../src/engines/wllama';
import { launchBrowser, openPage } from '../support/browser';
import { requireShared } from '../support/paths';
import { startViteServer, type DevServer } from '../support/vite-server';

const MODEL = '/__shared/models/stories260K.gguf';

let server: DevServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  requireShared('models', 'stories260K.gguf');
  server = await startViteServer();
  browser = await launchBrowser();
  ({ page, errors } = await openPage(browser, `${server.url}test/e2e/pages/engines.html`));
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  await page.evaluate(async (url) => {
    const w = window as unknown as { llm: unknown };
    w.llm = await window.engines.WllamaEngine.fromUrl(url);
  }, MODEL);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Req = Parameters<LlmPort['complete']>[0];
const req = (over: Partial<Req['sampling']> = {}, content = 'Once upon a time'): Req => ({
  messages: [{ role: 'user', content }],
  sampling: { temperature: 0, max_tokens: 24, ...over },
  purpose: 'generate',
});

/** Runs one request on the loaded engine in the page. */
function complete(r: Req) {
  return page.evaluate(async (r) => {
    const llm = (window as unknown as { llm: WllamaEngine }).llm;
    return llm.complete(r);
  }, r);
}

describe('wllama through LlmPort', () => {
  test('reports the model, token counts and a length stop at max_tokens', async () => {
    const c = await complete(req({ max_tokens: 16 }));
    expect(c.model).toBe('stories260K.gguf');
    expect(c.text.length).toBeGreaterThan(0);
    expect(c.usage.completionTokens).toBe(16);
    expect(c.usage.promptTokens).toBeGreaterThan(3);
    expect(c.finishReason).toBe('length');
    expect(c.latencyMs).toBeGreaterThan(0);
    const longer = await complete(req({ max_tokens: 32 }));
    expect(longer.usage.completionTokens).toBe(32);
    // Greedy decoding: the longer answer continues the shorter one.
    expect(longer.text.startsWith(c.text)).toBe(true);
  });

  test('stops at a stop string and leaves it out', async () => {
    const free = await complete(req({ max_tokens: 48 }));
    // Stop at the first word boundary that appears after the start of the free answer.
    const word = free.text.trim().split(/\s+/)[1];
    expect(word).toBeTruthy();
    const stopped = await complete(req({ max_tokens: 48, stop: [` ${word!}`] }));
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).not.toContain(` ${word!}`);
    expect(free.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.usage.completionTokens).toBeLessThan(48);
  });

  test('the same seed gives the same text at temperature > 0; another seed differs', async () => {
    const sampled = { temperature: 1.2, top_p: 0.95, max_tokens: 40 };
    const a = await complete(req({ ...sampled, seed: 11 }));
    const b = await complete(req({ ...sampled, seed: 11 }));
    expect(b.text).toBe(a.text);
    const others = await Promise.all(
      [12, 13, 14].map((seed) => complete(req({ ...sampled, seed }))),
    );
    expect(others.some((o) => o.text !== a.text)).toBe(true);
  });

  test('an AbortSignal cancels a request with the named error, and the engine still works', async () => {
    const outcome = await page.evaluate(async (r) => {
      const llm = (window as unknown as { llm: WllamaEngine }).llm;
      const ac = new AbortController();
      const pending = llm.complete(
        { ...r, sampling: { ...r.sampling, max_tokens: 4000 } },
        ac.signal,
      );
      setTimeout(() => ac.abort(), 30);
      const t0 = performance.now();
      const err = await pending.then(
        () => undefined,
        (e: Error) => ({ name: e.name, code: (e as { code?: string }).code }),
      );
      const after = await llm.complete(r);
      return { err, waited: performance.now() - t0, after: after.usage.completionTokens };
    }, req());
    expect(outcome.err).toEqual({ name: 'AbortError', code: 'aborted' });
    expect(outcome.after).toBe(24);
  });

  test('a per-request timeout rejects with TimeoutError', async () => {
    const err = await page.evaluate(async (r) => {
      const llm = (window as unknown as { llm: WllamaEngine }).llm;
      return llm
        .complete({ ...r, sampling: { ...r.sampling, max_tokens: 4000 }, timeoutMs: 20 })
        .then(
          () => undefined,
          (e: Error) => ({ name: e.name, code: (e as { code?: string }).code, message: e.message }),
        );
    }, req());
    expect(err?.name).toBe('TimeoutError');
    expect(err?.code).toBe('timeout');
    expect(err?.message).toContain('20 ms');
  });

  test('a wrong file is refused with the documented errors', async () => {
    const result = await page.evaluate(async () => {
      const E = window.engines;
      const out: Record<string, unknown> = {};
      for (const [label, url] of [
        ['missing', '/__shared/models/no-such-model.gguf'],
        ['not-gguf', '/test/e2e/pages/engines.html?x=.gguf'],
        ['no-suffix', '/test/e2e/pages/engines.html'],
      ] as const) {
        out[label] = await E.WllamaEngine.fromUrl(url).then(
          () => 'loaded?!',
          (e: Error) => ({ name: e.name, failure: (e as { failure?: string }).failure }),
        );
      }
      const picked = new File(['not a model at all'], 'notes.gguf');
      out.file = await E.WllamaEngine.fromFiles([picked]).then(
        () => 'loaded?!',
        (e: Error) => ({ name: e.name, message: e.message }),
      );
      return out;
    });
    expect(result.missing).toEqual({ name: 'ModelDownloadError', failure: 'not-found' });
    expect(result['not-gguf']).toEqual({ name: 'ModelDownloadError', failure: 'wrong-file' });
    expect(result['no-suffix']).toEqual({ name: 'ModelDownloadError', failure: 'wrong-file' });
    expect(result.file).toMatchObject({ name: 'BadModelFileError' });
    expect((result.file as { message: string }).message).toContain('GGUF');
  });
});

describe('cache and replay around the real engine', () => {
  test('the cache stores deterministic answers in IndexedDB and serves hits without the model', async () => {
    const out = await page.evaluate(async (r) => {
      const { engines: E, store: S } = window;
      const llm = (window as unknown as { llm: WllamaEngine }).llm;
      const db = new S.AthanorDb('engines-cache-test');
      await db.completions.clear();
      const repo = S.completionRepo(db);
      let modelCalls = 0;
      const counting = {
        modelId: llm.modelId,
        complete: (q: typeof r, s?: AbortSignal) => (modelCalls++, llm.complete(q, s)),
      };
      const cached = new E.CachedEngine(counting, repo);
      const first = await cached.complete(r);
      const second = await cached.complete(r);
      const seeded = { ...r, sampling: { ...r.sampling, temperature: 0.9, seed: 5 } };
      const s1 = await cached.complete(seeded);
      const s2 = await cached.complete(seeded);
      const sampled = { ...r, sampling: { ...r.sampling, temperature: 0.9 } };
      await cached.complete(sampled);
      await cached.complete(sampled);
      // A new wrapper over the same database: the hit survives the wrapper (and a reload).
      const again = await new E.CachedEngine(
        counting,
        S.completionRepo(new S.AthanorDb('engines-cache-test')),
      ).complete(r);
      const rows = await db.completions.count();
      return { first, second, s1, s2, again, stats: cached.stats, modelCalls, rows };
    }, req());
    expect(out.first.cached).toBeUndefined();
    expect(out.second).toMatchObject({ text: out.first.text, cached: true, latencyMs: 0 });
    expect(out.s2).toMatchObject({ text: out.s1.text, cached: true });
    expect(out.again).toMatchObject({ text: out.first.text, cached: true });
    expect(out.stats).toEqual({ hits: 2, misses: 2, bypassed: 2 });
    expect(out.modelCalls).toBe(4);
    expect(out.rows).toBe(2);
  });

  test('a recorded log replays the same answers, and a miss names the request', async () => {
    const out = await page.evaluate(async (r) => {
      const { engines: E, store: S } = window;
      const llm = (window as unknown as { llm: WllamaEngine }).llm;
      const db = new S.AthanorDb('engines-replay-test');
      await db.completions.clear();
      const repo = S.completionRepo(db);
      const recorder = new E.RecordingEngine(llm, repo);
      const sampled = { ...r, sampling: { ...r.sampling, temperature: 1.0 } };
      const live = [
        await recorder.complete(r),
        await recorder.complete(sampled),
        await recorder.complete(sampled),
      ];
      const log = await repo.byModel(llm.modelId);
      // Round-trip through JSON, as an exported run bundle would.
      const replay = await E.ReplayEngine.fromLog(llm.modelId, JSON.parse(JSON.stringify(log)));
      const replayed = [
        await replay.complete(r),
        await replay.complete(sampled),
        await replay.complete(sampled),
      ];
      const greedyAgain = await replay.complete(r);
      const fail = async (q: typeof r) =>
        replay.complete(q).then(
          () => 'answered?!',
          (e: Error) => ({ name: e.name, message: e.message, key: (e as { key?: string }).key }),
        );
      const exhausted = await fail(sampled);
      const missing = await fail({
        ...r,
        messages: [{ role: 'user', content: 'A prompt never recorded' }],
      });
      const otherModel = await (
        await E.ReplayEngine.fromLog('another-model', log)
      )
        .complete(r)
        .then(
          () => 'answered?!',
          (e: Error) => e.name,
        );
      return { live, replayed, greedyAgain, exhausted, missing, otherModel, logSize: log.length };
    }, req());
    expect(out.logSize).toBe(3);
    expect(out.replayed.map((c) => c.text)).toEqual(out.live.map((c) => c.text));
    expect(out.replayed.map((c) => c.usage)).toEqual(out.live.map((c) => c.usage));
    expect(out.greedyAgain.text).toBe(out.live[0]!.text);
    expect(out.exhausted).toMatchObject({ name: 'ReplayMissError' });
    expect(out.missing).toMatchObject({ name: 'ReplayMissError' });
    expect((out.missing as { message: string }).message).toContain('A prompt never recorded');
    expect((out.missing as { message: string }).message).toContain(
      (out.missing as { key: string }).key.slice(0, 12),
    );
    expect(out.otherModel).toBe('ReplayMissError');
  });

  test('no page errors', () => {
    expect(errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});
