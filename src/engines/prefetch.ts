/**
 * Concurrency without reordering: a model server answers several requests at once, but a run
 * must come out the same whatever order the answers arrive in. So callers keep asking in their
 * own order (`complete`), and announce what they will ask next (`prefetch`); this wrapper starts
 * the announced requests early, up to `concurrency` at a time, and hands each answer over when
 * its `complete` comes. Nothing above it sees an answer before asking for it, so logs, caches,
 * budgets and seeds see exactly the sequence a one-at-a-time run would.
 *
 * The inner port must accept concurrent `complete` calls (an HTTP client does; the in-browser
 * engines queue them, so they are not wrapped).
 */
import type { LlmPort } from '../core/ports';
import type { Completion, CompletionRequest } from '../core/types';
import { RequestAbortedError } from './errors';

interface Early {
  controller: AbortController;
  answer: Promise<Completion>;
  /** Stops listening to the announcer's scope once the answer is taken. */
  release: () => void;
}

/** Identity of a request as far as the answer goes (purpose and timeout do not change it). */
const identity = (req: CompletionRequest): string => JSON.stringify([req.messages, req.sampling]);

/** A counting semaphore whose waiters can jump the queue (requests someone is waiting on). */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(urgent: boolean, signal: AbortSignal): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((ok, fail) => {
      const grant = (): void => {
        signal.removeEventListener('abort', drop);
        ok();
      };
      const drop = (): void => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        fail(new RequestAbortedError());
      };
      signal.addEventListener('abort', drop, { once: true });
      if (urgent) this.waiting.unshift(grant);
      else this.waiting.push(grant);
    });
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export class PrefetchingEngine implements LlmPort {
  readonly modelId: string;
  readonly concurrency: number;
  private readonly slots: Slots;
  private readonly early = new Map<string, Early[]>();
  private inFlight = 0;
  /** Most requests ever in flight at once (for tests and benchmarks). */
  peak = 0;

  constructor(
    private readonly inner: LlmPort,
    concurrency: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1 (got ${concurrency})`);
    }
    this.modelId = inner.modelId;
    this.concurrency = concurrency;
    this.slots = new Slots(concurrency);
  }

  /** Answers started early and not yet asked for. */
  get pending(): number {
    let n = 0;
    for (const list of this.early.values()) n += list.length;
    return n;
  }

  private async send(req: CompletionRequest, urgent: boolean, signal: AbortSignal) {
    await this.slots.take(urgent, signal);
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      return await this.inner.complete(req, signal);
    } finally {
      this.inFlight--;
      this.slots.give();
    }
  }

  prefetch(req: CompletionRequest, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.concurrency === 1) return Promise.resolve();
    const key = identity(req);
    const controller = new AbortController();
    const entry: Early = {
      controller,
      answer: this.send(req, false, controller.signal),
      release: () => signal.removeEventListener('abort', drop),
    };
    // An early answer nobody took is not an error anyone should see.
    entry.answer.catch(() => undefined);
    const list = this.early.get(key) ?? [];
    list.push(entry);
    this.early.set(key, list);
    function drop(this: void): void {
      const current = early.get(key);
      const i = current?.indexOf(entry) ?? -1;
      if (current && i >= 0) {
        current.splice(i, 1);
        if (current.length === 0) early.delete(key);
        controller.abort();
      }
    }
    const early = this.early;
    signal.addEventListener('abort', drop, { once: true });
    return Promise.resolve();
  }

  async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    if (signal?.aborted) throw new RequestAbortedError();
    const key = identity(req);
    const list = this.early.get(key);
    const entry = list?.shift();
    if (list && list.length === 0) this.early.delete(key);
    if (!entry) {
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        return await this.send(req, true, controller.signal);
      } finally {
        signal?.removeEventListener('abort', stop);
      }
    }
    entry.release();
    const stop = (): void => entry.controller.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      return await entry.answer;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }
}
