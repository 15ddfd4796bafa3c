/**
 * The GPU engine: web-llm (MLC) on WebGPU, in a dedicated worker (src/workers/llm.worker.ts) so
 * that compiling shaders and generating never block the page. Before anything is downloaded the
 * engine checks what it can check cheaply — WebGPU present, the model's adapter features, the
 * device's memory, the model URL and library answering with the right kind of file — so each
 * failure arrives within seconds as the named error of errors.ts.
 */
import type * as WebLlmModule from '@mlc-ai/web-llm';
import type { AppConfig, ModelRecord, WebWorkerMLCEngine } from '@mlc-ai/web-llm';
import type { LlmPort } from '../core/ports';
import type { Completion, CompletionRequest, FinishReason } from '../core/types';
import {
  DeviceLostError,
  EngineError,
  MissingFeatureError,
  ModelDownloadError,
  OutOfMemoryError,
  RequestAbortedError,
  WebGpuUnavailableError,
} from './errors';
import type { GpuReport } from './gpu';
import { codeEnd, mayCloseFence, type CodeStop } from '../core/code-stop';
import { preflightWebLlm, webLlmModelBase } from './preflight';
import { parseWebLlmProgress, type ProgressListener } from './progress';
import { cutAtStop, withRequestSignal } from './request';

/** A model web-llm can load: a prebuilt one, or a custom / self-hosted one. */
export interface WebLlmModel {
  id: string;
  /** The weights folder; web-llm appends `resolve/main/` when it is missing. */
  model: string;
  /** The compiled model library (.wasm) matching the weights' build. */
  modelLib: string;
  requiredFeatures?: string[];
  memoryMB?: number;
}

export interface WebLlmLoadOptions {
  onProgress?: ProgressListener;
  /** Cancels the download or the load. */
  signal?: AbortSignal;
  /** Skip the quick URL checks (tests use this to see web-llm's own failures). */
  skipPreflight?: boolean;
}

function toRecord(m: WebLlmModel): ModelRecord {
  return {
    model: m.model,
    model_id: m.id,
    model_lib: m.modelLib,
    required_features: m.requiredFeatures,
    vram_required_MB: m.memoryMB,
  };
}

export const appConfigFor = (m: WebLlmModel): AppConfig => ({ model_list: [toRecord(m)] });

/** Features a model needs: the listed ones, and `shader-f16` for any f16 build. */
export function neededFeatures(m: WebLlmModel): string[] {
  const features = new Set(m.requiredFeatures ?? []);
  if (/-q\d+f16/.test(m.id)) features.add('shader-f16');
  return [...features];
}

/**
 * Checks the adapter against the model: WebGPU present, features there, and (as far as the
 * browser tells) enough memory. `deviceMemoryGB` is navigator.deviceMemory, which browsers cap
 * at 8, so only clear shortfalls are caught here; the rest surface as a lost device at load.
 */
export function checkAdapter(m: WebLlmModel, gpu: GpuReport, deviceMemoryGB?: number): void {
  if (!gpu.available) throw new WebGpuUnavailableError(gpu.reason ?? 'no adapter');
  for (const feature of neededFeatures(m)) {
    if (!gpu.features.includes(feature)) throw new MissingFeatureError(m.id, feature);
  }
  if (m.memoryMB && deviceMemoryGB && m.memoryMB > deviceMemoryGB * 1024) {
    throw new OutOfMemoryError(
      m.id,
      `it needs about ${Math.round(m.memoryMB)} MB and this device reports ${deviceMemoryGB} GB`,
    );
  }
}

const text = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

const DEVICE_LOST = /device (?:was )?lost|DeviceLostError|GPUDevice.*lost/i;

/**
 * Maps what web-llm throws (across the worker only its text survives) onto our named errors.
 * `phase` tells a device lost while loading (memory, as web-llm documents) from one mid-run.
 */
