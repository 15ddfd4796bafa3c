/**
 * Sentence embeddings on the CPU: a GGUF model loaded by wllama with `embeddings: true` and mean
 * pooling, read through wllama's OpenAI-style `createEmbedding`. Any GGUF works — an embedding
 * model (bge-small, nomic-embed) as meant, or a generative model's own hidden states (the tests
 * use the 1 MB stories260K that way, since no embedding GGUF can be downloaded there).
 */
import type { Wllama } from '@wllama/wllama/esm/index.js';
import type { EmbedPort } from '../core/ports';
import { orderedVectors } from './embed-common';
import { BadModelFileError, RequestAbortedError } from './errors';
import { isGgufHeader, preflightGguf } from './preflight';
import { byteProgress, type ProgressListener } from './progress';
import { chooseThreads } from './threads';
import { loadError, newWllama } from './wllama';

export interface WllamaEmbedOptions {
  threads?: number;
  /** Context (and batch) size in tokens: the longest text embedded at once. */
  contextSize?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

const baseName = (path: string): string => path.split(/[\\/]/).pop()?.split('?')[0] ?? path;

const loadParams = (threads: number, ctx: number) => ({
  n_threads: threads,
  n_ctx: ctx,
  // Embedding needs the whole text in one batch.
  n_batch: ctx,
  n_ubatch: ctx,
  n_gpu_layers: 0,
  embeddings: true,
  pooling_type: 'mean' as const,
});

export class WllamaEmbedder implements EmbedPort {
  readonly modelId: string;
  private readonly wllama: Wllama;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(wllama: Wllama, modelId: string) {
    this.wllama = wllama;
    this.modelId = modelId;
  }

  static async fromUrl(url: string, opts: WllamaEmbedOptions = {}): Promise<WllamaEmbedder> {
    const wllama = newWllama();
    const cached = (await wllama.cacheManager.list().catch(() => [])).some(
      (e) => e.metadata.originalURL === url,
    );
    if (!cached) await preflightGguf(url, fetch, opts.signal);
    const started = performance.now();
    try {
      await wllama.loadModelFromUrl(url, {
        ...loadParams(opts.threads ?? chooseThreads(), opts.contextSize ?? 512),
        signal: opts.signal,
        progressCallback: ({ loaded, total }) =>
          opts.onProgress?.(byteProgress(loaded, total, performance.now() - started)),
      });
    } catch (err) {
      await wllama.exit().catch(() => undefined);
      throw loadError(url, err);
    }
    return new WllamaEmbedder(wllama, baseName(url));
  }

  static async fromFiles(files: File[], opts: WllamaEmbedOptions = {}): Promise<WllamaEmbedder> {
    const first = files[0];
    if (!first) throw new BadModelFileError('(no file)', 'no file was picked');
    if (!isGgufHeader(new Uint8Array(await first.slice(0, 4).arrayBuffer())))
      throw new BadModelFileError(first.name, 'it does not begin with the GGUF signature');
    if (opts.signal?.aborted) throw new RequestAbortedError();
    const wllama = newWllama();
    try {
      await wllama.loadModel(
        files,
        loadParams(opts.threads ?? chooseThreads(), opts.contextSize ?? 512),
      );
    } catch (err) {
      await wllama.exit().catch(() => undefined);
      throw loadError(first.name, err);
    }
    return new WllamaEmbedder(wllama, baseName(first.name));
  }

  embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const run = this.queue.then(async () => {
      if (signal?.aborted) throw new RequestAbortedError();
      if (texts.length === 0) return [];
      // One text per request: wllama pools per request, and a batch would pool across inputs.
      const out: number[][] = [];
      for (const text of texts) {
        if (signal?.aborted) throw new RequestAbortedError();
        const res = await this.wllama.createEmbedding({ input: text });
        out.push(...orderedVectors(res.data, 1, this.modelId));
      }
      return out;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async unload(): Promise<void> {
    await this.wllama.exit();
  }
}
