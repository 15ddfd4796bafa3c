import { describe, expect, it } from 'vitest';
import { hashValue, sha256, stableStringify } from '../../src/core/hash';
import { promptMessages } from '../../src/core/prompting';

describe('stableStringify', () => {
  it('ignores key order at every depth but keeps array order', () => {
    const a = { b: 1, a: { y: [1, 2], x: 'q' } };
    const b = { a: { x: 'q', y: [1, 2] }, b: 1 };
    expect(stableStringify(a)).toBe(stableStringify(b));
    expect(stableStringify({ a: [1, 2] })).not.toBe(stableStringify({ a: [2, 1] }));
  });

  it('drops undefined members like JSON does', () => {
    expect(stableStringify({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});

describe('sha256', () => {
  it('matches the published test vector', async () => {
    expect(await sha256('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes equal values equally and different values differently', async () => {
    expect(await hashValue({ x: 1, y: [true] })).toBe(await hashValue({ y: [true], x: 1 }));
    expect(await hashValue({ x: 1 })).not.toBe(await hashValue({ x: 2 }));
  });
});

describe('promptMessages', () => {
  it('puts the prompt in the system message and the task in the user message', () => {
    expect(promptMessages('Be careful.', { prompt: 'def f(): ...' })).toEqual([
      { role: 'system', content: 'Be careful.' },
      { role: 'user', content: 'def f(): ...' },
    ]);
  });

  it('sends no empty system message for an empty prompt', () => {
    expect(promptMessages('  ', { prompt: 'task' })).toEqual([{ role: 'user', content: 'task' }]);
  });
});
