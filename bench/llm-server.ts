/**
 * The server part of `npm run bench:llm`: the same requests at c = 1, 2 and 4 in flight, through
 * the LlmPort the runner uses (serverPort: the OpenAI client behind the prefetching wrapper,
 * driven the way the scorer drives it — answers consumed in order, later ones announced ahead)
 * and through a raw fetch client (c workers posting the same bodies, reading the stream to its
 * end), against the test server (node-llama-cpp 3.21.1 with stories260K, `parallel` 4). Both
 * ways run in one process, alternating round by round, so machine drift hits both alike.
 *
 * Prints tokens/s for each way and c (overall), and the final line
 * `server port efficiency at c=4: X%`: port throughput over the raw client's, as the median of
 * the rounds' paired ratios (each round runs both ways back to back), which shrugs off the
 * stalls a shared machine throws into single rounds; target >= 90%.
 *
 * Env: BENCH_SERVER_REQUESTS (default 24 per round), BENCH_SERVER_ROUNDS (default 7),
 * BENCH_SERVER_TOKENS (default 96 max tokens per answer).
 */
import type { CompletionRequest } from '../src/core/types';
import { serverPort } from '../src/engines/openai';
import { spawnOpenAiServer } from '../test/support/openai-server';

const requests = Number(process.env.BENCH_SERVER_REQUESTS ?? 24);
const rounds = Number(process.env.BENCH_SERVER_ROUNDS ?? 7);
const maxTokens = Number(process.env.BENCH_SERVER_TOKENS ?? 96);
const LEVELS = [1, 2, 4];

const PROMPTS = [
  'Tell me a story about a cat.',
  'Once upon a time, in a small town,',
  'Write a story about a dog and a ball.',
  'Lily went to the park.',
];

/** Seeded sampling: every way gets the same answers, so the same number of tokens. */
const request = (i: number): CompletionRequest => ({
  messages: [{ role: 'user', content: PROMPTS[i % PROMPTS.length]! }],
  sampling: { temperature: 0.8, seed: 1000 + i, max_tokens: maxTokens },
  purpose: 'generate',
});

interface Measure {
  tokens: number;
  ms: number;
}

export async function benchServer(): Promise<void> {
  // In its own process, like a real server: the client measured shares no event loop with it.
  const server = await spawnOpenAiServer({ parallel: 4 });
  try {
    const reqs = Array.from({ length: requests }, (_, i) => request(i));

    /** Through the port, as the scorer uses it. */
    async function viaPort(c: number): Promise<Measure> {
      const port = serverPort({ apiBase: server.apiBase, model: server.model, concurrency: c });
      const scope = new AbortController();
      let announced = 0;
      let tokens = 0;
      const t0 = performance.now();
      for (let j = 0; j < reqs.length; j++) {
        while (c > 1 && announced < Math.min(reqs.length, j + 2 * c))
          await port.prefetch!(reqs[announced++]!, scope.signal);
        const answer = await port.complete(reqs[j]!);
        tokens += answer.usage.completionTokens;
      }
      const ms = performance.now() - t0;
      scope.abort();
      return { tokens, ms };
    }

    /** A raw client: c workers, each posting the next body and reading its stream to the end. */
    async function direct(c: number): Promise<Measure> {
      let next = 0;
      const counts: number[] = [];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: c }, async () => {
          for (let i = next++; i < reqs.length; i = next++) {
            const r = reqs[i]!;
            const res = await fetch(`${server.apiBase}/chat/completions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                model: server.model,
                messages: r.messages,
                ...r.sampling,
                stream: true,
                stream_options: { include_usage: true },
              }),
            });
            const text = await res.text();
            const usage = /"completion_tokens":(\d+)/.exec(text);
            counts.push(Number(usage?.[1] ?? 0));
          }
        }),
      );
      return { tokens: counts.reduce((a, b) => a + b, 0), ms: performance.now() - t0 };
    }

    // Warm-up: the first requests pay for page faults and allocator growth.
    await direct(4);
    await viaPort(4);

    const totals = new Map<string, Measure>();
    const ratios = new Map<number, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const c of LEVELS) {
        const order =
          round % 2 === 0 ? (['port', 'direct'] as const) : (['direct', 'port'] as const);
        const got: Record<string, Measure> = {};
        for (const way of order) {
          got[way] = way === 'port' ? await viaPort(c) : await direct(c);
          const key = `${way}:${c}`;
          const t = totals.get(key) ?? { tokens: 0, ms: 0 };
          totals.set(key, { tokens: t.tokens + got[way]!.tokens, ms: t.ms + got[way]!.ms });
        }
        const rate = (m: Measure): number => m.tokens / m.ms;
        ratios.set(c, [...(ratios.get(c) ?? []), rate(got.port!) / rate(got.direct!)]);
      }
    }

    const rate = (key: string): number => {
      const t = totals.get(key)!;
      return (t.tokens / t.ms) * 1000;
    };
    console.log('');
    console.log(
      `bench:llm server — node-llama-cpp 3.21.1 test server (stories260K, parallel 4, 1 thread), ${rounds} rounds × ${requests} requests × ${maxTokens} max tokens, seeded sampling, streamed`,
    );
    console.log(
      'c   raw client tok/s   LlmPort tok/s   port/raw (overall)   port/raw (median of rounds)',
    );
    for (const c of LEVELS) {
      const r = ratios.get(c)!.sort((a, b) => a - b);
      console.log(
        `${String(c).padEnd(3)} ${rate(`direct:${c}`).toFixed(0).padStart(16)}   ${rate(`port:${c}`)
          .toFixed(0)
          .padStart(
            13,
          )}   ${((rate(`port:${c}`) / rate(`direct:${c}`)) * 100).toFixed(1).padStart(17)}%   ${(
          (r[Math.floor(r.length / 2)] ?? 0) * 100
        )
          .toFixed(1)
          .padStart(26)}%`,
      );
    }
    const scale = rate('port:4') / rate('port:1');
    console.log(`port speed-up from c=1 to c=4: ${scale.toFixed(2)}×`);
    const four = ratios.get(4)!.sort((a, b) => a - b);
    const eff = (four[Math.floor(four.length / 2)] ?? 0) * 100;
    console.log(`server port efficiency at c=4: ${eff.toFixed(1)}%`);
  } finally {
    await server.close();
  }
}

// `npm run bench:llm:server` runs this part alone.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await benchServer();
}
