/**
 * The CPU engine: llama.cpp compiled to WebAssembly (wllama), for browsers without WebGPU. It
 * runs GGUF models downloaded from a URL (kept in the origin's private file system for offline
 * use) or read from a file the user picks (which never leaves the machine). wllama runs its own
 * worker, so this class is a thin client on the page's side.
 */
import { LoggerWithoutDebug, Wllama, WllamaAbortError } from '@wllama/wllama/esm/index.js';
import wllamaWasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { LlmPort } from '../core/ports';
import { codeEnd, mayCloseFence, type CodeStop } from '../core/code-stop';
import type { Completion, CompletionRequest, FinishReason } from '../core/types';
import {
  BadModelFileError,
  EngineError,
  ModelDownloadError,
  OutOfMemoryError,
  RequestAbortedError,
} from './errors';
import { isGgufHeader, preflightGguf } from './preflight';
import { byteProgress, type ProgressListener } from './progress';
import { cutAtStop, transcript, withRequestSignal } from './request';
import { chooseThreads } from './threads';

/** The window a model is loaded with unless the caller asks otherwise. */
export const DEFAULT_CONTEXT = 4096;

export interface WllamaLoadOptions {
  /** Defaults to chooseThreads(navigator.hardwareConcurrency, crossOriginIsolated). */
  threads?: number;
  /**
   * Context window in tokens (prompt + answer); DEFAULT_CONTEXT when absent. Meta-prompts quote
   * a task, its code and its tests: 2048 tokens refused Prochemy's augmentation requests.
   */
  contextSize?: number;
  onProgress?: ProgressListener;
  /** Cancels the download or the load. */
  signal?: AbortSignal;
}

/** The wasm is served from our own origin (Vite copies it into the build as an asset). */
export function newWllama(): Wllama {
  return new Wllama(
    { default: wllamaWasmUrl },
    { logger: LoggerWithoutDebug, suppressNativeLog: true, allowOffline: true },
  );
}

const baseName = (path: string): string => path.split(/[\\/]/).pop()?.split('?')[0] ?? path;

export function loadError(source: string, err: unknown): Error {
  if (err instanceof EngineError) return err;
  if (
    err instanceof WllamaAbortError ||
    (err instanceof DOMException && err.name === 'AbortError')
  ) {
    return new RequestAbortedError();
  }
  const message = err instanceof Error ? err.message : String(err);
  if (
    /out of memory|OOM|Cannot allocate|Array buffer allocation failed|memory access out of bounds/i.test(
      message,
    )
  ) {
    return new OutOfMemoryError(source, message);
  }
  if (/failed to load model|gguf|magic|invalid model/i.test(message))
    return new BadModelFileError(source, message);
  if (/Failed to fetch|NetworkError|network/i.test(message))
    return new ModelDownloadError('offline', source, message);
  return new EngineError(
    'bad-model-file',
    `Could not load ${source}: ${message}.`,
    'Try another model file.',
  );
}

export class WllamaEngine implements LlmPort {
  readonly modelId: string;
  readonly threads: number;
  private readonly wllama: Wllama;
  private readonly chat: boolean;
  /** The context window the model was loaded with (prompt + answer), in tokens. */
  readonly contextWindow: number;
  /**
   * Reuse the KV cache of the prefix a request shares with the one before (llama.cpp's
   * `cache_prompt`): requests with one system prompt run back to back then skip re-reading it.
   * On by default; benchmarks switch it off to measure what it saves.
   */
  reusePrefix = true;
  /** One request at a time: a single llama.cpp context, and honest latency figures. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(wllama: Wllama, modelId: string, threads: number) {
    this.wllama = wllama;
    this.modelId = modelId;
    this.threads = threads;
    // Base models (no chat template) get a plain transcript instead of a chat format they never saw.
    this.chat = wllama.getChatTemplate() !== null;
    this.contextWindow = wllama.getLoadedContextInfo().n_ctx;
  }

  /** The underlying wllama instance, for benchmarks that call it directly. */
  get raw(): Wllama {
    return this.wllama;
  }

