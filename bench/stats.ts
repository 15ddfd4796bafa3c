/**
 * Calibration of the held-out comparison (issues 11 and 23). Simulates null experiments and prints
 * one line per cell: the false-positive rate at α = 0.05 and the coverage of the reported 95%
 * interval, both from core/task-stats.ts exactly as buildReport and the head-to-head call it.
 * Prints figures; asserts nothing. Monte Carlo standard error of a 5% rate at 2000 experiments:
 * 0.49 points.
 *
 *   npm run bench:stats            (STATS_EXPERIMENTS=N to change the 2000 experiments per cell)
 *
 * Part 1 — "is this prompt better on these tasks?" (seeds fixed). Every draw of a task passes with
 * the same probability p_i. Protocols: `shared` (the app's: the initial prompt's greedy answer is
 * one draw reused by every seed; each seed's refined prompt draws afresh), `per-seed` (the initial
 * drawn afresh per seed), `head-to-head` (two runs, each seed of each a fresh draw; seeds are not
 * paired). Difficulty p_i ~ Beta(1,1) (even), Beta(.3,.3) (U-shaped), Beta(.5,5) (hard, mean 9%:
 * a 0.5B model on MBPP+'s harder half) and Beta(5,.5) (easy). False positive: the exact test's
 * p ≤ α. Beside it, for `shared`: the pooled McNemar on (seed, task) pairs that reports used before.
 *
 * Part 2 — "does this method improve prompts?" (seeds random). Each seed's refined prompt has a
 * seed effect u_s ~ N(0, sd²) on the logit scale: P(pass) = expit(logit p_i + u_s − c_i), with c_i
 * solved per task so that E_u[P] = p_i: the method gains nothing on average, on every task. The
 * true difference is computed by quadrature (printed: max |true Δ|) and is what coverage is
 * measured at. False positive: the verdict says "better/worse, beyond chance" (test and interval
 * both). With one seed the method question cannot be answered (the pages say so): not counted.
 *
 * Part 3 — power at true differences of 10 and 20 points.
 */
import { mcnemarExact } from '../src/core/stats';
import { compareTaskLevel, verdictOf } from '../src/core/task-stats';

const EXPERIMENTS = Number(process.env.STATS_EXPERIMENTS ?? 2000);
/** STATS_ONLY=regex runs only the cells whose printed label matches (to look closer at one). */
const ONLY = process.env.STATS_ONLY ? new RegExp(process.env.STATS_ONLY) : null;
const wanted = (line: string): boolean => ONLY === null || ONLY.test(line);
const ALPHA = 0.05;

/** xoshiro128** on a typed array: the bench draws ~10^8 numbers, so no object per draw. */
const st = new Uint32Array([0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x12345678]);
function u32(): number {
  const r =
    Math.imul(
      ((Math.imul(st[1] as number, 5) << 7) | (Math.imul(st[1] as number, 5) >>> 25)) >>> 0,
      9,
    ) >>> 0;
  const t = (st[1] as number) << 9;
  st[2] = (st[2] as number) ^ (st[0] as number);
  st[3] = (st[3] as number) ^ (st[1] as number);
  st[1] = (st[1] as number) ^ (st[2] as number);
  st[0] = (st[0] as number) ^ (st[3] as number);
  st[2] = (st[2] as number) ^ t;
  st[3] = ((st[3] as number) << 11) | ((st[3] as number) >>> 21);
  return r;
}
const uniform = (): number => (u32() + 0.5) / 4294967296;
const normal = (): number =>
  Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
