/**
 * `npm run bench:llm`: tokens per second through LlmPort (WllamaEngine.complete) against wllama
 * called directly (createCompletion) with the same model, prompt and settings, in headless
 * Chromium (wllama is browser-only). Rounds alternate between the two so that drift (thermal,
 * other processes on a shared machine) hits both alike. Target: the port costs less than 5%.
 *
 * Then the prefix-reuse batch (bench/prefix-reuse.ts): one system prompt shared by 8 requests,
 * wllama's KV-cache reuse on vs off, printed as a ratio.
 *
 * Env: BENCH_PREFIX_ROUNDS (default 4), BENCH_ROUNDS (default 20), BENCH_TOKENS (default 256), BENCH_MODEL (a path under
 * ../shared, default models/stories260K.gguf).
 *
 * Then the server engine (bench/llm-server.ts): the same requests at c = 1, 2, 4 through the
 * port and through a raw client, ending with `server port efficiency at c=4: X%`.
 */
import { launchBrowser, openPage } from '../test/support/browser';
import { benchServer } from './llm-server';
import { measurePrefixReuse } from './prefix-reuse';
import { requireShared } from '../test/support/paths';
import { startViteServer } from '../test/support/vite-server';

const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
const maxTokens = Number(process.env.BENCH_TOKENS ?? 256);
const modelPath = process.env.BENCH_MODEL ?? 'models/stories260K.gguf';
requireShared(...modelPath.split('/'));

interface Sample {
  way: 'port' | 'direct';
  tokens: number;
  ms: number;
}

const server = await startViteServer();
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser, `${server.url}test/e2e/pages/engines.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  // tsx (esbuild keepNames) wraps named functions in __name(), which the page does not have.
  await page.evaluate('globalThis.__name = (f) => f');
  const result = await page.evaluate(
    async ({ url, rounds, maxTokens }) => {
      const E = window.engines;
      const engine = await E.WllamaEngine.fromUrl(url);
      const messages = [{ role: 'user' as const, content: 'Once upon a time, in a small town,' }];
      const sampling = { temperature: 0, max_tokens: maxTokens };
      const viaPort = async () => {
        const t0 = performance.now();
        const c = await engine.complete({ messages, sampling, purpose: 'generate' });
        return { tokens: c.usage.completionTokens, ms: performance.now() - t0 };
      };
      // The same call the engine makes inside (a base model without a chat template gets the
      // plain transcript), minus the port: no signal plumbing, queue, stop cut or mapping.
      const direct = async () => {
        const t0 = performance.now();
        const r = await engine.raw.createCompletion({
          prompt: E.transcript(messages),
          temperature: 0,
          max_tokens: maxTokens,
        });
        return { tokens: r.usage.completion_tokens, ms: performance.now() - t0 };
      };
      for (let i = 0; i < 3; i++) {
        await viaPort();
        await direct();
      }
      const samples: { way: 'port' | 'direct'; tokens: number; ms: number }[] = [];
      for (let i = 0; i < rounds; i++) {
        const order = i % 2 === 0 ? (['port', 'direct'] as const) : (['direct', 'port'] as const);
        for (const way of order)
          samples.push({ way, ...(await (way === 'port' ? viaPort() : direct())) });
      }
      const check = await engine.complete({
        messages,
        sampling: { ...sampling, max_tokens: 1 },
        purpose: 'generate',
      });
      const checkDirect = await engine.raw.createCompletion({
        prompt: E.transcript(messages),
        temperature: 0,
        max_tokens: 1,
      });
      return {
        samples,
        threads: engine.threads,
        model: engine.modelId,
        promptTokens: { port: check.usage.promptTokens, direct: checkDirect.usage.prompt_tokens },
      };
    },
    { url: `/__shared/${modelPath}`, rounds, maxTokens },
  );

  const stats = (way: Sample['way']) => {
    const s = result.samples.filter((x) => x.way === way);
    const rates = s.map((x) => (x.tokens / x.ms) * 1000).sort((a, b) => a - b);
    const median = rates[Math.floor(rates.length / 2)] ?? 0;
    const tokens = s.reduce((n, x) => n + x.tokens, 0);
    const ms = s.reduce((n, x) => n + x.ms, 0);
    return { median, overall: (tokens / ms) * 1000, tokensPerCall: tokens / s.length };
  };
  const port = stats('port');
  const direct = stats('direct');
  const cost = (1 - port.overall / direct.overall) * 100;
  console.log(
    `bench:llm — ${result.model}, ${result.threads} thread(s), ${rounds} rounds × ${maxTokens} max tokens, greedy`,
  );
  console.log(
    `prompt tokens: port ${result.promptTokens.port}, direct ${result.promptTokens.direct}`,
  );
  console.log('way      tokens/call  tokens/s (median)  tokens/s (overall)');
  for (const [name, s] of [
    ['direct', direct],
    ['LlmPort', port],
  ] as const) {
    console.log(
      `${name.padEnd(8)} ${s.tokensPerCall.toFixed(0).padStart(11)}  ${s.median.toFixed(0).padStart(17)}  ${s.overall.toFixed(0).padStart(18)}`,
    );
  }
  // Paired: each round ran both ways back to back; the median of the per-round ratios shrugs off
  // the stalls a shared 2-core machine throws into single calls.
  const ratios: number[] = [];
  for (let i = 0; i + 1 < result.samples.length; i += 2) {
    const [a, b] = [result.samples[i]!, result.samples[i + 1]!];
    const p = a.way === 'port' ? a : b;
    const d = a.way === 'port' ? b : a;
    ratios.push(p.tokens / p.ms / (d.tokens / d.ms));
  }
  ratios.sort((x, y) => x - y);
  const pairedCost = (1 - (ratios[Math.floor(ratios.length / 2)] ?? 1)) * 100;
  console.log(
    `port cost: ${cost.toFixed(2)}% overall, ${pairedCost.toFixed(2)}% median of paired rounds (target < 5%)`,
  );
  await measurePrefixReuse(page, {
    url: `/__shared/${modelPath}`,
    rounds: Number(process.env.BENCH_PREFIX_ROUNDS ?? 4),
    batch: 8,
  });
} finally {
  await browser.close();
  await server.close();
}

await benchServer();
