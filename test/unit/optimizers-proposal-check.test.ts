import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../../src/core/types';
import { parseDoubleBraces, parseTagged } from '../../src/optimizers/answer-parsing';
import { askTagged } from '../../src/optimizers/common';
import { Rng } from '../../src/core/rng';
import { parseReflection } from '../../src/optimizers/gepa/gepa';
import { gpo } from '../../src/optimizers/gpo';
import { fill, PROCHEMY_MUTATE, REASK_NOT_INSTRUCTION } from '../../src/optimizers/meta-prompts';
import { ppoOptimizer } from '../../src/optimizers/ppo/agent';
import { prochemy } from '../../src/optimizers/prochemy';
import { copiesRequest, isCode, notAnInstruction } from '../../src/optimizers/proposal-check';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, toyTasks } from '../support/landscape';
import { gepaWithFirstAsk } from '../support/gepa-first-ask';
import { lastUser, scriptedLlm } from '../support/scripted-llm';

const SEED =
  'You are an expert Python programmer. Write a correct, self-contained solution to the task. Reply with one Python code block.';
const PROCHEMY_REQUEST = fill(PROCHEMY_MUTATE, { prompt: SEED });
const TASK_TEXT =
  'def count_vowels(s):\n    """Return how many vowels the string s holds, counting y only when it ends the word.\n    >>> count_vowels("day")\n    2\n    """';
const GPO_LIKE_REQUEST = `Your task is to improve a prompt.\n\nCurrent prompt:\n${SEED}\n\nHere are some tasks the model is given, with how the current prompt did on them:\nExample 1 — failed:\n${TASK_TEXT}\n\nWrite an improved prompt. Wrap the new prompt between <START> and <END>.`;

