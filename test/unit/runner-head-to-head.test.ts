/**
 * Head-to-head comparison of runs (runner/head-to-head.ts) and the training ranking behind
 * validation selection (runner/validation.ts), over hand-made records.
 */
import { describe, expect, it } from 'vitest';
import { compareTaskLevel, holmAdjustComparisons } from '../../src/core/task-stats';
import type { RunConfig } from '../../src/core/types';
import {
  headToHead,
  headToHeadCsv,
  headToHeadMarkdown,
  unpairableReason,
} from '../../src/runner/head-to-head';
import { buildReport } from '../../src/runner/report';
import { rankByTraining } from '../../src/runner/validation';
import type { EvaluationRecord, RunRecord } from '../../src/store/records';

const TASKS = Array.from({ length: 12 }, (_, i) => `ds/${i}`);

const baseConfig = (over: Partial<RunConfig> = {}): RunConfig => ({
  name: 'run',
  method: 'm',
  knobs: {},
  model: { engine: 'scripted', modelId: 'model-a' },
  datasetId: 'ds',
  trainSplit: 'train',
  testSplit: 'test',
  seeds: [1, 2],
  budget: {},
  sampling: {
    generate: { temperature: 0, max_tokens: 10 },
    mutate: { temperature: 1, max_tokens: 10 },
  },
  initialPrompt: 'p',
  evaluation: { samples: 1, k: [1] },
  ...over,
});

function evaluation(
  runId: string,
  seed: number,
  promptId: string,
  taskId: string,
  passed: boolean,
  phase: EvaluationRecord['phase'] = 'heldout',
): EvaluationRecord {
  return {
    runId,
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
  };
}

/** A finished run whose final prompt passes task i in seed s when pass(s, i). */
function makeRun(
  id: string,
  pass: (seed: number, i: number) => boolean,
  over: Partial<RunConfig> = {},
  tasks = TASKS,
): { run: RunRecord; evals: EvaluationRecord[] } {
  const config = baseConfig({ name: id, method: id, ...over });
  const evals = config.seeds.flatMap((seed) => [
    ...tasks.map((t, i) => evaluation(id, seed, 'init', t, i < 3)),
    ...tasks.map((t, i) => evaluation(id, seed, `fin-${seed}`, t, pass(seed, i))),
  ]);
  const report = buildReport({
    config,
    testTaskIds: tasks,
    prompts: config.seeds.map((seed) => ({ seed, initialId: 'init', finalId: `fin-${seed}` })),
    evaluations: evals,
    calls: [],
    testSetOptimization: false,
  });
  const run: RunRecord = {
    id,
    config,
    status: 'done',
    createdAt: 0,
    updatedAt: 0,
    report,
    taskIds: { train: [], validation: [], test: [...tasks] },
  };
  return { run, evals };
}

