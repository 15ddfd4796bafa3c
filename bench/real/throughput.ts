/**
 * Throughput part of bench:real: wllama (llama.cpp in WebAssembly, in headless Chromium on a
 * cross-origin-isolated page, so threads work) against native llama.cpp (node-llama-cpp 3.21.1,
 * in this process) on the same GGUF, the same threads and the same work, rounds interleaved so a
 * shared machine's drift hits both alike.
 *
 * Measured the same way on both sides, by wall time of whole calls, greedy:
 * - prefill: a long prompt (about 360 tokens of code) answered with 1 token, minus a short prompt
 *   answered with 1 token, over their difference in prompt tokens;
 * - decode: the short prompt answered with DECODE tokens, minus the short prompt with 1 token,
 *   over the difference in answer tokens.
 * No prompt is reused from the KV cache (cache_prompt off, a fresh sequence natively): every call
 * reads its whole prompt. wllama runs in configurations: Athanor's (WllamaEngine.fromUrl with
 * the thread count it chooses, or the one given) and wllama's own at several n_batch/n_ubatch,
 * each at 1 and at `threads` threads; the best is reported beside ours.
 */
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname } from 'node:path';
import type { Wllama } from '@wllama/wllama/esm/index.js';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { launchBrowser, openPage } from '../../test/support/browser';
import { startViteServer } from '../../test/support/vite-server';

export interface Rates {
  prefillTps: number;
  decodeTps: number;
  promptTokens: number;
  decodeTokens: number;
}
export interface ThroughputResult {
  threads: number[];
  rounds: number;
  native: Record<string, Rates>;
  wllama: Record<string, Rates>;
  /** Chosen by chooseThreads on this machine for the app. */
  appThreads: number;
  /** The 1-minute load average when the part started and ended (absent in older results). */
  load?: { start: number; end: number; cores: number };
}

const DECODE = 64;
const CODE = Array.from(
  { length: 9 },
  (_, i) =>
    `def f${i}(xs: list[int], k: int) -> list[int]:\n    """Return the items of xs that are divisible by ${i + 2} and larger than k."""\n    out = []\n    for x in xs:\n        if x % ${i + 2} == 0 and x > k:\n            out.append(x)\n    return out\n`,
).join('\n');
/** Greedy continuation of a counting list: never meets an end-of-text token within DECODE. */
const SHORT = 'Numbers: 1, 2, 3, 4, 5, 6, 7, 8,';
const LONG = (i: number): string => `# file ${i}\n${CODE}\n${SHORT}`;

interface Sample {
  prompt: number;
  answer: number;
  ms: number;
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2
    : NaN;
};
/** Rates from per-round triples (short, long, decode), as medians of the rounds' rates. */
function rates(rounds: { short: Sample; long: Sample; decode: Sample }[]): Rates {
  const pre = rounds.map(
    (r) => (1000 * (r.long.prompt - r.short.prompt)) / (r.long.ms - r.short.ms),
  );
  const dec = rounds.map(
    (r) => (1000 * (r.decode.answer - r.short.answer)) / (r.decode.ms - r.short.ms),
  );
  return {
    prefillTps: median(pre),
    decodeTps: median(dec),
    promptTokens: rounds[0]!.long.prompt,
    decodeTokens: rounds[0]!.decode.answer,
  };
}

