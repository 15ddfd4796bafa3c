import { describe, expect, it } from 'vitest';
import { buildProgram, extractCode, stripReasoning } from '../../src/core/extract';

const F = '```';

/** HumanEval/0's prompt, verbatim. */
const HE_PROMPT =
  'from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n' +
  '    """ Check if in given list of numbers, are any two numbers closer to each other than\n' +
  '    given threshold.\n    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False\n    """\n';
const he = { prompt: HE_PROMPT, completionStyle: true, entryPoint: 'has_close_elements' };
const mbpp = {
  prompt: 'Write a function to find the shared elements from the given two lists.',
  completionStyle: false,
  entryPoint: 'similar_elements',
};

const BODY =
  '    for i, a in enumerate(numbers):\n        for j, b in enumerate(numbers):\n' +
  '            if i != j and abs(a - b) < threshold:\n                return True\n    return False';
const FULL = `def has_close_elements(numbers: List[float], threshold: float) -> bool:\n${BODY}`;
const MB = 'def similar_elements(a, b):\n    return tuple(set(a) & set(b))';

interface Case {
  name: string;
  task: typeof he | typeof mbpp;
  answer: string;
  /** Expected program (exact), or a list of substrings it must contain / must not contain. */
  program?: string;
  contains?: string[];
  excludes?: string[];
  method: 'standalone' | 'completion' | 'restated' | 'empty';
  extract?: 'fenced' | 'bare' | 'empty';
}

