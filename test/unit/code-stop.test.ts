import { describe, expect, it } from 'vitest';
import { codeEnd } from '../../src/core/code-stop';

const F = '```';
const DEF = 'def f(x):\n    return x';

describe('codeEnd: where an answer’s code is complete', () => {
  it('stops after the closing fence of the block that defines the entry point', () => {
    const text = `Here:\n${F}python\n${DEF}\n${F}\nExplanation follows.`;
    expect(text.slice(0, codeEnd(text, { entryPoint: 'f' }))).toBe(
      `Here:\n${F}python\n${DEF}\n${F}`,
    );
  });

  it('does not stop at a block without the entry point (a helper, a usage example)', () => {
    const text = `${F}python\nprint(f(1))\n${F}\n${F}python\n${DEF}\n${F}\nmore`;
    expect(text.slice(0, codeEnd(text, { entryPoint: 'f' }))).toBe(
      `${F}python\nprint(f(1))\n${F}\n${F}python\n${DEF}\n${F}`,
    );
  });

  it('waits while the block is open, and ignores non-Python blocks', () => {
    expect(codeEnd(`${F}python\n${DEF}\n`, { entryPoint: 'f' })).toBeUndefined();
    expect(codeEnd(`${F}bash\ndef f(x):\n${F}\n`, { entryPoint: 'f' })).toBeUndefined();
  });

  it('for a completion task the first closed Python block ends the answer', () => {
    const text = `${F}python\n    return x\n${F}\nThis returns x.`;
    expect(codeEnd(text, { entryPoint: 'f', completionStyle: true })).toBe(text.indexOf('\nThis'));
  });

  it('streams: the first prefix that ends the code ends at the same place', () => {
    const text = `${F}python\n${DEF}\n${F}\n\nUsage:\n${F}python\nprint(f(2))\n${F}`;
    let first: number | undefined;
    for (let i = 1; i <= text.length && first === undefined; i++) {
      first = codeEnd(text.slice(0, i), { entryPoint: 'f' });
    }
    expect(first).toBe(codeEnd(text, { entryPoint: 'f' }));
  });
});

describe('answerTokens: max_tokens from the reference solution', () => {
  it('twice the reference at 3 characters a token, plus 256, within [256, cap]', async () => {
    const { answerTokens } = await import('../../src/core/code-stop');
    expect(answerTokens({ reference: 'x'.repeat(600) }, 1024)).toBe(400 + 256);
    expect(answerTokens({ reference: 'def f():\n    return 1' }, 1024)).toBe(14 + 256);
    expect(answerTokens({ reference: 'x'.repeat(6000) }, 1024)).toBe(1024);
    expect(answerTokens({}, 700)).toBe(700);
    expect(answerTokens({ reference: 'x' }, 100)).toBe(100);
  });
});
