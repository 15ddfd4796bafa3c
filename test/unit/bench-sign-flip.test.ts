/**
 * The paired sign-flip permutation test of bench:methods (bench/sign-flip.ts): exact p-values
 * against scipy, and calibration under the null by simulation.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { signFlipTest } from '../../bench/sign-flip';

describe('sign-flip permutation test over tasks', () => {
  it('matches scipy.stats.permutation_test (exact, two-sided)', () => {
    // python -c "import numpy as np; from scipy import stats; d=np.array([1,1,0.5,-0.2,1,0,0.4,1,-1,0.6]);
    //   print(stats.permutation_test((d,), np.mean, permutation_type='samples', n_resamples=np.inf,
    //   alternative='two-sided').pvalue)"   → 0.08984375 (scipy 1.x, ~/.cache/athanor/pyenv)
    const a = signFlipTest([1, 1, 0.5, -0.2, 1, 0, 0.4, 1, -1, 0.6]);
    expect(a.exact).toBe(true);
    expect(a.p).toBeCloseTo(0.08984375, 12);
    // Same command with d = [0.2, -0.2, 0.4, 0.6, -0.4, 0.8, 0.2, 0.2] → 0.203125
    expect(signFlipTest([0.2, -0.2, 0.4, 0.6, -0.4, 0.8, 0.2, 0.2]).p).toBeCloseTo(0.203125, 12);
    expect(signFlipTest([0, 0, 0]).p).toBe(1);
  });

  it('rejects at most about 5% of the time at α = 0.05 when there is no difference', () => {
    // Null: per task, the two methods' passes over 5 seeds are exchangeable draws.
    const rng = Rng.seeded(11);
    let rejections = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const diffs = Array.from({ length: 24 }, () => {
        const p = rng.float();
        let d = 0;
        for (let s = 0; s < 5; s++) d += (rng.chance(p) ? 1 : 0) - (rng.chance(p) ? 1 : 0);
        return d / 5;
      });
      if (signFlipTest(diffs, 1000, t + 1).p <= 0.05) rejections++;
    }
    // A valid test rejects ≤ 5% in expectation; 300 trials give a binomial sd of about 1.3%.
    expect(rejections / trials).toBeLessThanOrEqual(0.08);
    expect(rejections / trials).toBeGreaterThan(0.01);
  });

  it('finds a real difference', () => {
    const diffs = Array.from({ length: 30 }, (_, j) => (j % 3 === 0 ? 0 : 0.6));
    expect(signFlipTest(diffs).p).toBeLessThan(0.001);
  });
});
