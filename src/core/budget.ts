/**
 * The meter that enforces a run's Budget: LLM calls, tokens and minutes, whichever runs out
 * first. Pure apart from the injected clock, so tests drive time by hand and a resumed run can
 * carry over what it had already spent.
 */
import type { Budget, TokenUsage } from './types';

export type BudgetLimit = 'llm-calls' | 'tokens' | 'minutes';

export interface BudgetSpent {
  llmCalls: number;
  tokens: number;
  elapsedMs: number;
}

/** Thrown when a call is attempted after the budget ran out. Methods check first; this is the guard. */
export class BudgetExhaustedError extends Error {
  override readonly name = 'BudgetExhaustedError';
  constructor(readonly limit: BudgetLimit) {
    super(
      `The run's budget of ${limit} is spent. Raise the limit in the run's settings to go further.`,
    );
  }
}

/** Thrown for a budget that cannot be met: negative or non-finite limits. */
export class InvalidBudgetError extends Error {
  override readonly name = 'InvalidBudgetError';
}

export class BudgetMeter {
  private calls: number;
  private tokenCount: number;
  /** Time spent in earlier sessions of a resumed run. */
  private readonly carriedMs: number;
  private readonly startedAt: number;

  constructor(
    readonly budget: Budget,
    private readonly clock: () => number = Date.now,
    spent: Partial<BudgetSpent> = {},
  ) {
    for (const [key, value] of Object.entries(budget)) {
      if (
        value !== undefined &&
        (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))
      ) {
        throw new InvalidBudgetError(
          `Budget ${key} must be a finite number >= 0, got ${String(value)}.`,
        );
      }
    }
    this.calls = spent.llmCalls ?? 0;
    this.tokenCount = spent.tokens ?? 0;
    this.carriedMs = spent.elapsedMs ?? 0;
    this.startedAt = clock();
  }

  get llmCalls(): number {
    return this.calls;
  }

  get tokens(): number {
    return this.tokenCount;
  }

  get elapsedMs(): number {
    return this.carriedMs + Math.max(0, this.clock() - this.startedAt);
  }

  /** Count one call that reached a model (cache hits cost nothing and are not recorded). */
  record(usage: TokenUsage): void {
    this.calls += 1;
    this.tokenCount += usage.promptTokens + usage.completionTokens;
  }

  /** The first limit reached, or undefined while there is budget left. */
  limitReached(): BudgetLimit | undefined {
    const b = this.budget;
    if (b.maxLlmCalls !== undefined && this.calls >= b.maxLlmCalls) return 'llm-calls';
    if (b.maxTokens !== undefined && this.tokenCount >= b.maxTokens) return 'tokens';
    if (b.maxMinutes !== undefined && this.elapsedMs >= b.maxMinutes * 60_000) return 'minutes';
    return undefined;
  }

  exhausted(): boolean {
    return this.limitReached() !== undefined;
  }

  /** Throw BudgetExhaustedError when spent; call before each call that would cost. */
  assertAvailable(): void {
    const limit = this.limitReached();
    if (limit) throw new BudgetExhaustedError(limit);
  }

  /** Plain data to checkpoint, handed back as `spent` when the run resumes. */
  snapshot(): BudgetSpent {
    return { llmCalls: this.calls, tokens: this.tokenCount, elapsedMs: this.elapsedMs };
  }

  /** Calls left under the call limit (Infinity without one). */
  callsLeft(): number {
    const max = this.budget.maxLlmCalls;
    return max === undefined ? Infinity : Math.max(0, max - this.calls);
  }
}
