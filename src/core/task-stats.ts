/**
 * Task-level comparison of two prompts (or two methods) graded on the same tasks over one or more
 * seeds. The task is the unit of analysis: seeds are repeated measurements of a task, so they are
 * averaged within the task before anything is tested. docs/statistics.md explains each choice, the
 * design question each figure answers, and bench/stats.ts checks calibration by simulation.
 *
 * - Difference per task: d_i = mean over seeds of (second − first), on the greedy strict verdict.
 * - Test ("is this prompt better on these tasks?", seeds fixed): exact within-task relabelling.
 *   Under H0 every draw of a task — the first arm's and the second's — passes with the same
 *   probability, so the draws of a task are exchangeable and which of them carry the label "first"
 *   is uniformly random given how many passed. An arm whose seeds all hold the same answers (the
 *   initial prompt's greedy answer, reused by every seed) is one draw, not S. The relabelling
 *   distribution of each task is hypergeometric; of the sum over tasks, their convolution: exact,
 *   valid for skewed difficulty and for a shared initial arm, and blind to how seeds are paired.
 *   With one seed per arm it is the sign-flip (McNemar exact) test.
 * - Interval ("does this method improve prompts?", seeds random when there are two or more):
 *   Student t on mean(d) with variance max(task-level, relabelling) plus, per arm, the spread
 *   between whole seeds beyond what tasks explain (the two-way tasks × seeds random-effects
 *   component), Satterthwaite's degrees of freedom. Seeds are never paired across arms.
 * - Smallest detectable difference: from the test's own null distribution (its critical value and
 *   spread), or null when no outcome of that distribution can reach α: too few tasks changed.
 * - One verdict reads the test and the interval together (`verdictOf`); every page uses it.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Below this many tasks the Results page warns that a comparison can detect only large effects. */
export const FEW_TASKS = 30;

/** Standard normal 0.8 quantile: scipy.stats.norm.ppf(0.8) == 0.8416212335729143. */
export const Z_POWER_80 = 0.8416212335729143;

/** One S × n matrix of per-seed, per-task outcomes (1 pass, 0 fail). */
export type SeedTaskMatrix = readonly (ArrayLike<number> & Iterable<number>)[];

/**
 * How an arm's answers were drawn: `one` — one answer per task reused by every seed (a greedy
 * answer of one prompt; the rows are identical), `per-seed` — a draw per seed.
 */
export type ArmDraws = 'one' | 'per-seed';

export interface TaskLevelComparison {
  /** Number of tasks n (the unit) and seeds S (repeats). */
  tasks: number;
  seeds: number;
  /** mean(d): second − first, averaged over seeds then tasks. */
  diff: number;
  /** Two-sided p of the exact within-task relabelling test (2 × the smaller tail, capped at 1). */
  p: number;
  /** Tasks whose averaged difference is not zero. */
  changed: number;
  /**
   * Smallest p any relabelling of these answers could give. It depends only on what the test
   * conditions on (each task's passes), not on which arm holds them, so a comparison whose minP is
   * 1 (no task can tell, or one seed and a single task changed) can never reject and a family of
   * tests may leave it out (Tarone 1990; `holmAdjustComparisons`). Absent in reports made before.
   */
  minP?: number;
  ci: { lo: number; hi: number; level: number; se: number; df: number };
  /**
   * `seeds` when whole seeds differ more than their tasks explain and that spread widened the
   * interval; `tasks` otherwise.
   */
  seFrom: 'tasks' | 'seeds';
  /**
   * Smallest true difference found 80% of the time at α 5%, from the test's null distribution and
   * the interval; null when no task changed or the test cannot reach α at all (`tooFewChanged`).
   */
  mdd: number | null;
  /** How each arm was drawn (absent in reports made before the relabelling test). */
  design?: { first: ArmDraws; second: ArmDraws };
  /** Fewest tasks that must change, all the same way, for this design's test to reach α. */
  needChanged?: number;
  /** No outcome of the test's null distribution here reaches α: too few tasks changed to tell. */
  tooFewChanged?: boolean;
}

