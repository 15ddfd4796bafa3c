/**
 * Task-level comparison of two prompts (or two methods) graded on the same tasks over one or more
 * seeds. The task is the unit of analysis: seeds are repeated measurements of a task, so they are
 * averaged within the task before anything is tested. docs/statistics.md explains each choice and
 * bench/stats.ts checks calibration by simulation.
 *
 * - Difference per task: d_i = mean over seeds of (second − first), on the greedy strict verdict.
 * - Test: exact two-sided sign-flip permutation test of mean(d) = 0 (Fisher 1935; Good,
 *   "Permutation, Parametric and Bootstrap Tests of Hypotheses", 2005, §3). With S seeds, S·d_i is an
 *   integer, so the permutation distribution of Σ S·d_i is computed exactly by convolution.
 * - Interval: Student-t interval of mean(d) whose standard error is the larger of the task-level one
 *   (sd(d_i)/√n) and the crossed tasks × seeds random-effects one (MS_task + MS_seed − MS_error)/(nS),
 *   with Satterthwaite's degrees of freedom: seeds that disagree as a whole widen it, identical seeds
 *   leave it as one seed's.
 * - Smallest detectable difference at 80% power, α 5%: (t_{1−α/2} + t_{power}) · SE.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Below this many tasks the Results page warns that a comparison can detect only large effects. */
export const FEW_TASKS = 30;

/** One S × n matrix of per-seed, per-task outcomes (1 pass, 0 fail; fractions allowed). */
export type SeedTaskMatrix = readonly (ArrayLike<number> & Iterable<number>)[];

export interface TaskLevelComparison {
  /** Number of tasks n (the unit) and seeds S (repeats). */
  tasks: number;
  seeds: number;
  /** mean(d): second − first, averaged over seeds then tasks. */
  diff: number;
  /** Two-sided p of the exact sign-flip test on the per-task differences. */
  p: number;
  /** Tasks whose averaged difference is not zero (the ones the test can flip). */
  changed: number;
  ci: { lo: number; hi: number; level: number; se: number; df: number };
  /**
   * Which standard error the interval uses: `tasks` (spread between tasks), or `seeds` when the
   * spread between whole seeds is the larger (seeds that disagree).
   */
  seFrom: 'tasks' | 'seeds';
  /** Smallest true difference the test would detect with 80% power at α 5%; null when SE is 0. */
  mdd: number | null;
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

/**
 * Exact two-sided sign-flip test of H0: mean(d) = 0, for differences on the lattice k/scale (k
 * integer): P(|Σ ε_i k_i| ≥ |Σ k_i|) with ε_i = ±1 equally likely, by convolution over tasks.
 * Matches scipy.stats.permutation_test(..., permutation_type='samples', n_resamples=inf).
 */
export function signFlipExactP(d: ArrayLike<number>, scale: number): number {
  const n = d.length;
  const k = new Int32Array(n);
  let total = 0;
  let observed = 0;
  for (let i = 0; i < n; i++) {
    const x = (d[i] as number) * scale;
    const r = Math.round(x);
    if (Math.abs(x - r) > 1e-6) {
      throw new RangeError(`difference ${d[i]} is not a multiple of 1/${scale}`);
    }
    k[i] = Math.abs(r);
    total += Math.abs(r);
    observed += r;
  }
  observed = Math.abs(observed);
  if (observed === 0) return 1;
  // dist[x + total] = P(Σ ε_i k_i = x) over the tasks folded in so far; halves keep it a probability.
  let dist = new Float64Array(2 * total + 1);
  let next = new Float64Array(2 * total + 1);
  dist[total] = 1;
  let span = 0;
  for (let i = 0; i < n; i++) {
    const a = k[i] as number;
    if (a === 0) continue;
    next.fill(0, total - span - a, total + span + a + 1);
    for (let x = total - span; x <= total + span; x++) {
      const p = dist[x] as number;
      if (p === 0) continue;
      next[x - a] = (next[x - a] as number) + p / 2;
      next[x + a] = (next[x + a] as number) + p / 2;
    }
    span += a;
    [dist, next] = [next, dist];
  }
  let p = 0;
  for (let x = total - span; x <= total - observed; x++) p += dist[x] as number;
  for (let x = total + observed; x <= total + span; x++) p += dist[x] as number;
  return Math.min(1, p);
}

interface Spread {
  se: number;
  df: number;
  from: 'tasks' | 'seeds';
}

/**
 * Standard error of the grand mean difference. Task level: sd(d_i)/√n with n − 1 df. Crossed
 * tasks × seeds (two-way random effects without replication; Searle, Casella & McCulloch,
 * "Variance Components", 1992, §4; the G-study of Brennan, "Generalizability Theory", 2001):
 * Var = (MS_task + MS_seed − MS_error)/(nS), Satterthwaite df. The larger one is used.
 */
function spread(first: SeedTaskMatrix, second: SeedTaskMatrix, d: Float64Array): Spread {
  const n = d.length;
  const S = first.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d[i] as number;
  mean /= n;
  let ssTask = 0;
  for (let i = 0; i < n; i++) ssTask += ((d[i] as number) - mean) ** 2;
  const taskVar = n > 1 ? ssTask / (n - 1) / n : 0;
  const tasks: Spread = { se: Math.sqrt(taskVar), df: Math.max(1, n - 1), from: 'tasks' };
  if (S < 2 || n < 2) return tasks;
  const seedMeans = new Float64Array(S);
  let ssTotal = 0;
  for (let s = 0; s < S; s++) {
    const a = first[s] as ArrayLike<number>;
    const b = second[s] as ArrayLike<number>;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const x = (b[i] as number) - (a[i] as number);
      m += x;
      ssTotal += (x - mean) ** 2;
    }
    seedMeans[s] = m / n;
  }
  let ssSeed = 0;
  for (let s = 0; s < S; s++) ssSeed += n * ((seedMeans[s] as number) - mean) ** 2;
  const ssT = S * ssTask;
  const ssE = Math.max(0, ssTotal - ssT - ssSeed);
  const dfT = n - 1;
  const dfS = S - 1;
  const dfE = (n - 1) * (S - 1);
  const msT = ssT / dfT;
  const msS = ssSeed / dfS;
  const msE = ssE / dfE;
  const combined = (msT + msS - msE) / (n * S);
  // The crossed form is larger exactly when MS_seed > MS_error; a relative margin keeps rounding
  // from deciding when the two are equal in exact arithmetic (small integer data can do that).
  if (!(msS > msE * (1 + 1e-9) + 1e-15)) return tasks;
  const df = (msT + msS - msE) ** 2 / (msT ** 2 / dfT + msS ** 2 / dfS + msE ** 2 / dfE);
  return { se: Math.sqrt(combined), df: Math.max(1, Math.min(df, n * S - 1)), from: 'seeds' };
}

