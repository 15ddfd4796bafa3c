/**
 * Requests that fit the model's context window. Small models have short windows (2–4k tokens in
 * a browser), and an engine that gets more silently drops the start of the prompt — the system
 * instruction under optimization. So every request is measured before it is sent: with the
 * engine's tokenizer where it offers one (`LlmPort.countTokens`), otherwise with an upper bound
 * measured on this model as it answers: at first one token per UTF-8 byte (true of every byte-level
 * BPE and byte-fallback tokenizer, since each token covers at least one byte), then the largest
 * tokens-per-byte the engine has reported for a whole request (its `usage.promptTokens`, which
 * includes the chat template), with a 10% margin. A request that cannot fit is refused with
 * ContextOverflowError naming both sizes; methods trim their meta-prompts before that (GPO drops
 * the least relevant trajectory entries, then task examples) and say so.
 */
import type { LlmPort } from './ports';
import type { ChatMessage, Completion, CompletionRequest } from './types';

/** The request does not fit the model's window, even with its answer cut to the minimum. */
export class ContextOverflowError extends Error {
  override readonly name = 'ContextOverflowError';
  constructor(
    readonly window: number,
    readonly size: number,
    readonly answer: number,
    readonly modelId: string,
  ) {
    super(
      `This request needs about ${size} tokens of prompt plus up to ${answer} for the answer, more than the ${window}-token context window of ${modelId}. Use a model with a larger window (or load it with a larger context), fewer or shorter task examples, or a shorter prompt.`,
    );
  }
}

/** Tokens the chat template adds around each message and before the answer (a generous bound). */
export const TEMPLATE_TOKENS_PER_MESSAGE = 8;
export const TEMPLATE_TOKENS_BASE = 16;
/** The least room an answer gets before a request is refused rather than its answer cut. */
export const MIN_ANSWER_TOKENS = 32;

const encoder = new TextEncoder();
const bytesOf = (messages: readonly ChatMessage[]): number =>
  messages.reduce((n, m) => n + encoder.encode(m.content).length, 0);

/** What a request needs, in tokens, and the window it must fit. */
export interface Fit {
  window: number;
  /** Prompt tokens (counted by the engine, or the measured upper bound). */
  prompt: number;
  /** How the prompt was measured. */
  counted: 'engine' | 'estimate';
  /** True when prompt + the minimum answer fit. */
  fits: boolean;
  /** True when prompt + the whole max_tokens fit: what a method trims towards. */
  roomy: boolean;
  /** The answer's room: min(max_tokens, window − prompt). */
  answer: number;
}

/**
 * An LlmPort that measures every request against the inner engine's window, lowers an answer
 * limit that would overflow it (the prompt is never cut), refuses a request that cannot fit, and
 * learns the model's tokens-per-byte from the answers. Without a known window it passes through.
 */
export class ContextGuard implements LlmPort {
  readonly modelId: string;
  /** Largest tokens per byte the engine has reported, before the margin; 1 until it has. */
  private ratio = 1;
  private measured = false;

  constructor(private readonly inner: LlmPort) {
    this.modelId = inner.modelId;
    // Concurrency passes through: a guard must not turn a batching server back into one request
    // at a time (ports.ts `prefetch`).
    if (inner.prefetch) {
      const ahead = inner.prefetch.bind(inner);
      this.prefetch = async (req, signal) => ahead(await this.sized(req), signal);
    }
  }

  get concurrency(): number | undefined {
    return this.inner.concurrency;
  }

  /** Set when the inner engine can start requests ahead (the same sizing as `complete`). */
  readonly prefetch?: (req: CompletionRequest, signal: AbortSignal) => Promise<void>;

  get contextWindow(): number | undefined {
    return this.inner.contextWindow;
  }

  /** The upper bound this guard uses for `messages`, in tokens. */
  estimate(messages: readonly ChatMessage[]): number {
    const perByte = this.measured ? Math.min(1, this.ratio * 1.1) : 1;
    return Math.ceil(
      bytesOf(messages) * perByte +
        TEMPLATE_TOKENS_BASE +
        TEMPLATE_TOKENS_PER_MESSAGE * messages.length,
    );
  }

  /** How `req` fits the window; undefined when the engine has no known window. */
  async fit(req: Pick<CompletionRequest, 'messages' | 'sampling'>): Promise<Fit | undefined> {
    const window = this.inner.contextWindow;
    if (window === undefined) return undefined;
    const exact = this.inner.countTokens ? await this.inner.countTokens(req.messages) : undefined;
    if (
      exact === undefined &&
      !this.measured &&
      window - this.estimate(req.messages) < req.sampling.max_tokens
    ) {
      await this.calibrate(req.messages, window);
    }
    const prompt = exact ?? this.estimate(req.messages);
    const room = window - prompt;
    return {
      window,
      prompt,
      counted: exact === undefined ? 'estimate' : 'engine',
      fits: room >= Math.min(MIN_ANSWER_TOKENS, req.sampling.max_tokens),
      roomy: room >= req.sampling.max_tokens,
      answer: Math.max(0, Math.min(req.sampling.max_tokens, room)),
    };
  }

  /**
   * Measures the model's tokens per byte before the first request the one-per-byte bound would
   * cut or refuse: the engine reads as much of that request's text as surely fits (at most one
   * token per byte) and answers one token, and its prompt-token count gives the ratio. Without
   * it a 2k-window model would refuse a HumanEval prompt of 2.3 kB that is 600 tokens long.
   */
  private async calibrate(messages: readonly ChatMessage[], window: number): Promise<void> {
    const budget = window - TEMPLATE_TOKENS_BASE - TEMPLATE_TOKENS_PER_MESSAGE - 8;
    if (budget < 40) return;
    const bytes = encoder.encode(messages.map((m) => m.content).join('\n'));
    const text = new TextDecoder().decode(bytes.slice(0, budget));
    const c = await this.inner.complete({
      messages: [{ role: 'user', content: text }],
      sampling: { temperature: 0, max_tokens: 1 },
      purpose: 'judge',
    });
    const sent = encoder.encode(text).length;
    if (c.usage.promptTokens > 0 && sent >= 40) {
      this.ratio = Math.max(this.measured ? this.ratio : 0, c.usage.promptTokens / sent);
      this.measured = true;
    }
  }

  /** `req` as it is sent: its answer limit lowered to the room left; refused when it cannot fit. */
  private async sized(req: CompletionRequest): Promise<CompletionRequest> {
    const f = await this.fit(req);
    if (f && !f.fits) {
      throw new ContextOverflowError(f.window, f.prompt, req.sampling.max_tokens, this.modelId);
    }
    return f && f.answer < req.sampling.max_tokens
      ? { ...req, sampling: { ...req.sampling, max_tokens: f.answer } }
      : req;
  }

  async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const c = await this.inner.complete(await this.sized(req), signal);
    // Learn from requests long enough to say something about the text. The template's tokens
    // stay in the ratio (and are added again by `estimate`): an over-estimate, never an under.
    const bytes = bytesOf(req.messages);
    if (!c.cached && c.usage.promptTokens > 0 && bytes >= 40) {
      const r = c.usage.promptTokens / bytes;
      this.ratio = this.measured ? Math.max(this.ratio, r) : r;
      this.measured = true;
    }
    return c;
  }
}
