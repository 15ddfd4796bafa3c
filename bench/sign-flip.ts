/**
 * A paired sign-flip permutation test over tasks, for bench:methods. The unit of analysis is the
 * held-out task: d_j is method A's minus method B's pass on task j (averaged over seeds). Under
 * the null hypothesis (no difference) each d_j is as likely to be −d_j, so the p-value is the
 * share of the 2^n sign assignments whose |mean| reaches the observed one (exact when few tasks
 * differ; Monte Carlo with a seeded RNG otherwise). Tasks with d_j = 0 flip to themselves.
 *
 * Local to the bench on purpose: issue #11 is rewriting src/core/stats.ts; the lead reconciles.
 */
import { Rng } from '../src/core/rng';

export interface SignFlip {
  /** Mean paired difference over all tasks. */
  mean: number;
  /** Two-sided p-value. */
  p: number;
  /** Tasks where A passed more / fewer seeds than B. */
  wins: number;
  losses: number;
  exact: boolean;
}

const EXACT_MAX = 16;

export function signFlipTest(diffs: readonly number[], resamples = 20000, seed = 1): SignFlip {
  const n = diffs.length;
  const mean = n === 0 ? 0 : diffs.reduce((a, b) => a + b, 0) / n;
  const nz = diffs.filter((d) => d !== 0);
  const wins = nz.filter((d) => d > 0).length;
  const losses = nz.length - wins;
  const observed = Math.abs(nz.reduce((a, b) => a + b, 0));
  // A hair of tolerance: sums of equal magnitudes must tie with the observed one.
  const reaches = (s: number): boolean => Math.abs(s) >= observed - 1e-12;
  if (nz.length === 0) return { mean, p: 1, wins, losses, exact: true };
  if (nz.length <= EXACT_MAX) {
    let hits = 0;
    const total = 2 ** nz.length;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let j = 0; j < nz.length; j++)
        s += mask & (1 << j) ? -(nz[j] as number) : (nz[j] as number);
      if (reaches(s)) hits++;
    }
    return { mean, p: hits / total, wins, losses, exact: true };
  }
  const rng = Rng.seeded(seed);
  let hits = 0;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (const d of nz) s += rng.chance(0.5) ? -d : d;
    if (reaches(s)) hits++;
  }
  return { mean, p: (hits + 1) / (resamples + 1), wins, losses, exact: false };
}