describe('head to head', () => {
  const a = makeRun('a', (_, i) => i < 4);
  const b = makeRun('b', (s, i) => i < 9 || (s === 2 && i === 11));
  const c = makeRun('c', (_, i) => i < 6);
  const otherModel = makeRun('d', (_, i) => i < 6, {
    model: { engine: 'scripted', modelId: 'model-b' },
  });
  const otherTasks = makeRun('e', (_, i) => i < 6, {}, TASKS.slice(0, 10));
  const otherSeeds = makeRun('f', (_, i) => i < 6, { seeds: [1, 3] });

  it('pairs runs task by task with the same task-level test as a run report, Holm across pairs', () => {
    const runs = [a, b, c];
    const h = headToHead(
      runs.map((r) => r.run),
      new Map(runs.map((r) => [r.run.id, r.evals])),
    );
    expect(h.methods.map((m) => m.runId)).toEqual(['a', 'b', 'c']);
    expect(h.methods[1]!.mean).toBeCloseTo((9 / 12 + 10 / 12) / 2, 15);
    expect(h.methods[1]!.std).not.toBeNull();
    expect(h.pairs).toHaveLength(3);
    // b − a, by hand: the same S × n matrices through compareTaskLevel.
    const m = (f: (s: number, i: number) => boolean) =>
      [1, 2].map((s) => TASKS.map((_, i) => (f(s, i) ? 1 : 0)));
    const expected = compareTaskLevel(
      m((_, i) => i < 4),
      m((s, i) => i < 9 || (s === 2 && i === 11)),
    );
    const ab = h.pairs.find((p) => p.first === 'a' && p.second === 'b')!;
    // Same figures; the head-to-head sums tasks in sorted-id order, so the last bit may differ.
    const got = ab.comparison!;
    expect(got.p).toBe(expected.p);
    expect(got.diff).toBeCloseTo(expected.diff, 14);
    expect(got.ci.lo).toBeCloseTo(expected.ci.lo, 14);
    expect(got.ci.hi).toBeCloseTo(expected.ci.hi, 14);
    expect(got.ci.df).toBeCloseTo(expected.ci.df, 10);
    expect(got.seFrom).toBe(expected.seFrom);
    const { adjusted } = holmAdjustComparisons(h.pairs.map((p) => p.comparison!));
    expect(h.pairs.map((p) => p.pAdjusted)).toEqual(adjusted);
    expect(ab.pAdjusted!).toBeGreaterThanOrEqual(ab.comparison!.p);
  });

  it('refuses to pair runs on other tasks, models or seeds, and says why', () => {
    expect(unpairableReason(a.run, otherModel.run)).toMatch(/different models/);
    expect(unpairableReason(a.run, otherTasks.run)).toMatch(/different test tasks/);
    expect(unpairableReason(a.run, otherSeeds.run)).toMatch(/different seeds/);
    expect(
      unpairableReason(a.run, { ...c.run, config: { ...c.run.config, testSplit: 'validation' } }),
    ).toMatch(/different test splits/);
    expect(unpairableReason(a.run, { ...c.run, testSetOptimization: true })).toMatch(/test-set/);
    const runs = [a, otherModel, c];
    const h = headToHead(
      runs.map((r) => r.run),
      new Map(runs.map((r) => [r.run.id, r.evals])),
    );
    const bad = h.pairs.filter((p) => p.unpairable);
    expect(bad).toHaveLength(2);
    expect(bad.every((p) => p.comparison === undefined && p.pAdjusted === undefined)).toBe(true);
    // Holm counts only the pairs that were tested: one here, so nothing to adjust.
    const tested = h.pairs.find((p) => p.comparison)!;
    expect(tested.pAdjusted).toBe(tested.comparison!.p);
  });

  it('writes the paper table as Markdown and CSV', () => {
    const runs = [a, b, otherModel];
    const h = headToHead(
      runs.map((r) => r.run),
      new Map(runs.map((r) => [r.run.id, r.evals])),
    );
    const md = headToHeadMarkdown(h);
    expect(md).toContain('| Method | Held-out pass@1 (%)');
    expect(md).toContain('| b (b) | 79.2 ± 5.9 |');
    expect(md).toContain('not paired: different models');
    expect(md).toMatch(/Holm-adjusted/);
    const csv = headToHeadCsv(h).split('\n');
    expect(csv[0]).toBe(
      'run_id,name,method,model,tasks,seeds,pass1_mean,pass1_std,delta_vs_initial,ci_lo,ci_hi,p,verdict,test_set_optimization',
    );
    expect(csv).toHaveLength(1 + 3 + 1 + 1 + 3 + 1);
  });
});

describe('training ranking for validation selection', () => {
  it('ranks fully graded prompts by training score, earlier first on ties, ignoring held-out tasks', () => {
    const e = (p: string, t: string, ok: boolean) => evaluation('r', 1, p, t, ok, 'optimize');
    const evals = [
      e('x', 't1', true),
      e('x', 't2', false),
      e('y', 't1', true),
      e('y', 't2', true),
      e('z', 't1', true),
      e('z', 't2', false),
      e('raced', 't1', true), // dropped early by racing: one task only
      e('x', 'v1', true), // a validation task an optimizer graded: not training
      evaluation('r', 2, 'w', 't1', true, 'optimize'), // another seed
    ];
    const ranks = rankByTraining(
      evals,
      1,
      new Set(['v1']),
      new Map([
        ['z', 0],
        ['x', 1],
        ['y', 2],
      ]),
    );
    expect(ranks.map((r) => r.promptId)).toEqual(['y', 'z', 'x']);
    expect(ranks[0]).toEqual({ promptId: 'y', score: 1, tasks: 2 });
  });
});
