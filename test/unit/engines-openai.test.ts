/**
 * The OpenAI-compatible client against each server's documented response shapes
 * (test/support/server-fixtures.ts), replayed by a fake fetch: streamed and unstreamed answers,
 * usage where each server puts it (or estimated where it sends none), finish reasons, error
 * bodies, model lists and server detection; the field mapping of a request; the API key's
 * whereabouts; and the named errors for failures a browser reports as one TypeError.
 * The same client against a real model server is test/integration/engines-server.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../../src/core/types';
import {
  detectServerKind,
  errorDetail,
  mapFinishReason,
  normalizeApiBase,
  OpenAiEngine,
  parseModelList,
  probeParallelism,
  probeServer,
  SERVER_ATTEMPTS,
  serverModelId,
  sseData,
} from '../../src/engines/openai';
import {
  diagnoseFetchFailure,
  isPrivateHost,
  MixedContentError,
  PrivateNetworkError,
  ServerAuthError,
  ServerCorsError,
  ServerFaultError,
  ServerHttpError,
  ServerResponseError,
  ServerTimeoutError,
  ServerUnreachableError,
} from '../../src/engines/server-errors';
import { FIXTURES } from '../support/server-fixtures';
import { cacheable, CachedEngine, MemoryCompletionStore } from '../../src/engines/cache';
import { isServerFault } from '../../src/core/server-fault';

const REQ: CompletionRequest = {
  messages: [
    { role: 'system', content: 'You write Python.' },
    { role: 'user', content: 'Write add(a, b).' },
  ],
  sampling: { temperature: 0.7, top_p: 0.9, seed: 42, max_tokens: 64, stop: ['\n\n\n'] },
  purpose: 'generate',
};

interface Sent {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a table of (method path) → Response factories and logs requests. */
function fakeFetch(routes: Record<string, () => Response>): typeof fetch & { sent: Sent[] } {
  const sent: Sent[] = [];
  const f = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    sent.push({ url, init });
    if (init.signal?.aborted) throw init.signal.reason;
    const route = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
    const make = routes[route];
    if (!make) return new Response('{"error":"no route"}', { status: 404 });
    return make();
  }) as typeof fetch & { sent: Sent[] };
  f.sent = sent;
  return f;
}

const sse = (chunks: unknown[], split = 7): Response => {
  const text = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';
  const bytes = new TextEncoder().encode(text);
  // Deliver in small uneven pieces: events split across reads must still parse.
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += split) controller.enqueue(bytes.slice(i, i + split));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
};

const jsonResponse = (body: unknown, status = 200): Response =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