/** Per-task mean over seeds of (second − first). */
export function taskDifferences(first: SeedTaskMatrix, second: SeedTaskMatrix): Float64Array {
  const seeds = first.length;
  if (seeds === 0 || seeds !== second.length) {
    throw new RangeError(`need the same seeds on both sides, got ${seeds} and ${second.length}`);
  }
  const n = (first[0] as ArrayLike<number>).length;
  const d = new Float64Array(n);
  for (let s = 0; s < seeds; s++) {
    const a = first[s] as ArrayLike<number>;
    const b = second[s] as ArrayLike<number>;
    if (a.length !== n || b.length !== n) {
      throw new RangeError(`seed ${s}: ${a.length} and ${b.length} tasks, expected ${n}`);
    }
    for (let i = 0; i < n; i++) d[i] = (d[i] as number) + ((b[i] as number) - (a[i] as number));
  }
  for (let i = 0; i < n; i++) d[i] = (d[i] as number) / seeds;
  return d;
}

/** `one` when every seed's row holds the same outcomes (one answer reused), else `per-seed`. */
export function inferDraws(m: SeedTaskMatrix): ArmDraws {
  const first = m[0] as ArrayLike<number>;
  for (let s = 1; s < m.length; s++) {
    const row = m[s] as ArrayLike<number>;
    for (let i = 0; i < first.length; i++) if (row[i] !== first[i]) return 'per-seed';
  }
  return 'one';
}

/**
 * Exact two-sided sign-flip test of H0: mean(d) = 0, for differences on the lattice k/scale (k
 * integer): P(|Σ ε_i k_i| ≥ |Σ k_i|) with ε_i = ±1 equally likely, by convolution over tasks.
 * Matches scipy.stats.permutation_test(..., permutation_type='samples', n_resamples=inf).
 * (compareTaskLevel uses the relabelling test, which is this one when each arm is one draw.)
 */
export function signFlipExactP(d: ArrayLike<number>, scale: number): number {
  const tasks: TaskLaw[] = [];
  let observed = 0;
  for (let i = 0; i < d.length; i++) {
    const x = (d[i] as number) * scale;
    const r = Math.round(x);
    if (Math.abs(x - r) > 1e-6) {
      throw new RangeError(`difference ${d[i]} is not a multiple of 1/${scale}`);
    }
    observed += r;
    if (r !== 0) tasks.push({ values: [-Math.abs(r), Math.abs(r)], probs: [0.5, 0.5] });
  }
  return twoSidedP(convolve(tasks), observed);
}

/** One task's null law: lattice values and their probabilities. */
interface TaskLaw {
  values: number[];
  probs: number[];
}

/** Law of a sum of independent lattice variables; `at(x)` = P(sum = x). */
interface SumLaw {
  min: number;
  probs: Float64Array;
}

function convolve(tasks: readonly TaskLaw[]): SumLaw {
  let min = 0;
  let max = 0;
  for (const t of tasks) {
    min += Math.min(...t.values);
    max += Math.max(...t.values);
  }
  const size = max - min + 1;
  let dist = new Float64Array(size);
  let next = new Float64Array(size);
  // dist[x − min] over the tasks folded in so far; `lo`..`hi` is the support so far.
  let lo = -min;
  let hi = -min;
  dist[lo] = 1;
  for (const t of tasks) {
    const tMin = Math.min(...t.values);
    const tMax = Math.max(...t.values);
    next.fill(0, lo + tMin, hi + tMax + 1);
    for (let x = lo; x <= hi; x++) {
      const p = dist[x] as number;
      if (p === 0) continue;
      for (let j = 0; j < t.values.length; j++) {
        const y = x + (t.values[j] as number);
        next[y] = (next[y] as number) + p * (t.probs[j] as number);
      }
    }
    dist.fill(0, lo, hi + 1);
    lo += tMin;
    hi += tMax;
    [dist, next] = [next, dist];
  }
  return { min, probs: dist };
}

const tail = (law: SumLaw, from: number, to: number): number => {
  let p = 0;
  const a = Math.max(from, law.min) - law.min;
  const b = Math.min(to, law.min + law.probs.length - 1) - law.min;
  for (let x = a; x <= b; x++) p += law.probs[x] as number;
  return p;
};

/** 2 × the smaller tail at the observed sum, capped at 1 (scipy's two-sided permutation p). */
function twoSidedP(law: SumLaw, observed: number): number {
  const max = law.min + law.probs.length - 1;
  const lower = tail(law, law.min, observed);
  const upper = tail(law, observed, max);
  return Math.min(1, 2 * Math.min(lower, upper));
}

