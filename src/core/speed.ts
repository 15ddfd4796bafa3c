/**
 * A model's measured speed on this device, and the time a number of calls will take from it.
 *
 * A call's time is modelled as overhead + prompt tokens / prefill rate + answer tokens / decode
 * rate: prefill (reading the prompt) runs in parallel over the prompt and is many times faster
 * than decoding, which makes one token at a time; so a seconds-per-call figure measured on short
 * answers says little about long ones. The rates come from a probe after the model loads
 * (engines/speed-probe.ts); the token counts from the run itself as it goes, or, before it
 * starts, from earlier answers of the same model or a stated assumption.
 */

export interface SpeedMeasure {
  /** Prompt tokens read per second. */
  prefillTps: number;
  /** Answer tokens written per second. */
  decodeTps: number;
  /** Fixed cost of one call (messaging, template, sampling set-up), in ms. */
  overheadMs: number;
  /** When and how it was measured. */
  measuredAt: number;
  engine: string;
  threads?: number;
  /** The probe's own sizes, so a reader can judge the figures. */
  probe: { prefillTokens: number; decodeTokens: number; ms: number };
}

export interface TokensPerCall {
  prompt: number;
  completion: number;
}

/**
 * The fewest tokens a probe must measure over for its rate to mean anything: a difference of a
 * few tokens is lost in the noise of one call's fixed cost (issue 22: a server cut the probe's
 * answer short, and "0.0 answer tokens per second" projected a run at 7770 hours).
 */
export const MIN_PROBE_DECODE_TOKENS = 16;
export const MIN_PROBE_PREFILL_TOKENS = 100;

/**
 * Why these figures cannot be used for a projection, in words; undefined when they can. Figures
 * stored before the probe checked its own length are caught here too.
 */
export function speedProblem(
  s: Pick<SpeedMeasure, 'prefillTps' | 'decodeTps' | 'probe'>,
): string | undefined {
  if (s.probe.decodeTokens < MIN_PROBE_DECODE_TOKENS)
    return `the speed probe's answer had ${s.probe.decodeTokens} tokens, too few to measure decoding (at least ${MIN_PROBE_DECODE_TOKENS} are needed): the model ended it early, or a server cut it short`;
  if (s.probe.prefillTokens < MIN_PROBE_PREFILL_TOKENS)
    return `the speed probe's long prompt had ${s.probe.prefillTokens} tokens, too few to measure prompt reading (at least ${MIN_PROBE_PREFILL_TOKENS} are needed)`;
  if (
    !(s.prefillTps > 0 && Number.isFinite(s.prefillTps)) ||
    !(s.decodeTps > 0 && Number.isFinite(s.decodeTps))
  )
    return 'the speed probe measured no usable rate';
  return undefined;
}

/** Milliseconds one call of this size takes at this speed. */
export function callMs(speed: SpeedMeasure, tokens: TokensPerCall): number {
  return (
    speed.overheadMs +
    (1000 * tokens.prompt) / speed.prefillTps +
    (1000 * tokens.completion) / speed.decodeTps
  );
}

/** One probe call as the engine reported it. */
export interface ProbeCall {
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

/**
 * Rates from three calls: `short` (a short prompt, one answer token), `long` (a long prompt,
 * one answer token) and `decode` (the short prompt, many answer tokens). Differences against
 * `short` cancel the fixed cost of a call. When noise makes a difference non-positive the rate
 * falls back to the whole call's tokens over its time (slower, so a projection errs long).
 */
export function ratesFromProbe(
  short: ProbeCall,
  long: ProbeCall,
  decode: ProbeCall,
): Pick<SpeedMeasure, 'prefillTps' | 'decodeTps' | 'overheadMs'> {
  const rate = (tokens: number, ms: number, whole: ProbeCall, wholeTokens: number): number =>
    tokens > 0 && ms > 0
      ? (1000 * tokens) / ms
      : (1000 * Math.max(1, wholeTokens)) / Math.max(1, whole.latencyMs);
  const prefillTps = rate(
    long.promptTokens - short.promptTokens,
    long.latencyMs - short.latencyMs,
    long,
    long.promptTokens,
  );
  const decodeTps = rate(
    decode.completionTokens - short.completionTokens,
    decode.latencyMs - short.latencyMs,
    decode,
    decode.completionTokens,
  );
  const overheadMs = Math.max(
    0,
    short.latencyMs -
      (1000 * short.promptTokens) / prefillTps -
      (1000 * short.completionTokens) / decodeTps,
  );
  return { prefillTps, decodeTps, overheadMs };
}

/**
 * A budget that finishes within `limitMs`: the most optimization calls per seed (and, when even
 * one seed with the held-out report does not fit, one seed) at `msPerCall`. Undefined when the
 * held-out report alone takes longer than the limit.
 */
export function budgetWithin(args: {
  limitMs: number;
  msPerCall: number;
  seeds: number;
  perSeedCalls: number;
  heldoutCallsPerSeed: number;
}): { seeds: number; maxLlmCalls: number; ms: number } | undefined {
  const { limitMs, msPerCall, perSeedCalls, heldoutCallsPerSeed } = args;
  for (const seeds of args.seeds > 1 ? [args.seeds, 1] : [1]) {
    const optimizeMs = limitMs / seeds - heldoutCallsPerSeed * msPerCall;
    const calls = Math.min(perSeedCalls, Math.floor(optimizeMs / msPerCall));
    // Fewer than ten calls cannot optimize anything: fall back to one seed, then give up.
    if (calls >= Math.min(10, perSeedCalls))
      return { seeds, maxLlmCalls: calls, ms: seeds * (calls + heldoutCallsPerSeed) * msPerCall };
  }
  return undefined;
}
