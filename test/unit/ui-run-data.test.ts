/** The figures the run pages derive from stored records (src/ui/run-data.ts, src/ui/defaults.ts). */
import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../src/core/types';
import type { EvaluationRecord, PromptRecord } from '../../src/store/records';
import { parseSeeds } from '../../src/ui/defaults';
import {
  bestPerStep,
  budgetLeft,
  candidateRows,
  heatmap,
  naturalCompare,
} from '../../src/ui/run-data';

const result = (soft: number): ExecResult => ({
  passed: soft === 1,
  soft,
  tests: [],
  stdout: { text: '', truncated: false },
  stderr: { text: '', truncated: false },
  durationMs: 1,
});

const prompt = (id: string, step: number, operator = 'mutate', seed = 1): PromptRecord => ({
  id,
  text: `prompt ${id}`,
  parents: [],
  operator,
  step,
  runId: 'r',
  seed,
});

const evaluation = (
  promptId: string,
  taskId: string,
  soft: number,
  o: Partial<EvaluationRecord> = {},
): EvaluationRecord => ({
  runId: 'r',
  seed: 1,
  phase: 'optimize',
  promptId,
  taskId,
  sample: 0,
  completionKey: 'k',
  code: '',
  result: result(soft),
  createdAt: 0,
  ...o,
});

describe('candidate scores and the best-per-step curve', () => {
  const prompts = [
    prompt('a', 0, 'seed'),
    prompt('b', 1),
    prompt('c', 1),
    prompt('d', 2),
    prompt('z', 0, 'seed', 2),
  ];
  const evals = [
    evaluation('a', 't/1', 1),
    evaluation('a', 't/2', 0),
    evaluation('b', 't/1', 0),
    evaluation('b', 't/2', 0.5),
    evaluation('c', 't/1', 1),
    evaluation('c', 't/2', 1),
    evaluation('d', 't/1', 0),
    evaluation('d', 't/2', 0),
    // Ignored: another seed, the held-out phase, a second sample.
    evaluation('a', 't/3', 1, { seed: 2 }),
    evaluation('a', 't/4', 1, { phase: 'heldout' }),
    evaluation('a', 't/1', 0, { sample: 1 }),
  ];
  const rows = candidateRows(prompts, evals, 1);

  it('scores each candidate of the seed by its sample-0 training verdicts', () => {
    expect(rows.map((r) => [r.id, r.score, r.soft, r.graded])).toEqual([
      ['a', 0.5, 0.5, 2],
      ['b', 0, 0.25, 2],
      ['c', 1, 1, 2],
      ['d', 0, 0, 2],
    ]);
  });

  it('draws the best score so far at each step, never going down', () => {
    expect(bestPerStep(rows)).toEqual([
      { x: 0, y: 0.5 },
      { x: 1, y: 1 },
      { x: 2, y: 1 },
    ]);
  });

  it('lays verdicts out as task × candidate, with partial passes and gaps', () => {
    const more = [...evals, evaluation('b', 't/10', 1)];
    const grid = heatmap(candidateRows(prompts, more, 1), more, 1);
    expect(grid.tasks).toEqual(['t/1', 't/2', 't/10']);
    expect(grid.candidates.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(grid.cells).toEqual([
      ['pass', 'fail', 'pass', 'fail'],
      ['fail', 'partial', 'pass', 'fail'],
      ['none', 'pass', 'none', 'none'],
    ]);
    expect(heatmap(rows, evals, 1, 2).candidates.map((c) => c.id)).toEqual(['c', 'd']);
  });
});

describe('budget left', () => {
  it('projects time left from the rate of the tightest limit', () => {
    const left = budgetLeft(
      { maxLlmCalls: 100, maxMinutes: 60 },
      { llmCalls: 25, tokens: 0, elapsedMs: 60_000 },
    );
    expect(left.callsLeft).toBe(75);
    expect(left.used).toBe(0.25);
    // 25 calls took a minute: 75 more take three, well inside the hour.
    expect(left.msLeft).toBe(180_000);
    const timeBound = budgetLeft(
      { maxLlmCalls: 1000, maxMinutes: 2 },
      { llmCalls: 25, tokens: 0, elapsedMs: 60_000 },
    );
    expect(timeBound.msLeft).toBe(60_000);
  });

  it('says nothing without limits', () => {
    expect(budgetLeft({}, { llmCalls: 5, tokens: 9, elapsedMs: 10 })).toEqual({
      used: null,
      callsLeft: null,
      tokensLeft: null,
      msLeft: null,
    });
  });
});

describe('seeds and ordering', () => {
  it('reads seeds written with commas or spaces and refuses bad ones by name', () => {
    expect(parseSeeds('1, 2  3')).toEqual([1, 2, 3]);
    expect(() => parseSeeds('1, x')).toThrow(/Seed "x"/);
    expect(() => parseSeeds('1, 1')).toThrow(/different/);
    expect(() => parseSeeds('  ')).toThrow(/at least one/);
  });

  it('orders task ids numerically', () => {
    expect(['HumanEval/10', 'HumanEval/2', 'HumanEval/1'].sort(naturalCompare)).toEqual([
      'HumanEval/1',
      'HumanEval/2',
      'HumanEval/10',
    ]);
  });
});
