import { describe, expect, it } from 'vitest';
import {
  doubleBraceSpans,
  isPlaceholderEcho,
  parseDoubleBraces,
  parseTagged,
} from '../../src/optimizers/answer-parsing';

describe('{{ }} answers', () => {
  it.each([
    [
      'nested braces are kept',
      '{{Return {"a": {"b": 1}} as JSON.}}',
      'Return {"a": {"b": 1}} as JSON.',
    ],
    ['f-string braces', 'New: {{Use f"{name}" for messages.}}', 'Use f"{name}" for messages.'],
    ['placeholder echo rejected', 'Format: {{new prompt}}', undefined],
    ['echo variants rejected', '{{ Your improved prompt here... }}', undefined],
    ['ellipsis rejected', '{{...}}', undefined],
    [
      'explains first, echoing the format, then answers',
      'I will reply in the form {{new prompt}} as asked.\n\n{{Write tests first, then code.}}',
      'Write tests first, then code.',
    ],
    [
      'answer, then a trailing echo of the format',
      '{{Check edge cases.}}\nThat is my {{new prompt}}.',
      'Check edge cases.',
    ],
    [
      'last of two well-formed answers',
      'Draft: {{Be brief.}} Final: {{Be brief and exact.}}',
      'Be brief and exact.',
    ],
    ['unclosed after a good one', '{{Handle empty lists.}} and {{oops', 'Handle empty lists.'],
    ['triple braces', '{{{Return {x}}}}', '{Return {x}}'],
    ['empty', '{{ }}', undefined],
  ])('%s', (_name, text, want) => {
    expect(parseDoubleBraces(text)).toBe(want);
  });

  it('splits spans in order', () => {
    expect(doubleBraceSpans('{{a}} x {{b {c}}} y')).toEqual(['a', 'b {c}']);
  });

  it('knows a placeholder from a prompt that mentions prompts', () => {
    expect(isPlaceholderEcho('new prompt')).toBe(true);
    expect(isPlaceholderEcho('[your prompt]')).toBe(true);
    expect(isPlaceholderEcho('Write a prompt-free solution with tests.')).toBe(false);
  });
});

describe('<START> <END> answers', () => {
  it('takes the last pair that is not a placeholder echo', () => {
    expect(parseTagged('Write it as <START>new prompt<END>.', '<START>', '<END>')).toBeUndefined();
    expect(
      parseTagged('<START>Be exact.<END> then <START> new prompt <END>', '<START>', '<END>'),
    ).toBe('Be exact.');
    expect(
      parseTagged('Format: <START>prompt<END>\n<START>Think, then code.<END>', '<START>', '<END>'),
    ).toBe('Think, then code.');
  });
});