const cases: Case[] = [
  {
    name: 'mbpp: one python fence',
    task: mbpp,
    answer: `${F}python\n${MB}\n${F}`,
    program: MB,
    method: 'standalone',
    extract: 'fenced',
  },
  {
    name: 'mbpp: fence with prose around',
    task: mbpp,
    answer: `Here is the solution:\n\n${F}python\n${MB}\n${F}\n\nThis uses set intersection.`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: untagged fence',
    task: mbpp,
    answer: `${F}\n${MB}\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: py tag',
    task: mbpp,
    answer: `${F}py\n${MB}\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: Python tag in caps',
    task: mbpp,
    answer: `${F}Python\n${MB}\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: CRLF line ends',
    task: mbpp,
    answer: `${F}python\r\n${MB.replace(/\n/g, '\r\n')}\r\n${F}\r\n`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: tilde fence',
    task: mbpp,
    answer: `~~~python\n${MB}\n~~~`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: bare code without fences',
    task: mbpp,
    answer: MB,
    program: MB,
    method: 'standalone',
    extract: 'bare',
  },
  {
    name: 'mbpp: bare code after a sentence',
    task: mbpp,
    answer: `Sure! Here it is:\n${MB}`,
    program: MB,
    method: 'standalone',
    extract: 'bare',
  },
  {
    name: 'mbpp: bare code then an explanation',
    task: mbpp,
    answer: `${MB}\n\nThis function converts both lists to sets.`,
    program: MB,
    method: 'standalone',
    extract: 'bare',
  },
  {
    name: 'mbpp: bare code with imports',
    task: mbpp,
    answer: `import math\n\n${MB}`,
    program: `import math\n\n${MB}`,
    method: 'standalone',
  },
  {
    name: 'mbpp: solution then usage example block',
    task: mbpp,
    answer: `${F}python\n${MB}\n${F}\nExample:\n${F}python\nprint(similar_elements((1, 2), (2, 3)))\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: usage block first, solution second',
    task: mbpp,
    answer: `${F}python\nprint(similar_elements((1,2),(2,3)))\n${F}\n${F}python\n${MB}\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: bare definition, then a fenced usage example',
    task: mbpp,
    answer: `${MB}\n\nUsage:\n${F}python\nprint(similar_elements((1, 2), (2, 3)))\n${F}`,
    program: MB,
    method: 'standalone',
    extract: 'bare',
  },
  {
    name: 'mbpp: shell block and python block',
    task: mbpp,
    answer: `${F}bash\npip install numpy\n${F}\n${F}python\n${MB}\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: output block is not code',
    task: mbpp,
    answer: `${F}python\n${MB}\n${F}\nOutput:\n${F}text\n(2,)\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: one version, then another: the first definition wins, where the stop at the code ends the answer',
    task: mbpp,
    answer: `${F}python\ndef similar_elements(a, b):\n    return a\n${F}\nOops, fixed:\n${F}python\n${MB}\n${F}`,
    program: 'def similar_elements(a, b):\n    return a',
    method: 'standalone',
  },
  {
    name: 'mbpp: truncated answer, fence never closed',
    task: mbpp,
    answer: `${F}python\n${MB}\n    # and then`,
    contains: ['def similar_elements', '# and then'],
    method: 'standalone',
  },
  {
    name: 'mbpp: reasoning tags stripped',
    task: mbpp,
    answer: `<think>I should use sets.\n${F}python\nwrong = 1\n${F}\n</think>\n${F}python\n${MB}\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: stray closing think tag (template opened it)',
    task: mbpp,
    answer: `Let me think... def similar_elements is easy.</think>\n${MB}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: cut off while thinking: nothing usable',
    task: mbpp,
    answer: '<think>First, I consider the sets. Then',
    program: '',
    method: 'empty',
    extract: 'empty',
  },
  { name: 'mbpp: empty answer', task: mbpp, answer: '', program: '', method: 'empty' },
  {
    name: 'mbpp: prose only',
    task: mbpp,
    answer: 'I am sorry, I cannot help with that request.',
    program: '',
    method: 'empty',
  },
  {
    name: 'mbpp: indented fence inside a list',
    task: mbpp,
    answer: `1. Write it:\n   ${F}python\n   ${MB.replace(/\n/g, '\n   ')}\n   ${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: fence with extra info string',
    task: mbpp,
    answer: `${F}python title="sol.py"\n${MB}\n${F}`,
    program: MB,
    method: 'standalone',
  },
  {
    name: 'mbpp: broken code is kept as is (the executor judges it)',
    task: mbpp,
    answer: `${F}python\ndef similar_elements(a, b)\n    return a\n${F}`,
    program: 'def similar_elements(a, b)\n    return a',
    method: 'standalone',
  },
  {
    name: 'mbpp: lambda definition',
    task: mbpp,
    answer: `${F}python\nsimilar_elements = lambda a, b: tuple(set(a) & set(b))\n${F}`,
    program: 'similar_elements = lambda a, b: tuple(set(a) & set(b))',
    method: 'standalone',
  },
  {
    name: 'he: bare body continuation',
    task: he,
    answer: BODY,
    program: `${HE_PROMPT}${BODY}\n`,
    method: 'completion',
    extract: 'bare',
  },
  {
    name: 'he: body continuation with its first line stripped',
    task: he,
    answer: BODY.trimStart(),
    program: `${HE_PROMPT}${BODY}\n`,
    method: 'completion',
  },
  {
    name: 'he: one-line return without indent',
    task: he,
    answer:
      'return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])',
    contains: [`${HE_PROMPT}    return any(`],
    method: 'completion',
  },
  {
    name: 'he: body in a fence',
    task: he,
    answer: `${F}python\n${BODY}\n${F}`,
    program: `${HE_PROMPT}${BODY}\n`,
    method: 'completion',
    extract: 'fenced',
  },
  {
    name: 'he: full function restated in a fence keeps the prompt imports',
    task: he,
    answer: `${F}python\n${FULL}\n${F}`,
    program: `from typing import List\n\n\n${FULL}`,
    method: 'restated',
  },
  {
    name: 'he: restated with its own imports',
    task: he,
    answer: `${F}python\nfrom typing import List\n\n${FULL}\n${F}`,
    contains: ['from typing import List\n\n\nfrom typing import List', FULL],
    method: 'restated',
  },
  {
    name: 'he: restated bare after prose',
    task: he,
    answer: `Here is my implementation:\n\n${FULL}\n\nIt runs in O(n^2) time.`,
    program: `from typing import List\n\n\n${FULL}`,
    method: 'restated',
  },
  {
    name: 'he: helper block plus entry block picks the entry block',
    task: he,
    answer: `${F}python\ndef helper(x):\n    return x\n${F}\n${F}python\n${FULL}\n${F}`,
    program: `from typing import List\n\n\n${FULL}`,
    method: 'restated',
  },
  {
    name: 'he: think then body fence',
    task: he,
    answer: `<think>Compare all pairs.</think>\n${F}python\n${BODY}\n${F}`,
    program: `${HE_PROMPT}${BODY}\n`,
    method: 'completion',
  },
  {
    name: 'he: empty answer grades the bare prompt (fails, not crashes)',
    task: he,
    answer: '   ',
    program: HE_PROMPT,
    method: 'empty',
  },
  {
    name: 'he: body whose first line opens a block',
    task: he,
    answer:
      'for i, a in enumerate(numbers):\n        for b in numbers[i + 1:]:\n            if abs(a - b) < threshold:\n                return True\n    return False',
    contains: [`${HE_PROMPT}    for i, a in enumerate(numbers):\n        for b`],
    method: 'completion',
  },
  {
    name: 'he: async def is not the entry point',
    task: he,
    answer: `${F}python\nasync def other():\n    pass\n${F}`,
    contains: [HE_PROMPT],
    excludes: ['from typing import List\n\n\nasync'],
    method: 'completion',
  },
];

describe('buildProgram over realistic answers', () => {
  it('has a table of at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name', (c) => {
    const built = buildProgram(c.task, c.answer);
    expect(built.method).toBe(c.method);
    if (c.extract) expect(built.extraction.method).toBe(c.extract);
    if (c.program !== undefined) expect(built.program).toBe(c.program);
    for (const s of c.contains ?? []) expect(built.program).toContain(s);
    for (const s of c.excludes ?? []) expect(built.program).not.toContain(s);
  });
});

describe('extractCode', () => {
  it('counts the blocks it saw', () => {
    const e = extractCode(`${F}python\na = 1\n${F}\n${F}python\ndef f():\n    return 1\n${F}`);
    expect(e.blocks).toBe(2);
    expect(e.code).toBe('def f():\n    return 1');
  });

  it('strips several reasoning blocks but keeps the text between them', () => {
    expect(stripReasoning('<think>a</think>x<reasoning>b</reasoning>y')).toBe('xy');
  });
});
