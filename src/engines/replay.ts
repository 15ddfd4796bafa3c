/**
 * Replay: answers from a recorded run's completion log, so that a run made on a GPU laptop re-runs
 * on any machine with the same prompts and the same code, re-graded in Pyodide. A request matches
 * only on its exact key (model id + messages + sampling, see `completionKey`); anything else is a
 * ReplayMissError naming the request, never a made-up answer.
 *
 * Deterministic requests answer the same every time. Sampled requests (temperature > 0, no
 * seed) may legitimately be asked several times with different answers (pass@k samples); they
 * answer in recorded order, and one more ask than was recorded is a miss.
 */
import type { LlmPort } from '../core/ports';
import type { Completion, CompletionRequest } from '../core/types';
import {
  completionKey,
  isDeterministic,
  type CompletionEntry,
  type CompletionStore,
} from './cache';
import { ReplayMissError } from './errors';
import { describeRequest, withRequestSignal } from './request';

export class ReplayEngine implements LlmPort {
  readonly modelId: string;
  private readonly answers = new Map<string, Completion[]>();
  private readonly served = new Map<string, number>();

  private constructor(modelId: string) {
    this.modelId = modelId;
  }

  /**
   * Builds a replay of `modelId` from log entries (any order; entries of other models are
   * ignored). Keys are recomputed from each entry's request, so logs from any writer match.
   */
  static async fromLog(modelId: string, entries: Iterable<CompletionEntry>): Promise<ReplayEngine> {
    const engine = new ReplayEngine(modelId);
    const mine = [...entries]
      .filter((e) => e.model === modelId)
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const entry of mine) {
      const key = await completionKey(modelId, entry.request);
      const list = engine.answers.get(key) ?? [];
      list.push(entry.completion);
      engine.answers.set(key, list);
    }
    return engine;
  }

  /** Distinct requests the log can answer. */
  get size(): number {
    return this.answers.size;
  }

  complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    return withRequestSignal(req, signal, async () => {
      const started = performance.now();
      const key = await completionKey(this.modelId, req);
      const list = this.answers.get(key);
      if (!list?.length)
        throw new ReplayMissError(key, describeRequest(this.modelId, req), 'missing');
      let answer: Completion | undefined;
      if (isDeterministic(req)) {
        answer = list[0];
      } else {
        const n = this.served.get(key) ?? 0;
        answer = list[n];
        if (!answer)
          throw new ReplayMissError(key, describeRequest(this.modelId, req), 'exhausted');
        this.served.set(key, n + 1);
      }
      return { ...answer!, latencyMs: performance.now() - started, cached: false };
    });
  }
}

/** Where a recording goes: every answer, deterministic or not (the replay log of a run). */
export interface CompletionLog {
  append(entry: CompletionEntry): Promise<void>;
}

/**
 * Records every completion of the wrapped engine into a log. Sampled answers get a unique
 * suffix on their storage key, since the same request may be asked several times.
 */
export class RecordingEngine implements LlmPort {
  readonly modelId: string;
  constructor(
    private readonly inner: LlmPort,
    private readonly log: CompletionLog,
  ) {
    this.modelId = inner.modelId;
  }

  async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const completion = await this.inner.complete(req, signal);
    if (completion.finishReason === 'abort') return completion;
    const key = await completionKey(this.modelId, req);
    await this.log.append({
      key: isDeterministic(req) ? key : `${key}:${crypto.randomUUID()}`,
      model: this.modelId,
      request: req,
      completion,
      createdAt: Date.now(),
    });
    return completion;
  }
}

/** A CompletionStore is also a log of deterministic answers (sampled ones get unique keys). */
export function logOf(store: CompletionStore): CompletionLog {
  return { append: (entry) => store.put(entry) };
}
