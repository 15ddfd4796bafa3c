import { describe, expect, it } from 'vitest';
import { EXPECTED_NOT_COMPUTED, ioCaseText, pythonLiteral } from '../../src/ui/python-literal';

// Each encoded value (docs/sandbox.md "Values of io tests") next to what Python's repr prints.
const cases: [unknown, string][] = [
  [null, 'None'],
  [true, 'True'],
  [false, 'False'],
  [42, '42'],
  [-7, '-7'],
  [{ $int: '123456789012345678901234567890' }, '123456789012345678901234567890'],
  [{ $int: '-9007199254740993' }, '-9007199254740993'],
  [0.1, '0.1'],
  [-2.5, '-2.5'],
  [1e-5, '1e-05'],
  [1.5e-7, '1.5e-07'],
  [0.0001, '0.0001'],
  [123456.789, '123456.789'],
  [-0, '-0.0'],
  [{ $float: 3 }, '3.0'],
  [{ $float: 1e16 }, '1e+16'],
  [{ $float: 1e15 }, '1000000000000000.0'],
  [{ $float: 'nan' }, "float('nan')"],
  [{ $float: 'inf' }, "float('inf')"],
  [{ $float: '-inf' }, "float('-inf')"],
  ['abc', "'abc'"],
  ["it's", '"it\'s"'],
  ['say "hi" it\'s', "'say \"hi\" it\\'s'"],
  ['a\\b\n\t\u0001é', "'a\\\\b\\n\\t\\x01é'"],
  [[1, [2, 'x']], "[1, [2, 'x']]"],
  [[], '[]'],
  [{ $tuple: [] }, '()'],
  [{ $tuple: [1] }, '(1,)'],
  [{ $tuple: [1, { $tuple: [2, 3] }] }, '(1, (2, 3))'],
  [{ $set: [1, 2] }, '{1, 2}'],
  [{ $set: [] }, 'set()'],
  [{ $frozenset: ['a'] }, "frozenset({'a'})"],
  [{ $frozenset: [] }, 'frozenset()'],
  [{ a: 1, b: [true] }, "{'a': 1, 'b': [True]}"],
  [{}, '{}'],
  [
    {
      $dict: [
        [1, 'one'],
        [{ $tuple: [0, 1] }, null],
      ],
    },
    "{1: 'one', (0, 1): None}",
  ],
  [{ $dict: [['$x', 1]] }, "{'$x': 1}"],
  [{ $complex: [1, 2] }, '(1+2j)'],
  [{ $complex: [0, -2.5] }, '-2.5j'],
  [{ $complex: [-0, 1] }, '(-0+1j)'],
  [{ $complex: [1.5, -0] }, '(1.5-0j)'],
  [{ $complex: [{ $float: 'nan' }, 1] }, "complex(float('nan'), 1.0)"],
  [{ $bytes: '6162' }, "b'ab'"],
  [{ $bytes: '00ff0a27' }, 'b"\\x00\\xff\\n\'"'],
  [{ $bytes: '' }, "b''"],
];

describe('pythonLiteral', () => {
  it.each(cases)('shows %j as %s', (encoded, python) => {
    expect(pythonLiteral(encoded)).toBe(python);
  });

  it('shows a one-key dict with an unknown $ tag as the dict it is', () => {
    expect(pythonLiteral({ $other: 1 })).toBe("{'$other': 1}");
  });
});

describe('ioCaseText', () => {
  it('writes a case as a Python comparison', () => {
    expect(ioCaseText('f', { args: [1, { $tuple: [2, 3] }], expected: { $set: [1, 2] } })).toBe(
      'f(1, (2, 3)) == {1, 2}',
    );
    expect(ioCaseText('g', { args: [], expected: null })).toBe('g() == None');
  });

  it('says the expected output is still to be computed before validation', () => {
    const line = ioCaseText('f', { args: ['x'], expected: undefined });
    expect(line).toBe(`f('x')  # ${EXPECTED_NOT_COMPUTED}`);
    expect(line).not.toContain('undefined');
    expect(EXPECTED_NOT_COMPUTED).toMatch(/validate the dataset/);
  });
});
