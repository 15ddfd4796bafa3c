import { describe, expect, it } from 'vitest';
import { withLine } from '../../src/executor/line-note';

describe('withLine', () => {
  it('adds the line once', () => {
    expect(withLine('NameError: name x is not defined', 15)).toBe(
      'NameError: name x is not defined (line 15)',
    );
  });
  it('does not repeat a line Python already named', () => {
    expect(withLine('SyntaxError: invalid syntax (<program>, line 15)', 15)).toBe(
      'SyntaxError: invalid syntax (<program>, line 15)',
    );
  });
  it('leaves a message without a line alone', () => {
    expect(withLine('ValueError: bad', 0)).toBe('ValueError: bad');
  });
  it('a different line number is still added', () => {
    expect(withLine('ValueError: line 150 was bad', 15)).toBe(
      'ValueError: line 150 was bad (line 15)',
    );
  });
});