export function classifyWebLlmError(
  err: unknown,
  m: WebLlmModel,
  phase: 'load' | 'run',
): EngineError {
  if (err instanceof EngineError) return err;
  const msg = text(err);
  if (/WebGPUNotAvailableError|WebGPUNotFoundError|WebGPU is not supported/i.test(msg)) {
    return new WebGpuUnavailableError('web-llm found no WebGPU adapter');
  }
  if (/ShaderF16SupportError|shader-f16/i.test(msg))
    return new MissingFeatureError(m.id, 'shader-f16');
  const feature = /requires feature (\S+)/i.exec(msg);
  if (feature?.[1]) return new MissingFeatureError(m.id, feature[1].replace(/,$/, ''));
  if (DEVICE_LOST.test(msg)) {
    return phase === 'load'
      ? new OutOfMemoryError(m.id, 'the GPU device was lost while loading')
      : new DeviceLostError(msg);
  }
  if (/out of memory|OOM|Array buffer allocation failed|allocation.*failed/i.test(msg)) {
    return new OutOfMemoryError(m.id, msg);
  }
  if (/CompileError|WebAssembly|wasm|magic word|LinkError/i.test(msg)) {
    return new ModelDownloadError(
      'wrong-file',
      m.modelLib,
      `the model library did not load (${msg})`,
    );
  }
  if (/SyntaxError|JSON/i.test(msg)) {
    return new ModelDownloadError(
      'wrong-file',
      m.model,
      `a model file is not what web-llm expects (${msg})`,
    );
  }
  if (
    /Failed to fetch|NetworkError|Request failed|Cannot fetch|Failed to store|network/i.test(msg)
  ) {
    return new ModelDownloadError('offline', m.model, msg);
  }
  return new EngineError(
    'download-failed',
    `Could not load ${m.id}: ${msg}.`,
    'Try again, or pick another model.',
  );
}

/**
 * Runs `attempt`; when the GPU device is lost mid-run, reloads the engine and tries once more,
 * then gives up with DeviceLostError.
 */
export async function withDeviceLostRetry<T>(
  attempt: () => Promise<T>,
  reload: () => Promise<void>,
): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!DEVICE_LOST.test(text(err))) throw err;
    try {
      await reload();
      return await attempt();
    } catch (again) {
      if (DEVICE_LOST.test(text(again)) || again instanceof DeviceLostError)
        throw new DeviceLostError(text(again));
      throw again;
    }
  }
}

/** Asks the worker for its WebGPU adapter before web-llm takes the worker over. */
export function probeWorker(worker: Worker, timeoutMs = 10_000): Promise<GpuReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.removeEventListener('message', onMessage);
      reject(new Error('The model worker did not start (no answer to the WebGPU probe).'));
    }, timeoutMs);
    const onMessage = (e: MessageEvent<{ kind?: string; report?: GpuReport }>): void => {
      if (e.data?.kind !== 'athanor:probe' || !e.data.report) return;
      clearTimeout(timer);
      worker.removeEventListener('message', onMessage);
      resolve(e.data.report);
    };
    worker.addEventListener('message', onMessage);
    worker.postMessage({ kind: 'athanor:probe' });
  });
}

/**
 * web-llm is about 6 MB of JavaScript; loaded on first use so that pages which never touch a GPU
 * model (and the CPU engine) do not pay for it.
 */
const webllm = (): Promise<typeof WebLlmModule> => import('@mlc-ai/web-llm');

export function startLlmWorker(): Worker {
  return new Worker(new URL('../workers/llm.worker.ts', import.meta.url), {
    type: 'module',
    name: 'athanor-llm',
  });
}