function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let j = 1; j <= k; j++) r = (r * (n - k + j)) / j;
  return r;
}

/**
 * Null law of scale·d_i for one task: of its mA + mB exchangeable draws with k passes, which mB
 * are the second arm's is uniformly random, so kB (the second arm's passes) is hypergeometric, and
 * scale·d_i = (scale/mB)·kB − (scale/mA)·(k − kB).
 */
function relabelLaw(k: number, mA: number, mB: number, scale: number): TaskLaw {
  const n = mA + mB;
  const values: number[] = [];
  const probs: number[] = [];
  const all = choose(n, k);
  for (let kB = Math.max(0, k - mA); kB <= Math.min(k, mB); kB++) {
    values.push(Math.round((scale / mB) * kB - (scale / mA) * (k - kB)));
    probs.push((choose(mB, kB) * choose(mA, k - kB)) / all);
  }
  return { values, probs };
}

/**
 * The exact within-task relabelling test and what its null distribution can show. `first`,
 * `second`: S × n outcomes; each arm counts as one draw per task when `draws` says `one`.
 */
export function relabellingTest(
  first: SeedTaskMatrix,
  second: SeedTaskMatrix,
  draws: { first: ArmDraws; second: ArmDraws },
  alpha = 0.05,
): {
  p: number;
  /** Smallest p any relabelling could give: 1 when the null law has one value (see `minP`). */
  minP: number;
  nullVar: number;
  critical: { lower: number | null; upper: number | null };
} {
  const S = first.length;
  const n = (first[0] as ArrayLike<number>).length;
  const mA = draws.first === 'one' ? 1 : S;
  const mB = draws.second === 'one' ? 1 : S;
  const scale = mA === 1 && mB === 1 ? 1 : S;
  const laws: TaskLaw[] = [];
  let observed = 0;
  let nullVar = 0;
  for (let i = 0; i < n; i++) {
    let kA = 0;
    let kB = 0;
    for (let s = 0; s < mA; s++) kA += (first[s] as ArrayLike<number>)[i] as number;
    for (let s = 0; s < mB; s++) kB += (second[s] as ArrayLike<number>)[i] as number;
    observed += Math.round((scale / mB) * kB - (scale / mA) * kA);
    const k = kA + kB;
    if (k === 0 || k === mA + mB) continue; // every draw the same: the task cannot tell
    const law = relabelLaw(k, mA, mB, scale);
    let m2 = 0;
    for (let j = 0; j < law.values.length; j++)
      m2 += (law.probs[j] as number) * (law.values[j] as number) ** 2;
    nullVar += m2; // mean is 0 by exchangeability
    laws.push(law);
  }
  const law = convolve(laws);
  const max = law.min + law.probs.length - 1;
  // Critical values: the sums whose two-sided p would be below α (p = 2 · tail < α).
  let upper: number | null = null;
  let acc = 0;
  for (let x = max; x > 0; x--) {
    const px = law.probs[x - law.min] as number;
    if (px === 0) continue; // only sums the test can produce are critical values
    acc += px;
    if (2 * acc < alpha) upper = x;
    else break;
  }
  let lower: number | null = null;
  acc = 0;
  for (let x = law.min; x < 0; x++) {
    const px = law.probs[x - law.min] as number;
    if (px === 0) continue;
    acc += px;
    if (2 * acc < alpha) lower = x;
    else break;
  }
  return {
    p: twoSidedP(law, observed),
    minP: Math.min(twoSidedP(law, law.min), twoSidedP(law, max)),
    nullVar: nullVar / (scale * n) ** 2,
    critical: {
      lower: lower === null ? null : lower / (scale * n),
      upper: upper === null ? null : upper / (scale * n),
    },
  };
}

/**
 * Fewest tasks that must change, all the same way and in every draw, for the two-sided test to
 * reach α: each such task's relabelling puts it at its extreme with probability 1/C(mA+mB, mB).
 */
export function fewestChangedForAlpha(mA: number, mB: number, alpha = 0.05): number {
  return Math.floor(Math.log(2 / alpha) / Math.log(choose(mA + mB, mB))) + 1;
}

interface Spread {
  se: number;
  df: number;
  from: 'tasks' | 'seeds';
}

