/**
 * Task-level statistics (core/task-stats.ts) against values computed independently with scipy
 * 1.17.1 and statsmodels 0.15.0 in the venv of scripts/python-tools.sh (test/support/python.ts).
 * Each constant carries the Python that produced it; `python` below is that venv's interpreter,
 * with `import numpy as np, pandas as pd; from scipy import stats`.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { mcnemarExact, pairedBootstrapCi } from '../../src/core/stats';
import {
  compareTaskLevel,
  FEW_TASKS,
  holmAdjust,
  minimumDetectableDifference,
  signFlipExactP,
  taskDifferences,
  verdict,
} from '../../src/core/task-stats';
import { buildReport } from '../../src/runner/report';
import type { RunConfig } from '../../src/core/types';
import type { EvaluationRecord } from '../../src/store/records';
import { pythonTools } from '../support/python';

// 24 tasks, one seed: the initial and the refined prompt's greedy verdicts.
const A = [1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0];
const B = [1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0];
const D = B.map((b, i) => b - A[i]!);

describe('the task-level test and interval match scipy', () => {
  it('sign-flip exact p', () => {
    // stats.permutation_test((d,), lambda x, axis: np.sum(x, axis=axis),
    //   permutation_type='samples', n_resamples=np.inf, alternative='two-sided').pvalue
    //   == 0.0703125, with d = b − a above
    expect(signFlipExactP(D, 1)).toBeCloseTo(0.0703125, 14);
    expect(compareTaskLevel([A], [B]).p).toBeCloseTo(0.0703125, 14);
  });

  it('t interval, standard error and smallest detectable difference with one seed', () => {
    const c = compareTaskLevel([A], [B]);
    // stats.ttest_1samp(d, 0).confidence_interval(0.95)
    //   == (0.025520981543381754, 0.4744790184566182); d.std(ddof=1)/np.sqrt(24) == 0.10851434153530391
    expect(c.ci.lo).toBeCloseTo(0.025520981543381754, 12);
    expect(c.ci.hi).toBeCloseTo(0.4744790184566182, 12);
    expect(c.ci.se).toBeCloseTo(0.10851434153530391, 14);
    expect(c.ci.df).toBe(23);
    expect(c.seFrom).toBe('tasks');
    // (stats.t.ppf(0.975, 23) + stats.t.ppf(0.8, 23)) * se == 0.3175332733221385
    expect(c.mdd).toBeCloseTo(0.3175332733221385, 12);
    expect(c.diff).toBeCloseTo(0.25, 15);
    expect(c.changed).toBe(8);
    // The t interval just excludes 0 but the exact test does not reject: the verdict follows the test.
    expect(verdict(c)).toBe('not distinguishable from chance');
    // The other way round (test rejects, interval holds 0) is called borderline.
    expect(verdict({ ...c, p: 0.04, ci: { ...c.ci, lo: -0.01 } })).toMatch(/borderline/);
    expect(verdict({ ...c, p: 0.04, ci: { ...c.ci, lo: -0.01 }, seFrom: 'seeds' })).toMatch(
      /seeds disagree/,
    );
  });

  it('the crossed tasks × seeds standard error when seeds disagree (statsmodels anova_lm)', () => {
    const init = [1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0];
    const refined = [
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1], // seed 1: much better
      [1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], // seed 2: slightly worse
      [1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0], // seed 3: a little better
    ];
    const c = compareTaskLevel([init, init, init], refined);
    // D = ref − init; anova_lm(smf.ols('y ~ C(task) + C(seed)', data=long(D)).fit()) gives mean_sq
    // task 0.266667 (15 df), seed 1.270833 (2 df), residual 0.1375 (30 df);
    // se = sqrt((msT + msS − msE)/(16·3)) == 0.17078251276599335,
    // Satterthwaite df == 2.411181100568395, CI == (−0.46021584545635397, 0.7935491787896872)
    expect(c.seFrom).toBe('seeds');
    expect(c.ci.se).toBeCloseTo(0.17078251276599335, 12);
    expect(c.ci.df).toBeCloseTo(2.411181100568395, 10);
    expect(c.ci.lo).toBeCloseTo(-0.46021584545635397, 9);
    expect(c.ci.hi).toBeCloseTo(0.7935491787896872, 9);
    // (stats.t.ppf(0.975, df) + stats.t.ppf(0.8, df)) * se == 0.8006327440438953
    expect(c.mdd).toBeCloseTo(0.8006327440438953, 9);
    // permutation_test on d = D.mean(axis=0) (multiples of 1/3) == 0.076171875
    expect(c.p).toBeCloseTo(0.076171875, 14);
    expect(c.diff).toBeCloseTo(1 / 6, 15);
  });

  it("the cluster bootstrap's percentile interval agrees with scipy within Monte Carlo error", () => {
    // stats.bootstrap((d,), np.mean, method='percentile', n_resamples=200000,
    //   random_state=np.random.default_rng(0)).confidence_interval
    //   == (0.041666666666666664, 0.4583333333333333): the resampled means live on a 1/24 grid,
    //   so two bootstraps of this size land on the same grid points or the next ones.
    const r = pairedBootstrapCi(
      D.map(() => 0),
      D,
      { seed: 11, resamples: 200_000 },
    );
    expect(Math.abs(r.lo - 0.041666666666666664)).toBeLessThanOrEqual(1 / 24 + 1e-12);
    expect(Math.abs(r.hi - 0.4583333333333333)).toBeLessThanOrEqual(1 / 24 + 1e-12);
  });

  it('Holm adjustment matches statsmodels', () => {
    // multipletests([0.01, 0.04, 0.03, 0.2], method='holm')[1] == [0.04, 0.09, 0.09, 0.2]
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.2]);
    expect(adj[0]).toBeCloseTo(0.04, 15);
    expect(adj[1]).toBeCloseTo(0.09, 15);
    expect(adj[2]).toBeCloseTo(0.09, 15);
    expect(adj[3]).toBeCloseTo(0.2, 15);
    expect(holmAdjust([])).toEqual([]);
  });
});

describe('seeds are repeats, not new tasks', () => {
  // 20 tasks: 2 only the initial prompt solves, 7 only the refined one, 5 both, 6 neither.
  const initial = [
    ...Array(2).fill(1),
    ...Array(7).fill(0),
    ...Array(5).fill(1),
    ...Array(6).fill(0),
  ];
  const refined = [
    ...Array(2).fill(0),
    ...Array(7).fill(1),
    ...Array(5).fill(1),
    ...Array(6).fill(0),
  ];

  it('1, 3 and 5 identical seeds give the same p and the same interval', () => {
    const results = [1, 3, 5].map((s) =>
      compareTaskLevel(Array(s).fill(initial), Array(s).fill(refined)),
    );
    // One seed: 2·binom.cdf(2, 9, 0.5) == 0.1796875 (McNemar exact, b=2, c=7).
    for (const r of results) {
      expect(r.p).toBeCloseTo(0.1796875, 14);
      expect(r.ci.lo).toBeCloseTo(results[0]!.ci.lo, 14);
      expect(r.ci.hi).toBeCloseTo(results[0]!.ci.hi, 14);
      expect(r.tasks).toBe(20);
    }
    expect(verdict(results[2]!)).toBe('not distinguishable from chance');
  });

  it("today's pooled McNemar would fall to 0.006 and 0.00025 on the same data", () => {
    // The numbers: pooled (seed, task) pairs treat copies as new evidence.
    const pooled = (s: number) =>
      mcnemarExact(
        Array(s).fill(initial).flat().map(Boolean),
        Array(s).fill(refined).flat().map(Boolean),
      ).p;
    // 2·binom.cdf(6, 27, 0.5) == 0.005925..., 2·binom.cdf(10, 45, 0.5) == 0.000245...
    expect(pooled(1)).toBeCloseTo(0.1796875, 14);
    expect(pooled(3)).toBeLessThan(0.01);
    expect(pooled(5)).toBeLessThan(0.001);
  });

  it('seeds that disagree widen the interval', () => {
    const init = [1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0];
    const seed1 = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1];
    const agree = compareTaskLevel([init, init, init], [seed1, seed1, seed1]);
    const disagree = compareTaskLevel(
      [init, init, init],
      [
        seed1,
        [1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
        [1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0],
      ],
    );
    // stats.ttest_1samp(seed1 − init, 0).confidence_interval(0.95)
    //   == (0.1644892680815252, 0.7105107319184748)
    expect(agree.ci.lo).toBeCloseTo(0.1644892680815252, 12);
    expect(agree.ci.hi).toBeCloseTo(0.7105107319184748, 12);
    expect(disagree.ci.hi - disagree.ci.lo).toBeGreaterThan(2 * (agree.ci.hi - agree.ci.lo));
    expect(disagree.ci.lo).toBeLessThan(0);
    expect(verdict(agree)).toBe('better, beyond chance');
    expect(verdict(disagree)).toBe('not distinguishable from chance');
  });

  it('averages seeds within each task', () => {
    const d = taskDifferences(
      [
        [0, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    );
    expect(Array.from(d)).toEqual([0.5, 0]);
    expect(() => taskDifferences([[0]], [[0], [1]])).toThrow(RangeError);
    expect(() => compareTaskLevel([[0.5]], [[1]])).toThrow(/pass\/fail/);
  });
});

describe('what a comparison can show', () => {
  it('has no detectable difference without spread, and says so when nothing changed', () => {
    expect(minimumDetectableDifference(0, 10)).toBeNull();
    const none = compareTaskLevel([[1, 0, 1]], [[1, 0, 1]]);
    expect(none.p).toBe(1);
    expect(none.mdd).toBeNull();
    expect(verdict(none)).toMatch(/no task changed/);
  });

  it('keeps the interval inside [−100, +100] points when two seeds disagree wildly', () => {
    const init = [0, 0, 0, 0, 0, 0];
    const c = compareTaskLevel([init, init], [[1, 1, 1, 1, 1, 0], init]);
    expect(c.seFrom).toBe('seeds');
    expect(c.ci.lo).toBe(-1);
    expect(c.ci.hi).toBe(1);
    expect(c.mdd!).toBeGreaterThan(1);
  });

  it('flags small test splits', () => {
    expect(FEW_TASKS).toBe(30);
  });
});

describe('buildReport uses the task-level statistics', () => {
  const config = {
    name: 't',
    method: 'zero-shot',
    knobs: {},
    model: { engine: 'scripted', modelId: 'm' },
    datasetId: 'ds',
    trainSplit: 'train',
    testSplit: 'test',
    seeds: [1, 2, 3],
    budget: {},
    sampling: {
      generate: { temperature: 0, max_tokens: 10 },
      mutate: { temperature: 1, max_tokens: 10 },
    },
    initialPrompt: 'p',
    evaluation: { samples: 1, k: [1] },
  } satisfies RunConfig;
  const record = (
    seed: number,
    promptId: string,
    taskId: string,
    passed: boolean,
    phase: EvaluationRecord['phase'] = 'heldout',
  ): EvaluationRecord => ({
    runId: 'r',
    seed,
    phase,
    promptId,
    taskId,
    sample: 0,
    completionKey: 'k',
    code: '',
    result: {
      passed,
      soft: passed ? 1 : 0,
      tests: [],
      stdout: { text: '', truncated: false },
      stderr: { text: '', truncated: false },
      durationMs: 1,
    },
    createdAt: 0,
  });
  const initial = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const refined = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const tasks = initial.map((_, i) => `t${i}`);

  it('gives the same p for 1 and 3 identical seeds, per-seed McNemar, the gap and the warning', () => {
    const report = (seeds: number[]) =>
      buildReport({
        config: { ...config, seeds },
        testTaskIds: tasks,
        prompts: seeds.map((seed) => ({ seed, initialId: 'I', finalId: `F${seed}` })),
        evaluations: seeds.flatMap((seed) => [
          ...tasks.map((t, i) => record(seed, 'I', t, initial[i] === 1)),
          ...tasks.map((t, i) => record(seed, `F${seed}`, t, refined[i] === 1)),
          record(seed, `F${seed}`, 'train0', true, 'optimize'),
          record(seed, `F${seed}`, 'train1', true, 'optimize'),
          record(seed, `F${seed}`, 'val0', false, 'validation'),
        ]),
        calls: [],
        testSetOptimization: false,
      });
    const one = report([1]);
    const three = report([1, 2, 3]);
    expect(one.taskLevel!.combined.p).toBeCloseTo(0.1796875, 14);
    expect(three.taskLevel!.combined.p).toBeCloseTo(0.1796875, 14);
    expect(three.taskLevel!.combined.ci).toEqual(one.taskLevel!.combined.ci);
    expect(three.taskLevel!.perSeed).toHaveLength(3);
    expect(three.taskLevel!.perSeed[0]).toMatchObject({
      seed: 1,
      initial: 0.35,
      final: 0.6,
      mcnemar: { b: 2, c: 7 },
    });
    expect(three.taskLevel!.fewTasks).toBe(true);
    expect(three.taskLevel!.verdict).toBe('not distinguishable from chance');
    expect(three.gap![1]).toEqual({
      seed: 2,
      promptId: 'F2',
      train: { score: 1, tasks: 2 },
      validation: { score: 0, tasks: 1 },
      test: { score: 0.6, tasks: 20 },
      selectedBy: 'training',
    });
    expect(three.comparison).toBeUndefined();
  });
});

/**
 * The same figures recomputed by scipy/statsmodels on random data, live, where the tools venv
 * exists (under CI it must: pythonTools throws when it is missing).
 */
