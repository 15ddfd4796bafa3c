/**
 * A model server behind the LlmPort: anything that speaks the OpenAI chat-completions API
 * (Ollama, llama.cpp's llama-server, LM Studio, vLLM, SGLang). Only inference leaves the browser;
 * prompts, grading, storage and statistics stay here.
 *
 * The servers agree on the happy path and differ at the edges, which this client absorbs:
 * - usage: vLLM and SGLang send it in a streamed answer only when asked
 *   (`stream_options.include_usage`), in a last chunk with no choices; llama-server puts it on
 *   the chunk that carries finish_reason; some builds send none, and then it is counted here
 *   (one streamed delta ≈ one token; prompt ≈ characters / 4) and marked `usageEstimated`.
 * - finish_reason: `stop` / `length` everywhere, plus `eos` and `stop_sequence` from some
 *   builds, `abort` from vLLM when it drops a request, null on mid-stream chunks.
 * - answers cut short: llama-cpp-python's server (default `--interrupt_requests`) ends a streamed
 *   answer with a bare [DONE] whenever another request waits, so the answer has no finish
 *   reason and often no text. Such an answer (or an empty one, or one vLLM dropped) is no answer:
 *   it is asked again alone (server-gate.ts), and after SERVER_ATTEMPTS tries ServerFaultError
 *   is thrown; it is never returned, so never graded or cached.
 * - error bodies: OpenAI's `{"error": {"message"}}` (Ollama, llama-server, newer vLLM), the flat
 *   `{"object": "error", "message"}` (vLLM, SGLang), `{"error": "text"}` (LM Studio, vLLM's key
 *   check), FastAPI's `{"detail"}`, or a proxy's HTML page.
 * - seeds: honoured by Ollama, llama-server, LM Studio and vLLM; SGLang honours a seed only when
 *   started with deterministic inference, so its seeded answers are not assumed repeatable.
 *
 * A request with `stopAtCode` stops reading (and closes the connection, so the server stops too)
 * at the closing fence of the block that completes the answer's code; its usage is then counted
 * here and marked estimated, since servers send theirs at the end.
 *
 * The optional API key lives in a private field: it is sent as a bearer token and appears in no
 * message, log, property or export.
 */
import type { LlmPort } from '../core/ports';
import type { Completion, CompletionRequest, FinishReason, TokenUsage } from '../core/types';
import { EngineError, RequestAbortedError } from './errors';
import { PrefetchingEngine } from './prefetch';
import { codeEnd, mayCloseFence } from '../core/code-stop';
import { cutAtStop, withRequestSignal } from './request';
import { ServerGate } from './server-gate';
import {
  diagnoseFetchFailure,
  mixedContent,
  ServerAuthError,
  ServerFaultError,
  ServerHttpError,
  ServerResponseError,
  ServerTimeoutError,
} from './server-errors';

export type ServerKind = 'ollama' | 'llama-server' | 'lm-studio' | 'vllm' | 'sglang' | 'openai';

export const SERVER_LABELS: Record<ServerKind, string> = {
  ollama: 'Ollama',
  'llama-server': 'llama.cpp server',
  'lm-studio': 'LM Studio',
  vllm: 'vLLM',
  sglang: 'SGLang',
  openai: 'OpenAI-compatible server',
};

/** Default requests in flight for a server (a setting per server). */
export const DEFAULT_SERVER_CONCURRENCY = 4;

/**
 * The API root for what a user typed: a scheme if missing, no trailing slash, and `/v1` at the
 * end (`http://localhost:11434` and `http://localhost:11434/v1/` both give
 * `http://localhost:11434/v1`). Throws ServerResponseError for text that is no URL.
 */
