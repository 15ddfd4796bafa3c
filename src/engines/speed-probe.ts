/**
 * A short probe of a loaded model's speed on this device: prefill and decode tokens per second,
 * measured through its LlmPort (any engine) right after it loads. A warm-up of two to five short
 * calls (not timed), then up to three rounds of the three calls core/speed.ts ratesFromProbe
 * reads, as many as fit in about a minute. On a CPU with a 0.5B model it takes one to two
 * minutes; bench/projection.ts checks how well its figures predict real calls.
 *
 * It must reach the engine itself, never the completion cache: a cached answer takes 0 ms.
 */
import type { LlmPort } from '../core/ports';
import {
  MIN_PROBE_DECODE_TOKENS,
  ratesFromProbe,
  speedProblem,
  type ProbeCall,
  type SpeedMeasure,
} from '../core/speed';
import type { CompletionRequest } from '../core/types';
import { EngineError } from './errors';

/**
 * About 180 tokens of plain prose: long enough that prefill dominates the call and the difference
 * with the short prompt stays above MIN_PROBE_PREFILL_TOKENS, short enough that a CPU reading ten
 * tokens a second spends under twenty seconds on it.
 */
const LONG_TEXT = Array.from(
  { length: 7 },
  (_, i) =>
    `Paragraph ${i + 1}. The lab reads a task, writes a small Python function, runs the tests and keeps the prompt that passes most.`,
).join(' ');
/**
 * The decode call's prompt must keep a small model writing for DECODE_TOKENS. A code task does:
 * on Qwen2.5-Coder-0.5B (greedy, 40 prompt numbers) this one reached 64 answer tokens 40 times,
 * where "Count from one to one hundred in words" ended within 16 tokens 13 times (the model
 * counted the call's number instead: "One hundred, one thousand two").
 */
const SHORT =
  'Write a Python class for a bank account with deposit, withdraw and balance methods, each with a docstring.';
/** Answer tokens asked of the decode call: four times the fewest the probe accepts. */
const DECODE_TOKENS = 4 * MIN_PROBE_DECODE_TOKENS;
const MAX_ROUNDS = 3;
/** Another round starts only if it would likely end within this much time of measuring. */
const ROUNDS_BUDGET_MS = 60_000;
const WARM_UP = 5;
/**
 * A decode call whose answer ended too soon to measure is asked again (with a new number), up to
 * this many calls in all: a model may end any prompt early. With the old counting prompt,
 * Qwen2.5-Coder-0.5B in wllama answered in 9 tokens, and the quick demo stopped (issue 22).
 */
const DECODE_ATTEMPTS = 3;

export interface SpeedProbeOptions {
  engine: string;
  threads?: number;
  signal?: AbortSignal;
  /** Called before each call with the step's name, for a progress line. */
  onStep?: (step: string, index: number, of: number) => void;
}

/** The short call asks one answer token, so the decode call needs this many more to measure. */
const tooShort = (decode: ProbeCall): boolean =>
  decode.completionTokens < MIN_PROBE_DECODE_TOKENS + 1;

