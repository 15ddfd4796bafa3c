/**
 * The answer corpus (test/fixtures/answers): every answer is turned into the labelled program,
 * and every labelled program passes its task's asserts in CPython (so a label is a working
 * program, not just the string the extractor happened to produce).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeEnd } from '../../src/core/code-stop';
import { buildProgram, extractCode } from '../../src/core/extract';
import { CORPUS } from '../fixtures/answers/corpus';
import { TASKS } from '../fixtures/answers/tasks';
import { requireShared } from '../support/paths';
import { toolsPython } from '../support/python';

const taskOf = (key: keyof typeof TASKS) => TASKS[key];

describe('answer corpus', () => {
  it('holds at least 80 answers from four model styles', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(80);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
    for (const model of ['qwen2.5-coder', 'llama-3.2', 'smollm2', 'phi']) {
      expect(CORPUS.filter((c) => c.model === model).length).toBeGreaterThanOrEqual(20);
    }
  });

  it.each(CORPUS.map((c) => [`${c.id} ${c.model}: ${c.shape}`, c] as const))(
    '%s',
    (_name, fixture) => {
      const built = buildProgram(taskOf(fixture.task), fixture.answer);
      expect(built.program.trimEnd()).toBe(fixture.expected.trimEnd());
    },
  );

  it('stopping at the code never changes the program: every stopped answer builds the same one', () => {
    const changed = CORPUS.filter((c) => {
      const task = taskOf(c.task);
      const end = codeEnd(c.answer, {
        entryPoint: task.entryPoint,
        completionStyle: task.completionStyle,
      });
      if (end === undefined) return false;
      return (
        buildProgram(task, c.answer.slice(0, end)).program !== buildProgram(task, c.answer).program
      );
    });
    expect(changed.map((c) => c.id)).toEqual([]);
  });

  it('every labelled program passes its task in CPython', () => {
    const python = existsSync(toolsPython) ? toolsPython : 'python3';
    const cases = CORPUS.filter((c) => c.expected !== '').map((c) => ({
      id: c.id,
      program: `${c.expected}\n\n${taskOf(c.task).asserts}\n`,
    }));
    const script = `
import json, sys
failures = []
for case in json.load(sys.stdin):
    try:
        exec(compile(case["program"], case["id"], "exec"), {"__name__": "corpus"})
    except BaseException as e:
        failures.append([case["id"], repr(e)])
print(json.dumps(failures))
`;
    const res = spawnSync(python, ['-c', script], {
      input: JSON.stringify(cases),
      encoding: 'utf8',
    });
    expect(res.error, `could not start ${python}`).toBeUndefined();
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toEqual([]);
  });

  // The demo-stripping rules must never touch a real solution: every reference of MBPP and
  // HumanEval, given in a fence, comes back unchanged.
  it('leaves every MBPP and HumanEval reference solution unchanged', () => {
    const lines = (file: string): { [k: string]: unknown }[] =>
      readFileSync(requireShared('datasets', file), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { [k: string]: unknown });
    const changed: string[] = [];
    let n = 0;
    for (const r of lines('mbpp.jsonl')) {
      const tests = r['test_list'] as string[];
      const ep = /assert\s+(?:not\s+)?\(?\s*(?:set\()?\s*(\w+)\s*\(/.exec(tests[0] ?? '')?.[1];
      if (!ep) continue;
      const code = (r['code'] as string).replace(/\r\n/g, '\n').trim();
      n++;
      if (extractCode(`\`\`\`python\n${code}\n\`\`\``, { entryPoint: ep }).code.trim() !== code)
        changed.push(`mbpp ${String(r['task_id'])}`);
    }
    for (const r of lines('HumanEval.jsonl')) {
      const code = `${r['prompt'] as string}${r['canonical_solution'] as string}`.trim();
      const ep = r['entry_point'] as string;
      n++;
      if (extractCode(`\`\`\`python\n${code}\n\`\`\``, { entryPoint: ep }).code.trim() !== code)
        changed.push(String(r['task_id']));
    }
    expect(n).toBeGreaterThan(1100);
    expect(changed).toEqual([]);
  });
});
