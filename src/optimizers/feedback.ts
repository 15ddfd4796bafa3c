/**
 * Execution feedback as text: what a failing program's test run says, in a compact, capped and
 * deterministic record an optimizer can hand to its LLM (GEPA's reflection, PPO's direct
 * generation, Reflexion's self-reflection).
 *
 * For each failing test (at most `maxFailures`): its name or assert, the outcome, the message and
 * exception type with the program line that raised it, and for `io` and `stdio` tests the input
 * with expected against actual output. Then an excerpt of the failing code around the first line
 * that raised. Every field is cut to a fixed length, so a record never grows with the answer.
 *
 * Free of test-split text: the context builds records only for the tasks a method may train on
 * (`ctx.train` and `ctx.validation`), and refuses any other task with a FeedbackScopeError. A
 * per-instance method (Reflexion) receives the held-out tasks as `ctx.train`, by design, and is
 * labelled test-set optimization for it.
 */
import { buildProgram } from '../core/extract';
import type { ExecResult, Task, TestOutcome } from '../core/types';
import type { TaskScore } from './types';

export interface TestFeedback {
  /** The test's name: an assert's source, or `case 3`. */
  test: string;
  outcome: TestOutcome;
  message?: string;
  errorType?: string;
  /** Program line that raised, when the executor knows it, with its text. */
  line?: number;
  lineText?: string;
  /** `io`: the call; `stdio`: the standard input. */
  input?: string;
  expected?: string;
  actual?: string;
}

export interface ExecFeedback {
  taskId: string;
  passed: boolean;
  testsPassed: number;
  testsTotal: number;
  /** The program failed before any test ran (syntax error, import-time crash). */
  setupError?: string;
  failures: TestFeedback[];
  /** Failing tests left out by the cap. */
  omitted: number;
  /** Lines of the graded program around the first line that raised (or its first lines). */
  excerpt: string;
}

export interface FeedbackLimits {
  maxFailures: number;
  /** Cap of each text field (test name, message, input, expected, actual). */
  fieldChars: number;
  /** Lines of code in the excerpt. */
  excerptLines: number;
}

export const FEEDBACK_LIMITS: FeedbackLimits = { maxFailures: 3, fieldChars: 160, excerptLines: 8 };

/** A task outside the method's training and validation tasks was asked for feedback. */
export class FeedbackScopeError extends Error {
  override readonly name = 'FeedbackScopeError';
}

export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The call an `io` case makes, e.g. `f(1, [2, 3])`, from its JSON-encoded arguments. */
function ioCall(task: Task, index: number): string | undefined {
  if (task.tests.kind !== 'io') return undefined;
  const c = task.tests.cases[index];
  if (!c) return undefined;
  const args = c.args.map((a) => JSON.stringify(a)).join(', ');
  return `${task.tests.entryPoint}(${args})`;
}

function stdinOf(task: Task, index: number): string | undefined {
  if (task.tests.kind !== 'stdio') return undefined;
  return task.tests.cases[index]?.stdin;
}

/** The executor writes io/stdio mismatches as `expected X, got Y`. */
function expectedActual(message: string | undefined): { expected: string; actual: string } | null {
  const m = message === undefined ? null : /^expected ([\s\S]*), got ([\s\S]*)$/.exec(message);
  return m ? { expected: m[1] as string, actual: m[2] as string } : null;
}

function excerptAround(program: string, line: number | undefined, lines: number): string {
  const all = program.split('\n');
  const centre = line !== undefined && line >= 1 && line <= all.length ? line : 1;
  const start = line === undefined ? 0 : Math.max(0, centre - 1 - Math.floor(lines / 2));
  return all
    .slice(start, start + lines)
    .map(
      (text, i) =>
        `${String(start + i + 1).padStart(3)}${start + i + 1 === line ? '>' : ' '} ${text}`,
    )
    .join('\n');
}

