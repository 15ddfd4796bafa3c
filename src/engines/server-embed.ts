/**
 * Sentence embeddings from a model server the user runs (llama.cpp's llama-server, Ollama,
 * LM Studio, vLLM…) through the OpenAI-compatible `POST /v1/embeddings`. Kept apart from the chat
 * engine for such servers: a server may offer one and not the other, and the embedding model is
 * usually a different one.
 */
import type { EmbedPort } from '../core/ports';
import { orderedVectors, type EmbeddingItem } from './embed-common';
import { EngineError, RequestAbortedError } from './errors';

export interface ServerEmbedOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080` (with or without `/v1`). */
  baseUrl: string;
  /** The embedding model's name on the server. */
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
  /** Texts per request (servers cap batch sizes). */
  batch?: number;
}

export class ServerEmbedder implements EmbedPort {
  readonly modelId: string;
  private readonly url: string;
  private readonly fetcher: typeof fetch;

  constructor(private readonly o: ServerEmbedOptions) {
    this.modelId = o.model;
    const base = o.baseUrl.replace(/\/+$/, '');
    this.url = /\/v1$/.test(base) ? `${base}/embeddings` : `${base}/v1/embeddings`;
    this.fetcher = o.fetch ?? ((...args) => fetch(...args));
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const size = this.o.batch ?? 32;
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += size) {
      out.push(...(await this.request(texts.slice(i, i + size), signal)));
    }
    return out;
  }

  private async request(input: string[], signal?: AbortSignal): Promise<number[][]> {
    let res: Response;
    try {
      res = await this.fetcher(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.o.model, input, encoding_format: 'float' }),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw new RequestAbortedError();
      throw new EngineError(
        'download-failed',
        `Could not reach the embedding server at ${this.url}: ${err instanceof Error ? err.message : String(err)}.`,
        'Check that the server runs and allows this page (CORS), then try again.',
      );
    }
    if (!res.ok) {
      const detail = (await res.text().catch(() => '')).slice(0, 200);
      throw new EngineError(
        'download-failed',
        `The embedding server answered ${res.status} for model "${this.o.model}"${detail ? `: ${detail}` : ''}.`,
        res.status === 404
          ? 'The server may offer no /v1/embeddings, or not this model: check its name.'
          : 'Check the model name and the server, then try again.',
      );
    }
    const body = (await res.json().catch(() => undefined)) as
      { data?: EmbeddingItem[] } | undefined;
    if (!body || !Array.isArray(body.data)) {
      throw new EngineError(
        'bad-model-file',
        `The embedding server's answer has no "data" list.`,
        'Check that the URL points at an OpenAI-compatible server.',
      );
    }
    return orderedVectors(body.data, input.length, `The server's model "${this.o.model}"`);
  }
}