const python = pythonTools();
describe.skipIf(python === undefined)('against scipy and statsmodels on random data', () => {
  it(
    'sign-flip p, interval and standard error agree on 12 random experiments',
    { timeout: 120_000 },
    () => {
      const rng = Rng.seeded(2024);
      const cases = Array.from({ length: 12 }, (_, k) => {
        const seeds = [1, 2, 3][k % 3]!;
        const n = 8 + (k % 4) * 2;
        const p = Array.from({ length: n }, () => rng.float());
        const initial = Array.from({ length: n }, (_, i) => (rng.float() < p[i]! ? 1 : 0));
        return {
          first: Array.from({ length: seeds }, () => initial),
          second: Array.from({ length: seeds }, () =>
            Array.from({ length: n }, (_, i) => (rng.float() < p[i]! ? 1 : 0)),
          ),
        };
      });
      const script = String.raw`
import json, sys
import numpy as np, pandas as pd
from scipy import stats
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm
out = []
for case in json.load(sys.stdin):
    A = np.array(case['first'], float); B = np.array(case['second'], float)
    D = B - A; S, n = D.shape; d = D.mean(axis=0)
    if np.all(d == 0):
        p = 1.0
    else:
        p = stats.permutation_test((d,), lambda x, axis: np.sum(x, axis=axis), permutation_type='samples', n_resamples=np.inf, alternative='two-sided').pvalue
    se_t = d.std(ddof=1) / np.sqrt(n); df_t = n - 1; se, df = se_t, df_t
    if S > 1:
        long = pd.DataFrame([(s, i, D[s, i]) for s in range(S) for i in range(n)], columns=['seed', 'task', 'y'])
        a = anova_lm(smf.ols('y ~ C(task) + C(seed)', data=long).fit())
        mT, mS, mE = (a.loc[k, 'mean_sq'] for k in ['C(task)', 'C(seed)', 'Residual'])
        fT, fS, fE = (a.loc[k, 'df'] for k in ['C(task)', 'C(seed)', 'Residual'])
        v = (mT + mS - mE) / (n * S)
        if mS > mE * (1 + 1e-9) + 1e-15:
            se = np.sqrt(v); df = (mT + mS - mE) ** 2 / (mT ** 2 / fT + mS ** 2 / fS + mE ** 2 / fE)
    half = stats.t.ppf(0.975, df) * se if se > 0 else 0.0
    out.append({'p': float(p), 'se': float(se), 'lo': float(max(-1, d.mean() - half)), 'hi': float(min(1, d.mean() + half))})
print(json.dumps(out))
`;
      const result = spawnSync(python!, ['-c', script], {
        input: JSON.stringify(cases),
        encoding: 'utf8',
      });
      expect(result.stderr).not.toMatch(/Traceback/);
      const expected = JSON.parse(result.stdout) as {
        p: number;
        se: number;
        lo: number;
        hi: number;
      }[];
      expect(expected).toHaveLength(cases.length);
      cases.forEach((c, k) => {
        const got = compareTaskLevel(c.first, c.second);
        const want = expected[k]!;
        expect(got.p).toBeCloseTo(want.p, 10);
        expect(got.ci.se).toBeCloseTo(want.se, 10);
        expect(got.ci.lo).toBeCloseTo(want.lo, 8);
        expect(got.ci.hi).toBeCloseTo(want.hi, 8);
      });
    },
  );
});
