import { describe, expect, it } from 'vitest';
import { BudgetExhaustedError, BudgetMeter, InvalidBudgetError } from '../../src/core/budget';
import {
  denseCosine,
  normalizeWhitespace,
  tfidfSimilarities,
  wordEditDistance,
  words,
} from '../../src/core/text';

describe('word-level edit distance', () => {
  it.each([
    ['', '', 0],
    ['a b c', '', 3],
    ['', 'a b', 2],
    ['a b c', 'a b c', 0],
    ['a b c', 'a x c', 1],
    ['a b c', 'a c', 1],
    ['a c', 'a b c', 1],
    ['write correct code', 'write very correct python code', 2],
    ['kitten sitting on mat', 'sitting kitten on the mat', 3],
    ['a  b\n c', 'a b c', 0],
  ])('%j → %j = %d', (a, b, d) => {
    expect(wordEditDistance(a, b)).toBe(d);
    expect(wordEditDistance(b, a)).toBe(d);
  });

  it('counts words split on whitespace', () => {
    expect(words('  Hello,  world!\n ok ')).toEqual(['Hello,', 'world!', 'ok']);
    expect(normalizeWhitespace(' a  b \n\n\n\n c \n d')).toBe('a b\n\nc\nd');
  });
});

describe('similarity', () => {
  it('TF-IDF cosine ranks shared rare terms above shared common ones', () => {
    const [same, rare, common, none] = tfidfSimilarities('sort numbers ascending', [
      'sort numbers ascending',
      'numbers ascending order',
      'the a the a sort',
      'unrelated words',
    ]);
    expect(same).toBeCloseTo(1);
    expect(rare!).toBeGreaterThan(common!);
    expect(none).toBe(0);
  });

  it('dense cosine', () => {
    expect(denseCosine([1, 0], [0, 1])).toBe(0);
    expect(denseCosine([1, 1], [2, 2])).toBeCloseTo(1);
    expect(denseCosine([0, 0], [1, 1])).toBe(0);
    expect(() => denseCosine([1], [1, 2])).toThrow(RangeError);
  });
});

describe('BudgetMeter', () => {
  it('stops at whichever limit comes first', () => {
    const t = { now: 1000 };
    const m = new BudgetMeter({ maxLlmCalls: 3, maxTokens: 100, maxMinutes: 1 }, () => t.now);
    m.record({ promptTokens: 10, completionTokens: 10 });
    expect(m.exhausted()).toBe(false);
    m.record({ promptTokens: 50, completionTokens: 30 });
    expect(m.limitReached()).toBe('tokens');
    const c = new BudgetMeter({ maxLlmCalls: 2 }, () => t.now);
    c.record({ promptTokens: 0, completionTokens: 0 });
    c.record({ promptTokens: 0, completionTokens: 0 });
    expect(c.limitReached()).toBe('llm-calls');
    expect(() => c.assertAvailable()).toThrow(BudgetExhaustedError);
    const time = new BudgetMeter({ maxMinutes: 1 }, () => t.now);
    t.now += 59_999;
    expect(time.exhausted()).toBe(false);
    t.now += 1;
    expect(time.limitReached()).toBe('minutes');
  });

  it('carries what a resumed run already spent, and has no limit without a budget', () => {
    const t = { now: 0 };
    const m = new BudgetMeter({ maxLlmCalls: 10, maxMinutes: 2 }, () => t.now, {
      llmCalls: 9,
      tokens: 5,
      elapsedMs: 110_000,
    });
    expect(m.callsLeft()).toBe(1);
    t.now = 10_000;
    expect(m.snapshot()).toEqual({ llmCalls: 9, tokens: 5, elapsedMs: 120_000 });
    expect(m.limitReached()).toBe('minutes');
    const free = new BudgetMeter({});
    for (let i = 0; i < 1000; i++) free.record({ promptTokens: 100, completionTokens: 100 });
    expect(free.exhausted()).toBe(false);
    expect(free.callsLeft()).toBe(Infinity);
  });

  it('refuses impossible budgets with a named error', () => {
    expect(() => new BudgetMeter({ maxLlmCalls: -1 })).toThrow(InvalidBudgetError);
    expect(() => new BudgetMeter({ maxMinutes: Number.NaN })).toThrow(InvalidBudgetError);
  });
});