/** Mean squares of seeds and of the residual in the two-way tasks × seeds layout of one arm. */
function seedMeanSquares(m: SeedTaskMatrix): {
  msS: number;
  msE: number;
  dfS: number;
  dfE: number;
} {
  const S = m.length;
  const n = (m[0] as ArrayLike<number>).length;
  const taskMeans = new Float64Array(n);
  const seedMeans = new Float64Array(S);
  let grand = 0;
  for (let s = 0; s < S; s++) {
    const row = m[s] as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      const y = row[i] as number;
      taskMeans[i] = (taskMeans[i] as number) + y / S;
      seedMeans[s] = (seedMeans[s] as number) + y / n;
      grand += y;
    }
  }
  grand /= n * S;
  let ssTotal = 0;
  for (let s = 0; s < S; s++) {
    const row = m[s] as ArrayLike<number>;
    for (let i = 0; i < n; i++) ssTotal += ((row[i] as number) - grand) ** 2;
  }
  let ssTask = 0;
  for (let i = 0; i < n; i++) ssTask += S * ((taskMeans[i] as number) - grand) ** 2;
  let ssSeed = 0;
  for (let s = 0; s < S; s++) ssSeed += n * ((seedMeans[s] as number) - grand) ** 2;
  const dfS = S - 1;
  const dfE = (n - 1) * (S - 1);
  return { msS: ssSeed / dfS, msE: Math.max(0, ssTotal - ssTask - ssSeed) / dfE, dfS, dfE };
}

/**
 * Variance of mean(d) and its degrees of freedom (Satterthwaite 1946):
 * - base: the larger of the task-level sd(d_i)²/n (n − 1 df) and the relabelling variance (what
 *   the exact test assumes under H0; it does not vanish when the few tasks that changed all moved
 *   one way, which is where the task-level one undercovers on skewed difficulty);
 * - per arm drawn per seed: MS_seed/(nS) from that arm's tasks × seeds layout — the spread
 *   between its whole seeds, which a new seed's prompt would vary by (two-way random model
 *   without replication, Searle, Casella & McCulloch 1992; E[MS_seed]/(nS) = σ²_seed/S +
 *   σ²_error/(nS), so it never goes negative and is never dropped). Each arm's own seeds, never a
 *   difference across arms, so no pairing of seeds is assumed.
 */
function spread(
  first: SeedTaskMatrix,
  second: SeedTaskMatrix,
  draws: { first: ArmDraws; second: ArmDraws },
  d: Float64Array,
  nullVar: number,
): Spread {
  const n = d.length;
  const S = first.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d[i] as number;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((d[i] as number) - mean) ** 2;
  const taskVar = n > 1 ? ss / (n - 1) / n : 0;
  const base = Math.max(taskVar, nullVar);
  const dfBase = Math.max(1, n - 1);
  let variance = base;
  let denominator = base ** 2 / dfBase;
  let fromSeeds = false;
  if (S >= 2 && n >= 2) {
    for (const [m, how] of [
      [first, draws.first],
      [second, draws.second],
    ] as const) {
      if (how === 'one') continue;
      const { msS, msE, dfS } = seedMeanSquares(m);
      // MS_seed/(nS), not (MS_seed − MS_error)/(nS): never negative, so never dropped when seeds
      // happen to agree; it counts the error term once more (σ²_E/(nS), small beside the rest).
      const cS = msS / (n * S);
      variance += cS;
      denominator += cS ** 2 / dfS;
      // A relative margin keeps rounding from deciding when the two are equal in exact arithmetic.
      if (!(msS > msE * (1 + 1e-9) + 1e-15)) continue;
      fromSeeds = true;
    }
  }
  if (variance === base) return { se: Math.sqrt(base), df: dfBase, from: 'tasks' };
  // Satterthwaite's df is estimated from the same mean squares, and a seed term that came out
  // small both narrows the interval and raises the df: with 2 or 3 seeds that undercovers (bench,
  // 92.7% at 164 tasks, seed sd 0.6). Capping the df at (S − 1)/share, share = the seed terms'
  // part of the variance (Satterthwaite has share² there), keeps it at S − 1 when seeds dominate
  // and lets it grow when they do not.
  const share = (variance - base) / variance;
  const df = Math.min(variance ** 2 / denominator, (S - 1) / share);
  return {
    se: Math.sqrt(variance),
    df: Math.max(1, Math.min(df, n * S - 1)),
    from: fromSeeds ? 'seeds' : 'tasks',
  };
}

