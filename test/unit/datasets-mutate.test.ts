import { describe, expect, it } from 'vitest';
import { MutationFormatError } from '../../src/datasets/errors';
import { mutationMessages, parseMutation, splitAsserts } from '../../src/datasets/mutate';
import { starterTasks } from '../../src/datasets/starter';

const answer = [
  'Here you go.',
  '### Task',
  'Return the number of consonants in a string.',
  '### Solution',
  '```python',
  'def count_consonants(s):',
  '    return sum(1 for c in s.lower() if c.isalpha() and c not in "aeiou")',
  '```',
  '### Tests',
  '```python',
  'assert count_consonants("abc") == 2',
  'assert count_consonants("") == 0',
  'assert count_consonants(',
  '    "xyz") == 3',
  '```',
].join('\n');

describe('parseMutation', () => {
  it('reads the documented three-section format', () => {
    const d = parseMutation(answer);
    expect(d.description).toBe('Return the number of consonants in a string.');
    expect(d.entryPoint).toBe('count_consonants');
    expect(d.asserts).toEqual([
      'assert count_consonants("abc") == 2',
      'assert count_consonants("") == 0',
      'assert count_consonants(\n    "xyz") == 3',
    ]);
    expect(d.solution).toMatch(/^def count_consonants/);
  });

  it('says which section is missing', () => {
    expect(() => parseMutation('just code')).toThrow(MutationFormatError);
    expect(() => parseMutation(answer.replace('### Tests', '### Examples'))).toThrow(
      /no "### Tests" section/,
    );
    expect(() =>
      parseMutation(answer.replace(/assert count_consonants/g, 'print(count_consonants')),
    ).toThrow(/no assert/);
    expect(() =>
      parseMutation(answer.replace(/assert count_consonants\(/g, 'assert other(')),
    ).toThrow(/No function defined in the solution is called/);
  });

  it('splits only top-level asserts', () => {
    expect(splitAsserts('x = 1\nassert x == 1\n\nassert (x +\n  1) == 2\nprint(x)')).toEqual([
      'assert x == 1',
      'assert (x +\n  1) == 2',
    ]);
  });

  it('shows the parent task and its reference to the model', () => {
    const parent = starterTasks()[0]!;
    const [system, user] = mutationMessages(parent);
    expect(system!.content).toContain('### Solution');
    expect(user!.content).toContain(parent.prompt.trim());
    expect(user!.content).toContain(parent.reference!.trim());
  });
});