describe('what is no instruction', () => {
  it('code: a program, or a definition anywhere; not prose that names a keyword', () => {
    expect(isCode('def f(x):\n    return x')).toBe(true);
    expect(isCode('from math import gcd')).toBe(true);
    expect(
      isCode('Implement the area of a triangle.\n\n```python\ndef area(b, h):\n    """…"""\n```'),
    ).toBe(true);
    expect(
      isCode('You are careful. Start the solution with def and the name the task gives.'),
    ).toBe(false);
    expect(isCode('Define every helper you use; classes are fine.')).toBe(false);
  });

  it('a task: a proposal under a "Task:" label', () => {
    expect(notAnInstruction('Task:\nWrite a function that sorts a list.', '', [])).toBe('task');
    expect(notAnInstruction('#### Task: Given a list, return its sum.', '', [])).toBe('task');
    expect(notAnInstruction('You are careful. Read the task twice.', '', [])).toBeUndefined();
  });

  // What Qwen2.5-Coder-0.5B proposed as prompts (Prochemy's braces, GEPA's and gepa's blocks, GPO's
  // tags): a function named by the types it takes, a task shown by its example calls, or advice to
  // the prompt's author (GPO's candidates, and the same advice in other words).
  it.each([
    ['task', 'write a function that takes an integer and returns its square'],
    ['task', 'python function to calculate square that takes an integer and returns its square'],
    [
      'task',
      'Write a Python function that takes an input string and checks if it is a palindrome.',
    ],
    [
      'task',
      '# Task Description:\nWrite a Python function that takes two strings as input, removes the strings with odd lengths',
    ],
    ['task', 'Define a function that takes two integers as input and returns their product.'],
    [
      'task',
      'Write a Python code block to solve the task of determining if an integer is a prime number.\nThe function should return `True` for prime numbers.\nExamples\nis_prime(2) ➞ True\nis_prime(4) ➞ False',
    ],
    [
      'task',
      'Write a Python function that checks if a given string is a palindrome.\n\nExample:\nis_palindrome("No lemon, no melon") ➞ True',
    ],
    ['task', "Solve the task.\n* parse_nested_parens('(()()) ((()))') -> [2, 3]"],
    ['task', 'Count the vowels.\n>>> count_vowels("day")\n2'],
    ['task', 'Sum the list.\nassert total([1, 2]) == 3'],
    [
      'advice',
      'To improve your prompt for improving the quality and effectiveness of a Python code written to solve programming tasks, consider adding additional context or requirements.',
    ],
    ['advice', 'To refine this instruction, state the expected output format.'],
    ['advice', 'You could improve the prompt by naming the edge cases.'],
    ['advice', 'Add examples to your system prompt.'],
  ])('%s: %j', (why, proposal) => {
    expect(notAnInstruction(proposal, '', [])).toBe(why);
  });

  // Instructions that speak of functions, prompts or improving are still instructions.
  it.each([
    'Write a function that takes the arguments the task names, and return what its docstring asks.',
    'Never call print() or input(); return the value the examples in the docstring show.',
    'Keep the signature the task gives (name, arguments, return type) and return the result.',
    'If the function takes a list, handle the empty list before anything else.',
    'You are an expert Python programmer. Write a correct, self-contained function that passes the tests.',
    'Follow the instructions in the task exactly, and consider adding a check for empty input.',
    'Read the prompt of the task twice, then improve your solution until the examples pass.',
    'Update the list in place only when the task says so.',
  ])('an instruction, %j', (proposal) => {
    expect(notAnInstruction(proposal, '', [])).toBeUndefined();
  });

  it('a copy of the request: the seed with the meta-prompt echoed after it', () => {
    // As Qwen2.5-Coder-0.5B answered Prochemy: the prompt, then the request's own sentences.
    const echo = `${SEED}\n\nWrite one improved version of this prompt that will make the model write code that is more likely to be correct and to pass the tests. Keep it a general instruction for any programming task.`;
    expect(notAnInstruction(echo, PROCHEMY_REQUEST, [SEED])).toBe('copies-request');
    // An example copied as shown (its docstring), under a heading of the request.
    const example = `### Example 1 — failed\nReturn how many vowels the string s holds, counting y only when it ends the word.`;
    expect(copiesRequest(example, GPO_LIKE_REQUEST, [SEED])).toBe(true);
  });

  it('not a copy: an edit of the shown prompt, the prompt itself, a quote inside own words', () => {
    const edit = `${SEED} Before writing, list the edge cases the examples in the task show, and handle each one.`;
    expect(notAnInstruction(edit, PROCHEMY_REQUEST, [SEED])).toBeUndefined();
    expect(copiesRequest(SEED, PROCHEMY_REQUEST, [SEED])).toBe(false);
    // One eight-word run of a task inside a longer instruction in the model's own words.
    const quote =
      'You are a careful Python programmer. When a task says how many vowels the string s holds, count every vowel exactly as the docstring defines it, check the examples by hand before replying, and keep special cases such as a trailing letter in mind throughout.';
    expect(copiesRequest(quote, GPO_LIKE_REQUEST, [SEED])).toBe(false);
    // A prompt of GPO's trajectory, quoted by the request, is a shown prompt, not a copy.
    const earlier =
      'Write correct Python code and check the edge cases the task states before replying.';
    const withTrajectory = `Previous prompts:\n${earlier} (score 40)\n\n${GPO_LIKE_REQUEST}`;
    expect(copiesRequest(earlier, withTrajectory, [SEED, earlier])).toBe(false);
    expect(copiesRequest(earlier, withTrajectory, [SEED])).toBe(true);
  });
});

describe('answer formats that only quote the format', () => {
  it.each([
    ['{{python code block}}', undefined],
    ['Here it is:\n```python\n{{new prompt}} {{code}}\n```', undefined],
    ['{{Write tests first.}}', 'Write tests first.'],
  ])('braces %j', (text, want) => {
    expect(parseDoubleBraces(text)).toBe(want);
  });

  it.each([
    // GPO's request echoed inside the tags: the quoted "<START> and <END>" closed no prompt.
    [`<START>\n${SEED}\n\nWrap the new prompt between <START> and <END>.\n<END>`, undefined],
    ['<START>draft<END> then <START>Be exact.<END>', 'Be exact.'],
    ['<START>Use <b>bold</b> names.<END>', 'Use <b>bold</b> names.'],
  ])('tags %j', (text, want) => {
    expect(parseTagged(text, '<START>', '<END>')).toBe(want);
  });
});

