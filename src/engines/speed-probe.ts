/**
 * A short probe of a loaded model's speed on this device: prefill and decode tokens per second,
 * measured through its LlmPort (any engine) right after it loads. Four calls: a warm-up (the first
 * call compiles shaders or fills caches, so it is not timed), then the three calls
 * core/speed.ts ratesFromProbe reads. On a CPU with a 0.5B model it takes about ten seconds.
 *
 * It must reach the engine itself, never the completion cache: a cached answer takes 0 ms.
 */
import type { LlmPort } from '../core/ports';
import { ratesFromProbe, type ProbeCall, type SpeedMeasure } from '../core/speed';
import type { CompletionRequest } from '../core/types';

/** About 300 tokens of plain prose: long enough that prefill dominates the call. */
const LONG_TEXT = Array.from(
  { length: 12 },
  (_, i) =>
    `Paragraph ${i + 1}. The lab reads a task, writes a small Python function, runs the tests and keeps the prompt that passes most.`,
).join(' ');
const SHORT = 'Count from one to one hundred in words, separated by commas.';
const DECODE_TOKENS = 48;

export interface ProbeOptions {
  engine: string;
  threads?: number;
  signal?: AbortSignal;
  /** Called before each call with the step's name, for a progress line. */
  onStep?: (step: string, index: number, of: number) => void;
}

export async function measureSpeed(port: LlmPort, opts: ProbeOptions): Promise<SpeedMeasure> {
  const ask = async (content: string, maxTokens: number): Promise<ProbeCall> => {
    const req: CompletionRequest = {
      messages: [{ role: 'user', content }],
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
  const steps: [string, () => Promise<ProbeCall>][] = [
    ['warming up', () => ask(SHORT, 1)],
    ['short prompt', () => ask(SHORT, 1)],
    ['long prompt (prefill)', () => ask(`${LONG_TEXT}\n\n${SHORT}`, 1)],
    ['long answer (decode)', () => ask(SHORT, DECODE_TOKENS)],
  ];
  const calls: ProbeCall[] = [];
  for (const [i, [name, run]] of steps.entries()) {
    opts.onStep?.(name, i, steps.length);
    calls.push(await run());
  }
  const [, short, long, decode] = calls as [ProbeCall, ProbeCall, ProbeCall, ProbeCall];
  return {
    ...ratesFromProbe(short, long, decode),
    measuredAt: Date.now(),
    engine: opts.engine,
    threads: opts.threads,
    probe: {
      prefillTokens: long.promptTokens,
      decodeTokens: decode.completionTokens,
      ms: calls.reduce((s, c) => s + c.latencyMs, 0),
    },
  };
}