/** (t_{df, 1−α/2} + t_{df, power}) · se: the true difference the test finds with that power. */
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
 * tasks in the same order, seed s of one paired with seed s of the other).
 */
export function compareTaskLevel(
  first: SeedTaskMatrix,
  second: SeedTaskMatrix,
  opts: { level?: number } = {},
): TaskLevelComparison {
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const d = taskDifferences(first, second);
  const n = d.length;
  if (n === 0) throw new RangeError('compareTaskLevel needs at least one task');
  const S = first.length;
  let sum = 0;
  let changed = 0;
  let lattice = true;
  for (let s = 0; s < S && lattice; s++) {
    for (const x of first[s] as Iterable<number>) if (x !== 0 && x !== 1) lattice = false;
    for (const x of second[s] as Iterable<number>) if (x !== 0 && x !== 1) lattice = false;
  }
  if (!lattice) throw new RangeError('compareTaskLevel needs pass/fail (0 or 1) outcomes');
  for (let i = 0; i < n; i++) {
    sum += d[i] as number;
    if (Math.abs(d[i] as number) > 1e-12) changed++;
  }
  const diff = sum / n;
  const { se, df, from } = spread(first, second, d);
  const half = se > 0 ? tQuantile(1 - (1 - level) / 2, df) * se : 0;
  return {
    tasks: n,
    seeds: S,
    diff,
    p: signFlipExactP(d, S),
    changed,
    // A difference of pass rates lies in [−1, 1]; clipping there keeps every covered value covered.
    ci: { lo: Math.max(-1, diff - half), hi: Math.min(1, diff + half), level, se, df },
    seFrom: from,
    mdd: minimumDetectableDifference(se, df),
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

/** Plain words for a comparison, as the Results and Compare pages say it. */
export function verdict(c: TaskLevelComparison, alpha = 0.05): string {
  const ciHasZero = c.ci.lo <= 0 && c.ci.hi >= 0;
  if (c.changed === 0) return 'no task changed its outcome: not distinguishable from chance';
  if (c.p >= alpha) return 'not distinguishable from chance';
  if (ciHasZero) {
    return c.seFrom === 'seeds'
      ? 'the tasks lean one way but the seeds disagree: not a reliable difference'
      : 'borderline: the test and the interval disagree, so not a reliable difference';
  }
  return c.diff > 0 ? 'better, beyond chance' : 'worse, beyond chance';
}
