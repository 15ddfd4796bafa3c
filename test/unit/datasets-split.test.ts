import { describe, expect, it } from 'vitest';
import { SplitError } from '../../src/datasets/errors';
import {
  explicitSplit,
  findNearDuplicates,
  mbppPublishedSplit,
  seededSplit,
} from '../../src/datasets/split';

const ids = Array.from({ length: 100 }, (_, i) => `d/${i}`);
const all = (s: { ids: Record<string, string[]> }): string[] => [
  ...s.ids.train!,
  ...s.ids.validation!,
  ...s.ids.test!,
];

describe('seededSplit', () => {
  it('partitions the ids by the ratios', () => {
    const s = seededSplit(ids, 7, { train: 0.3, validation: 0.1, test: 0.6 });
    expect([s.ids.train.length, s.ids.validation.length, s.ids.test.length]).toEqual([30, 10, 60]);
    expect(new Set(all(s)).size).toBe(100);
    expect(all(s).sort()).toEqual([...ids].sort());
  });

  it('is the same for the same seed whatever the input order, and differs across seeds', () => {
    const a = seededSplit(ids, 42, { train: 0.5, validation: 0, test: 0.5 });
    const b = seededSplit([...ids].reverse(), 42, { train: 0.5, validation: 0, test: 0.5 });
    const c = seededSplit(ids, 43, { train: 0.5, validation: 0, test: 0.5 });
    expect(b).toEqual(a);
    expect(c.ids.train).not.toEqual(a.ids.train);
  });

  it('pins the split of seed 1 (so every platform and version agrees)', () => {
    const s = seededSplit(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], 1, {
      train: 0.3,
      validation: 0.2,
      test: 0.5,
    });
    expect(s.ids).toMatchInlineSnapshot(`
      {
        "test": [
          "a",
          "c",
          "h",
          "i",
          "j",
        ],
        "train": [
          "b",
          "e",
          "f",
        ],
        "validation": [
          "d",
          "g",
        ],
      }
    `);
  });

  it('refuses ratios that do not add up or a fractional seed', () => {
    expect(() => seededSplit(ids, 1, { train: 0.5, validation: 0.5, test: 0.5 })).toThrow(
      SplitError,
    );
    expect(() => seededSplit(ids, 1, { train: -0.1, validation: 0.5, test: 0.6 })).toThrow(
      /between 0 and 1/,
    );
    expect(() => seededSplit(ids, 1.5, { train: 0.5, validation: 0, test: 0.5 })).toThrow(
      /integer/,
    );
  });
});

describe('mbppPublishedSplit', () => {
  it('follows MBPP: 11–510 test, 511–600 validation, 601–974 train, 1–10 none', () => {
    const tasks = Array.from({ length: 974 }, (_, i) => ({
      id: `m/${i + 1}`,
      sourceId: String(i + 1),
    }));
    const s = mbppPublishedSplit(tasks);
    expect([s.ids.train.length, s.ids.validation.length, s.ids.test.length]).toEqual([
      374, 90, 500,
    ]);
    expect(s.ids.test).toContain('m/11');
    expect(s.ids.test).toContain('m/510');
    expect(s.ids.validation).toContain('m/511');
    expect(s.ids.train).toContain('m/601');
    expect(all(s)).not.toContain('m/10');
  });
});

describe('explicitSplit', () => {
  it('takes the lists as given and refuses unknown or repeated ids', () => {
    const s = explicitSplit(['a', 'b', 'c'], { train: ['b'], validation: [], test: ['c', 'a'] });
    expect(s.ids).toEqual({ train: ['b'], validation: [], test: ['a', 'c'] });
    expect(() => explicitSplit(['a'], { train: ['z'], validation: [], test: [] })).toThrow(
      /Task z \(in train\) is not in this dataset/,
    );
    expect(() => explicitSplit(['a'], { train: ['a'], validation: [], test: ['a'] })).toThrow(
      /in both train and test/,
    );
  });
});

describe('findNearDuplicates', () => {
  it('flags a train task that restates a test task, not unrelated ones', () => {
    const tasks = [
      { id: 'tr1', prompt: 'Write a function to reverse the words in a given sentence.' },
      { id: 'tr2', prompt: 'Compute the factorial of n using recursion.' },
      { id: 'te1', prompt: 'Write a function to reverse the words in the given sentence!' },
      { id: 'te2', prompt: 'Find the area of a circle from its radius.' },
    ];
    const found = findNearDuplicates(tasks, {
      ids: { train: ['tr1', 'tr2'], validation: [], test: ['te1', 'te2'] },
    });
    expect(found.map((d) => [d.trainId, d.testId])).toEqual([['tr1', 'te1']]);
    expect(found[0]!.similarity).toBeGreaterThan(0.85);
  });

  it('ignores MBPP framing and the shown test when comparing', () => {
    const frame = (t: string, a: string) =>
      `You are an expert Python programmer, and here is your task: ${t} Your code should pass these tests:\n\n${a}`;
    const tasks = [
      { id: 'tr', prompt: frame('Count vowels in a string.', 'assert f("a") == 1') },
      {
        id: 'te',
        prompt: frame('Sort a list of tuples by the second item.', 'assert f("a") == 1'),
      },
    ];
    expect(
      findNearDuplicates(tasks, { ids: { train: ['tr'], validation: [], test: ['te'] } }),
    ).toEqual([]);
  });
});