  /** Downloads (or takes from the cache) a GGUF model and loads it. */
  static async fromUrl(url: string, opts: WllamaLoadOptions = {}): Promise<WllamaEngine> {
    if (!/\.gguf(\?|$)/i.test(url)) {
      throw new ModelDownloadError('wrong-file', url, 'a wllama model URL must end in .gguf');
    }
    const wllama = newWllama();
    const cached = (await wllama.cacheManager.list().catch(() => [])).some(
      (e) => e.metadata.originalURL === url,
    );
    if (!cached) await preflightGguf(url, fetch, opts.signal);
    const threads = opts.threads ?? chooseThreads();
    const started = performance.now();
    let bytes = 0;
    try {
      await wllama.loadModelFromUrl(url, {
        n_threads: threads,
        n_ctx: opts.contextSize ?? DEFAULT_CONTEXT,
        n_gpu_layers: 0,
        signal: opts.signal,
        progressCallback: ({ loaded, total }) => {
          bytes = total;
          opts.onProgress?.(byteProgress(loaded, total, performance.now() - started));
        },
      });
    } catch (err) {
      await wllama.exit().catch(() => undefined);
      throw loadError(url, err);
    }
    opts.onProgress?.({
      ...byteProgress(bytes, bytes, performance.now() - started),
      phase: 'ready',
    });
    return new WllamaEngine(wllama, baseName(url), threads);
  }

  /** Loads a GGUF model from files the user picked (several for a split model). */
  static async fromFiles(files: File[], opts: WllamaLoadOptions = {}): Promise<WllamaEngine> {
    const first = files[0];
    if (!first) throw new BadModelFileError('(no file)', 'no file was picked');
    const head = new Uint8Array(await first.slice(0, 4).arrayBuffer());
    if (!isGgufHeader(head))
      throw new BadModelFileError(first.name, 'it does not begin with the GGUF signature');
    if (opts.signal?.aborted) throw new RequestAbortedError();
    const wllama = newWllama();
    const threads = opts.threads ?? chooseThreads();
    const started = performance.now();
    try {
      await wllama.loadModel(files, {
        n_threads: threads,
        n_ctx: opts.contextSize ?? DEFAULT_CONTEXT,
        n_gpu_layers: 0,
      });
    } catch (err) {
      await wllama.exit().catch(() => undefined);
      throw loadError(first.name, err);
    }
    const total = files.reduce((n, f) => n + f.size, 0);
    opts.onProgress?.({
      ...byteProgress(total, total, performance.now() - started),
      phase: 'ready',
    });
    return new WllamaEngine(wllama, baseName(first.name), threads);
  }

  complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const run = this.queue.then(() => withRequestSignal(req, signal, (s) => this.generate(req, s)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generate(req: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    if (req.stopAtCode) return this.generateUntilCode(req, signal, req.stopAtCode);
    const { temperature, top_p, seed, max_tokens, stop } = req.sampling;
    const sampling = {
      temperature,
      top_p,
      seed,
      max_tokens,
      stop: stop?.length ? stop : undefined,
      abortSignal: signal,
      // Keep the KV cache of the shared prefix (the system prompt) between requests.
      cache_prompt: this.reusePrefix,
    };
    const started = performance.now();
    let text: string;
    let finish: string | null | undefined;
    let usage: { prompt_tokens: number; completion_tokens: number };
    if (this.chat) {
      const res = await this.wllama.createChatCompletion({ messages: req.messages, ...sampling });
      const choice = res.choices[0];
      text = choice?.message.content ?? '';
      finish = choice?.finish_reason;
      usage = res.usage;
    } else {
      const res = await this.wllama.createCompletion({
        prompt: transcript(req.messages),
        ...sampling,
      });
      const choice = res.choices[0];
      text = choice?.text ?? '';
      finish = choice?.finish_reason;
      usage = res.usage;
    }
    const cut = cutAtStop(text, stop);
    const finishReason: FinishReason = cut.stopped
      ? 'stop'
      : finish === 'length'
        ? 'length'
        : 'stop';
    return {
      text: cut.text,
      usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens },
      latencyMs: performance.now() - started,
      model: this.modelId,
      finishReason,
    };
  }

  /**
   * Streams the answer and stops at the closing fence of the block that completes the code
   * (core/code-stop.ts): the tokens after it — explanation, usage, tests — are never generated.
   * Token counts come from llama.cpp's per-token timings (prompt tokens = processed + cached).
   */
  private async generateUntilCode(
    req: CompletionRequest,
    signal: AbortSignal,
    stopAt: CodeStop,
  ): Promise<Completion> {
    const { temperature, top_p, seed, max_tokens, stop } = req.sampling;
    const inner = new AbortController();
    const onOuter = (): void => inner.abort();
    signal.addEventListener('abort', onOuter, { once: true });
    const started = performance.now();
    let text = '';
    let atCode = false;
    let finish: string | null = null;
    let usage = { prompt: 0, completion: 0 };
    const onPiece = (
      piece: string,
      reason: string | null | undefined,
      timings?: { prompt_n: number; cache_n: number; predicted_n: number },
      total?: { prompt_tokens: number; completion_tokens: number } | null,
    ): void => {
      if (atCode) return;
      text += piece;
      if (reason) finish = reason;
      if (timings)
        usage = { prompt: timings.prompt_n + timings.cache_n, completion: timings.predicted_n };
      else if (piece) usage.completion += 1;
      if (total) usage = { prompt: total.prompt_tokens, completion: total.completion_tokens };
      if (mayCloseFence(piece)) {
        const end = codeEnd(text, stopAt);
        if (end !== undefined) {
          atCode = true;
          text = text.slice(0, end);
          inner.abort();
        }
      }
    };
    const common = {
      temperature,
      top_p,
      seed,
      max_tokens,
      stop: stop?.length ? stop : undefined,
      abortSignal: inner.signal,
      cache_prompt: this.reusePrefix,
      timings_per_token: true,
      stream: true as const,
    };
    try {
      if (this.chat) {
        await this.wllama.createChatCompletion({
          messages: req.messages,
          ...common,
          onData: (c) =>
            onPiece(
              c.choices[0]?.delta.content ?? '',
              c.choices[0]?.finish_reason,
              c.timings,
              c.usage,
            ),
        });
      } else {
        await this.wllama.createCompletion({
          prompt: transcript(req.messages),
          ...common,
          onData: (c) =>
            onPiece(c.choices[0]?.text ?? '', c.choices[0]?.finish_reason, c.timings, c.usage),
        });
      }
    } catch (err) {
      // Our own stop at the code's end is not a failure; the caller's abort is.
      if (!atCode || signal.aborted) throw err;
    } finally {
      signal.removeEventListener('abort', onOuter);
    }
    const cut = cutAtStop(text, stop);
    return {
      text: cut.text,
      usage: { promptTokens: usage.prompt, completionTokens: usage.completion },
      latencyMs: performance.now() - started,
      model: this.modelId,
      finishReason: atCode || cut.stopped ? 'stop' : finish === 'length' ? 'length' : 'stop',
    };
  }

  async unload(): Promise<void> {
    await this.wllama.exit();
  }
}

/** GGUF models kept in this origin's private file system by earlier downloads. */
export async function listWllamaCache(): Promise<
  { url: string; name: string; sizeBytes: number }[]
> {
  const entries = await newWllama().cacheManager.list();
  return entries.map((e) => ({ url: e.metadata.originalURL, name: e.name, sizeBytes: e.size }));
}

export async function deleteWllamaCache(url: string): Promise<void> {
  await newWllama().cacheManager.delete(url);
}
