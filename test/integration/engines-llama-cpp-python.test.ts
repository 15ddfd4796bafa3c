/**
 * The server engine against a real third-party server: llama-cpp-python's `llama_cpp.server`
 * (0.3.36, scripts/llama-server.sh) serving Qwen2.5-Coder-0.5B-Instruct Q4_K_M on one thread, with
 * the server's own defaults. Why this server: by default it ends a streamed answer (the role
 * chunk, then a bare [DONE]) whenever another request waits, and sends no usage in streams, so
 * it is where an engine that trusts a stream's end grades empty answers (issue 22).
 *
 * - The parallelism probe (run when a server is added) sees it cut one of two overlapping answers.
 * - At 4 requests at once, every answer comes whole: the cut ones, counted on the wire, are asked
 *   again and marked, none is empty.
 * - The server applies the model's ChatML template: its prompt count is the count of the
 *   ChatML rendering of the messages (a plain transcript is shorter).
 * - Stopping at the code ends the answer at the closing fence, marked, with the program the full
 *   answer gives.
 * - Usage is the server's when it sends it (unstreamed) and marked estimated when it does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractCode } from '../../src/core/extract';
import type { ChatMessage, CompletionRequest } from '../../src/core/types';
import { OpenAiEngine, probeParallelism, serverPort } from '../../src/engines/openai';
import { llamaPython, startLlamaCppServer, type LlamaCppServer } from '../support/llama-cpp-server';
import { devModelPath } from '../support/models';

const python = llamaPython();
let server: LlamaCppServer;
const suiteStarted = performance.now();

beforeAll(async () => {
  if (!python) return;
  server = await startLlamaCppServer({
    python,
    modelPath: devModelPath('qwen2.5-coder-0.5b'),
    alias: 'qwen2.5-coder-0.5b',
    nCtx: 2048,
    // One thread unless told: llama.cpp's threads spin while they wait, and on 2 shared cores a
    // second one slowed decoding here from 5.6 to 0.38 tokens/s (load 14, both measured).
    threads: Number(process.env.ATHANOR_LLAMA_THREADS ?? 1),
  });
  console.info(`llama_cpp.server up in ${(server.startMs / 1000).toFixed(1)} s`);
}, 120_000);
afterAll(async () => {
  await server?.close();
  console.info(
    `llama-cpp-python suite: ${((performance.now() - suiteStarted) / 1000).toFixed(1)} s`,
  );
});

const SYSTEM = 'You are a Python programmer. Answer with one ```python code block.';
const ask = (user: string, max_tokens: number): CompletionRequest => ({
  messages: [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: user },
  ],
  sampling: { temperature: 0, max_tokens },
  purpose: 'generate',
});

/** Qwen2.5's chat template (ChatML) for messages that carry their own system message. */
const chatml = (messages: ChatMessage[]): string =>
  messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') +
  '<|im_start|>assistant\n';

describe.skipIf(!python)('llama-cpp-python’s server with Qwen2.5-Coder-0.5B', () => {
  it('at 4 requests at once on its defaults, no answer comes back cut short or empty', async () => {
    // Count, on the wire, the streams the server ended without a finish reason.
    let cutOnWire = 0;
    const wire: Promise<void>[] = [];
    const teeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      wire.push(
        res
          .clone()
          .text()
          .then((t) => {
            if (!/"finish_reason":\s*"/.test(t)) cutOnWire++;
          }),
      );
      return res;
    }) as typeof fetch;
    const port = serverPort({
      apiBase: server.apiBase,
      model: server.model,
      concurrency: 4,
      fetch: teeFetch,
    });
    const names = ['add', 'subtract', 'multiply', 'divide'];
    const reqs = names.map((n) =>
      ask(
        `Write a Python function ${n}(a, b) that returns a ${n === 'add' ? '+' : n === 'subtract' ? '-' : n === 'multiply' ? '*' : '/'} b.`,
        48,
      ),
    );
    // As the scorer asks: announce all, then take the answers in order.
    const scope = new AbortController();
    for (const r of reqs) await port.prefetch?.(r, scope.signal);
    const answers = [];
    for (const r of reqs) answers.push(await port.complete(r));
    await Promise.all(wire);
    const retried = answers.reduce((n, a) => n + (a.retried?.count ?? 0), 0);
    console.info(
      `4 at once: ${cutOnWire} stream(s) cut by the server, ${retried} retried, answers: ${answers.map((a) => a.text.length).join(', ')} chars`,
    );
    answers.forEach((a, i) => {
      expect(a.text).toContain(`def ${names[i]}(`);
      expect(['stop', 'length']).toContain(a.finishReason);
      expect(a.usageEstimated).toBe(true);
    });
    expect(cutOnWire).toBeGreaterThan(0);
    expect(retried).toBe(cutOnWire);
  }, 150_000);

  it('the parallelism probe finds that it cuts one of two overlapping answers', async () => {
    const probe = await probeParallelism({ apiBase: server.apiBase, model: server.model });
    expect(probe).toEqual({
      parallel: false,
      reason: 'the answer ended without a finish reason',
    });
  }, 120_000);

  it('applies the model’s ChatML template, and reports usage unstreamed (estimated, marked, when streamed)', async () => {
    const req = ask('Write a Python function square(x).', 24);
    const tokens = (await (
      await fetch(`${server.origin}/extras/tokenize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: chatml(req.messages) }),
      })
    ).json()) as { tokens: number[] };
    expect(tokens.tokens).toContain(151644); // <|im_start|> read as the special token
    const unstreamed = await new OpenAiEngine({
      apiBase: server.apiBase,
      model: server.model,
      stream: false,
    }).complete(req);
    expect(unstreamed.usageEstimated).toBeUndefined();
    expect(unstreamed.usage.promptTokens).toBe(tokens.tokens.length);
    expect(unstreamed.text).toContain('def square(');
    const streamed = await new OpenAiEngine({
      apiBase: server.apiBase,
      model: server.model,
    }).complete(req);
    expect(streamed.usageEstimated).toBe(true);
    expect(streamed.text).toBe(unstreamed.text);
  }, 120_000);

  it('stops at the code: the answer ends at the closing fence, marked, with the same program', async () => {
    const engine = new OpenAiEngine({ apiBase: server.apiBase, model: server.model });
    const req = ask(
      'Write a one-line Python function is_even(n) with no docstring, then explain it in three sentences.',
      96,
    );
    // The server keeps the last prompt's tokens and reuses their longest common prefix, and a
    // prompt read in other pieces can tip a greedy choice: so each of the two answers starts after
    // the same other request, and both re-read the same part of the prompt.
    const reset = ask('Say nothing.', 1);
    await engine.complete(reset);
    const full = await engine.complete(req);
    await engine.complete(reset);
    const stopped = await engine.complete({ ...req, stopAtCode: { entryPoint: 'is_even' } });
    console.info(
      `stop at code: ${stopped.usage.completionTokens} of ${full.usage.completionTokens} answer tokens (both estimated), ${stopped.text.length} of ${full.text.length} chars`,
    );
    expect(stopped.stoppedAtCode).toBe(true);
    expect(full.stoppedAtCode).toBeUndefined();
    expect(stopped.text.trimEnd()).toMatch(/```$/);
    expect(full.text.startsWith(stopped.text)).toBe(true);
    expect(full.text.length).toBeGreaterThan(stopped.text.length);
    const ep = { entryPoint: 'is_even' };
    expect(extractCode(stopped.text, ep).code).toBe(extractCode(full.text, ep).code);
    expect(extractCode(stopped.text, ep).code).toContain('def is_even(');
  }, 120_000);
});
