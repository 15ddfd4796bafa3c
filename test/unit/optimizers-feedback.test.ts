/**
 * Execution feedback records (src/optimizers/feedback.ts): what they keep from an ExecResult, the
 * caps, determinism, and the scope rule that keeps held-out tasks out of meta-prompts.
 */
import { describe, expect, it } from 'vitest';
import type { Completion, ExecResult, Task } from '../../src/core/types';
import {
  execFeedback,
  feedbackFor,
  FeedbackScopeError,
  renderFeedback,
} from '../../src/optimizers/feedback';
import type { TaskScore } from '../../src/optimizers/types';
import { getOptimizer } from '../../src/optimizers/registry';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, toyTask, toyTasks } from '../support/landscape';
import { runToEnd } from '../support/run-optimizer';

const completion = (text: string): Completion => ({
  text,
  usage: { promptTokens: 1, completionTokens: 1 },
  latencyMs: 0,
  model: 'm',
  finishReason: 'stop',
});

const ioTask: Task = {
  ...toyTask(1),
  id: 'io/1',
  tests: {
    kind: 'io',
    entryPoint: 'add',
    atol: 0,
    cases: [
      { args: [1, 2], expected: 3 },
      { args: [[1, 2], 'x'.repeat(500)], expected: 4 },
      { args: [0, 0], expected: 0 },
      { args: [5, 5], expected: 10 },
      { args: [6, 6], expected: 12 },
    ],
  },
};

const result = (tests: ExecResult['tests'], extra: Partial<ExecResult> = {}): ExecResult => ({
  passed: tests.every((t) => t.outcome === 'passed'),
  soft: tests.filter((t) => t.outcome === 'passed').length / Math.max(1, tests.length),
  tests,
  stdout: { text: '', truncated: false },
  stderr: { text: '', truncated: false },
  durationMs: 3,
  ...extra,
});

const answer = '```python\ndef add(a, b):\n    x = a - b\n    return x\n```';

function score(task: Task, r: ExecResult, text = answer): TaskScore {
  return {
    taskId: task.id,
    sample: 0,
    passed: r.passed,
    soft: r.soft,
    code: '',
    result: r,
    completion: completion(text),
  };
}

describe('execution feedback', () => {
  const r = result([
    { name: 'case 0', outcome: 'failed', message: 'expected 3, got -1' },
    {
      name: 'case 1',
      outcome: 'error',
      errorType: 'TypeError',
      message: `TypeError: unsupported operand ${'y'.repeat(400)}`,
      line: 2,
    },
    { name: 'case 2', outcome: 'passed' },
    { name: 'case 3', outcome: 'failed', message: 'expected 10, got 0' },
    { name: 'case 4', outcome: 'timeout', message: 'took longer than 3000 ms' },
  ]);

  it('keeps each failing test: input, expected against actual, exception type and line', () => {
    const fb = execFeedback(ioTask, score(ioTask, r));
    expect(fb.testsPassed).toBe(1);
    expect(fb.testsTotal).toBe(5);
    expect(fb.failures[0]).toMatchObject({
      test: 'case 0',
      outcome: 'failed',
      input: 'add(1, 2)',
      expected: '3',
      actual: '-1',
    });
    expect(fb.failures[1]).toMatchObject({
      errorType: 'TypeError',
      line: 2,
      lineText: 'x = a - b',
    });
    // The cap: three failures kept, the rest counted.
    expect(fb.failures).toHaveLength(3);
    expect(fb.omitted).toBe(1);
    // Every field is capped, however long the program's message or the case's arguments.
    for (const f of fb.failures) {
      for (const v of Object.values(f))
        if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(160);
    }
    expect(fb.excerpt).toContain('2>     x = a - b');
  });

  it('renders the same text every time, capped', () => {
    const a = renderFeedback(execFeedback(ioTask, score(ioTask, r)));
    const b = renderFeedback(execFeedback(ioTask, score(ioTask, structuredClone(r))));
    expect(a).toBe(b);
    expect(a).toContain('case 0: failed — input add(1, 2) — expected 3, got -1');
    expect(a).toContain('TypeError: unsupported operand');
    expect(a).toContain('at line 2: x = a - b');
    expect(a).toContain('… and 1 more failing tests');
    expect(renderFeedback(execFeedback(ioTask, score(ioTask, r)), 200).length).toBeLessThanOrEqual(
      200,
    );
  });

  it('says when the program failed before any test ran', () => {
    const setup = result([], { passed: false, setupError: 'SyntaxError: invalid syntax (line 3)' });
    const text = renderFeedback(execFeedback(ioTask, score(ioTask, setup)));
    expect(text).toMatch(/^The program failed before any test ran: SyntaxError/);
  });

  it('shows stdin for stdio tests', () => {
    const stdio: Task = {
      ...toyTask(2),
      id: 's/1',
      tests: { kind: 'stdio', compare: 'exact', cases: [{ stdin: '3 4\n', stdout: '7\n' }] },
    };
    const fb = execFeedback(
      stdio,
      score(
        stdio,
        result([{ name: 'case 0', outcome: 'failed', message: "expected '7\\n', got '8\\n'" }]),
      ),
    );
    expect(fb.failures[0]).toMatchObject({ input: '3 4', expected: "'7\\n'", actual: "'8\\n'" });
  });

  it('refuses tasks outside the training and validation tasks (no test-split text)', () => {
    const train = [toyTask(1)];
    const held = toyTask(9);
    const fb = feedbackFor(train, []);
    expect(() => fb(score(train[0] as Task, r))).not.toThrow();
    expect(() => fb(score(held, r))).toThrow(FeedbackScopeError);
  });
});

describe('methods that read execution feedback', () => {
  const run = async (id: string, knobs: Record<string, number>) => {
    const llm = landscapeLlm();
    const ctx = createDirectContext({
      llm,
      exec: landscapeExec({ revealTopic: true }),
      train: toyTasks(10),
    });
    await runToEnd(getOptimizer(id), { knobs, seed: 4, initialPrompt: 'Write code.' }, ctx);
    return llm.requests;
  };

  it("Reflexion's reflection and retry quote the failing assert and its message", async () => {
    const requests = await run('reflexion', { rounds: 1, tasks: 4 });
    const reflect = requests.find((r) => r.purpose === 'judge')!;
    expect(reflect.messages[0]!.content).toMatch(
      /Test results:\n0 of 1 tests passed\. Failing:\n- assert f\(\) == "ok": failed — AssertionError: f\(\) is wrong on an? \w+ case — at line 2/,
    );
    const retry = requests.find((r) => r.purpose === 'generate' && r.messages.length > 2)!;
    expect(retry.messages.at(-1)!.content).toContain('AssertionError: f() is wrong on a');
  });

  it("PPO's direct generation quotes one failing task's feedback", async () => {
    const requests = await run('ppo', { maxSteps: 12 });
    const gen = requests.filter((r) => r.purpose === 'mutate');
    expect(gen.length).toBeGreaterThan(0);
    expect(gen[0]!.messages.at(-1)!.content).toMatch(
      /Test results of one task it failed:\n0 of 1 tests passed\. Failing:\n- assert f\(\) == "ok": failed — AssertionError: f\(\) is wrong on an? \w+ case/,
    );
  });
});
