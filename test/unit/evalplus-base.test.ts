/**
 * EvalPlus's two pass@1 figures: base (the original inputs, before `plusFrom`) beside plus
 * (Athanor's strict verdict), from the per-case verdicts stored with each graded answer, in the
 * report and in the scores CSV.
 */
import { describe, expect, it } from 'vitest';
import { passedBase } from '../../src/core/evalplus-base';
import type { ExecResult, RunConfig, Task, TestVerdict } from '../../src/core/types';
import { scoresCsv } from '../../src/runner/exports';
import { buildReport } from '../../src/runner/report';
import type { EvaluationRecord } from '../../src/store/records';

/** A result over 4 cases (2 base, 2 plus) with the given outcomes. */
const result = (outcomes: TestVerdict['outcome'][]): ExecResult => ({
  passed: outcomes.every((o) => o === 'passed'),
  soft: outcomes.filter((o) => o === 'passed').length / outcomes.length,
  tests: outcomes.map((outcome, i) => ({ name: `case ${i}`, outcome })),
  stdout: { text: '', truncated: false },
  stderr: { text: '', truncated: false },
  durationMs: 1,
});

const ALL = result(['passed', 'passed', 'passed', 'passed']);
const PLUS_FAILS = result(['passed', 'passed', 'failed', 'not-run']);
const BASE_FAILS = result(['passed', 'failed', 'not-run', 'not-run']);
const NO_PROGRAM: ExecResult = { ...result([]), passed: false, soft: 0, setupError: 'SyntaxError' };

describe('the base verdict', () => {
  it('passes when every base input passed, whatever the plus inputs did', () => {
    expect(passedBase(ALL, 2)).toBe(true);
    expect(passedBase(PLUS_FAILS, 2)).toBe(true);
    expect(passedBase(BASE_FAILS, 2)).toBe(false);
    expect(passedBase(NO_PROGRAM, 2)).toBe(false);
  });

  it('the report gives base beside plus pass@1, and the CSV a base_passed column', () => {
    const config = {
      seeds: [1],
      evaluation: { samples: 1, k: [1] },
      trainSplit: 'train',
      testSplit: 'test',
    } as unknown as RunConfig;
    const ev = (taskId: string, r: ExecResult): EvaluationRecord => ({
      runId: 'r',
      seed: 1,
      phase: 'heldout',
      promptId: 'p',
      taskId,
      sample: 0,
      completionKey: 'k',
      code: '',
      result: r,
      createdAt: 0,
    });
    const evaluations = [
      ev('t/0', ALL),
      ev('t/1', PLUS_FAILS),
      ev('t/2', BASE_FAILS),
      ev('t/3', NO_PROGRAM),
    ];
    const ids = ['t/0', 't/1', 't/2', 't/3'];
    const report = buildReport({
      config,
      testTaskIds: ids,
      prompts: [{ seed: 1, initialId: 'p', finalId: 'p' }],
      evaluations,
      calls: [],
      testSetOptimization: false,
      plusFrom: new Map(ids.map((id) => [id, 2])),
    });
    expect(report.final.strict.mean).toBe(0.25);
    expect(report.final.base?.mean).toBe(0.5);

    // Not an EvalPlus set: no base figure.
    const plain = buildReport({
      config,
      testTaskIds: ids,
      prompts: [{ seed: 1, initialId: 'p', finalId: 'p' }],
      evaluations,
      calls: [],
      testSetOptimization: false,
    });
    expect(plain.final.base).toBeUndefined();

    const io: Pick<Task, 'tests'> = {
      tests: { kind: 'io', entryPoint: 'f', cases: [], atol: 0, plusFrom: 2 },
    };
    const csv = scoresCsv(evaluations, report.prompts, false, new Map(ids.map((id) => [id, io])))
      .trim()
      .split('\n');
    expect(csv[0]!.split(',').at(-1)).toBe('base_passed');
    expect(csv.slice(1).map((row) => row.split(',').at(-1))).toEqual([
      'true',
      'true',
      'false',
      'false',
    ]);
  });
});
