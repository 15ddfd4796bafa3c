/**
 * Projections from measured speed: the probe's arithmetic, call time from token counts, New run's
 * budget advice on a slow device, the Live time left, the demo's preset sizing and run links.
 */
import { describe, expect, it } from 'vitest';
import { budgetWithin, callMs, ratesFromProbe, type SpeedMeasure } from '../../src/core/speed';
import { getOptimizer } from '../../src/optimizers/registry';
import { DEMO_PRESETS, DEMO_TARGET_MS, demoConfig, demoLink, sizeDemo } from '../../src/ui/demo';
import {
  assumedTokens,
  averageTokens,
  planCalls,
  projectTime,
  suggestBudget,
  timeLeft,
} from '../../src/ui/projection';
import { parseRunLink, runLinkQuery, runLinkUrl } from '../../src/ui/run-link';
import { matchRoute } from '../../src/ui/routes';

const speed = (prefillTps: number, decodeTps: number, overheadMs = 0): SpeedMeasure => ({
  prefillTps,
  decodeTps,
  overheadMs,
  measuredAt: Date.UTC(2026, 10, 29),
  engine: 'wllama',
  probe: { prefillTokens: 300, decodeTokens: 48, ms: 1000 },
});

describe('the speed probe arithmetic', () => {
  it('recovers known rates and overhead from three exact calls', () => {
    // A device with 50 ms overhead, 400 prompt tokens/s and 20 answer tokens/s.
    const t = (prompt: number, answer: number) => ({
      promptTokens: prompt,
      completionTokens: answer,
      latencyMs: 50 + (1000 * prompt) / 400 + (1000 * answer) / 20,
    });
    const r = ratesFromProbe(t(20, 1), t(320, 1), t(20, 48));
    expect(r.prefillTps).toBeCloseTo(400, 6);
    expect(r.decodeTps).toBeCloseTo(20, 6);
    expect(r.overheadMs).toBeCloseTo(50, 6);
  });

  it('falls back to whole-call rates when noise makes a difference non-positive', () => {
    const short = { promptTokens: 20, completionTokens: 1, latencyMs: 500 };
    const r = ratesFromProbe(
      short,
      { promptTokens: 320, completionTokens: 1, latencyMs: 400 },
      {
        promptTokens: 20,
        completionTokens: 48,
        latencyMs: 2400,
      },
    );
    expect(r.prefillTps).toBeCloseTo(800, 6); // 320 tokens in 400 ms
    expect(r.decodeTps).toBeCloseTo(1000 * (47 / 1900), 6);
    expect(r.overheadMs).toBeGreaterThanOrEqual(0);
  });

  it('times a call from its token counts, not a fixed figure', () => {
    expect(callMs(speed(100, 10, 50), { prompt: 300, completion: 200 })).toBe(50 + 3000 + 20000);
    expect(callMs(speed(100, 10, 50), { prompt: 300, completion: 20 })).toBe(50 + 3000 + 2000);
  });
});

describe('projections state what they assumed', () => {
  it('says the speed is unmeasured instead of guessing a time', () => {
    const p = projectTime(100, undefined, assumedTokens(800, 768));
    expect(p.ms).toBeUndefined();
    expect(p.assumed).toMatch(/not been measured on this device/);
  });

  it('uses the measured rates and names the token source', () => {
    const tokens = averageTokens(
      [
        { promptTokens: 200, completionTokens: 100 },
        { promptTokens: 400, completionTokens: 300 },
      ],
      (n) => `the average of ${n} earlier answers`,
    )!;
    const p = projectTime(10, speed(300, 20), tokens);
    expect(p.msPerCall).toBeCloseTo(1000 + 10_000, 6);
    expect(p.ms).toBeCloseTo(10 * 11_000, 6);
    expect(p.assumed).toMatch(
      /300 prompt \+ 200 answer tokens \(the average of 2 earlier answers\)/,
    );
    expect(p.assumed).toMatch(/300 prompt and 20\.0 answer tokens\/s measured on this device/);
    expect(p.assumed).toMatch(/Grading the code is not included/);
  });

  it('does not project from a probe whose answer was too short to measure', () => {
    // Issue 22: an answer cut short by a server gave "0.0 answer tokens per second".
    const cut = { ...speed(300, 0.05), probe: { prefillTokens: 300, decodeTokens: 1, ms: 900 } };
    const p = projectTime(100, cut, assumedTokens(800, 768));
    expect(p.ms).toBeUndefined();
    expect(p.assumed).toMatch(/answer had 1 tokens, too few to measure decoding/);
  });

  it('assumes tokens from text length, capped by max_tokens', () => {
    expect(assumedTokens(800, 768)).toMatchObject({ prompt: 220, completion: 200 });
    expect(assumedTokens(800, 64)).toMatchObject({ completion: 64 });
  });
});

