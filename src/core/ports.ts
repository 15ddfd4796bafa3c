/**
 * The two seams through which everything else reaches the world. Optimizers see only these, so
 * they run the same against WebLLM, wllama, a replayed log or a scripted test double, and
 * against a Pyodide pool in a browser or in Node.
 */
import type { ChatMessage, Completion, CompletionRequest, ExecJob, ExecResult } from './types';

export interface LlmPort {
  /** The id of the model behind this port; part of every cache key. */
  readonly modelId: string;
  /**
   * How many requests the engine answers at once (absent: 1). A model server batches concurrent
   * requests; the in-browser engines answer one at a time.
   */
  readonly concurrency?: number;
  complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion>;
  /**
   * Optional: start answering `req` ahead of need, so that up to `concurrency` requests are in
   * flight while the caller still consumes answers in its own order. A later `complete` of the
   * same request takes the early answer. It never changes what `complete` returns, only when;
   * answers nobody asks for are dropped (and their requests cancelled) when `signal` aborts.
   * Resolves once the request is registered (not answered).
   */
  prefetch?(req: CompletionRequest, signal: AbortSignal): Promise<void>;
  /** The loaded model's context window in tokens (prompt + answer), where the engine knows it. */
  readonly contextWindow?: number;
  /** Prompt tokens of `messages` with the engine's own tokenizer and template, where it has one. */
  countTokens?(messages: readonly ChatMessage[]): Promise<number>;
}

export interface ExecPort {
  run(job: ExecJob, signal?: AbortSignal): Promise<ExecResult>;
  /**
   * Optional: for batch work that has the machine to itself (validating a task set: no model is
   * generating), grade on every core until the returned function is called. Ports without it
   * grade as they always do.
   */
  useAllCores?(): () => void;
}

/** Optional: sentence embeddings, for GPO's relevance retrieval. Absent means TF-IDF. */
export interface EmbedPort {
  readonly modelId: string;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}
