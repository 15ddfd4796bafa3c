/**
 * Calibration of the held-out comparison (issue 11). Simulates experiments in which the initial
 * and the refined prompt pass each task with the same probability (null experiments), with tasks of
 * varied difficulty, 1, 3 and 10 seeds and 20–200 tasks, and prints per cell the false-positive
 * rate at α = 0.05 of the reported test and the coverage of the reported 95% interval, both from
 * core/task-stats.ts exactly as buildReport calls it. Beside them: the pooled McNemar test the
 * report used before (every (seed, task) pair taken as independent), and for 20 tasks the
 * percentile cluster bootstrap, the interval we did not choose. Then the power at true differences
 * of 10 and 20 points for 26 tasks (a 16% test split of HumanEval), 164 (HumanEval) and 378 (MBPP+).
 * Prints figures; asserts nothing.
 *
 *   npm run bench:stats            (STATS_EXPERIMENTS=N to change the 2000 experiments per cell)
 *
 * Protocols: `shared` is the real one — the initial prompt's greedy answer is the same in every seed
 * (one draw per task, copied), the refined prompt differs per seed; `independent` draws the initial
 * answer afresh per seed. Difficulty: per-task pass probability ~ Beta(1, 1) (spread evenly) or
 * Beta(0.3, 0.3) (most tasks always or never solved, as code benchmarks are).
 */
import { mcnemarExact, pairedBootstrapCi } from '../src/core/stats';
import { compareTaskLevel } from '../src/core/task-stats';