export class WebLlmEngine implements LlmPort {
  readonly modelId: string;
  readonly gpu: GpuReport;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly engine: WebWorkerMLCEngine,
    private readonly worker: Worker,
    readonly model: WebLlmModel,
    gpu: GpuReport,
  ) {
    this.modelId = model.id;
    this.gpu = gpu;
  }

  static async load(m: WebLlmModel, opts: WebLlmLoadOptions = {}): Promise<WebLlmEngine> {
    if (opts.signal?.aborted) throw new RequestAbortedError();
    const worker = startLlmWorker();
    const abort = new Promise<never>((_ok, fail) =>
      opts.signal?.addEventListener('abort', () => fail(new RequestAbortedError()), { once: true }),
    );
    abort.catch(() => undefined);
    try {
      const gpu = await Promise.race([probeWorker(worker), abort]);
      const memory = (navigator as { deviceMemory?: number }).deviceMemory;
      checkAdapter(m, gpu, memory);
      const appConfig = appConfigFor(m);
      const { CreateWebWorkerMLCEngine, hasModelInCache } = await webllm();
      if (!opts.skipPreflight && !(await hasModelInCache(m.id, appConfig))) {
        await Promise.race([preflightWebLlm(m.model, m.modelLib, fetch, opts.signal), abort]);
      }
      const engine = await Promise.race([
        CreateWebWorkerMLCEngine(worker, m.id, {
          appConfig,
          initProgressCallback: (r) => opts.onProgress?.(parseWebLlmProgress(r)),
        }),
        abort,
      ]);
      return new WebLlmEngine(engine, worker, m, gpu);
    } catch (err) {
      // Terminating the worker is the one sure way to stop a download in flight.
      worker.terminate();
      if (opts.signal?.aborted) throw new RequestAbortedError();
      const classified = classifyWebLlmError(err, m, 'load');
      // The Cache API hides HTTP statuses ("Request failed"): ask the host what went wrong.
      if (classified instanceof ModelDownloadError && classified.failure === 'offline') {
        throw await preflightWebLlm(m.model, m.modelLib).then(
          () => classified,
          (why: unknown) => (why instanceof EngineError ? why : classified),
        );
      }
      throw classified;
    }
  }

  complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const run = this.queue.then(() =>
      withRequestSignal(req, signal, (s) =>
        withDeviceLostRetry(
          () => this.generate(req, s),
          () => this.engine.reload(this.modelId),
        ).catch((err: unknown) => {
          if (s.aborted) throw err;
          throw err instanceof EngineError ? err : classifyWebLlmError(err, this.model, 'run');
        }),
      ),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generate(req: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    const onAbort = (): void => this.engine.interruptGenerate();
    signal.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      if (req.stopAtCode) return await this.generateUntilCode(req, req.stopAtCode, started);
      const { temperature, top_p, seed, max_tokens, stop } = req.sampling;
      const res = await this.engine.chat.completions.create({
        messages: req.messages,
        temperature,
        top_p,
        seed,
        max_tokens,
        stop: stop?.length ? stop : undefined,
        stream: false,
      });
      const choice = res.choices[0];
      const cut = cutAtStop(choice?.message.content ?? '', stop);
      const reason = choice?.finish_reason;
      const finishReason: FinishReason =
        reason === 'length' ? 'length' : reason === 'abort' ? 'abort' : 'stop';
      return {
        text: cut.text,
        usage: {
          promptTokens: res.usage?.prompt_tokens ?? 0,
          completionTokens: res.usage?.completion_tokens ?? 0,
        },
        latencyMs: performance.now() - started,
        model: this.modelId,
        finishReason,
      };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Streams the answer and interrupts generation at the closing fence of the block that completes
   * the code (core/code-stop.ts); the final chunk still carries the usage (include_usage).
   */
  private async generateUntilCode(
    req: CompletionRequest,
    stopAt: CodeStop,
    started: number,
  ): Promise<Completion> {
    const { temperature, top_p, seed, max_tokens, stop } = req.sampling;
    const stream = await this.engine.chat.completions.create({
      messages: req.messages,
      temperature,
      top_p,
      seed,
      max_tokens,
      stop: stop?.length ? stop : undefined,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let atCode = false;
    let reason: string | null | undefined;
    let usage = { promptTokens: 0, completionTokens: 0 };
    for await (const chunk of stream) {
      if (chunk.usage) {
        usage = {
          promptTokens: chunk.usage.prompt_tokens,
          completionTokens: chunk.usage.completion_tokens,
        };
      }
      if (atCode) continue;
      const piece = chunk.choices[0]?.delta.content ?? '';
      text += piece;
      reason = chunk.choices[0]?.finish_reason ?? reason;
      if (mayCloseFence(piece)) {
        const end = codeEnd(text, stopAt);
        if (end !== undefined) {
          atCode = true;
          text = text.slice(0, end);
          this.engine.interruptGenerate();
        }
      }
    }
    const cut = cutAtStop(text, stop);
    return {
      text: cut.text,
      usage,
      latencyMs: performance.now() - started,
      model: this.modelId,
      finishReason: atCode || cut.stopped ? 'stop' : reason === 'length' ? 'length' : 'stop',
    };
  }

  async unload(): Promise<void> {
    await this.engine.unload().catch(() => undefined);
    this.worker.terminate();
  }
}

export async function isWebLlmCached(m: WebLlmModel): Promise<boolean> {
  const { hasModelInCache } = await webllm();
  return hasModelInCache(m.id, appConfigFor(m));
}

/**
 * Deletes weights, library and config of a model from the browser's cache. web-llm's own
 * deleteModelAllInfoInCache reads the weights' manifest first (from the network when it is not
 * cached), so it fails on a download that was cancelled half-way; the sweep after it removes
 * whatever files of the model remain, from the Cache API (web-llm's default backend).
 */
export async function deleteWebLlmCache(m: WebLlmModel): Promise<void> {
  const { deleteModelAllInfoInCache } = await webllm();
  // Only for a complete download: on anything else it would fetch the manifest from the network.
  if (await isWebLlmCached(m))
    await deleteModelAllInfoInCache(m.id, appConfigFor(m)).catch(() => undefined);
  if (typeof caches === 'undefined') return;
  const base = webLlmModelBase(m.model);
  for (const scope of ['webllm/model', 'webllm/config', 'webllm/wasm']) {
    const cache = await caches.open(scope);
    for (const request of await cache.keys()) {
      if (request.url.startsWith(base) || request.url === m.modelLib) await cache.delete(request);
    }
  }
}

/** web-llm's prebuilt model list (input to `webLlmCatalogue`). */
export async function webLlmPrebuilt(): Promise<ModelRecord[]> {
  return (await webllm()).prebuiltAppConfig.model_list;
}
