import { describe, expect, it } from 'vitest';
import { definedFunctions } from '../../src/datasets/formats/common';
import { starterSplit, starterTasks } from '../../src/datasets/starter';

const tasks = starterTasks();

describe('starter set', () => {
  it('has at least 40 tasks from easy to hard, each with a reference and at least 5 tests', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(40);
    const byDifficulty = new Map<string, number>();
    for (const t of tasks)
      byDifficulty.set(t.difficulty ?? '?', (byDifficulty.get(t.difficulty ?? '?') ?? 0) + 1);
    for (const d of ['easy', 'medium', 'hard'])
      expect(byDifficulty.get(d) ?? 0).toBeGreaterThanOrEqual(8);
    for (const t of tasks) {
      expect(t.reference, t.id).toBeTruthy();
      const n =
        t.tests.kind === 'asserts'
          ? t.tests.asserts.length
          : t.tests.kind === 'stdio'
            ? t.tests.cases.length
            : 0;
      expect(n, t.id).toBeGreaterThanOrEqual(5);
      if (t.style === 'function')
        expect(definedFunctions(t.reference!), t.id).toContain(t.entryPoint);
    }
  });

  it('has unique ids and entry points, carries the MIT license and shows a signature', () => {
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
    const fns = tasks.filter((t) => t.style === 'function');
    expect(new Set(fns.map((t) => t.entryPoint)).size).toBe(fns.length);
    for (const t of tasks) expect(t.source.license).toBe('MIT');
    for (const t of fns) expect(t.prompt).toContain(t.signature!);
  });

  it('has a reproducible split', () => {
    expect(starterSplit(tasks)).toEqual(starterSplit(starterTasks()));
    const s = starterSplit(tasks);
    expect(s.ids.train.length + s.ids.validation.length + s.ids.test.length).toBe(tasks.length);
  });
});