const EXPERIMENTS = Number(process.env.STATS_EXPERIMENTS ?? 2000);
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
function gamma(a: number): number {
  // Marsaglia & Tsang (2000); a < 1 by the boost Gamma(a) = Gamma(a + 1) · U^(1/a).
  if (a < 1) return gamma(a + 1) * Math.pow(uniform(), 1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
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

interface Experiment {
  initial: Uint8Array[];
  refined: Uint8Array[];
}

function allocate(seeds: number, tasks: number): Experiment {
  return {
    initial: Array.from({ length: seeds }, () => new Uint8Array(tasks)),
    refined: Array.from({ length: seeds }, () => new Uint8Array(tasks)),
  };
}

/** One experiment: p_i per task, refined p'_i (= p_i under the null), draws per seed. */
function draw(
  x: Experiment,
  shape: readonly [number, number],
  shared: boolean,
  p: Float64Array,
  shift: (p: Float64Array, q: Float64Array) => void,
  q: Float64Array,
): void {
  const seeds = x.initial.length;
  const tasks = p.length;
  for (let i = 0; i < tasks; i++) p[i] = beta(shape[0], shape[1]);
  shift(p, q);
  for (let i = 0; i < tasks; i++) {
    const once = uniform() < (p[i] as number) ? 1 : 0;
    for (let s = 0; s < seeds; s++) {
      (x.initial[s] as Uint8Array)[i] = shared ? once : uniform() < (p[i] as number) ? 1 : 0;
      (x.refined[s] as Uint8Array)[i] = uniform() < (q[i] as number) ? 1 : 0;
    }
  }
}

const same = (p: Float64Array, q: Float64Array): void => q.set(p);
/** Refined gains δ on average, more where the initial prompt fails more: q = p + δ(1−p)/mean(1−p). */
const gain =
  (delta: number) =>
  (p: Float64Array, q: Float64Array): void => {
    let m = 0;
    for (const v of p) m += 1 - v;
    m /= p.length;
    for (let i = 0; i < p.length; i++)
      q[i] = Math.min(1, (p[i] as number) + (delta * (1 - (p[i] as number))) / m);
  };
const trueDiff = (p: Float64Array, q: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (q[i] as number) - (p[i] as number);
  return s / p.length;
};

function pooledMcnemarP(x: Experiment): number {
  return mcnemarExact(
    x.initial.flatMap((r) => Array.from(r, (v) => v === 1)),
    x.refined.flatMap((r) => Array.from(r, (v) => v === 1)),
  ).p;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const pad = (s: string, n: number): string => s.padEnd(n);

const started = performance.now();
console.log(
  `Null experiments: ${EXPERIMENTS} per cell; α = ${ALPHA}; Monte Carlo standard error of a 5% rate: ` +
    `${pct(Math.sqrt((0.05 * 0.95) / EXPERIMENTS))}.`,
);
console.log(
  'Reported = exact sign-flip test on per-task differences averaged over seeds, and its t interval.',
);
let worstFpr = 0;
let worstCoverage = 1;
let worstPooled = 0;
const shapes: [string, readonly [number, number]][] = [
  ['even difficulty Beta(1,1)', [1, 1]],
  ['U-shaped Beta(.3,.3)', [0.3, 0.3]],
];
for (const shared of [true, false]) {
  for (const [label, shape] of shapes) {
    for (const seeds of [1, 3, 10]) {
      if (!shared && seeds === 1) continue; // with one seed the protocols are the same
      for (const tasks of [20, 50, 100, 200]) {
        const x = allocate(seeds, tasks);
        const p = new Float64Array(tasks);
        const q = new Float64Array(tasks);
        let rejected = 0;
        let covered = 0;
        let pooledRejected = 0;
        let bootCovered = 0;
        const bootstrap = tasks === 20;
        for (let e = 0; e < EXPERIMENTS; e++) {
          draw(x, shape, shared, p, same, q);
          const c = compareTaskLevel(x.initial, x.refined);
          if (c.p <= ALPHA) rejected++;
          if (c.ci.lo <= 0 && c.ci.hi >= 0) covered++;
          if (pooledMcnemarP(x) <= ALPHA) pooledRejected++;
          if (bootstrap) {
            // The cluster (task-resampling) percentile bootstrap of mean(d), 1000 resamples.
            const d = new Array<number>(tasks).fill(0);
            for (let s = 0; s < seeds; s++)
              for (let i = 0; i < tasks; i++)
                d[i] =
                  (d[i] as number) +
                  ((x.refined[s] as Uint8Array)[i]! - (x.initial[s] as Uint8Array)[i]!) / seeds;
            const b = pairedBootstrapCi(new Array<number>(tasks).fill(0), d, {
              seed: e,
              resamples: 1000,
            });
            if (b.lo <= 1e-12 && b.hi >= -1e-12) bootCovered++;
          }
        }
        const fpr = rejected / EXPERIMENTS;
        const coverage = covered / EXPERIMENTS;
        const pooled = pooledRejected / EXPERIMENTS;
        worstFpr = Math.max(worstFpr, fpr);
        worstCoverage = Math.min(worstCoverage, coverage);
        worstPooled = Math.max(worstPooled, pooled);
        console.log(
          `${pad(shared ? 'initial shared' : 'initial per seed', 17)} ${pad(label, 26)} ` +
            `seeds ${String(seeds).padStart(2)}  tasks ${String(tasks).padStart(3)}:  ` +
            `false-positive rate ${pct(fpr).padStart(5)}  coverage ${pct(coverage).padStart(6)}  |  ` +
            `pooled McNemar FPR ${pct(pooled).padStart(5)}` +
            (bootstrap
              ? `  cluster-bootstrap percentile coverage ${pct(bootCovered / EXPERIMENTS)}`
              : ''),
        );
      }
    }
  }
}

console.log('');
console.log(
  `Power at α = ${ALPHA} (initial shared, Beta(1,1) difficulty; coverage of the 95% interval at the true difference):`,
);
for (const delta of [0.1, 0.2]) {
  for (const tasks of [26, 164, 378]) {
    for (const seeds of [1, 3]) {
      const x = allocate(seeds, tasks);
      const p = new Float64Array(tasks);
      const q = new Float64Array(tasks);
      const shift = gain(delta);
      let rejected = 0;
      let covered = 0;
      let mdd = 0;
      for (let e = 0; e < EXPERIMENTS; e++) {
        draw(x, [1, 1], true, p, shift, q);
        const c = compareTaskLevel(x.initial, x.refined);
        if (c.p <= ALPHA && c.diff > 0) rejected++;
        const truth = trueDiff(p, q);
        if (c.ci.lo <= truth && c.ci.hi >= truth) covered++;
        mdd += c.mdd ?? 0;
      }
      console.log(
        `true difference ${String(Math.round(delta * 100)).padStart(2)} points, ${String(tasks).padStart(3)} tasks, ` +
          `${String(seeds).padStart(2)} seed${seeds === 1 ? ' ' : 's'}: power ${pct(rejected / EXPERIMENTS).padStart(6)}  ` +
          `coverage ${pct(covered / EXPERIMENTS).padStart(6)}  mean reported smallest detectable difference ${pct(mdd / EXPERIMENTS)}`,
      );
    }
  }
}

console.log('');
console.log(
  `today's pooled McNemar on (seed, task) pairs: worst false-positive rate ${pct(worstPooled)} — ` +
    (worstPooled > 0.06 ? 'FAILS calibration' : 'passes'),
);
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
console.log(
  `worst false-positive rate: ${pct(worstFpr)} (target <= 5% + Monte Carlo error); worst coverage: ${pct(worstCoverage)}`,
);