/** (t_{df, 1−α/2} + t_{df, power}) · se: the true difference the interval excludes 0 for with that power. */
export function minimumDetectableDifference(
  se: number,
  df: number,
  opts: { alpha?: number; power?: number } = {},
): number | null {
  if (!(se > 0)) return null;
  const alpha = opts.alpha ?? 0.05;
  const power = opts.power ?? 0.8;
  return (tQuantile(1 - alpha / 2, df) + tQuantile(power, df)) * se;
}

/**
 * Compare `second` against `first`, each an S × n matrix of per-seed, per-task outcomes (the same
 * tasks in the same order, the same number of seeds). Seeds are not paired across arms: reordering
 * one arm's seeds changes nothing. `draws` says how each arm was drawn; by default an arm whose
 * seeds hold identical outcomes is one answer reused (greedy decoding of one prompt).
 */
export function compareTaskLevel(
  first: SeedTaskMatrix,
  second: SeedTaskMatrix,
  opts: { level?: number; draws?: { first?: ArmDraws; second?: ArmDraws } } = {},
): TaskLevelComparison {
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const d = taskDifferences(first, second);
  const n = d.length;
  if (n === 0) throw new RangeError('compareTaskLevel needs at least one task');
  const S = first.length;
  for (let s = 0; s < S; s++) {
    for (const x of first[s] as Iterable<number>)
      if (x !== 0 && x !== 1)
        throw new RangeError('compareTaskLevel needs pass/fail (0 or 1) outcomes');
    for (const x of second[s] as Iterable<number>)
      if (x !== 0 && x !== 1)
        throw new RangeError('compareTaskLevel needs pass/fail (0 or 1) outcomes');
  }
  const draws = {
    first: opts.draws?.first ?? inferDraws(first),
    second: opts.draws?.second ?? inferDraws(second),
  };
  let sum = 0;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    sum += d[i] as number;
    if (Math.abs(d[i] as number) > 1e-12) changed++;
  }
  const diff = sum / n;
  const test = relabellingTest(first, second, draws);
  const { se, df, from } = spread(first, second, draws, d, test.nullVar);
  const half = se > 0 ? tQuantile(1 - (1 - level) / 2, df) * se : 0;
  const tooFewChanged = test.critical.lower === null && test.critical.upper === null;
  // The verdict needs both the test and the interval: the detectable difference is the larger of
  // the test's (its critical value plus z_0.8 null standard deviations, a normal step around the
  // exact critical value) and the interval's.
  let mdd: number | null = null;
  if (!tooFewChanged && changed > 0) {
    const sd0 = Math.sqrt(test.nullVar);
    const crit = Math.max(Math.abs(test.critical.upper ?? 0), Math.abs(test.critical.lower ?? 0));
    mdd = Math.max(crit + Z_POWER_80 * sd0, minimumDetectableDifference(se, df) ?? 0);
  }
  const mA = draws.first === 'one' ? 1 : S;
  const mB = draws.second === 'one' ? 1 : S;
  return {
    tasks: n,
    seeds: S,
    diff,
    p: test.p,
    changed,
    minP: test.minP,
    // A difference of pass rates lies in [−1, 1]; clipping there keeps every covered value covered.
    ci: { lo: Math.max(-1, diff - half), hi: Math.min(1, diff + half), level, se, df },
    seFrom: from,
    mdd,
    design: draws,
    needChanged: fewestChangedForAlpha(mA, mB),
    tooFewChanged,
  };
}

/**
 * Holm's step-down adjustment (Holm 1979, "A simple sequentially rejective multiple test
 * procedure"): the i-th smallest p times (m − i + 1), made monotone, capped at 1. Same order out
 * as in. Matches statsmodels' multipletests(method='holm').
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Holm over a family of task-level comparisons, leaving out those that no outcome could make
 * significant (`minP` 1: each such p is 1 whatever the labels, and they keep 1). Whether a
 * comparison can reject depends only on what its exact test conditions on, so dropping it from the
 * count keeps the family-wise error rate at α (R. E. Tarone, "A modified Bonferroni method for
 * discrete data", Biometrics 46, 1990, in its simplest form); counting it only makes Holm stricter
 * for the rest. A bench of methods that mostly keep the seed prompt has many such pairs.
 */
