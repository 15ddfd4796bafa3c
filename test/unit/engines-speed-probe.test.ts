/**
 * The speed probe through an LlmPort whose timing follows a known law (50 ms per call, 400 prompt
 * tokens/s, 20 answer tokens/s, and a slow first call as shader compilation would make): the probe
 * must recover the law and leave the warm-up out. The engine's real timing is covered by the
 * quick-demo e2e test on wllama.
 */
import { describe, expect, it } from 'vitest';
import type { LlmPort } from '../../src/core/ports';
import type { Completion, CompletionRequest } from '../../src/core/types';
import { measureSpeed } from '../../src/engines/speed-probe';

function lawPort(
  opts: {
    cached?: boolean;
    stallAt?: number;
    cutAt?: number;
    /** Answer tokens after which the model itself ends the answer, by call number (from 1). */
    modelEndsAt?: (call: number) => number | undefined;
    /** Prompt and answer tokens per second; 400 and 20 unless given. */
    prefillTps?: number;
    decodeTps?: number;
  } = {},
): LlmPort & { requests: CompletionRequest[] } {
  const requests: CompletionRequest[] = [];
  return {
    modelId: 'law',
    requests,
    complete(req: CompletionRequest): Promise<Completion> {
      requests.push(req);
      const prompt = Math.ceil(req.messages.map((m) => m.content).join(' ').length / 4);
      // A server that cuts answers short (llama-cpp-python's interrupt_requests) returns fewer.
      const ends = opts.modelEndsAt?.(requests.length);
      const answer = Math.min(
        req.sampling.max_tokens ?? 0,
        opts.cutAt ?? Infinity,
        ends ?? Infinity,
      );
      const warmUp = requests.length === 1 ? 5000 : 0;
      const stall = requests.length === opts.stallAt ? 3000 : 0;
      return Promise.resolve({
        text: 'x',
        usage: { promptTokens: prompt, completionTokens: answer },
        latencyMs:
          warmUp +
          stall +
          50 +
          (1000 * prompt) / (opts.prefillTps ?? 400) +
          (1000 * answer) / (opts.decodeTps ?? 20),
        model: 'law',
        finishReason:
          ends !== undefined && ends < (req.sampling.max_tokens ?? 0) ? 'stop' : 'length',
        cached: opts.cached,
      });
    },
  };
}

describe('measureSpeed', () => {
  it('recovers prefill, decode and overhead, without the warm-up call', async () => {
    const port = lawPort();
    const steps: string[] = [];
    const s = await measureSpeed(port, {
      engine: 'wllama',
      threads: 2,
      onStep: (n) => steps.push(n),
    });
    // Warm-up: the slow first call, then two of the same speed (settled); then 3 × 3 calls.
    expect(port.requests).toHaveLength(12);
    const kinds = ['short prompt', 'long prompt (prefill)', 'long answer (decode)'];
    expect(steps).toEqual([...Array(3).fill('warming up'), ...kinds, ...kinds, ...kinds]);
    expect(s.prefillTps).toBeCloseTo(400, 6);
    expect(s.decodeTps).toBeCloseTo(20, 6);
    expect(s.overheadMs).toBeCloseTo(50, 6);
    expect(s.probe.prefillTokens).toBeGreaterThan(150);
    expect(s.probe.decodeTokens).toBe(64);
    expect(s).toMatchObject({ engine: 'wllama', threads: 2 });
    // Every call is greedy and seeded, so no cache in between can answer it.
    for (const r of port.requests) {
      expect(r.sampling.temperature).toBe(0);
      expect(r.sampling.seed).toBeTypeOf('number');
    }
  });

  it('on a slow device measures one round instead of three, so the probe ends within about a minute', async () => {
    // The 0.5B model in wllama on one thread of a 2-core machine: about 10 prompt and 3 answer
    // tokens a second, so a round of the three calls takes about 50 s.
    const port = lawPort({ prefillTps: 10, decodeTps: 3 });
    const s = await measureSpeed(port, { engine: 'wllama' });
    expect({ calls: port.requests.length, prefill: s.prefillTps, decode: s.decodeTps }).toEqual({
      calls: 3 + 3,
      prefill: expect.closeTo(10, 6) as number,
      decode: expect.closeTo(3, 6) as number,
    });
  });

  it('keeps the median of three repeats, so one stall of a shared machine does not count', async () => {
    // Request 5 is the first long-prompt call after the warm-up.
    const s = await measureSpeed(lawPort({ stallAt: 5 }), { engine: 'wllama' });
    expect(s.prefillTps).toBeCloseTo(400, 6);
    expect(s.probe.ms).toBeGreaterThan(8000);
  });

  it('starts every prompt differently, so no call reads a prompt from the KV cache', async () => {
    const port = lawPort();
    await measureSpeed(port, { engine: 'wllama' });
    const starts = port.requests.map((r) => r.messages[0]!.content.slice(0, 12));
    expect(new Set(starts).size).toBe(port.requests.length);
  });

  it('refuses answers too short to measure decoding, saying so, instead of storing a figure', async () => {
    await expect(measureSpeed(lawPort({ cutAt: 6 }), { engine: 'openai' })).rejects.toThrow(
      /answer had 5 tokens, too few to measure decoding .*Measure again.*--interrupt_requests false/,
    );
  });

  it('asks again when the model itself ends a decode answer too early, and measures the rest', async () => {
    // Calls 1-3 warm up; call 6 is the first decode call, 7 its second attempt, and call 13 (the
    // third round's decode) ends at 9 tokens three times in a row.
    const early = new Set([6, 13, 14, 15]);
    const port = lawPort({ modelEndsAt: (n) => (early.has(n) ? 9 : undefined) });
    const s = await measureSpeed(port, { engine: 'wllama' });
    expect({
      calls: port.requests.length,
      decodeTokens: s.probe.decodeTokens,
      decode: s.decodeTps,
    }).toEqual({ calls: 3 + 9 + 1 + 2, decodeTokens: 64, decode: expect.closeTo(20, 6) as number });
  });

  it('refuses when the model ends every decode answer early, asking each call at most three times', async () => {
    const port = lawPort({ modelEndsAt: () => 9 });
    await expect(measureSpeed(port, { engine: 'wllama' })).rejects.toThrow(
      /answer had 8 tokens, too few to measure decoding .*the model ended it early/,
    );
    // Short and long calls ask one token, so the model's end does not touch them.
    expect(port.requests.length).toBe(3 + 3 * (2 + 3));
  });

  it('refuses a cached answer: it would measure the cache, not the model', async () => {
    await expect(measureSpeed(lawPort({ cached: true }), { engine: 'wllama' })).rejects.toThrow(
      /cached answer/,
    );
  });
});
