/**
 * The statistics of honest evaluation: unbiased pass@k, mean ± std over seeds, a paired exact test
 * and a paired bootstrap interval. Pure functions over plain numbers; all randomness comes from the
 * seeded RNG so a report is reproducible from its seed.
 */
import { Rng } from './rng';

/**
 * Unbiased pass@k from n samples of which c passed: 1 − C(n−c, k) / C(n, k).
 *
 * Chen et al., "Evaluating Large Language Models Trained on Code" (arXiv 2107.03374), fig. 3. The
 * ratio of binomials is computed as the product ∏_{i=n−c+1..n} (1 − k/i), as in the official
 * human-eval code, which never forms a large binomial coefficient and so never overflows.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k)) {
    throw new RangeError(`passAtK needs integers, got n=${n}, c=${c}, k=${k}`);
  }
  if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
    throw new RangeError(`passAtK needs 0 <= c <= n and 1 <= k <= n, got n=${n}, c=${c}, k=${k}`);
  }
  if (n - c < k) return 1;
  let failAll = 1;
  for (let i = n - c + 1; i <= n; i++) failAll *= 1 - k / i;
  return 1 - failAll;
}

/** Mean pass@k over tasks, each with its own n and c (tasks with n < k are an error). */
export function meanPassAtK(counts: readonly { n: number; c: number }[], k: number): number {
  if (counts.length === 0) throw new RangeError('meanPassAtK needs at least one task');
  let sum = 0;
  for (const { n, c } of counts) sum += passAtK(n, c, k);
  return sum / counts.length;
}

export interface MeanStd {
  mean: number;
  /**
   * Sample standard deviation (Bessel-corrected, divisor n − 1), the usual "± std" over seeds.
   * null when there is only one value: a single seed has no spread to report.
   */
  std: number | null;
  n: number;
}

export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) throw new RangeError('meanStd needs at least one value');
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { mean, std: null, n };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

function logSumExp(xs: readonly number[]): number {
  const max = Math.max(...xs);
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - max);
  return max + Math.log(s);
}

/** P(X <= x) for X ~ Binomial(n, 1/2), summed in log space so large n neither underflows nor overflows. */
export function binomialHalfCdf(x: number, n: number): number {
  if (x < 0) return 0;
  if (x >= n) return 1;
  const logs: number[] = [];
  let logC = 0; // log C(n, 0)
  const log2n = n * Math.LN2;
  for (let i = 0; i <= x; i++) {
    logs.push(logC - log2n);
    logC += Math.log(n - i) - Math.log(i + 1);
  }
  return Math.min(1, Math.exp(logSumExp(logs)));
}

export interface McNemarResult {
  /** Tasks the first prompt passed and the second failed. */
  b: number;
  /** Tasks the first prompt failed and the second passed. */
  c: number;
  /** Two-sided exact p-value; 1 when there are no discordant pairs. */
  p: number;
}

/**
 * McNemar's exact test on paired binary outcomes (McNemar 1947; the exact form is the two-sided
 * binomial test of the discordant pairs against p = 1/2): p = min(1, 2·P(X <= min(b, c))), with
 * X ~ Binomial(b + c, 1/2). Matches statsmodels' `mcnemar(table, exact=True)`.
 */
export function mcnemarExact(first: readonly boolean[], second: readonly boolean[]): McNemarResult {
  if (first.length !== second.length) {
    throw new RangeError(
      `mcnemarExact needs paired outcomes, got ${first.length} and ${second.length}`,
    );
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < first.length; i++) {
    if (first[i] && !second[i]) b++;
    else if (!first[i] && second[i]) c++;
  }
  const n = b + c;
  const p = n === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), n));
  return { b, c, p };
}

/** The q-quantile of sorted values with linear interpolation (numpy's default, Hyndman–Fan type 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export interface BootstrapCi {
  /** Observed mean difference, second − first. */
  diff: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
}

/**
 * Paired bootstrap percentile interval of mean(second − first) (Efron & Tibshirani, "An
 * Introduction to the Bootstrap", 1993, ch. 13): tasks are resampled with replacement, keeping
 * each task's pair together, so the interval reflects per-task correlation between the prompts.
 */
export function pairedBootstrapCi(
  first: readonly number[],
  second: readonly number[],
  opts: { seed: number; resamples?: number; level?: number },
): BootstrapCi {
  const n = first.length;
  if (n !== second.length) {
    throw new RangeError(`pairedBootstrapCi needs paired values, got ${n} and ${second.length}`);
  }
  if (n === 0) throw new RangeError('pairedBootstrapCi needs at least one pair');
  const resamples = opts.resamples ?? 10_000;
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const d = first.map((f, i) => (second[i] as number) - f);
  const diff = d.reduce((s, v) => s + v, 0) / n;
  const rng = Rng.seeded(opts.seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(0, n - 1)] as number;
    means[r] = s / n;
  }
  means.sort();
  const sorted = Array.from(means);
  const alpha = 1 - level;
  return {
    diff,
    lo: quantileSorted(sorted, alpha / 2),
    hi: quantileSorted(sorted, 1 - alpha / 2),
    level,
    resamples,
  };
}