function gamma(a: number): number {
  // Marsaglia & Tsang (2000); a < 1 by the boost Gamma(a) = Gamma(a + 1) · U^(1/a).
  if (a < 1) return gamma(a + 1) * Math.pow(uniform(), 1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    if (Math.log(uniform()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
const beta = (a: number, b: number): number => {
  const x = gamma(a);
  return x / (x + gamma(b));
};

const logit = (p: number): number => Math.log(p / (1 - p));
const expit = (x: number): number => 1 / (1 + Math.exp(-x));

/** E[f(sd·Z)], Z ~ N(0, 1), by the trapezoid rule on [−7, 7] (spectrally accurate for a Gaussian). */
const Z_NODES = Array.from({ length: 141 }, (_, j) => -7 + j * 0.1);
const Z_WEIGHTS = Z_NODES.map((z) => (0.1 * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI));
function expectedPass(x: number, sd: number): number {
  let e = 0;
  for (let j = 0; j < Z_NODES.length; j++)
    e += (Z_WEIGHTS[j] as number) * expit(x + sd * (Z_NODES[j] as number));
  return e;
}
/** c with E_u[expit(logit p + u − c)] = p: the seed effect leaves the task's mean pass rate as is. */
function centring(x0: number, sd: number): number {
  let c = 0;
  const p = expit(x0);
  for (let it = 0; it < 50; it++) {
    const f = expectedPass(x0 - c, sd) - p;
    if (Math.abs(f) < 1e-15) break;
    // d/dc E[expit(x0 − c + u)] = −E[expit'(·)], expit' = q(1 − q): Newton's step.
    let slope = 0;
    for (let j = 0; j < Z_NODES.length; j++) {
      const q = expit(x0 - c + sd * (Z_NODES[j] as number));
      slope += (Z_WEIGHTS[j] as number) * q * (1 - q);
    }
    c += f / slope;
  }
  return c;
}

/**
 * c(logit p) and the resulting E_u[pass] tabulated on a 0.01 grid of logit p in [−35, 35] per seed
 * sd, then interpolated: the quadrature per task and experiment would dominate the bench. The
 * truth is read from the same table, so coverage is measured at the difference the draws have.
 */
interface Centring {
  c: Float64Array;
  e: Float64Array;
}
const GRID_LO = -35;
const GRID_STEP = 0.01;
const GRID_N = 7001;
const centrings = new Map<number, Centring>();
function centringTable(sd: number): Centring {
  let t = centrings.get(sd);
  if (!t) {
    const c = new Float64Array(GRID_N);
    const e = new Float64Array(GRID_N);
    for (let j = 0; j < GRID_N; j++) {
      const x0 = GRID_LO + j * GRID_STEP;
      c[j] = centring(x0, sd);
      e[j] = expectedPass(x0 - (c[j] as number), sd);
    }
    t = { c, e };
    centrings.set(sd, t);
  }
  return t;
}
function lookup(table: Float64Array, x0: number): number {
  const r = Math.min(GRID_N - 1.000001, Math.max(0, (x0 - GRID_LO) / GRID_STEP));
  const j = Math.floor(r);
  const f = r - j;
  return (table[j] as number) * (1 - f) + (table[j + 1] as number) * f;
}

type Protocol = 'shared' | 'per-seed' | 'head-to-head';

interface Experiment {
  first: Uint8Array[];
  second: Uint8Array[];
}

const allocate = (seeds: number, tasks: number): Experiment => ({
  first: Array.from({ length: seeds }, () => new Uint8Array(tasks)),
  second: Array.from({ length: seeds }, () => new Uint8Array(tasks)),
});

/**
 * One experiment. First arm: the initial prompt (`shared`: one draw reused; `per-seed`: a draw per
 * seed) or, head to head, run A's seeds; second arm: each seed's refined prompt (run B's seeds).
 * `gain(p)`: the refined pass probability of a task without seed effect; `sd`: seed effect on the
 * logit scale of every seed-drawn prompt (mean-preserving per task). Returns the true difference.
 */
function draw(
  x: Experiment,
  shape: readonly [number, number],
  protocol: Protocol,
  sd: number,
  p: Float64Array,
  gain: (p: Float64Array, q: Float64Array) => void,
  q: Float64Array,
): number {
  const seeds = x.first.length;
  const tasks = p.length;
  for (let i = 0; i < tasks; i++) p[i] = beta(shape[0], shape[1]);
  gain(p, q);
  const uA = Array.from({ length: seeds }, () => sd * normal());
  const uB = Array.from({ length: seeds }, () => sd * normal());
  let truth = 0;
  for (let i = 0; i < tasks; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    // Seed effects move a prompt's logit; tasks at exactly 0 or 1 stay there.
    const table = sd > 0 ? centringTable(sd) : null;
    const moved = (v: number): boolean => table !== null && v > 0 && v < 1;
    const cA = moved(pi) ? lookup(table!.c, logit(pi)) : 0;
    const cB = moved(qi) ? lookup(table!.c, logit(qi)) : 0;
    const seeded = (v: number, u: number, c: number): number =>
      moved(v) ? expit(logit(v) + u - c) : v;
    // E over seeds of each arm's pass probability (quadrature, tabulated): the method-level truth.
    const eB = moved(qi) ? lookup(table!.e, logit(qi)) : qi;
    const eA = protocol === 'head-to-head' && moved(pi) ? lookup(table!.e, logit(pi)) : pi;
    truth += eB - eA;
    const once = uniform() < pi ? 1 : 0;
    for (let s = 0; s < seeds; s++) {
      const a =
        protocol === 'shared'
          ? once
          : uniform() < (protocol === 'head-to-head' ? seeded(pi, uA[s] as number, cA) : pi)
            ? 1
            : 0;
      (x.first[s] as Uint8Array)[i] = a;
      (x.second[s] as Uint8Array)[i] = uniform() < seeded(qi, uB[s] as number, cB) ? 1 : 0;
    }
  }
  return truth / tasks;
}

const same = (p: Float64Array, q: Float64Array): void => q.set(p);
/** Refined gains δ on average, more where the initial prompt fails more: q = p + δ(1−p)/mean(1−p). */
const gainBy =
  (delta: number) =>
  (p: Float64Array, q: Float64Array): void => {
    let m = 0;
    for (const v of p) m += 1 - v;
    m /= p.length;
    for (let i = 0; i < p.length; i++)
      q[i] = Math.min(1, (p[i] as number) + (delta * (1 - (p[i] as number))) / m);
  };

function pooledMcnemarP(x: Experiment): number {
  return mcnemarExact(
    x.first.flatMap((r) => Array.from(r, (v) => v === 1)),
    x.second.flatMap((r) => Array.from(r, (v) => v === 1)),
  ).p;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const shapes: [string, readonly [number, number]][] = [
  ['Beta(1,1)', [1, 1]],
  ['Beta(.3,.3)', [0.3, 0.3]],
  ['Beta(.5,5)', [0.5, 5]],
  ['Beta(5,.5)', [5, 0.5]],
];
const label = (protocol: Protocol, shape: string, seeds: number, tasks: number, sd: number) =>
  `${protocol.padEnd(12)} ${shape.padEnd(11)} seed sd ${sd.toFixed(1)}  seeds ${String(seeds).padStart(2)}  tasks ${String(tasks).padStart(3)}:`;

const started = performance.now();
console.log(
  `Null experiments: ${EXPERIMENTS} per cell; α = ${ALPHA}; Monte Carlo standard error of a 5% rate: ` +
    `${pct(Math.sqrt((0.05 * 0.95) / EXPERIMENTS))}.`,
);
let worstFpr = 0;
let worstCoverage = 1;
let worstPooled = 0;
let worstCell = '';
let worstCoverageCell = '';
const record = (line: string, fpr: number, coverage: number): void => {
  if (fpr > worstFpr) [worstFpr, worstCell] = [fpr, line];
  if (coverage < worstCoverage) [worstCoverage, worstCoverageCell] = [coverage, line];
};

console.log('');
console.log(
  'Part 1 — is this prompt better on these tasks? (seeds fixed; false positive: exact relabelling test p <= α)',
);
for (const protocol of ['shared', 'per-seed', 'head-to-head'] as const) {
  for (const [name, shape] of shapes) {
    for (const seeds of [1, 3, 10]) {
      if (protocol !== 'shared' && seeds === 1) continue; // one seed: the same as `shared`
      const sizes =
        protocol === 'shared' && shape[0] === shape[1] ? [10, 20, 50, 200] : [10, 20, 50];
      for (const tasks of sizes) {
        if (!wanted(label(protocol, name, seeds, tasks, 0))) continue;
        const x = allocate(seeds, tasks);
        const p = new Float64Array(tasks);
        const q = new Float64Array(tasks);
        let rejected = 0;
        let covered = 0;
        let better = 0;
        let pooledRejected = 0;
        for (let e = 0; e < EXPERIMENTS; e++) {
          draw(x, shape, protocol, 0, p, same, q);
          const c = compareTaskLevel(x.first, x.second);
          if (c.p <= ALPHA) {
            rejected++;
            if (c.diff > 0) better++;
          }
          if (c.ci.lo <= 0 && c.ci.hi >= 0) covered++;
          if (protocol === 'shared' && pooledMcnemarP(x) <= ALPHA) pooledRejected++;
        }
        const fpr = rejected / EXPERIMENTS;
        const coverage = covered / EXPERIMENTS;
        const line = label(protocol, name, seeds, tasks, 0);
        record(line, fpr, coverage);
        const pooled = pooledRejected / EXPERIMENTS;
        if (protocol === 'shared') worstPooled = Math.max(worstPooled, pooled);
        console.log(
          `${line}  false-positive rate ${pct(fpr).padStart(5)} (says better ${pct(better / EXPERIMENTS).padStart(5)})  coverage ${pct(coverage).padStart(6)}` +
            (protocol === 'shared' ? `  |  pooled McNemar FPR ${pct(pooled).padStart(5)}` : ''),
        );
      }
    }
  }
}

console.log('');
console.log(
  'Part 2 — does this method improve prompts? (seed effects, null at the method level; false positive: the verdict says "beyond chance")',
);
for (const protocol of ['shared', 'head-to-head'] as const) {
  for (const [name, shape] of shapes) {
    if (shape[0] === 0.3) continue; // most tasks at 0 or 1: a logit seed effect cannot move them
    for (const sd of [0.3, 0.6]) {
      for (const seeds of protocol === 'shared' ? [1, 3, 10] : [3]) {
        for (const tasks of [10, 20, 164]) {
          if (seeds === 1 && tasks !== 164) continue;
          if (!wanted(label(protocol, name, seeds, tasks, sd))) continue;
          const x = allocate(seeds, tasks);
          const p = new Float64Array(tasks);
          const q = new Float64Array(tasks);
          let claims = 0;
          let covered = 0;
          let maxTruth = 0;
          for (let e = 0; e < EXPERIMENTS; e++) {
            const truth = draw(x, shape, protocol, sd, p, same, q);
            maxTruth = Math.max(maxTruth, Math.abs(truth));
            const c = compareTaskLevel(x.first, x.second);
            const v = verdictOf(c).kind;
            if (v === 'better' || v === 'worse') claims++;
            if (c.ci.lo <= truth && c.ci.hi >= truth) covered++;
          }
          const fpr = claims / EXPERIMENTS;
          const coverage = covered / EXPERIMENTS;
          const line = label(protocol, name, seeds, tasks, sd);
          if (seeds === 1) {
            console.log(
              `${line}  one seed — the verdict answers only "is this prompt better on these tasks?" and says so; ` +
                `"beyond chance" ${pct(fpr)} (true for these prompts), coverage ${pct(coverage)}; not counted`,
            );
            continue;
          }
          record(line, fpr, coverage);
          console.log(
            `${line}  false-positive rate ${pct(fpr).padStart(5)}  coverage ${pct(coverage).padStart(6)}  max |true Δ| ${maxTruth.toExponential(0)}`,
          );
        }
      }
    }
  }
}

console.log('');
console.log(
  `Part 3 — power at α = ${ALPHA} (shared initial, Beta(1,1); coverage of the 95% interval at the true difference):`,
);
for (const delta of [0.1, 0.2]) {
  for (const tasks of [26, 164, 378]) {
    for (const seeds of [1, 3]) {
      if (ONLY !== null && !ONLY.test('power')) continue;
      const x = allocate(seeds, tasks);
      const p = new Float64Array(tasks);
      const q = new Float64Array(tasks);
      const shift = gainBy(delta);
      let rejected = 0;
      let covered = 0;
      let mdd = 0;
      let mddN = 0;
      for (let e = 0; e < EXPERIMENTS; e++) {
        const truth = draw(x, [1, 1], 'shared', 0, p, shift, q);
        const c = compareTaskLevel(x.first, x.second);
        if (verdictOf(c).kind === 'better') rejected++;
        if (c.ci.lo <= truth && c.ci.hi >= truth) covered++;
        if (c.mdd !== null) {
          mdd += c.mdd;
          mddN++;
        }
      }
      console.log(
        `true difference ${String(Math.round(delta * 100)).padStart(2)} points, ${String(tasks).padStart(3)} tasks, ` +
          `${String(seeds).padStart(2)} seed${seeds === 1 ? ' ' : 's'}: power (verdict "better") ${pct(rejected / EXPERIMENTS).padStart(6)}  ` +
          `coverage ${pct(covered / EXPERIMENTS).padStart(6)}  mean reported smallest detectable difference ${pct(mdd / Math.max(1, mddN))}`,
      );
    }
  }
}

console.log('');
console.log(
  `pooled McNemar on (seed, task) pairs (the reports before issue 11): worst false-positive rate ${pct(worstPooled)} — ` +
    (worstPooled > 0.06 ? 'FAILS calibration' : 'passes'),
);
console.log(`weakest false-positive cell: ${worstCell.replace(/:$/, '')}`);
console.log(`weakest coverage cell: ${worstCoverageCell.replace(/:$/, '')}`);
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
console.log(
  `worst false-positive rate: ${pct(worstFpr)} (target <= 5% + Monte Carlo error); worst coverage: ${pct(worstCoverage)}`,
);