describe('each optimizer re-asks a proposal that is no instruction', () => {
  it('Prochemy: an echo of its request in braces is re-asked with the reason', async () => {
    const echo = `{{${SEED}\n\nWrite one improved version of this prompt that will make the model write code that is more likely to be correct and to pass the tests.}}`;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') return 'def f():\n    return "bad"';
      return req.messages.length === 1 ? echo : '{{Be careful about edge cases.}}';
    });
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(3) });
    await prochemy.step(
      await prochemy.init(
        { knobs: { variants: 1, rounds: 1, trainTasks: 3 }, seed: 1, initialPrompt: SEED },
        ctx,
      ),
      ctx,
    );
    const meta = llm.requests.filter((r) => r.purpose === 'mutate');
    const proposed = ctx.events.flatMap((e) => (e.type === 'proposed' ? [e.prompt.text] : []));
    expect({ reask: lastUser(meta[1]!).split('.')[0], proposed }).toEqual({
      reask: REASK_NOT_INSTRUCTION['copies-request'].split('.')[0],
      proposed: ['Be careful about edge cases.'],
    });
  });

  it('GPO: a task with its def between the tags is re-asked and never scored', async () => {
    const task = `<START>Implement the area of a triangle.\n\n\`\`\`python\ndef area(b, h):\n    return b * h / 2\n\`\`\`<END>`;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') return 'def f():\n    return "bad"';
      return req.messages.length === 1 ? task : '<START>Write correct code; test edge cases.<END>';
    });
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(4) });
    await gpo.step(
      await gpo.init(
        { knobs: { steps: 2, candidates: 1, trainTasks: 4 }, seed: 1, initialPrompt: SEED },
        ctx,
      ),
      ctx,
    );
    const meta = llm.requests.filter((r) => r.purpose === 'mutate');
    const proposed = ctx.events.flatMap((e) => (e.type === 'proposed' ? [e.prompt.text] : []));
    expect({ reask: lastUser(meta[1]!).startsWith(REASK_NOT_INSTRUCTION.code), proposed }).toEqual({
      reask: true,
      proposed: ['Write correct code; test edge cases.'],
    });
  });

  it('GEPA: a reflection that copies the request is re-asked, and no copy is scored', async () => {
    // The first ask of every reflection: the request's own paragraph, handed back in a block
    // (as Qwen2.5-Coder-0.5B did: "Write a new instruction for the assistant that reads…").
    const { mutate, firstAsks, proposals } = await gepaWithFirstAsk(
      (asked) =>
        '```\n' +
        asked
          .slice(asked.indexOf('Write a new instruction'), asked.lastIndexOf('Reply with'))
          .trim() +
        '\n```',
      SEED,
    );
    const reasks = mutate.filter((r) =>
      lastUser(r).startsWith(REASK_NOT_INSTRUCTION['copies-request']),
    ).length;
    expect({
      reasked: firstAsks > 0 && reasks === firstAsks,
      proposals: proposals.length,
    }).toEqual({ reasked: true, proposals: firstAsks });
    // parseReflection without the request cannot tell a copy: the check needs the request.
    expect('instruction' in parseReflection('```\nsome copied text here\n```')).toBe(true);
  });

  it('PPO agent: code in the prompt tags counts as no prompt, asked afresh, never adopted', async () => {
    const inner = landscapeLlm({});
    const llm = {
      ...inner,
      async complete(req: CompletionRequest, signal?: AbortSignal) {
        const c = await inner.complete(req, signal);
        return req.purpose === 'generate'
          ? c
          : { ...c, text: '<prompt>\ndef solve(x):\n    return x\n</prompt>' };
      },
    };
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(5) });
    let state = await ppoOptimizer.init(
      { knobs: { maxSteps: 30, maxReasks: 1 }, seed: 6, initialPrompt: SEED },
      ctx,
    );
    while (!state.done) state = await ppoOptimizer.step(state, ctx);
    const llmActions = state.trace.filter((t) => t.action === 'generate' || t.action === 'rewrite');
    const adopted = ctx.events.some(
      (e) => e.type === 'proposed' && /def solve/.test(e.prompt.text),
    );
    expect({
      actions: llmActions.length > 0,
      calls: llmActions.every((t) => t.llmCalls === 2),
      adopted,
    }).toEqual({ actions: true, calls: true, adopted: false });
  });

  it('APE, OPRO, EvoPrompt (askTagged): a copy of the request is asked once more, then taken', async () => {
    const meta = `Here are previous instructions:\n${SEED}\n\nWrite a new instruction that scores higher than all of them, between <INS> and </INS>.`;
    const llm = scriptedLlm((req) =>
      req.messages.length === 1 && llm.requests.length === 1
        ? `<INS>${SEED} Write a new instruction that scores higher than all of them.</INS>`
        : '<INS>Check every edge case the task names before replying.</INS>',
    );
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(2) });
    const text = await askTagged(ctx, meta, ['<INS>', '</INS>'], {
      temperature: 1,
      rng: Rng.seeded(1),
      shown: [SEED],
    });
    expect({ calls: llm.requests.length, text }).toEqual({
      calls: 2,
      text: 'Check every edge case the task names before replying.',
    });
  });
});
