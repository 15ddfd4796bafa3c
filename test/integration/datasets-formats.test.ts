/**
 * The importers whose published files are not in ../shared (EvalPlus, APPS, Athanor's own), with
 * records in their published shapes, graded in real Pyodide: references pass, wrong programs fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types';
import { parseDataset } from '../../src/datasets/import';
import { validateTasks } from '../../src/datasets/validate';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';

let pool: ExecPool;
beforeAll(() => {
  pool = createNodeExecPool();
});
afterAll(async () => {
  await pool?.close();
});

const enc = (s: string) => new TextEncoder().encode(s);
const one = async (name: string, text: string): Promise<Task[]> =>
  (await parseDataset({ name, bytes: enc(text) })).tasks;
const grade = (task: Task, program: string) => pool.run({ program, tests: task.tests });

describe('EvalPlus', () => {
  // MBPP+ shape; Mbpp/2's inputs are re-typed to tuples as EvalPlus does. One input is a big
  // integer JavaScript cannot hold and one holds NaN, written as Python's json writes them.
  const mbppPlus =
    JSON.stringify({
      task_id: 'Mbpp/2',
      prompt:
        '"""\nWrite a function to find the shared elements from the given two lists.\nassert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n"""\n',
      canonical_solution:
        '\ndef similar_elements(test_tup1, test_tup2):\n  assert isinstance(test_tup1, tuple) and isinstance(test_tup2, tuple)\n  return tuple(set(test_tup1) & set(test_tup2))\n',
      entry_point: 'similar_elements',
      contract: '',
      atol: 0,
      base_input: [
        [
          [3, 4, 5, 6],
          [5, 7, 4, 10],
        ],
      ],
      plus_input: 'PLUS',
    }).replace(
      '"PLUS"',
      '[[[1, 2, 3], [3, 4]], [[12345678901234567890123, 1], [12345678901234567890123]], [[NaN, 1], [1]]]',
    ) + '\n';

  // HumanEval+ shape with a float result graded within atol.
  const humanEvalPlus =
    JSON.stringify({
      task_id: 'HumanEval/2',
      prompt:
        'def truncate_number(number: float) -> float:\n    """Return the decimal part of a positive number."""\n',
      canonical_solution: '    return number % 1.0\n',
      entry_point: 'truncate_number',
      contract: '\n    assert number > 0, "invalid inputs"\n',
      atol: 1e-6,
      base_input: [[3.5], [1.33]],
      plus_input: [[123.456], [1e-3]],
    }) + '\n';

  it('MBPP+: the reference passes every input; a program that ignores tuples fails', async () => {
    const [imported] = await one('MbppPlus.jsonl', mbppPlus);
    const [v] = await validateTasks([imported!], pool);
    expect(v).toMatchObject({ valid: true });
    // Validation ran the reference once per input; its outputs are the expected values.
    const task: Task = { ...imported!, tests: v!.tests! };
    const r = await grade(task, task.reference!);
    expect(r.tests.map((t) => t.outcome)).toEqual(['passed', 'passed', 'passed', 'passed']);
    const wrong = await grade(
      task,
      'def similar_elements(a, b):\n    return tuple(x for x in a if x in b and x != 3)\n',
    );
    expect(wrong.passed).toBe(false);
    expect(wrong.tests.map((t) => t.outcome)).toEqual(['passed', 'failed', 'passed', 'passed']);
  });

  it('HumanEval+: floats are compared within atol, a rounded answer fails', async () => {
    const [imported] = await one('HumanEvalPlus.jsonl', humanEvalPlus);
    expect(imported!.completionStyle).toBe(true);
    const [v] = await validateTasks([imported!], pool);
    expect(v).toMatchObject({ valid: true });
    const task: Task = { ...imported!, tests: v!.tests! };
    const close = await grade(
      task,
      'def truncate_number(number):\n    return number - int(number) + 1e-9\n',
    );
    expect(close.passed).toBe(true);
    const rounded = await grade(
      task,
      'def truncate_number(number):\n    return round(number % 1.0, 2)\n',
    );
    expect(rounded.passed).toBe(false);
    expect(rounded.soft).toBeGreaterThan(0);
  });
});

describe('APPS', () => {
  it('a stdin/stdout problem: the first solution passes, a wrong one fails', async () => {
    const text =
      JSON.stringify({
        problem_id: 4001,
        question: 'Given n on the first line and n integers on the second, print the largest.',
        solutions: JSON.stringify(['n = int(input())\nprint(max(map(int, input().split())))\n']),
        input_output: JSON.stringify({
          inputs: ['3\n1 5 2\n', '1\n-7\n'],
          outputs: ['5\n', '-7\n'],
        }),
        difficulty: 'introductory',
        url: 'https://example.org/4001',
        starter_code: '',
      }) + '\n';
    const [task] = await one('test.jsonl', text);
    expect((await validateTasks([task!], pool))[0]).toMatchObject({ valid: true });
    const wrong = await grade(task!, 'input()\nprint(min(map(int, input().split())))\n');
    expect(wrong.tests.map((t) => t.outcome)).toEqual(['failed', 'passed']);
  });
});

describe("Athanor's own format", () => {
  it('asserts, check and stdio tasks from the documented example validate', async () => {
    const file = {
      name: 'Week 3 exercises',
      license: 'CC-BY-4.0',
      tasks: [
        {
          id: 'square',
          prompt: 'Square x.',
          entry_point: 'square',
          asserts: ['assert square(3) == 9', 'assert square(-2) == 4'],
          reference: 'def square(x):\n    return x * x\n',
        },
        {
          id: 'neg',
          prompt: 'Negate x.',
          tests: {
            kind: 'check',
            entryPoint: 'neg',
            source: 'def check(candidate):\n    assert candidate(2) == -2\n',
          },
          reference: 'def neg(x):\n    return -x\n',
        },
        {
          id: 'echo-lines',
          prompt: 'Reverse the lines.',
          tests: {
            kind: 'stdio',
            compare: 'whitespace',
            cases: [{ stdin: 'a\nb\n', stdout: 'b\na\n' }],
          },
          reference: "import sys\nprint(''.join(reversed(sys.stdin.readlines())), end='')\n",
        },
        {
          id: 'broken',
          prompt: 'Double x.',
          asserts: ['assert double(2) == 4'],
          reference: 'def double(x):\n    return x + 1\n',
        },
      ],
    };
    const tasks = await one('mine.json', JSON.stringify(file));
    const results = await validateTasks(tasks, pool);
    expect(results.map((r) => [r.taskId.split('/').pop(), r.valid])).toEqual([
      ['square', true],
      ['neg', true],
      ['echo-lines', true],
      ['broken', false],
    ]);
    expect(results[3]!.error).toMatch(/^assert double\(2\) == 4 — failed/);
  });
});