describe('budget advice on a slow device', () => {
  const prochemy = getOptimizer('prochemy');
  const counts = { train: 13, validation: 4, test: 26 };

  it("finishes under an hour, and says what the papers' defaults would cost", () => {
    const s = suggestBudget({
      method: prochemy,
      counts,
      samples: 1,
      msPerCall: 20_000,
      paperSeeds: 3,
    })!;
    expect(s).toBeDefined();
    const papers = planCalls(
      prochemy,
      Object.fromEntries(prochemy.info.knobs.map((k) => [k.name, k.default])),
      counts,
      3,
      1,
      undefined,
    );
    expect(s.papers.calls).toBe(papers.calls);
    expect(s.papers.ms).toBe(papers.calls * 20_000);
    expect(s.ms).toBeLessThan(3_600_000);
    // The suggestion's own calls at the same speed are what it claims (held-out: initial and
    // final prompt on the test split, the final prompt on validation).
    expect(s.ms).toBe(s.seeds * (s.maxLlmCalls + 2 * counts.test + counts.validation) * 20_000);
    expect(s.seeds * s.maxMinutes).toBeLessThanOrEqual(60);
  });

  it('suggests nothing on a fast device', () => {
    expect(
      suggestBudget({ method: prochemy, counts, samples: 1, msPerCall: 50, paperSeeds: 3 }),
    ).toBeUndefined();
  });

  it('drops to one seed before giving up, and gives up when the report alone is too long', () => {
    const one = budgetWithin({
      limitMs: 3e6,
      msPerCall: 30_000,
      seeds: 3,
      perSeedCalls: 1000,
      heldoutCallsPerSeed: 52,
    });
    expect(one?.seeds).toBe(1);
    expect(
      budgetWithin({
        limitMs: 3e6,
        msPerCall: 60_000,
        seeds: 3,
        perSeedCalls: 1000,
        heldoutCallsPerSeed: 52,
      }),
    ).toBeUndefined();
  });
});

describe('Live time left', () => {
  const plan = { perSeed: 40, optimize: 40, heldout: 10, calls: 50 };
  const fallback = assumedTokens(800, 768);

  it("uses the run's own token counts once it has calls", () => {
    const runTokens = { prompt: 100, completion: 50, source: "this run's 20 calls" };
    const left = timeLeft({
      plan,
      callsDone: 20,
      runTokens,
      fallbackTokens: fallback,
      speed: speed(100, 10),
      gradingMs: 500,
    });
    expect(left.callsLeft).toBe(30);
    expect(left.ms).toBeCloseTo(30 * (1000 + 5000 + 500), 6);
    expect(left.assumed).toMatch(/At most 30 of 50 planned calls left/);
    expect(left.assumed).toMatch(/this run's 20 calls/);
    expect(left.assumed).toMatch(/Grading adds 0\.5 s per call/);
  });

  it('stops at the time limit when it ends first', () => {
    const left = timeLeft({
      plan,
      callsDone: 0,
      fallbackTokens: fallback,
      speed: speed(10, 1),
      limitMsLeft: 60_000,
    });
    expect(left.ms).toBe(60_000);
    expect(left.assumed).toMatch(/time limit ends first/);
  });
});

describe('the quick demo preset', () => {
  const prochemy = getOptimizer('prochemy');
  const args = { method: prochemy, trainCount: 13, testCount: 26, taskChars: 300 };

  it('takes the largest preset within ten minutes at the measured speed', () => {
    for (const [p, d] of [
      [2000, 200],
      [400, 40],
      [100, 10],
      [30, 3],
    ] as const) {
      const sized = sizeDemo({ ...args, speed: speed(p, d) });
      const index = DEMO_PRESETS.findIndex((x) => x.id === sized.preset.id);
      if (!sized.overTarget) expect(sized.time.ms!).toBeLessThanOrEqual(DEMO_TARGET_MS);
      // The next larger preset would not fit.
      const next = DEMO_PRESETS[index + 1];
      if (next && !sized.overTarget) {
        const bigger = sizeDemo({ ...args, speed: speed(p, d), presets: [next] });
        expect(bigger.time.ms!).toBeGreaterThan(DEMO_TARGET_MS);
      }
    }
    expect(sizeDemo({ ...args, speed: speed(2000, 200) }).preset.id).toBe('large');
    const slow = sizeDemo({ ...args, speed: speed(30, 1) });
    expect(slow.preset.id).toBe('mini');
    expect(slow.overTarget).toBe(true);
  });

  it('is one seed of Prochemy with the preset knobs, and its link carries the same settings', () => {
    const p = DEMO_PRESETS[1]!;
    const model = { engine: 'wllama' as const, modelId: 'qwen2.5-coder-0.5b-instruct-q8_0.gguf' };
    const config = demoConfig(p, model);
    expect(config).toMatchObject({
      method: 'prochemy',
      seeds: [1],
      datasetId: 'starter',
      knobs: p.knobs,
    });
    const url = runLinkUrl(demoLink(p, model), 'https://athanor.example/app/');
    expect(url.startsWith('https://athanor.example/app/#/runs/new?')).toBe(true);
    const hash = new URL(url).hash;
    expect(matchRoute(hash).params).toEqual(['new']);
    const back = parseRunLink(hash)!;
    expect(back).toMatchObject({
      method: 'prochemy',
      datasetId: 'starter',
      modelKey: 'wllama:qwen2.5-coder-0.5b-instruct-q8_0.gguf',
      seeds: [1],
      samples: 1,
      heldout: p.heldout,
      knobs: p.knobs,
    });
  });
});

describe('run links', () => {
  it('round-trips every field, booleans and numbers included', () => {
    const link = {
      method: 'gpo',
      datasetId: 'humaneval-x',
      modelKey: 'webllm:Qwen2.5-Coder-1.5B-Instruct-q4f16_1-MLC',
      seeds: [1, 2],
      samples: 5,
      maxCalls: 200,
      maxMinutes: 30,
      knobs: { weighting: false, temperature: 0.7, variants: 3 },
    };
    expect(parseRunLink(`#/runs/new?${runLinkQuery(link)}`)).toEqual({
      ...link,
      heldout: undefined,
    });
  });

  it('ignores malformed numbers instead of filling nonsense', () => {
    const back = parseRunLink('#/runs/new?seeds=1,x,3&samples=-2&maxCalls=lots')!;
    expect(back.seeds).toEqual([1, 3]);
    expect(back.samples).toBeUndefined();
    expect(back.maxCalls).toBeUndefined();
    expect(parseRunLink('#/runs/new')).toBeUndefined();
  });
});