describe('each server’s documented response shapes', () => {
  for (const fx of FIXTURES) {
    describe(fx.name, () => {
      const base = 'http://127.0.0.1:9999/v1';
      const model = (fx.models as { data: { id: string }[] }).data[0]!.id;

      it('lists models and is recognised from /v1/models', async () => {
        const fetchImpl = fakeFetch({ 'GET /v1/models': () => jsonResponse(fx.models) });
        const probe = await probeServer('127.0.0.1:9999', { fetch: fetchImpl });
        expect(probe.apiBase).toBe(base);
        expect(probe.kind).toBe(fx.kind);
        expect(probe.models.map((m) => m.id)).toContain(model);
        expect(detectServerKind(fx.models)).toBe(fx.kind);
      });

      it('reads an unstreamed answer: text, finish reason, usage', async () => {
        const fetchImpl = fakeFetch({
          'POST /v1/chat/completions': () => jsonResponse(fx.completion),
        });
        const engine = new OpenAiEngine({ apiBase: base, model, stream: false, fetch: fetchImpl });
        const c = await engine.complete(REQ);
        expect(c.text).toBe(fx.text);
        expect(c.finishReason).toBe(fx.finish);
        expect(c.usage).toEqual(fx.usage);
        expect(c.model).toBe(serverModelId(base, model));
        expect(c.usageEstimated).toBeUndefined();
      });

      it('reads a streamed answer split across reads', async () => {
        const fetchImpl = fakeFetch({ 'POST /v1/chat/completions': () => sse(fx.chunks) });
        const engine = new OpenAiEngine({ apiBase: base, model, fetch: fetchImpl });
        const c = await engine.complete(REQ);
        expect(c.text).toBe(fx.text);
        expect(c.finishReason).toBe(fx.finish);
        if (fx.streamUsage) {
          expect(c.usage).toEqual(fx.usage);
          expect(c.usageEstimated).toBeUndefined();
        } else {
          // No usage from the server: one delta counts as one token, the prompt as chars / 4.
          expect(c.usageEstimated).toBe(true);
          expect(c.usage.completionTokens).toBe(4);
          const chars = REQ.messages.reduce((n, m) => n + m.content.length, 0);
          expect(c.usage.promptTokens).toBe(Math.ceil(chars / 4));
        }
      });

      it('surfaces its error body as a named error with the server’s own message', async () => {
        const fetchImpl = fakeFetch({
          'POST /v1/chat/completions': () => jsonResponse(fx.error.body, fx.error.status),
        });
        const engine = new OpenAiEngine({ apiBase: base, model, fetch: fetchImpl });
        const err = await engine.complete(REQ).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ServerHttpError);
        expect((err as ServerHttpError).status).toBe(fx.error.status);
        expect((err as Error).message).toContain(fx.error.message);
        expect(errorDetail(fx.error.body)).toBe(fx.error.message);
      });
    });
  }

  it('tells a missing model and a context overflow apart, with what to do', () => {
    const [ollama, llama] = FIXTURES;
    const missing = new ServerHttpError(
      'u',
      404,
      errorDetail(ollama!.error.body),
      'qwen2.5-coder:7b',
    );
    expect(missing.kind).toBe('model-not-found');
    expect(missing.hint).toContain('ollama pull qwen2.5-coder:7b');
    const long = new ServerHttpError('u', 400, errorDetail(llama!.error.body));
    expect(long.kind).toBe('context-too-long');
    expect(long.hint).toContain('OLLAMA_CONTEXT_LENGTH');
    expect(long.hint).toContain('--max-model-len');
  });

  it('reads the other error shapes: FastAPI detail, a proxy page, an empty body', () => {
    expect(errorDetail('{"detail":"Not Found"}')).toBe('Not Found');
    expect(errorDetail('{"detail":[{"loc":["body","messages"],"msg":"field required"}]}')).toBe(
      'body.messages: field required',
    );
    expect(errorDetail('<html><body><h1>502 Bad Gateway</h1>nginx</body></html>')).toBe(
      '502 Bad Gateway nginx',
    );
    expect(errorDetail('')).toBe('no details');
    expect(errorDetail('{"error":"Unauthorized"}')).toBe('Unauthorized');
  });

  it('fails a mid-stream error (vLLM, Ollama send one as a data event)', async () => {
    const fetchImpl = fakeFetch({
      'POST /v1/chat/completions': () =>
        sse([
          { choices: [{ index: 0, delta: { content: 'def' }, finish_reason: null }] },
          { error: { object: 'error', message: 'out of KV cache', type: 'InternalServerError' } },
        ]),
    });
    const engine = new OpenAiEngine({ apiBase: 'http://h/v1', model: 'm', fetch: fetchImpl });
    await expect(engine.complete(REQ)).rejects.toThrow(/out of KV cache/);
  });
});

