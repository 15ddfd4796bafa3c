/**
 * Sentence embeddings on WebGPU: one of web-llm's embedding models (Snowflake Arctic Embed) in its
 * own worker, read through web-llm's OpenAI-style `engine.embeddings.create`. Loaded beside the
 * chat model, so GPO retrieves past prompts by meaning while the chat model writes them.
 */
import type * as WebLlmModule from '@mlc-ai/web-llm';
import type { WebWorkerMLCEngine } from '@mlc-ai/web-llm';
import type { EmbedPort } from '../core/ports';
import { orderedVectors } from './embed-common';
import { RequestAbortedError } from './errors';
import { preflightWebLlm } from './preflight';
import { parseWebLlmProgress, type ProgressListener } from './progress';
import {
  checkAdapter,
  classifyWebLlmError,
  probeWorker,
  startLlmWorker,
  type WebLlmModel,
} from './webllm';

const webllm = (): Promise<typeof WebLlmModule> => import('@mlc-ai/web-llm');

/** web-llm's ModelType.embedding: the record must say so, or web-llm loads it as a chat model. */
const EMBEDDING_MODEL_TYPE = 1;

export class WebLlmEmbedder implements EmbedPort {
  readonly modelId: string;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly engine: WebWorkerMLCEngine,
    private readonly worker: Worker,
    m: WebLlmModel,
  ) {
    this.modelId = m.id;
  }

  static async load(
    m: WebLlmModel,
    opts: { onProgress?: ProgressListener; signal?: AbortSignal } = {},
  ): Promise<WebLlmEmbedder> {
    if (opts.signal?.aborted) throw new RequestAbortedError();
    const worker = startLlmWorker();
    try {
      const gpu = await probeWorker(worker);
      checkAdapter(m, gpu);
      const appConfig = {
        model_list: [
          {
            model: m.model,
            model_id: m.id,
            model_lib: m.modelLib,
            model_type: EMBEDDING_MODEL_TYPE,
            ...(m.memoryMB ? { vram_required_MB: m.memoryMB } : {}),
          },
        ],
      };
      const { CreateWebWorkerMLCEngine, hasModelInCache } = await webllm();
      if (!(await hasModelInCache(m.id, appConfig))) {
        await preflightWebLlm(m.model, m.modelLib, fetch, opts.signal);
      }
      const engine = await CreateWebWorkerMLCEngine(worker, m.id, {
        appConfig,
        initProgressCallback: (r) => opts.onProgress?.(parseWebLlmProgress(r)),
      });
      return new WebLlmEmbedder(engine, worker, m);
    } catch (err) {
      worker.terminate();
      if (opts.signal?.aborted) throw new RequestAbortedError();
      throw classifyWebLlmError(err, m, 'load');
    }
  }

  embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const run = this.queue.then(async () => {
      if (signal?.aborted) throw new RequestAbortedError();
      if (texts.length === 0) return [];
      // web-llm refuses an empty string; a single space embeds as "nothing".
      const input = texts.map((t) => (t.trim() === '' ? ' ' : t));
      const res = await this.engine.embeddings.create({ input });
      return orderedVectors(res.data, texts.length, this.modelId);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async unload(): Promise<void> {
    await this.engine.unload().catch(() => undefined);
    this.worker.terminate();
  }
}
