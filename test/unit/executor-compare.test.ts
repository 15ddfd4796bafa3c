import { describe, expect, it } from 'vitest';
import { ioOutputMatches, stdoutMatches } from '../../src/executor/compare';

describe('ioOutputMatches (EvalPlus check_output on encoded Python values)', () => {
  const m = (got: unknown, exp: unknown, atol = 0): boolean => ioOutputMatches(got, exp, atol);

  it('compares ints exactly, big ints as big ints, and floats within atol', () => {
    expect(m(3, 3)).toBe(true);
    expect(m(3, 4, 0.5)).toBe(false);
    expect(m(3, 4)).toBe(false);
    expect(m(3, { $float: 3 })).toBe(true); // 3 == 3.0
    expect(m(0.1 + 0.2, 0.3)).toBe(true); // is_floats(expected): atol 1e-6 enforced
    expect(m(0.31, 0.3)).toBe(false);
    expect(m({ $int: String(2n ** 70n) }, { $int: String(2n ** 70n) })).toBe(true);
    expect(m({ $int: String(2n ** 70n + 1n) }, { $int: String(2n ** 70n) })).toBe(false);
    expect(m(2, 2.5, 1)).toBe(false); // type(out) is not type(exp)
  });

  it('treats bool like Python == does, and None as null', () => {
    expect(m(true, 1)).toBe(true);
    expect(m(false, true)).toBe(false);
    expect(m(null, null)).toBe(true);
    expect(m(null, 0)).toBe(false);
  });

  it('keeps tuples, sets and dicts apart as Python does', () => {
    expect(m({ $tuple: [1, 2] }, { $tuple: [1, 2] })).toBe(true);
    expect(m([1, 2], { $tuple: [1, 2] })).toBe(false); // [1, 2] != (1, 2)
    expect(m({ $tuple: [1, 2] }, [1, 2])).toBe(true); // a JSON list also accepts a tuple
    expect(m({ $set: [1, 2] }, { $set: [2, 1] })).toBe(true);
    expect(m({ $set: [1, 2] }, { $frozenset: [1, 2] })).toBe(true);
    expect(m({ $set: [1, 2] }, [1, 2])).toBe(false);
    expect(m({ a: [1], b: 'x' }, { b: 'x', a: [1] })).toBe(true);
    expect(m({ $dict: [[{ $tuple: [1] }, 2]] }, { $dict: [[{ $tuple: [1] }, 2]] })).toBe(true);
    expect(m({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(m('1', 1)).toBe(false);
  });

  it('applies allclose to lists of floats, not to mixed types', () => {
    expect(m([1.0000001, 2.5], [{ $float: 1 }, 2.5])).toBe(true);
    expect(m([1.0000001, 2.5], [1, 2.5])).toBe(false); // [1, 2.5] is not all floats: exact
    expect(m({ $tuple: [0.5000001] }, [0.5])).toBe(true);
    expect(m([0.6], [0.5], 0.2)).toBe(true);
    expect(m([0.8], [0.5], 0.2)).toBe(false);
    expect(m([0.5, 0.5], [0.5])).toBe(false);
  });

  it('NaN equals NaN and infinities equal themselves', () => {
    expect(m({ $float: 'nan' }, { $float: 'nan' })).toBe(true);
    expect(m(1.5, { $float: 'nan' })).toBe(false);
    expect(m({ $float: 'inf' }, { $float: 'inf' })).toBe(true);
    expect(m({ $float: '-inf' }, { $float: 'inf' }, 1)).toBe(false);
  });

  it('implements the special oracles', () => {
    // find_zero: any root of xs within atol, whatever the reference returned.
    expect(ioOutputMatches(2.0000000001, 7, 1e-6, 'find_zero', [[-2, 1]])).toBe(true);
    expect(ioOutputMatches(1.5, 2.0, 1e-6, 'find_zero', [[-2, 1]])).toBe(false);
    expect(ioOutputMatches(false, true, 0, 'are_equivalent')).toBe(true);
    expect(ioOutputMatches(0, 12, 0, 'sum_div')).toBe(true);
    expect(ioOutputMatches(3, 12, 0, 'sum_div')).toBe(false);
    expect(ioOutputMatches(16, 99, 0, 'surface_area', [2, 3])).toBe(true);
    expect(ioOutputMatches(12, 0, 0, 'digit_distance_nums', [123, 258])).toBe(false);
    expect(ioOutputMatches(9, 0, 0, 'digit_distance_nums', [123, 258])).toBe(true);
    expect(ioOutputMatches([4, 5, 4], { $tuple: [5, 4] }, 0, 'set_eq')).toBe(true);
    expect(ioOutputMatches([4], { $tuple: [5, 4] }, 0, 'set_eq')).toBe(false);
    expect(ioOutputMatches('match', true, 0, 'not_none')).toBe(true);
    expect(ioOutputMatches(null, true, 0, 'not_none')).toBe(false);
    expect(ioOutputMatches(false, false, 0, 'not_none')).toBe(true);
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
