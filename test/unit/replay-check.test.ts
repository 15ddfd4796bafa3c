import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/store/records';
import { compareVerdicts } from '../../src/ui/replay-check';

const ev = (taskId: string, passed: boolean, extra: Partial<EvaluationRecord> = {}) =>
  ({
    runId: 'r',
    seed: 1,
    phase: 'heldout',
    promptId: 'p',
    taskId,
    sample: 0,
    completionKey: 'k',
    code: '',
    result: { passed },
    createdAt: 0,
    ...extra,
  }) as unknown as EvaluationRecord;

describe('compareVerdicts', () => {
  it('counts matching verdicts', () => {
    const c = compareVerdicts([ev('a', true), ev('b', false)], [ev('a', true), ev('b', false)]);
    expect(c).toMatchObject({ compared: 2, differingCount: 0, unmatched: 0, fromCache: 0 });
  });
  it('names a verdict that differs, with the original outcome', () => {
    const c = compareVerdicts([ev('a', true), ev('b', false)], [ev('a', true), ev('b', true)]);
    expect(c.differingCount).toBe(1);
    expect(c.differing).toEqual([{ seed: 1, taskId: 'b', phase: 'heldout', original: false }]);
  });
  it('matches on prompt, seed and sample, not on the task alone', () => {
    const c = compareVerdicts(
      [ev('a', true, { promptId: 'p1' })],
      [ev('a', true, { promptId: 'p2' }), ev('a', true, { promptId: 'p1', sample: 1 })],
    );
    expect(c).toMatchObject({ compared: 0, unmatched: 2 });
  });
  it('counts verdicts taken from the cache', () => {
    const c = compareVerdicts([ev('a', true)], [ev('a', true, { execCached: true })]);
    expect(c.fromCache).toBe(1);
  });
});