async function nativeSide(modelFile: string) {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: modelFile });
  const contexts = new Map<number, Awaited<ReturnType<typeof model.createContext>>>();
  return {
    async round(threads: number, i: number) {
      let ctx = contexts.get(threads);
      if (!ctx) {
        ctx = await model.createContext({
          contextSize: 4096,
          threads,
          batchSize: 512,
          sequences: 1,
        });
        contexts.set(threads, ctx);
      }
      const seq = ctx.getSequence();
      const call = async (text: string, answer: number): Promise<Sample> => {
        const tokens = model.tokenize(text);
        await seq.clearHistory();
        const t0 = performance.now();
        let n = 0;
        for await (const _t of seq.evaluate(tokens, { temperature: 0 })) {
          if (++n >= answer) break;
        }
        const ms = performance.now() - t0;
        return { prompt: tokens.length, answer: n, ms };
      };
      const short = await call(SHORT, 1);
      const long = await call(LONG(i), 1);
      const decode = await call(SHORT, DECODE);
      seq.dispose();
      return { short, long, decode };
    },
    async close() {
      for (const c of contexts.values()) await c.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

interface WConfig {
  name: string;
  threads: number;
  /** Athanor's engine (WllamaEngine.fromUrl), or wllama's loader with these batch sizes. */
  ours: boolean;
  n_batch?: number;
  n_ubatch?: number;
}

export async function partThroughput(o: {
  quick: boolean;
  modelFile: string;
  threads: number;
  stored: <T>(part: string) => T | undefined;
  keep: (part: string, v: unknown) => void;
  log: (s: string) => void;
}): Promise<void> {
  let r = o.stored<ThroughputResult>('throughput');
  if (!r) r = await measure(o);
  o.keep('throughput', r);
  printThroughput(r, o.threads);
}

async function measure(o: {
  quick: boolean;
  modelFile: string;
  threads: number;
  log: (s: string) => void;
}): Promise<ThroughputResult> {
  const rounds = o.quick ? 1 : Number(process.env.BENCH_REAL_ROUNDS ?? 3);
  // Speed figures are only as good as the machine was quiet: the load is printed beside them.
  const loadStart = loadavg()[0]!;
  const threadSet = [...new Set([1, o.threads])];
  const allConfigs: WConfig[] = threadSet.flatMap((t) => [
    { name: `athanor t${t}`, threads: t, ours: true },
    ...(o.quick
      ? []
      : [
          {
            name: `wllama t${t} batch 512/512`,
            threads: t,
            ours: false,
            n_batch: 512,
            n_ubatch: 512,
          },
          {
            name: `wllama t${t} batch 2048/128`,
            threads: t,
            ours: false,
            n_batch: 2048,
            n_ubatch: 128,
          },
          { name: `wllama t${t} batch 64/64`, threads: t, ours: false, n_batch: 64, n_ubatch: 64 },
        ]),
  ]);
  // BENCH_REAL_WLLAMA=athanor,wllama t1 (prefixes of the configurations' names) runs only those.
  const only = process.env.BENCH_REAL_WLLAMA?.split(',');
  const configs = only
    ? allConfigs.filter((c) => only.some((p) => c.name.startsWith(p)))
    : allConfigs;
  const server = await startViteServer({ mounts: { '/__model/': dirname(o.modelFile) } });
  const browser = await launchBrowser();
  const native = await nativeSide(o.modelFile);
  const url = `/__model/${basename(o.modelFile)}`;
  const nativeRounds = new Map<number, { short: Sample; long: Sample; decode: Sample }[]>();
  const wRounds = new Map<string, { short: Sample; long: Sample; decode: Sample }[]>();
  let appThreads: number;
  try {
    const { page } = await openPage(browser, `${server.url}test/e2e/pages/engines.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    await page.evaluate('globalThis.__name = (f) => f');
    appThreads = await page.evaluate(() => window.engines.chooseThreads());
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    if (!isolated)
      throw new Error('The bench page is not cross-origin isolated: wllama would run one thread.');
    let i = 0;
    for (const c of configs) {
      o.log(`throughput: loading wllama (${c.name})`);
      await page.evaluate(
        async ({ url, c }) => {
          const E = window.engines;
          const g = globalThis as unknown as { __w?: { exit(): Promise<void> } };
          await g.__w?.exit();
          if (c.ours) {
            const engine = await E.WllamaEngine.fromUrl(url, { threads: c.threads });
            g.__w = engine.raw;
          } else {
            const w = E.newWllama();
            await w.loadModelFromUrl(url, {
              n_threads: c.threads,
              n_ctx: 4096,
              n_gpu_layers: 0,
              n_batch: c.n_batch,
              n_ubatch: c.n_ubatch,
            });
            g.__w = w;
          }
        },
        { url, c },
      );
      // One warm-up call each side (WebAssembly tiers up; caches fill), then interleaved rounds.
      await page.evaluate(async () => {
        const wl = (globalThis as unknown as { __w: Wllama }).__w;
        const warm = {
          prompt: 'warm up: 1, 2, 3,',
          max_tokens: 8,
          temperature: 0,
          cache_prompt: false,
        };
        await wl.createCompletion(warm);
      });
      for (let k = 0; k < rounds; k++) {
        const n = i++;
        const nat = await native.round(c.threads, n);
        nativeRounds.set(c.threads, [...(nativeRounds.get(c.threads) ?? []), nat]);
        const w = await page.evaluate(
          async ({ short, long, decode }) => {
            const wl = (globalThis as unknown as { __w: Wllama }).__w;
            const call = async (prompt: string, max: number) => {
              const t0 = performance.now();
              // cache_prompt off: every call reads its whole prompt.
              const req = { prompt, max_tokens: max, temperature: 0, cache_prompt: false };
              const res = await wl.createCompletion(req);
              return {
                ms: performance.now() - t0,
                prompt: res.usage.prompt_tokens,
                answer: res.usage.completion_tokens,
              };
            };
            return {
              short: await call(short, 1),
              long: await call(long, 1),
              decode: await call(short, decode),
            };
          },
          { short: SHORT, long: LONG(n), decode: DECODE },
        );
        wRounds.set(c.name, [...(wRounds.get(c.name) ?? []), w]);
        const nr = rates([nat]);
        const wr = rates([w]);
        o.log(
          `  ${c.name} round ${k + 1}: wllama prefill ${wr.prefillTps.toFixed(1)} decode ${wr.decodeTps.toFixed(1)} tok/s; native t${c.threads} prefill ${nr.prefillTps.toFixed(1)} decode ${nr.decodeTps.toFixed(1)} tok/s`,
        );
      }
    }
    await page.evaluate(async () => {
      await (globalThis as unknown as { __w?: { exit(): Promise<void> } }).__w?.exit();
    });
  } finally {
    await native.close();
    await browser.close();
    await server.close();
  }
  return {
    threads: threadSet,
    rounds,
    native: Object.fromEntries([...nativeRounds].map(([t, rs]) => [`native t${t}`, rates(rs)])),
    wllama: Object.fromEntries([...wRounds].map(([n, rs]) => [n, rates(rs)])),
    appThreads,
    load: { start: loadStart, end: loadavg()[0]!, cores: availableParallelism() },
  };
}

function loadText(r: ThroughputResult): string {
  if (!r.load) return 'machine load not recorded';
  const { start, end, cores } = r.load;
  return `load average ${start.toFixed(2)} at the start, ${end.toFixed(2)} at the end (${cores} cores)`;
}

export function printThroughput(r: ThroughputResult, threads: number): void {
  console.log(
    `\nthroughput: wllama 3.8.1 in Chromium vs native llama.cpp (node-llama-cpp 3.21.1), same GGUF, greedy, ${r.rounds} round(s) each, medians; ${loadText(r)}`,
  );
  const row = (name: string, x: Rates): void =>
    console.log(
      `  ${name.padEnd(28)} prefill ${x.prefillTps.toFixed(1).padStart(7)} tok/s   decode ${x.decodeTps.toFixed(1).padStart(6)} tok/s   (${x.promptTokens}-token prompt, ${x.decodeTokens}-token answer)`,
    );
  for (const [n, x] of Object.entries(r.native)) row(n, x);
  for (const [n, x] of Object.entries(r.wllama)) row(n, x);
  console.log(`  the app chooses ${r.appThreads} thread(s) on this machine`);
  for (const t of r.threads) {
    const nat = r.native[`native t${t}`];
    const ours = r.wllama[`athanor t${t}`];
    if (!nat || !ours) continue;
    const same = Object.entries(r.wllama).filter(([n]) => n.includes(` t${t}`));
    const best = same.reduce((a, b) =>
      b[1].prefillTps / nat.prefillTps + b[1].decodeTps / nat.decodeTps >
      a[1].prefillTps / nat.prefillTps + a[1].decodeTps / nat.decodeTps
        ? b
        : a,
    );
    console.log(
      `  ${t} thread(s): ours prefill ${(ours.prefillTps / nat.prefillTps).toFixed(2)}×, decode ${(ours.decodeTps / nat.decodeTps).toFixed(2)}×; wllama's best (${best[0]}) prefill ${(best[1].prefillTps / nat.prefillTps).toFixed(2)}×, decode ${(best[1].decodeTps / nat.decodeTps).toFixed(2)}×`,
    );
  }
  const nat = r.native[`native t${threads}`];
  const ours = r.wllama[`athanor t${threads}`];
  if (nat && ours)
    console.log(
      `wllama vs native: prefill ${(ours.prefillTps / nat.prefillTps).toFixed(2)}×, decode ${(ours.decodeTps / nat.decodeTps).toFixed(2)}× (${threads} threads, Athanor's wllama engine)`,
    );
}
