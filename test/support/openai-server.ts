/**
 * A small OpenAI-compatible model server for tests and benchmarks, backed by a real model:
 * node-llama-cpp (llama.cpp's Node binding, pinned to 3.21.1) running
 * ../shared/models/stories260K.gguf on the CPU. It implements the subset Athanor uses —
 * `GET /v1/models`, `POST /v1/chat/completions` streamed (server-sent events, usage in a last
 * chunk when `stream_options.include_usage`) and unstreamed — and answers up to `parallel`
 * requests at once on one llama.cpp context with that many sequences, which llama.cpp batches,
 * as llama-server does with `--parallel`.
 *
 * It sends the CORS headers a real server sends (the origin echoed, preflights answered,
 * `Access-Control-Allow-Private-Network` when asked), or refuses origins the way Ollama does
 * (403, no CORS headers) when `allowOrigins` is given; it checks an optional API key as
 * llama-server does (401, OpenAI error body). Tests start and stop it themselves.
 *
 * The model writes children's stories and has no chat template: messages become a plain
 * transcript, as wllama does for base models in the browser.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { transcript } from '../../src/engines/request';
import type { ChatMessage } from '../../src/core/types';
import { requireShared } from './paths';

export interface TestServerOptions {
  modelPath?: string;
  /** Sequences answered at once (llama-server --parallel). */
  parallel?: number;
  /** Context per sequence, in tokens. */
  contextSize?: number;
  /** CPU threads for decoding (default 1). */
  threads?: number;
  apiKey?: string;
  /** Origins allowed to read answers; absent: every origin (echoed back). */
  allowOrigins?: string[];
  port?: number;
  /**
   * Act like llama-cpp-python's server with its default `--interrupt_requests`: one request at a
   * time, and a streamed answer is ended (a bare [DONE], no finish reason) as soon as another
   * request waits. Counted in `stats.interrupted`.
   */
  interruptRequests?: boolean;
  /**
   * Milliseconds between streamed tokens, as a real model's decoding spaces them (Qwen 0.5B on
   * two CPU threads: about 20–40). stories260K writes hundreds of tokens a second, so without it
   * an answer can end before a second request arrives, and there is no overlap to cut.
   */
  tokenDelayMs?: number;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>/v1` */
  apiBase: string;
  /** The model id `/v1/models` lists. */
  model: string;
  /** Chat requests received, and the most generating at once. */
  stats: {
    requests: number;
    inFlight: number;
    peak: number;
    aborted: number;
    interrupted: number;
  };
  close(): Promise<void>;
}

interface ChatBody {
  model?: string;
  messages?: ChatMessage[];
  temperature?: number;
  top_p?: number;
  seed?: number;
  max_tokens?: number;
  stop?: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

let shared: Promise<{ llama: Llama; model: LlamaModel }> | undefined;

/** One llama.cpp runtime and model per process: loading is the slow part. */
function loadModel(path: string): Promise<{ llama: Llama; model: LlamaModel }> {
  shared ??= (async () => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: path });
    return { llama, model };
  })();
  return shared;
}

/** The context's sequences, lent out one per request and cleared when given back. */
class SequencePool {
  private readonly waiting: ((s: LlamaContextSequence) => void)[] = [];
  constructor(private readonly free: LlamaContextSequence[]) {}
  async take(): Promise<LlamaContextSequence> {
    const s = this.free.pop();
    if (s) return s;
    return new Promise((ok) => this.waiting.push(ok));
  }
  /** Requests waiting for a sequence. */
  get queued(): number {
    return this.waiting.length;
  }
  async give(s: LlamaContextSequence): Promise<void> {
    await s.clearHistory();
    const next = this.waiting.shift();
    if (next) next(s);
    else this.free.push(s);
  }
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const openAiError = (res: ServerResponse, status: number, message: string, type: string): void =>
  json(res, status, { error: { code: status, message, type } });

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startOpenAiServer(o: TestServerOptions = {}): Promise<TestServer> {
  const modelPath = o.modelPath ?? requireShared('models', 'stories260K.gguf');
  const parallel = o.interruptRequests ? 1 : (o.parallel ?? 4);
  const { model } = await loadModel(modelPath);
  const context: LlamaContext = await model.createContext({
    sequences: parallel,
    contextSize: o.contextSize ?? 2048,
    // One thread: llama.cpp's worker threads spin while waiting, and on a busy 2-core machine
    // several spinning threads slow every decode down by orders of magnitude.
    threads: o.threads ?? 1,
  });
  const pool = new SequencePool(Array.from({ length: parallel }, () => context.getSequence()));
  const modelName = 'stories260K';
  const stats = { requests: 0, inFlight: 0, peak: 0, aborted: 0, interrupted: 0 };
  const created = Math.floor(Date.now() / 1000);

  function cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (o.allowOrigins && !o.allowOrigins.includes(origin)) {
      // Ollama's answer to an origin outside OLLAMA_ORIGINS: 403, empty, no CORS headers.
      res.writeHead(403, { 'content-length': '0' });
      res.end();
      return false;
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    return true;
  }

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: ChatBody;
    try {
      body = JSON.parse(await readBody(req)) as ChatBody;
    } catch {
      openAiError(res, 400, 'the body is not JSON', 'invalid_request_error');
      return;
    }
    if (body.model !== modelName) {
      openAiError(res, 404, `model "${body.model}" not found`, 'not_found_error');
      return;
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      openAiError(res, 400, 'messages must be a non-empty array', 'invalid_request_error');
      return;
    }
    stats.requests++;
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        stats.aborted++;
        controller.abort();
      }
    });
    const sequence = await pool.take();
    stats.inFlight++;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    try {
      const maxTokens = Math.max(1, body.max_tokens ?? 128);
      let prompt = model.tokenize(transcript(body.messages));
      // Like Ollama, keep the end of a prompt that does not fit (llama-server would refuse it).
      const room = sequence.contextSize - maxTokens - 8;
      if (prompt.length > room) prompt = prompt.slice(prompt.length - room);
      const id = `chatcmpl-${stats.requests}`;
      const stream = body.stream === true;
      const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model: modelName,
          choices: [{ index: 0, delta, finish_reason: finish }],
        })}\n\n`;
      if (stream) {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        res.write(chunk({ role: 'assistant', content: '' }, null));
      }
      const stop = (typeof body.stop === 'string' ? [body.stop] : (body.stop ?? [])).filter(
        (x) => x !== '',
      );
      // Text that could still turn into a stop string is held back until it cannot.
      const holdBack = Math.max(0, ...stop.map((x) => x.length - 1));
      const tokens: Token[] = [];
      let text = '';
      let sent = 0;
      let finish: 'stop' | 'length' = 'length';
      const send = (upTo: number): void => {
        if (stream && upTo > sent) res.write(chunk({ content: text.slice(sent, upTo) }, null));
        sent = Math.max(sent, upTo);
      };
      for await (const token of sequence.evaluate(prompt, {
        temperature: body.temperature ?? 0.8,
        ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
        ...(body.seed !== undefined ? { seed: body.seed } : {}),
        yieldEogToken: true,
      })) {
        if (controller.signal.aborted) return;
        if (model.isEogToken(token)) {
          finish = 'stop';
          break;
        }
        tokens.push(token);
        text = model.detokenize(tokens);
        const hits = stop.map((x) => text.indexOf(x)).filter((i) => i >= 0);
        if (hits.length) {
          text = text.slice(0, Math.min(...hits));
          finish = 'stop';
          break;
        }
        send(text.length - holdBack);
        if (o.tokenDelayMs) await new Promise((r) => setTimeout(r, o.tokenDelayMs));
        if (stream && o.interruptRequests && pool.queued > 0) {
          // llama-cpp-python: another request waits, so this answer ends here, unfinished.
          stats.interrupted++;
          res.end('data: [DONE]\n\n');
          return;
        }
        if (tokens.length >= maxTokens) break;
      }
      send(text.length);
      const completionTokens = tokens.length;
      const usage = {
        prompt_tokens: prompt.length,
        completion_tokens: completionTokens,
        total_tokens: prompt.length + completionTokens,
      };
      if (stream) {
        res.write(chunk({}, finish));
        if (body.stream_options?.include_usage) {
          res.write(
            `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: modelName, choices: [], usage })}\n\n`,
          );
        }
        res.end('data: [DONE]\n\n');
      } else {
        json(res, 200, {
          id,
          object: 'chat.completion',
          created,
          model: modelName,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: text },
              finish_reason: finish,
            },
          ],
          usage,
        });
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      if (res.headersSent)
        res.end(`data: ${JSON.stringify({ error: { message: String(err) } })}\n\n`);
      else openAiError(res, 500, String(err), 'server_error');
    } finally {
      stats.inFlight--;
      await pool.give(sequence);
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'OPTIONS') {
        if (!cors(req, res)) return;
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.setHeader(
          'access-control-allow-headers',
          req.headers['access-control-request-headers'] ?? 'authorization, content-type',
        );
        if (req.headers['access-control-request-private-network'] === 'true')
          res.setHeader('access-control-allow-private-network', 'true');
        res.setHeader('access-control-max-age', '600');
        res.writeHead(204);
        res.end();
        return;
      }
      if (!cors(req, res)) return;
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (o.apiKey && path.startsWith('/v1/')) {
        if (req.headers.authorization !== `Bearer ${o.apiKey}`) {
          openAiError(res, 401, 'Invalid API Key', 'authentication_error');
          return;
        }
      }
      if (req.method === 'GET' && path === '/v1/models') {
        json(res, 200, {
          object: 'list',
          data: [{ id: modelName, object: 'model', created, owned_by: 'athanor-test' }],
        });
      } else if (req.method === 'POST' && path === '/v1/chat/completions') {
        await chat(req, res);
      } else if (req.method === 'GET' && path === '/health') {
        json(res, 200, { status: 'ok', ...stats });
      } else {
        openAiError(res, 404, `no route ${req.method} ${path}`, 'not_found_error');
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) openAiError(res, 500, String(err), 'server_error');
      else res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(o.port ?? 0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    apiBase: `${origin}/v1`,
    model: modelName,
    stats,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await context.dispose();
    },
  };
}

/**
 * The same server in a child process, as a real server would be: the client under measurement
 * then shares no event loop with the model (benchmarks). `stats` are read from `/health`.
 */
export async function spawnOpenAiServer(
  o: TestServerOptions = {},
): Promise<Omit<TestServer, 'stats'> & { stats(): Promise<TestServer['stats']> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(o)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    });
    child.on('exit', (code) => fail(new Error(`test model server exited (${code})`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    apiBase: `${origin}/v1`,
    model: 'stories260K',
    stats: async () => (await (await fetch(`${origin}/health`)).json()) as TestServer['stats'],
    close: () =>
      new Promise<void>((ok) => {
        child.once('exit', () => ok());
        child.kill();
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startOpenAiServer(JSON.parse(process.argv[2] ?? '{}') as TestServerOptions);
  process.stdout.write(`listening ${new URL(server.origin).port}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
