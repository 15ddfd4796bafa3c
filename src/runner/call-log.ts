/**
 * An LlmPort wrapper that records every call of a run in the run's own log and, when a round is
 * run again after a resume, answers from the log instead of the model. Requests are matched by
 * content (hash of model + messages + sampling) and occurrence within the round, so the n-th
 * identical question of a round always gets the n-th answer it got the first time.
 */
import { hashValue } from '../core/hash';
import type { LlmPort } from '../core/ports';
import type { Completion, CompletionRequest } from '../core/types';
import type { RunRepository } from '../store/runs';
import { modelIdFor } from './roles';

/** The content key of a request: the same hash the completion cache and the replay engine use. */
export function requestKey(modelId: string, req: CompletionRequest): Promise<string> {
  return hashValue({ model: modelId, messages: req.messages, sampling: req.sampling });
}

/** Round number under which held-out evaluation calls are logged (they belong to no step). */
export const HELDOUT_ROUND = -1;
/** Round under which a seed's training-set augmentation calls are logged (before round 0). */
export const AUGMENT_ROUND = -2;

export class RunCallLog implements LlmPort {
  readonly modelId: string;
  readonly concurrency: number | undefined;
  private round = 0;
  private occurrences = new Map<string, number>();
  private readonly keys = new WeakMap<Completion, string>();
  /** Calls answered from the log since construction (they cost the model nothing). */
  replayed = 0;

  constructor(
    private readonly inner: LlmPort,
    private readonly repo: RunRepository,
    private readonly runId: string,
    private readonly seed: number,
    private seq: number,
  ) {
    this.modelId = inner.modelId;
    this.concurrency = inner.concurrency;
  }

  /**
   * Starts early what the log cannot answer. The occurrence looked up is the next one of this
   * request in the round; a request announced twice before being asked is only started twice.
   */
  async prefetch(req: CompletionRequest, signal: AbortSignal): Promise<void> {
    if (!this.inner.prefetch) return;
    const key = await requestKey(this.modelId, req);
    const n = this.occurrences.get(key) ?? 0;
    if (await this.repo.call(this.runId, this.seed, this.round, key, n)) return;
    await this.inner.prefetch(req, signal);
  }

  /** Sequence number the next new call will get. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Start counting occurrences afresh: call at the beginning of every round. */
  beginRound(round: number): void {
    this.round = round;
    this.occurrences.clear();
  }

  /** The request key a completion was answered under (for EvaluationRecord.completionKey). */
  keyOf(completion: Completion): string | undefined {
    return this.keys.get(completion);
  }

  async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const round = this.round;
    // Under the model that answers it: with two roles, the optimizer model's calls are its own.
    const key = await requestKey(modelIdFor(this.inner, req), req);
    const n = this.occurrences.get(key) ?? 0;
    this.occurrences.set(key, n + 1);
    const logged = await this.repo.call(this.runId, this.seed, round, key, n);
    if (logged) {
      this.replayed++;
      this.keys.set(logged.completion, key);
      return logged.completion;
    }
    signal?.throwIfAborted();
    const completion = await this.inner.complete(req, signal);
    await this.repo.appendCall({
      runId: this.runId,
      seed: this.seed,
      round,
      key,
      n,
      seq: this.seq++,
      request: req,
      completion,
      createdAt: Date.now(),
    });
    this.keys.set(completion, key);
    return completion;
  }
}
