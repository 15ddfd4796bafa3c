/**
 * Part of `npm run bench:llm`: a batch of requests sharing one system prompt (as the scorer sends
 * them: one prompt, every task back to back) through WllamaEngine with the real tiny model, with
 * wllama's KV-cache reuse of the shared prefix on and off (`WllamaEngine.reusePrefix`, llama.cpp's
 * `cache_prompt`). Rounds alternate the two so drift hits both; prints the ratio.
 */
import type { Page } from 'playwright-core';

export async function measurePrefixReuse(
  page: Page,
  o: { url: string; rounds: number; batch: number },
): Promise<void> {
  const r = await page.evaluate(async ({ url, rounds, batch }) => {
    const engine = await window.engines.WllamaEngine.fromUrl(url, { contextSize: 2048 });
    const system = Array.from(
      { length: 40 },
      (_, i) =>
        `Rule ${i + 1}: the little girl named Lily always read the whole story twice before she answered.`,
    ).join(' ');
    const run = async (reuse: boolean) => {
      engine.reusePrefix = reuse;
      // Another prefix first, so no batch starts with the previous batch's prefix in cache.
      await engine.complete({
        messages: [{ role: 'user', content: 'Once upon a time' }],
        sampling: { temperature: 0, max_tokens: 1 },
        purpose: 'generate',
      });
      const t0 = performance.now();
      let prompt = 0;
      for (let i = 0; i < batch; i++) {
        const c = await engine.complete({
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: `Task ${i + 1}: tell a story about a dog and ${i + 2} cats.` },
          ],
          sampling: { temperature: 0, max_tokens: 8 },
          purpose: 'generate',
        });
        prompt += c.usage.promptTokens;
      }
      return { ms: performance.now() - t0, prompt };
    };
    await run(true);
    await run(false);
    const out: { reuse: boolean; ms: number; prompt: number }[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? [true, false] : [false, true];
      for (const reuse of order) out.push({ reuse, ...(await run(reuse)) });
    }
    await engine.unload();
    return out;
  }, o);
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const on = r.filter((x) => x.reuse);
  const off = r.filter((x) => !x.reuse);
  const ratios: number[] = [];
  for (let i = 0; i + 1 < r.length; i += 2) {
    const [a, b] = [r[i]!, r[i + 1]!];
    ratios.push((a.reuse ? b : a).ms / (a.reuse ? a : b).ms);
  }
  console.log(
    `\nprefix reuse — ${o.batch} requests sharing a ${Math.round((on[0]?.prompt ?? 0) / o.batch)}-token prompt (system + task), 8 tokens each, ${o.rounds} rounds`,
  );
  console.log(`cache reuse on : ${median(on.map((x) => x.ms)).toFixed(0)} ms per batch (median)`);
  console.log(`cache reuse off: ${median(off.map((x) => x.ms)).toFixed(0)} ms per batch (median)`);
  console.log(
    `prefix-reuse ratio (off / on, median of paired rounds): ${median(ratios).toFixed(2)}×`,
  );
}