export function holmAdjustComparisons(cs: readonly Pick<TaskLevelComparison, 'p' | 'minP'>[]): {
  adjusted: number[];
  /** How many comparisons could reject and were counted. */
  counted: number;
} {
  // Tails are sums of floats: a min p of 1 may come out a hair below it.
  const can = cs.map((c) => (c.minP ?? 0) < 1 - 1e-9);
  const adj = holmAdjust(cs.filter((_, i) => can[i]).map((c) => c.p));
  let k = 0;
  return { adjusted: cs.map((_, i) => (can[i] ? (adj[k++] as number) : 1)), counted: adj.length };
}

export type VerdictKind =
  'no-change' | 'chance' | 'seeds-disagree' | 'borderline' | 'better' | 'worse';

export interface Verdict {
  kind: VerdictKind;
  /** The plain words every page shows: "better, beyond chance", ... */
  text: string;
  /** Which design question the words answer (docs/statistics.md). */
  scope: string;
}

/**
 * The one plain-words reading of a comparison, for the Results and Compare pages, the paper table
 * and its CSV. It reads the test and the interval together: "beyond chance" only when the exact
 * test rejects (with `p`, e.g. Holm-adjusted, when given) and the interval excludes 0.
 */
export function verdictOf(
  c: TaskLevelComparison,
  opts: { alpha?: number; p?: number } = {},
): Verdict {
  const alpha = opts.alpha ?? 0.05;
  const p = opts.p ?? c.p;
  const scope =
    c.seeds < 2
      ? 'One seed: this says whether this prompt is better on these tasks, not whether the method ' +
        'improves prompts; that needs the spread between seeds (run 3 or more).'
      : `${c.seeds} seeds, counted as a random draw of the method: the interval includes the ` +
        'spread between seeds, so the words are about the method, on tasks like these.';
  const ciHasZero = c.ci.lo <= 0 && c.ci.hi >= 0;
  const say = (kind: VerdictKind, text: string): Verdict => ({ kind, text, scope });
  if (c.changed === 0)
    return say('no-change', 'no task changed its outcome: not distinguishable from chance');
  if (p >= alpha) return say('chance', 'not distinguishable from chance');
  if (ciHasZero) {
    return c.seFrom === 'seeds'
      ? say(
          'seeds-disagree',
          'the tasks lean one way but the seeds disagree: not a reliable difference',
        )
      : say(
          'borderline',
          'borderline: the test and the interval disagree, so not a reliable difference',
        );
  }
  return c.diff > 0 ? say('better', 'better, beyond chance') : say('worse', 'worse, beyond chance');
}

/** The verdict's words alone (`verdictOf(c).text`); a number is α, as before. */
export function verdict(
  c: TaskLevelComparison,
  opts: number | { alpha?: number; p?: number } = {},
): string {
  return verdictOf(c, typeof opts === 'number' ? { alpha: opts } : opts).text;
}

/** What the comparison can show, in words: the smallest detectable difference or why there is none. */
export function detectableText(c: TaskLevelComparison): string {
  const tasks = `${c.tasks} task${c.tasks === 1 ? '' : 's'} and ${c.seeds} seed${c.seeds === 1 ? '' : 's'}`;
  if (c.changed === 0) return 'no task changed its outcome, so there is nothing to estimate from';
  if (c.tooFewChanged || c.mdd === null) {
    const need =
      c.needChanged === undefined
        ? ''
        : `: at ${c.seeds} seed${c.seeds === 1 ? '' : 's'} the test needs at least ${c.needChanged} tasks changing the same way, ${c.changed} changed`;
    return `too few tasks changed to tell${need}`;
  }
  if (c.mdd >= 1)
    return `nothing: with ${tasks}, even a 100-point difference would not reliably be found`;
  return `with ${tasks}, a true difference of about ${Math.round(c.mdd * 100)} points would be found 80% of the time (α 5%); smaller ones can go unseen`;
}

/** The detectable difference in a table cell: "about 13 points", or why there is none. */
export function detectableShort(c: TaskLevelComparison): string {
  if (c.changed === 0) return 'no task changed';
  if (c.tooFewChanged || c.mdd === null) return 'too few tasks changed to tell';
  if (c.mdd >= 1) return 'none (over 100 points)';
  return `about ${Math.round(c.mdd * 100)} points`;
}