/** The feedback record of one graded answer on one task. */
export function execFeedback(
  task: Task,
  score: Pick<TaskScore, 'result' | 'completion'>,
  limits: FeedbackLimits = FEEDBACK_LIMITS,
): ExecFeedback {
  const result: ExecResult = score.result;
  const cap = (t: string): string => clip(oneLine(t), limits.fieldChars);
  const program = buildProgram(task, score.completion.text).program;
  const programLines = program.split('\n');
  const failing = result.tests
    .map((t, index) => ({ t, index }))
    .filter(({ t }) => t.outcome !== 'passed');
  const failures = failing.slice(0, limits.maxFailures).map(({ t, index }): TestFeedback => {
    const f: TestFeedback = { test: cap(t.name), outcome: t.outcome };
    const ea = expectedActual(t.message);
    if (t.message && !ea) f.message = cap(t.message);
    if (t.errorType) f.errorType = t.errorType;
    if (t.line !== undefined) {
      f.line = t.line;
      const text = programLines[t.line - 1];
      if (text !== undefined) f.lineText = cap(text);
    }
    const input = ioCall(task, index) ?? stdinOf(task, index);
    if (input !== undefined) f.input = cap(input);
    if (ea) {
      f.expected = cap(ea.expected);
      f.actual = cap(ea.actual);
    }
    return f;
  });
  const firstLine = failing.find(({ t }) => t.line !== undefined)?.t.line;
  return {
    taskId: task.id,
    passed: result.passed,
    testsPassed: result.tests.filter((t) => t.outcome === 'passed').length,
    testsTotal: result.tests.length,
    ...(result.setupError !== undefined ? { setupError: cap(result.setupError) } : {}),
    failures,
    omitted: failing.length - failures.length,
    excerpt: result.passed ? '' : excerptAround(program, firstLine, limits.excerptLines),
  };
}

/**
 * The record as the LLM reads it: a few lines, capped at `maxChars`. `excerpt: false` leaves the
 * code out, for meta-prompts that already show the whole answer (GEPA).
 */
export function renderFeedback(
  fb: ExecFeedback,
  maxChars = 1200,
  o: { excerpt?: boolean } = {},
): string {
  if (fb.passed) return `All ${fb.testsTotal} tests passed.`;
  const lines: string[] = [];
  if (fb.setupError !== undefined) {
    lines.push(`The program failed before any test ran: ${fb.setupError}`);
  } else {
    lines.push(`${fb.testsPassed} of ${fb.testsTotal} tests passed. Failing:`);
  }
  for (const f of fb.failures) {
    const parts = [`- ${f.test}: ${f.outcome}`];
    if (f.errorType && !(f.message ?? '').startsWith(f.errorType)) parts.push(f.errorType);
    if (f.message) parts.push(f.message);
    if (f.input !== undefined) parts.push(`input ${f.input}`);
    if (f.expected !== undefined) parts.push(`expected ${f.expected}, got ${f.actual ?? '?'}`);
    if (f.line !== undefined)
      parts.push(`at line ${f.line}${f.lineText ? `: ${f.lineText.trim()}` : ''}`);
    lines.push(parts.join(' — '));
  }
  if (fb.omitted > 0) lines.push(`- … and ${fb.omitted} more failing tests`);
  if (fb.excerpt && o.excerpt !== false) lines.push('Code:', fb.excerpt);
  return clip(lines.join('\n'), maxChars);
}

/**
 * The context's feedback function over the tasks a method may see: `train` and `validation`.
 * Any other task id is refused, so held-out test text never reaches a meta-prompt.
 */
export function feedbackFor(
  train: readonly Task[],
  validation: readonly Task[],
): (score: TaskScore) => ExecFeedback {
  const visible = new Map([...train, ...validation].map((t) => [t.id, t]));
  return (score) => {
    const task = visible.get(score.taskId);
    if (!task) {
      throw new FeedbackScopeError(
        `Task ${score.taskId} is not a training or validation task of this run: its test results stay out of meta-prompts.`,
      );
    }
    return execFeedback(task, score);
  };
}