export async function measureSpeed(port: LlmPort, opts: SpeedProbeOptions): Promise<SpeedMeasure> {
  let asked = 0;
  const ask = async (content: string, maxTokens: number): Promise<ProbeCall> => {
    // Every prompt begins with its own number, so no call reuses the KV cache of an earlier one
    // (llama.cpp's cache_prompt, a server's slot cache): the prompt is read in full, as a run's
    // first request of a task is. A reused prompt measured wllama's prefill at 11,824 tokens/s
    // against about 9 really (issue 22).
    asked += 1;
    const req: CompletionRequest = {
      messages: [{ role: 'user', content: `Call ${asked} (${Date.now() % 1e6}). ${content}` }],
      // A seed per call, so no layer in between may answer from a cache.
      sampling: { temperature: 0, max_tokens: maxTokens, seed: Date.now() % 1e9 },
      purpose: 'generate',
      timeoutMs: 180_000,
    };
    const c = await port.complete(req, opts.signal);
    if (c.cached) throw new Error('The speed probe got a cached answer; it must reach the model.');
    return {
      promptTokens: c.usage.promptTokens,
      completionTokens: c.usage.completionTokens,
      latencyMs: c.latencyMs,
    };
  };
  // Each measuring call up to three times, interleaved, keeping the median: one stall of a shared
  // machine does not move it, while the machine's usual load (which a run will meet too) does. On
  // a slow device fewer rounds fit the budget; of two, the median is the slower (a projection
  // errs long rather than short).
  const LONG = `${LONG_TEXT}\n\n${SHORT}`;
  const kinds = [
    ['short prompt', SHORT, 1],
    ['long prompt (prefill)', LONG, 1],
    ['long answer (decode)', SHORT, DECODE_TOKENS],
  ] as const;
  const DECODE = kinds.length - 1;
  const total = 1 + MAX_ROUNDS * kinds.length;
  // The first calls after a load compile shaders, fill caches and let WebAssembly tier up to
  // optimized code: bench/projection.ts saw a small CPU model decode 4× faster a minute later.
  // So warm up with short calls of a few answer tokens (both the prompt-batch and the one-token
  // paths) until a call is no longer much faster than the one before, at most WARM_UP times. A
  // long prompt here cost the quick demo minutes on one CPU thread (issue 21).
  opts.onStep?.('warming up', 0, total);
  let warm = await ask(SHORT, 8);
  let totalMs = warm.latencyMs;
  for (let i = 1; i < WARM_UP; i++) {
    opts.onStep?.('warming up', 0, total);
    const again = await ask(SHORT, 8);
    totalMs += again.latencyMs;
    const settled = again.latencyMs > 0.8 * warm.latencyMs;
    warm = again;
    if (settled) break;
  }
  const seen: ProbeCall[][] = kinds.map(() => []);
  let index = 1;
  let roundsMs = 0;
  let lastRoundMs = 0;
  for (let r = 0; r < MAX_ROUNDS && (r === 0 || roundsMs + lastRoundMs <= ROUNDS_BUDGET_MS); r++) {
    lastRoundMs = 0;
    for (const [k, [name, content, maxTokens]] of kinds.entries()) {
      opts.onStep?.(name, index++, total);
      let call = await ask(content, maxTokens);
      for (let a = 1; k === DECODE && tooShort(call) && a < DECODE_ATTEMPTS; a++) {
        lastRoundMs += call.latencyMs;
        call = await ask(content, maxTokens);
      }
      lastRoundMs += call.latencyMs;
      seen[k]?.push(call);
    }
    roundsMs += lastRoundMs;
  }
  totalMs += roundsMs;
  const best = seen.map((calls, k) => {
    // Decode calls may differ in length (a model may end one early), so they are ranked by time
    // per answer token, and one too short to measure counts only when no call is long enough.
    const isDecode = k === DECODE;
    const usable =
      isDecode && calls.some((c) => !tooShort(c)) ? calls.filter((c) => !tooShort(c)) : calls;
    const cost = (c: ProbeCall) =>
      isDecode ? c.latencyMs / Math.max(1, c.completionTokens) : c.latencyMs;
    const sorted = [...usable].sort((a, b) => cost(a) - cost(b));
    return sorted[Math.floor(sorted.length / 2)];
  });
  const [short, long, decode] = best as [ProbeCall, ProbeCall, ProbeCall];
  const measured: SpeedMeasure = {
    ...ratesFromProbe(short, long, decode),
    measuredAt: Date.now(),
    engine: opts.engine,
    threads: opts.threads,
    probe: {
      prefillTokens: long.promptTokens,
      decodeTokens: decode.completionTokens,
      ms: totalMs,
    },
  };
  // Measured over the difference with the short call, which cancels each call's fixed cost.
  const problem = speedProblem({
    ...measured,
    probe: {
      ...measured.probe,
      prefillTokens: long.promptTokens - short.promptTokens,
      decodeTokens: decode.completionTokens - short.completionTokens,
    },
  });
  if (problem)
    throw new EngineError(
      'server-response',
      `The speed could not be measured: ${problem}.`,
      'No figures were stored, so no projection uses them. Measure again; with llama-cpp-python, start the server with --interrupt_requests false first.',
    );
  return measured;
}