describe('the request', () => {
  it('maps sampling onto OpenAI fields and asks for usage in streams', async () => {
    const fetchImpl = fakeFetch({
      'POST /v1/chat/completions': () => sse(FIXTURES[3]!.chunks),
    });
    const engine = new OpenAiEngine({
      apiBase: 'http://gpu-box:8000',
      model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
      fetch: fetchImpl,
    });
    await engine.complete(REQ);
    const body = JSON.parse(String(fetchImpl.sent[0]!.init.body)) as Record<string, unknown>;
    expect(fetchImpl.sent[0]!.url).toBe('http://gpu-box:8000/v1/chat/completions');
    expect(body).toEqual({
      model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
      messages: REQ.messages,
      temperature: 0.7,
      top_p: 0.9,
      seed: 42,
      max_tokens: 64,
      stop: ['\n\n\n'],
      stream: true,
      stream_options: { include_usage: true },
    });
    const bare = engine.body({ ...REQ, sampling: { temperature: 0, max_tokens: 8, stop: [] } });
    expect(bare).not.toHaveProperty('seed');
    expect(bare).not.toHaveProperty('top_p');
    expect(bare).not.toHaveProperty('stop');
  });

  it('cuts at a stop string the server passed through, and maps finish reasons', async () => {
    const fetchImpl = fakeFetch({
      'POST /v1/chat/completions': () =>
        jsonResponse({
          choices: [{ message: { content: 'a\n\n\nb' }, finish_reason: 'length' }],
          usage: { prompt_tokens: 1, completion_tokens: 3 },
        }),
    });
    const engine = new OpenAiEngine({
      apiBase: 'h:1',
      model: 'm',
      stream: false,
      fetch: fetchImpl,
    });
    const c = await engine.complete(REQ);
    expect(c.text).toBe('a');
    expect(c.finishReason).toBe('stop');
    expect(mapFinishReason('eos')).toBe('stop');
    expect(mapFinishReason('stop_sequence')).toBe('stop');
    expect(mapFinishReason(null)).toBeUndefined();
    expect(mapFinishReason('length')).toBe('length');
    expect(mapFinishReason('abort')).toBe('abort');
  });

  it('cancels the HTTP request when the caller aborts', async () => {
    let seen: AbortSignal | undefined;
    const hanging = ((_: RequestInfo | URL, init: RequestInit = {}) => {
      seen = init.signal ?? undefined;
      return new Promise<Response>((_ok, fail) =>
        init.signal?.addEventListener('abort', () =>
          fail(new DOMException('aborted', 'AbortError')),
        ),
      );
    }) as typeof fetch;
    const engine = new OpenAiEngine({ apiBase: 'h:1', model: 'm', fetch: hanging });
    const controller = new AbortController();
    const pending = engine.complete(REQ, controller.signal);
    await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', code: 'aborted' });
    expect(seen?.aborted).toBe(true);
  });

  it('times out with the named error, and a probe of a silent server too', async () => {
    const hanging = ((_: RequestInfo | URL, init: RequestInit = {}) =>
      new Promise<Response>((_ok, fail) =>
        init.signal?.addEventListener('abort', () => fail(new Error('aborted'))),
      )) as typeof fetch;
    const engine = new OpenAiEngine({ apiBase: 'h:1', model: 'm', fetch: hanging });
    await expect(engine.complete({ ...REQ, timeoutMs: 20 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await expect(probeServer('h:1', { fetch: hanging, timeoutMs: 20 })).rejects.toBeInstanceOf(
      ServerTimeoutError,
    );
  });
});

describe('the API key', () => {
  const KEY = 'sk-test-5ecret-key';

  it('is sent as a bearer token and appears in no message, property or JSON of the engine', async () => {
    const fetchImpl = fakeFetch({
      'POST /v1/chat/completions': () =>
        jsonResponse(
          '{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}',
          401,
        ),
      'GET /v1/models': () => jsonResponse('{"error":"Unauthorized"}', 401),
    });
    const engine = new OpenAiEngine({ apiBase: 'h:1', model: 'm', apiKey: KEY, fetch: fetchImpl });
    const err = await engine.complete(REQ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerAuthError);
    expect((fetchImpl.sent[0]!.init.headers as Record<string, string>).authorization).toBe(
      `Bearer ${KEY}`,
    );
    const probeErr = await probeServer('h:1', { apiKey: KEY, fetch: fetchImpl }).catch(
      (e: unknown) => e,
    );
    expect(probeErr).toBeInstanceOf(ServerAuthError);
    for (const text of [
      JSON.stringify(engine),
      String(Object.values(engine)),
      (err as Error).message,
      (err as ServerAuthError).hint,
      (probeErr as Error).message,
      JSON.stringify(err),
    ]) {
      expect(text).not.toContain(KEY);
    }
    expect((err as ServerAuthError).hint).toMatch(/never exported or logged/);
  });
});

describe('addresses and model lists', () => {
  it('normalizes what a user types into the API root', () => {
    expect(normalizeApiBase('localhost:11434')).toBe('http://localhost:11434/v1');
    expect(normalizeApiBase('http://localhost:11434/')).toBe('http://localhost:11434/v1');
    expect(normalizeApiBase(' http://localhost:1234/v1/ ')).toBe('http://localhost:1234/v1');
    expect(normalizeApiBase('https://gpu.lab.example/vllm/v1/chat/completions')).toBe(
      'https://gpu.lab.example/vllm/v1',
    );
    expect(() => normalizeApiBase('ftp://x')).toThrow(ServerResponseError);
    expect(() => normalizeApiBase('http://')).toThrow(ServerResponseError);
  });

  it('keeps context lengths where servers give them, and refuses a list without data', () => {
    const vllm = parseModelList(FIXTURES[3]!.models, 'u');
    expect(vllm[0]!.contextLength).toBe(32768);
    const llama = parseModelList(FIXTURES[1]!.models, 'u');
    expect(llama[0]!.contextLength).toBe(32768);
    expect(() => parseModelList({ models: [] }, 'u')).toThrow(ServerResponseError);
  });

  it('parses server-sent events with CRLF, comments and multi-line data', async () => {
    const text =
      ': keep-alive\r\n\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: x\ndata: 2\n\ndata: [DONE]\n\ndata: 3\n\n';
    const body = new Response(text).body!;
    const out: string[] = [];
    for await (const d of sseData(body)) out.push(d);
    expect(out).toEqual(['{"a":\n1}', '2']);
  });
});

describe('failures a browser reports as one TypeError', () => {
  const refused = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
  const opaqueOk = (() => Promise.resolve(new Response(null))) as typeof fetch;
  const page = (origin: string) => {
    const u = new URL(origin);
    return { protocol: u.protocol, hostname: u.hostname, origin: u.origin };
  };

  it('an https page calling a plain-http server on the network: mixed content, before any request', async () => {
    const err = await diagnoseFetchFailure(
      'http://192.168.1.20:11434/v1/models',
      new TypeError('Failed to fetch'),
      refused,
      page('https://athanor.example'),
    );
    expect(err).toBeInstanceOf(MixedContentError);
    expect(err.hint).toContain('https');
  });

  it('a public page calling a private address: Private Network Access', async () => {
    const err = await diagnoseFetchFailure(
      'https://10.0.0.5:8000/v1/models',
      new TypeError('Failed to fetch'),
      refused,
      page('https://athanor.example'),
    );
    expect(err).toBeInstanceOf(PrivateNetworkError);
    expect(err.hint).toContain('Access-Control-Allow-Private-Network');
  });

  it('a server that answers opaque requests but not this origin: CORS, with each server’s setting', async () => {
    const err = await diagnoseFetchFailure(
      'http://127.0.0.1:11434/v1/models',
      new TypeError('Failed to fetch'),
      opaqueOk,
      page('http://127.0.0.1:4173'),
    );
    expect(err).toBeInstanceOf(ServerCorsError);
    expect(err.hint).toContain('OLLAMA_ORIGINS=http://127.0.0.1:4173 ollama serve');
    expect(err.hint).toContain('lms server start --cors');
    expect(err.hint).toContain(`--allowed-origins '["http://127.0.0.1:4173"]'`);
  });

  it('nothing listening: connection refused, with how to start each server', async () => {
    const err = await diagnoseFetchFailure(
      'http://127.0.0.1:1/v1/models',
      new TypeError('Failed to fetch'),
      refused,
      page('http://127.0.0.1:4173'),
    );
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect(err.hint).toContain('ollama serve');
    expect(err.hint).toContain('OLLAMA_HOST=0.0.0.0');
  });

  it('in Node, the socket’s own code', async () => {
    const err = await diagnoseFetchFailure(
      'http://127.0.0.1:1/v1/models',
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      refused,
      undefined,
    );
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('knows private and loopback hosts', () => {
    for (const h of [
      'localhost',
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.0.9',
      '[::1]',
      'box.local',
    ])
      expect(isPrivateHost(h)).toBe(true);
    for (const h of ['8.8.8.8', '172.32.0.1', 'athanor.example', '11.0.0.1'])
      expect(isPrivateHost(h)).toBe(false);
  });
});

describe('stopping at the code', () => {
  it('stops reading at the closing fence of the block that defines the entry point, and hangs up', async () => {
    const pieces = [
      'Sure.\n',
      '```python\n',
      'def add(a, b):\n',
      '    return a + b\n',
      '```',
      '\n',
      'Usage:\n',
      '```python\n',
      'print(add(1, 2))\n',
      '```\n',
      'More words',
    ];
    let cancelled = false;
    const text =
      pieces
        .map(
          (p) =>
            `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`,
        )
        .join('') +
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n` +
      `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 11 } })}\n\ndata: [DONE]\n\n`;
    const bytes = new TextEncoder().encode(text);
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(at, at + 9));
        at += 9;
      },
      cancel() {
        cancelled = true;
      },
    });
    const fetchImpl = fakeFetch({
      'POST /v1/chat/completions': () =>
        new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const engine = new OpenAiEngine({ apiBase: 'http://h/v1', model: 'm', fetch: fetchImpl });
    const r = await engine.complete({ ...REQ, stopAtCode: { entryPoint: 'add' } });
    expect(r.text).toBe('Sure.\n```python\ndef add(a, b):\n    return a + b\n```');
    expect(r.finishReason).toBe('stop');
    expect(r.stoppedAtCode).toBe(true);
    expect(r.retried).toBeUndefined();
    expect(r.usageEstimated).toBe(true);
    expect(r.usage.completionTokens).toBe(5);
    expect(cancelled).toBe(true);
    expect(at).toBeLessThan(bytes.length);

    // Without stopAtCode the same answer is read to its end, with the server's usage.
    const whole = await new OpenAiEngine({
      apiBase: 'http://h/v1',
      model: 'm',
      fetch: fakeFetch({
        'POST /v1/chat/completions': () =>
          new Response(
            new ReadableStream<Uint8Array>({
              start(c) {
                c.enqueue(bytes);
                c.close();
              },
            }),
            { headers: { 'content-type': 'text/event-stream' } },
          ),
      }),
    }).complete(REQ);
    expect(whole.text).toBe(pieces.join(''));
    expect(whole.stoppedAtCode).toBeUndefined();
    expect(whole.usage).toEqual({ promptTokens: 20, completionTokens: 11 });
  });
});

/** A streamed answer as llama-cpp-python's server cuts it: the role chunk, then a bare [DONE]. */
const cutStream = (): Response =>
  sse([{ choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] }]);
const wholeStream = (text: string): Response =>
  sse([
    { choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }] },
    { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ]);
const GREEDY: CompletionRequest = { ...REQ, sampling: { temperature: 0, max_tokens: 64 } };

describe('answers the server did not finish', () => {
  it('asks again an answer cut before its finish reason, and marks the one that came whole', async () => {
    const answers = [cutStream, () => wholeStream('def add(a, b):\n    return a + b')];
    const fetchImpl = fakeFetch({ 'POST /v1/chat/completions': () => answers.shift()!() });
    const engine = new OpenAiEngine({ apiBase: 'http://h/v1', model: 'm', fetch: fetchImpl });
    const c = await engine.complete(GREEDY);
    expect(c.text).toBe('def add(a, b):\n    return a + b');
    expect(c.retried).toEqual({ count: 1, reason: 'the answer ended without a finish reason' });
    expect(fetchImpl.sent).toHaveLength(2);
    expect(engine.serial).toBe(true);
  });

  it('asks again an empty answer and one the server dropped', async () => {
    const answers = [
      () => wholeStream(''),
      () => jsonResponse({ choices: [{ message: { content: 'x' }, finish_reason: 'abort' }] }),
      () => wholeStream('print(1)'),
    ];
    const fetchImpl = fakeFetch({ 'POST /v1/chat/completions': () => answers.shift()!() });
    const engine = new OpenAiEngine({ apiBase: 'http://h/v1', model: 'm', fetch: fetchImpl });
    const c = await engine.complete(GREEDY);
    expect(c.text).toBe('print(1)');
    expect(c.retried).toEqual({ count: 2, reason: 'the server dropped the request' });
  });

  it('after three cut answers, fails in words with the server fault, and nothing is cached', async () => {
    const fetchImpl = fakeFetch({ 'POST /v1/chat/completions': cutStream });
    const store = new MemoryCompletionStore();
    const engine = new CachedEngine(
      new OpenAiEngine({ apiBase: 'http://h/v1', model: 'm', fetch: fetchImpl }),
      store,
    );
    const err = await engine.complete(GREEDY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerFaultError);
    expect(isServerFault(err)).toBe(true);
    expect((err as Error).message).toContain('cut an answer short 3 times in a row');
    expect((err as Error).message).toContain('--interrupt_requests false');
    expect(fetchImpl.sent).toHaveLength(SERVER_ATTEMPTS);
    expect(store.entries.size).toBe(0);
  });

  it('sends retries, and every request after the first cut, one at a time', async () => {
    let inFlight = 0;
    const seen: number[] = [];
    let cuts = 2;
    const fetchImpl = (async () => {
      seen.push(inFlight);
      inFlight++;
      await new Promise((ok) => setTimeout(ok, 5));
      const cut = cuts-- > 0;
      // The response body is read after fetch resolves; count the request out once it is read.
      const res = cut ? cutStream() : wholeStream('ok');
      const text = await res.text();
      inFlight--;
      return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
    }) as typeof fetch;
    const engine = new OpenAiEngine({ apiBase: 'http://h/v1', model: 'm', fetch: fetchImpl });
    const reqs = [1, 2, 3, 4].map((i) => ({
      ...GREEDY,
      messages: [{ role: 'user' as const, content: `q${i}` }],
    }));
    const answers = await Promise.all(reqs.map((r) => engine.complete(r)));
    expect(answers.map((a) => a.text)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // The first four went together; the two retries went alone.
    expect(seen.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(seen.slice(4)).toEqual([0, 0]);
    expect(answers.filter((a) => a.retried).length).toBe(2);
  });

  it('the cache keeps the whole answer without its retry note, and never an empty one', async () => {
    const store = new MemoryCompletionStore();
    const answers = [cutStream, () => wholeStream('x = 1')];
    const engine = new CachedEngine(
      new OpenAiEngine({
        apiBase: 'http://h/v1',
        model: 'm',
        fetch: fakeFetch({ 'POST /v1/chat/completions': () => answers.shift()!() }),
      }),
      store,
    );
    const first = await engine.complete(GREEDY);
    expect(first.retried?.count).toBe(1);
    const again = await engine.complete(GREEDY);
    expect(again.cached).toBe(true);
    expect(again.text).toBe('x = 1');
    expect(again.retried).toBeUndefined();
    // What the answer cost the model the first time stays known (bench:real's model time).
    expect({ latencyMs: again.latencyMs, firstLatencyMs: again.firstLatencyMs }).toEqual({
      latencyMs: 0,
      firstLatencyMs: first.latencyMs,
    });

    const done = { usage: { promptTokens: 1, completionTokens: 0 }, latencyMs: 1, model: 'm' };
    expect(cacheable(GREEDY, { ...done, text: '', finishReason: 'stop' })).toBe(false);
    expect(cacheable(GREEDY, { ...done, text: 'x', finishReason: 'abort' })).toBe(false);
    expect(cacheable(GREEDY, { ...done, text: 'x', finishReason: 'length' })).toBe(true);
  });
});

describe('the parallelism probe', () => {
  it('finds a server that cuts one of two overlapping answers, and one that answers both', async () => {
    const cutting = [cutStream, () => wholeStream('1 2 3')];
    const one = await probeParallelism({
      apiBase: 'http://h/v1',
      model: 'm',
      fetch: fakeFetch({ 'POST /v1/chat/completions': () => cutting.shift()!() }),
    });
    expect(one).toEqual({ parallel: false, reason: 'the answer ended without a finish reason' });
    const both = await probeParallelism({
      apiBase: 'http://h/v1',
      model: 'm',
      fetch: fakeFetch({ 'POST /v1/chat/completions': () => wholeStream('1 2 3') }),
    });
    expect(both).toEqual({ parallel: true });
  });
});
