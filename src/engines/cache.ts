/**
 * The completion cache: deterministic requests (temperature 0, or a fixed seed) answer from
 * storage when the same model already answered the same messages with the same sampling. Hits
 * skip the model entirely and are counted, so a run can report what it saved.
 *
 * Storage comes in through `CompletionStore`, a two-method shape that src/store/completions.ts
 * implements over the IndexedDB `completions` table. The interface lives here, not in store,
 * because engines may import only core (DESIGN.md layers); store satisfies it structurally.
 */
import { hashValue } from '../core/hash';
import type { LlmPort } from '../core/ports';
import type { Completion, CompletionRequest } from '../core/types';

/** One recorded answer: the shape of store's CompletionRecord, restated to keep layers apart. */
export interface CompletionEntry {
  key: string;
  model: string;
  request: CompletionRequest;
  completion: Completion;
  createdAt: number;
}

export interface CompletionStore {
  get(key: string): Promise<CompletionEntry | undefined>;
  put(entry: CompletionEntry): Promise<void>;
}

/**
 * True when the same request must give the same answer: greedy decoding, or sampling from a
 * fixed seed (on engines that honour seeds, which both of ours do).
 */
export function isDeterministic(req: CompletionRequest): boolean {
  return req.sampling.temperature === 0 || req.sampling.seed !== undefined;
}

/**
 * The cache and replay key: hash of model id, messages and sampling parameters. Purpose and
 * timeout are left out on purpose: they do not change what the model writes.
 */
export function completionKey(modelId: string, req: CompletionRequest): Promise<string> {
  return hashValue({ model: modelId, messages: req.messages, sampling: req.sampling });
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Requests that were not deterministic and so went to the model uncached. */
  bypassed: number;
}

export class CachedEngine implements LlmPort {
  readonly modelId: string;
  readonly concurrency: number | undefined;
  readonly stats: CacheStats = { hits: 0, misses: 0, bypassed: 0 };

  constructor(
    private readonly inner: LlmPort,
    private readonly store: CompletionStore,
  ) {
    this.modelId = inner.modelId;
    this.concurrency = inner.concurrency;
  }

  /** Starts early only what the cache cannot answer. */
  async prefetch(req: CompletionRequest, signal: AbortSignal): Promise<void> {
    if (!this.inner.prefetch) return;
    if (isDeterministic(req) && (await this.store.get(await completionKey(this.modelId, req))))
      return;
    await this.inner.prefetch(req, signal);
  }

  /** The engine's window, so the run's context guard sees it through the cache. */
  get contextWindow(): number | undefined {
    return this.inner.contextWindow;
  }

  async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    if (!isDeterministic(req)) {
      this.stats.bypassed++;
      return this.inner.complete(req, signal);
    }
    const key = await completionKey(this.modelId, req);
    const hit = await this.store.get(key);
    if (hit) {
      this.stats.hits++;
      return {
        ...hit.completion,
        latencyMs: 0,
        cached: true,
        firstLatencyMs: hit.completion.latencyMs,
      };
    }
    this.stats.misses++;
    const completion = await this.inner.complete(req, signal);
    if (cacheable(req, completion)) {
      // How this one came back (retried after a server fault) is not part of the answer.
      const { retried: _retried, ...answer } = completion;
      await this.store.put({
        key,
        model: this.modelId,
        request: req,
        completion: answer,
        createdAt: Date.now(),
      });
    }
    return completion;
  }
}

/**
 * Whether an answer may answer this request again: not one cut short (by the user, or a server
 * that dropped it), nor an empty one where tokens were allowed (a server that hung up early;
 * engines/openai.ts retries those, this keeps any engine's from being reused).
 */
export function cacheable(req: CompletionRequest, completion: Completion): boolean {
  if (completion.finishReason === 'abort') return false;
  return completion.text.trim() !== '' || req.sampling.max_tokens <= 0;
}

/** A store in memory: for tests, benchmarks, and replaying an imported log without IndexedDB. */
export class MemoryCompletionStore implements CompletionStore {
  readonly entries = new Map<string, CompletionEntry>();
  get(key: string): Promise<CompletionEntry | undefined> {
    return Promise.resolve(this.entries.get(key));
  }
  put(entry: CompletionEntry): Promise<void> {
    this.entries.set(entry.key, entry);
    return Promise.resolve();
  }
}