export function normalizeApiBase(input: string): string {
  let text = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ServerResponseError(input, 'this is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ServerResponseError(input, 'the URL must start with http:// or https://');
  let path = url.pathname.replace(/\/+$/, '');
  path = path.replace(/\/(chat\/completions|models|completions)$/, '');
  if (!/\/v1$/.test(path)) path = `${path}/v1`;
  return `${url.origin}${path}`;
}

/** The readable message inside any of the servers' error bodies (see the header). */
export function errorDetail(body: string): string {
  const text = body.trim();
  if (!text) return 'no details';
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const err = json.error;
    if (typeof err === 'string') return err;
    if (
      err &&
      typeof err === 'object' &&
      typeof (err as { message?: unknown }).message === 'string'
    )
      return (err as { message: string }).message;
    if (typeof json.message === 'string') return json.message;
    if (typeof json.detail === 'string') return json.detail;
    if (Array.isArray(json.detail)) {
      return json.detail
        .map((d: { msg?: string; loc?: unknown[] }) =>
          [d.loc?.join('.'), d.msg].filter(Boolean).join(': '),
        )
        .join('; ');
    }
  } catch {
    // Not JSON: a proxy's page, or plain text.
  }
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 197)}...` : plain;
}

/**
 * Every server's finish reasons onto the three the app knows; undefined when there is none (the
 * server ended the answer without finishing it: see `OpenAiEngine.complete`).
 */
export function mapFinishReason(reason: unknown): FinishReason | undefined {
  if (reason === undefined || reason === null || reason === '') return undefined;
  if (reason === 'length') return 'length';
  if (reason === 'abort') return 'abort';
  return 'stop';
}

/**
 * Tries of one request before its server is reported at fault: the first and two retries, each
 * retry sent alone (server-gate.ts).
 */
export const SERVER_ATTEMPTS = 3;

/** Which server it is, from what `/v1/models` says about its models' owner. */
export function detectServerKind(listing: unknown): ServerKind {
  const data = (listing as { data?: { owned_by?: unknown }[] })?.data;
  const owner = Array.isArray(data) ? String(data[0]?.owned_by ?? '') : '';
  if (owner === 'library' || owner === 'ollama') return 'ollama';
  if (owner === 'llamacpp') return 'llama-server';
  if (owner === 'vllm') return 'vllm';
  if (owner === 'sglang') return 'sglang';
  if (owner === 'organization_owner') return 'lm-studio';
  return 'openai';
}

export interface ServerModel {
  id: string;
  ownedBy?: string;
  /** Context window, where the server says (vLLM, SGLang: max_model_len; llama-server: n_ctx_train). */
  contextLength?: number;
}

export function parseModelList(listing: unknown, url: string): ServerModel[] {
  const data = (listing as { data?: unknown })?.data;
  if (!Array.isArray(data))
    throw new ServerResponseError(url, 'the model list has no "data" array');
  return data
    .filter((m): m is Record<string, unknown> => !!m && typeof m === 'object')
    .filter((m) => typeof m.id === 'string' && m.id !== '')
    .map((m) => {
      const meta = m.meta as { n_ctx_train?: unknown } | undefined;
      const ctx = m.max_model_len ?? meta?.n_ctx_train;
      return {
        id: m.id as string,
        ...(typeof m.owned_by === 'string' ? { ownedBy: m.owned_by } : {}),
        ...(typeof ctx === 'number' ? { contextLength: ctx } : {}),
      };
    });
}

/** Server-sent events of a streamed answer: the payload of each `data:` event, until [DONE]. */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let ended = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      ended = done;
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r\n|\n|\r/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (data.length) {
            const payload = data.join('\n');
            data = [];
            if (payload.trim() === '[DONE]') return;
            yield payload;
          }
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
        // Comments (": keep-alive") and other fields (event:, id:) carry nothing we need.
      }
      if (done) {
        if (buffer.startsWith('data:')) data.push(buffer.slice(5).replace(/^ /, ''));
        const payload = data.join('\n');
        if (payload && payload.trim() !== '[DONE]') yield payload;
        return;
      }
    }
  } finally {
    // Left early (the answer's code is complete, or the consumer stopped): cancelling the body
    // closes the connection, and the server stops generating.
    if (!ended) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

export interface ServerOptions {
  /** The API root (see normalizeApiBase). */
  apiBase: string;
  /** The model's id as the server lists it. */
  model: string;
  /** The id this port reports (cache keys, run records); default `model@host`. */
  modelId?: string;
  apiKey?: string;
  /** Stream answers (default true): tokens arrive as made, and a cancel stops generation. */
  stream?: boolean;
  /** Limit for a request that names none (default 10 minutes): a silent server must not hang a run. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** `qwen2.5-coder:7b@localhost:11434`: two servers with one model name stay apart in caches. */
export function serverModelId(apiBase: string, model: string): string {
  return `${model}@${new URL(apiBase).host}`;
}

interface ChatChunk {
  choices?: {
    delta?: { content?: string | null };
    message?: { content?: string | null };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
  object?: string;
  message?: string;
}

/** A server's answer (`usageEstimated` when the server reported no usage). */
export type ServerCompletion = Completion;

/** What one try gave: the answer, or why it is not one (the server cut it short). */
export interface Attempt {
  completion: ServerCompletion;
  fault?: string;
}

export class OpenAiEngine implements LlmPort {
  readonly modelId: string;
  readonly apiBase: string;
  readonly model: string;
  readonly stream: boolean;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #gate = new ServerGate();

  constructor(o: ServerOptions) {
    this.apiBase = normalizeApiBase(o.apiBase);
    this.model = o.model;
    this.modelId = o.modelId ?? serverModelId(this.apiBase, o.model);
    this.stream = o.stream ?? true;
    this.#apiKey = o.apiKey?.trim() || undefined;
    this.#fetch = o.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = o.timeoutMs ?? 600_000;
  }

  /** The request body for a completion (exported for tests of the field mapping). */
  body(req: CompletionRequest): Record<string, unknown> {
    const { temperature, top_p, seed, max_tokens, stop } = req.sampling;
    return {
      model: this.model,
      messages: req.messages,
      temperature,
      ...(top_p !== undefined ? { top_p } : {}),
      ...(seed !== undefined ? { seed } : {}),
      max_tokens,
      ...(stop?.length ? { stop: stop.slice(0, 4) } : {}),
      stream: this.stream,
      ...(this.stream ? { stream_options: { include_usage: true } } : {}),
    };
  }

  /** True once the server cut an answer short: this engine then sends one request at a time. */
  get serial(): boolean {
    return this.#gate.serial;
  }

  /**
   * The answer, whole. An answer the server ended without finishing (no finish reason, nothing
   * written, a dropped request) is no answer: it is asked again, alone, up to SERVER_ATTEMPTS
   * times in all, and then ServerFaultError is thrown, so nothing cut short is ever graded or
   * cached. The engine's own stop at the code (`stopAtCode`) is a finished answer, marked
   * `stoppedAtCode`.
   */
  async complete(req: CompletionRequest, signal?: AbortSignal): Promise<ServerCompletion> {
    const limited = req.timeoutMs !== undefined ? req : { ...req, timeoutMs: this.#timeoutMs };
    const turnSignal = signal ?? new AbortController().signal;
    let reason = '';
    for (let attempt = 1; ; attempt++) {
      const release = await this.#gate.enter(attempt > 1, turnSignal);
      let got: Attempt;
      try {
        got = await withRequestSignal(limited, signal, (s) => this.send(req, s));
      } finally {
        release();
      }
      if (got.fault === undefined) {
        return attempt === 1
          ? got.completion
          : { ...got.completion, retried: { count: attempt - 1, reason } };
      }
      reason = got.fault;
      this.#gate.serial = true;
      if (attempt >= SERVER_ATTEMPTS) throw new ServerFaultError(this.apiBase, attempt, reason);
    }
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}),
    };
  }

  /** One try, as the server gave it, with why it is no answer (no retry): for the probe below. */
  /** One request, no retry; `onFirstPiece` is told when the answer's first text arrives. */
  async once(
    req: CompletionRequest,
    signal?: AbortSignal,
    onFirstPiece?: () => void,
  ): Promise<Attempt> {
    const limited = req.timeoutMs !== undefined ? req : { ...req, timeoutMs: this.#timeoutMs };
    return withRequestSignal(limited, signal, (s) => this.send(req, s, onFirstPiece));
  }

  private async send(
    req: CompletionRequest,
    signal: AbortSignal,
    onFirstPiece?: () => void,
  ): Promise<Attempt> {
    const url = `${this.apiBase}/chat/completions`;
    const started = performance.now();
    const res = await serverFetch(
      this.#fetch,
      url,
      { method: 'POST', headers: this.headers(), body: JSON.stringify(this.body(req)) },
      signal,
    );
    await throwForStatus(res, url, this.model);
    let text = '';
    let finish: unknown = null;
    let usage: ChatChunk['usage'] = null;
    let deltas = 0;
    let atCode = false;
    const type = res.headers.get('content-type') ?? '';
    if (this.stream && type.includes('text/event-stream') && res.body) {
      for await (const payload of sseData(res.body)) {
        const chunk = parseJson<ChatChunk>(payload, url);
        if (chunk.error !== undefined || chunk.object === 'error') {
          throw new ServerHttpError(url, 500, errorDetail(payload), this.model);
        }
        const choice = chunk.choices?.[0];
        const piece = choice?.delta?.content ?? choice?.message?.content;
        if (piece) {
          if (deltas === 0) onFirstPiece?.();
          text += piece;
          deltas++;
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
        // Stop reading at the closing fence of the block that completes the code
        // (core/code-stop.ts), as the in-browser engines do: the rest is thrown away anyway.
        if (req.stopAtCode && piece && mayCloseFence(piece)) {
          const end = codeEnd(text, req.stopAtCode);
          if (end !== undefined) {
            text = text.slice(0, end);
            atCode = true;
            break;
          }
        }
      }
    } else {
      // Unstreamed, or a server that ignored `stream` and answered in one piece.
      const whole = parseJson<ChatChunk>(await res.text(), url);
      const choice = whole.choices?.[0];
      if (!choice) throw new ServerResponseError(url, 'the answer has no choices');
      text = choice.message?.content ?? choice.delta?.content ?? '';
      finish = choice.finish_reason;
      usage = whole.usage;
    }
    const cut = cutAtStop(text, req.sampling.stop);
    // Stopped at the code: the server's usage (sent at the end) never came.
    if (atCode) usage = null;
    const reported =
      usage &&
      typeof usage.completion_tokens === 'number' &&
      typeof usage.prompt_tokens === 'number';
    const counted: TokenUsage = reported
      ? { promptTokens: usage!.prompt_tokens!, completionTokens: usage!.completion_tokens! }
      : {
          promptTokens: Math.ceil(req.messages.reduce((n, m) => n + m.content.length, 0) / 4),
          completionTokens: deltas || Math.ceil(text.length / 4),
        };
    const reason = mapFinishReason(finish);
    const ended = atCode || cut.stopped;
    const fault = ended
      ? undefined
      : reason === undefined
        ? 'the answer ended without a finish reason'
        : reason === 'abort'
          ? 'the server dropped the request'
          : cut.text.trim() === '' && req.sampling.max_tokens > 0
            ? 'the answer was empty'
            : undefined;
    return {
      completion: {
        text: cut.text,
        usage: counted,
        latencyMs: performance.now() - started,
        model: this.modelId,
        finishReason: ended ? 'stop' : (reason ?? 'stop'),
        ...(atCode ? { stoppedAtCode: true } : {}),
        ...(reported ? {} : { usageEstimated: true }),
      },
      ...(fault !== undefined ? { fault } : {}),
    };
  }
}

function parseJson<T>(text: string, url: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ServerResponseError(url, `not JSON: "${errorDetail(text).slice(0, 80)}"`);
  }
}

/** fetch with every failure turned into a named error (see server-errors.ts). */
async function serverFetch(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  signal: AbortSignal,
): Promise<Response> {
  const mixed = mixedContent(url);
  if (mixed) throw mixed;
  try {
    return await fetchImpl(url, { ...init, signal });
  } catch (err) {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      throw reason instanceof EngineError ? reason : new RequestAbortedError();
    }
    throw await diagnoseFetchFailure(url, err, fetchImpl);
  }
}

async function throwForStatus(res: Response, url: string, model?: string): Promise<void> {
  if (res.ok) return;
  const detail = errorDetail(await res.text().catch(() => ''));
  if (res.status === 401 || res.status === 403)
    throw new ServerAuthError(url, res.status, detail === 'no details' ? '' : detail);
  throw new ServerHttpError(url, res.status, detail, model);
}

export interface ProbeOptions {
  apiKey?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

export interface ProbeResult {
  apiBase: string;
  kind: ServerKind;
  models: ServerModel[];
  latencyMs: number;
}

/** Asks `/v1/models`: is the server there, which one is it, what does it serve. */
export async function probeServer(input: string, o: ProbeOptions = {}): Promise<ProbeResult> {
  const apiBase = normalizeApiBase(input);
  const url = `${apiBase}/models`;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new ServerTimeoutError(apiBase, timeoutMs)),
    timeoutMs,
  );
  const stop = (): void => controller.abort(new RequestAbortedError());
  o.signal?.addEventListener('abort', stop, { once: true });
  try {
    const res = await serverFetch(
      o.fetch ?? ((i, init) => fetch(i, init)),
      url,
      { headers: o.apiKey?.trim() ? { authorization: `Bearer ${o.apiKey.trim()}` } : {} },
      controller.signal,
    );
    if (res.status === 404)
      throw new ServerResponseError(url, 'HTTP 404: there is no model list at this address');
    await throwForStatus(res, url);
    const listing = parseJson<unknown>(await res.text(), url);
    const models = parseModelList(listing, url);
    return {
      apiBase,
      kind: detectServerKind(listing),
      models,
      latencyMs: performance.now() - started,
    };
  } catch (err) {
    if (controller.signal.aborted && controller.signal.reason instanceof EngineError)
      throw controller.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', stop);
  }
}

export interface ParallelismProbe {
  /** Both overlapping answers came whole: the server answers requests at once. */
  parallel: boolean;
  /** How the cut one ended, when one was cut. */
  reason?: string;
}

/**
 * Whether the server really answers two requests at once: two short streamed requests sent
 * together. llama-cpp-python's server (default `--interrupt_requests`) cuts the first short when
 * the second waits; servers that queue (llama-server with one slot, Ollama) answer both whole.
 */
export async function probeParallelism(
  o: Pick<ServerOptions, 'apiBase' | 'model' | 'apiKey' | 'fetch'> & { timeoutMs?: number },
): Promise<ParallelismProbe> {
  const engine = new OpenAiEngine({
    apiBase: o.apiBase,
    model: o.model,
    ...(o.apiKey ? { apiKey: o.apiKey } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const ask = (n: number, maxTokens: number): CompletionRequest => ({
    messages: [{ role: 'user', content: `Count from ${n} to ${n + 40}, separated by spaces.` }],
    sampling: { temperature: 0, max_tokens: maxTokens },
    purpose: 'generate',
    timeoutMs: o.timeoutMs ?? 120_000,
  });
  // The second request is sent once the first is streaming, so the two overlap however fast the
  // server is or however slowly this page runs (sent together, a fast server could finish the
  // first before the second arrived, and the probe would find nothing to cut).
  let second: Promise<Attempt> | undefined;
  const startSecond = (): void => {
    second ??= engine.once(ask(2, 12));
  };
  const first = await engine.once(ask(1, 48), undefined, startSecond);
  startSecond();
  const tries = [first, await (second as Promise<Attempt>)];
  const cut = tries.find((t) => t.fault !== undefined);
  return cut ? { parallel: false, reason: cut.fault! } : { parallel: true };
}

/**
 * The port a run uses for a server model: the HTTP client, and, when the server takes more than
 * one request at a time, the prefetching wrapper that keeps `concurrency` requests in flight.
 */
export function serverPort(o: ServerOptions & { concurrency?: number }): LlmPort {
  const engine = new OpenAiEngine(o);
  const c = o.concurrency ?? DEFAULT_SERVER_CONCURRENCY;
  return c > 1 ? new PrefetchingEngine(engine, c) : engine;
}
