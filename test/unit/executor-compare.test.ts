import { describe, expect, it } from 'vitest';
import { stdoutMatches, valuesMatch } from '../../src/executor/compare';

describe('valuesMatch (EvalPlus-style)', () => {
  it('compares integers exactly and floats within atol', () => {
    expect(valuesMatch(3, 3, 0)).toBe(true);
    expect(valuesMatch(3, 4, 0.5)).toBe(false);
    expect(valuesMatch(0.1 + 0.2, 0.3, 1e-9)).toBe(true);
    expect(valuesMatch(0.31, 0.3, 1e-6)).toBe(false);
    expect(valuesMatch(1n, 1, 0)).toBe(true);
    expect(valuesMatch(2n ** 70n, 2n ** 70n + 1n, 0)).toBe(false);
  });

  it('treats bool like Python == does, and None as null', () => {
    expect(valuesMatch(true, 1, 0)).toBe(true);
    expect(valuesMatch(false, true, 0)).toBe(false);
    expect(valuesMatch(undefined, null, 0)).toBe(true);
    expect(valuesMatch(undefined, 0, 0)).toBe(false);
  });

  it('compares nested lists, dicts and sets', () => {
    expect(valuesMatch([1, [2.0000001, 'a']], [1, [2, 'a']], 1e-6)).toBe(true);
    expect(valuesMatch([1, 2], [1, 2, 3], 0)).toBe(false);
    expect(valuesMatch({ a: [1], b: 'x' }, { b: 'x', a: [1] }, 0)).toBe(true);
    expect(valuesMatch({ a: 1 }, { a: 1, b: 2 }, 0)).toBe(false);
    expect(valuesMatch(new Map([['a', 1]]), { a: 1 }, 0)).toBe(true);
    expect(valuesMatch(new Set([1, 2]), [2, 1], 0)).toBe(true);
    expect(valuesMatch(new Set([1, 2]), [1, 3], 0)).toBe(false);
    expect(valuesMatch('1', 1, 0)).toBe(false);
  });
});

describe('stdoutMatches (APPS)', () => {
  it('exact means byte-equal', () => {
    expect(stdoutMatches('3\n', '3\n', 'exact')).toBe(true);
    expect(stdoutMatches('3\n', '3', 'exact')).toBe(false);
  });
  it('whitespace mode ignores trailing spaces, blank lines and runs of spaces', () => {
    expect(stdoutMatches('1  2 \n\n3\n', '1 2\n3', 'whitespace')).toBe(true);
    expect(stdoutMatches('1 2 3', '1 2\n3', 'whitespace')).toBe(false);
  });
});
