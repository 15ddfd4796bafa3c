/**
 * Validation by execution: each task's reference solution must pass its own tests. A task that
 * fails is flagged with the failing test (and left out of runs unless the user includes it); a
 * task without a reference cannot be checked and stays unvalidated (`valid: null`).
 *
 * Depends only on ExecPort, so the same code validates in Node (tests) and in the browser (page).
 */
import type { ExecPort } from '../core/ports';
import type { ExecJob, ExecResult, Task, TestSpec } from '../core/types';

export const VALIDATION_TEST_TIMEOUT_MS = 60_000;

export interface ValidationResult {
  taskId: string;
  /** null when there is no reference to run. */
  valid: boolean | null;
  /** The failing test and why, when `valid` is false. */
  error?: string;
  durationMs: number;
  /**
   * Set when validation computed expected outputs (`io` cases without `expected`, e.g. EvalPlus):
   * the task's tests with them filled in, to be stored with the task.
   */
  tests?: TestSpec;
}

export interface ValidationProgress {
  done: number;
  total: number;
  passed: number;
  failed: number;
}

export interface ValidateOptions {
  /** Jobs handed to the pool at once; the pool queues them, this bounds memory. Default 16. */
  inFlight?: number;
  /**
   * Limit for one test. Default 10 s: a reference is trusted code, and a slow-but-correct one
   * (MBPP 123 sums amicable numbers below 10,000) must not be flagged because the machine is busy.
   */
  testTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: ValidationProgress) => void;
  /** Called with each batch of results as they land (for writing them to the store). */
  onResults?: (batch: ValidationResult[]) => void | Promise<void>;
  /** Size of the batches given to `onResults`. Default 50. */
  batchSize?: number;
}

/** The job that runs a task's reference against its tests. */
export function referenceJob(
  task: Pick<Task, 'reference' | 'tests'>,
  testTimeoutMs?: number,
): ExecJob {
  if (task.reference === undefined)
    throw new RangeError('This task has no reference solution to run.');
  return {
    program: task.reference,
    tests: task.tests,
    ...(testTimeoutMs ? { testTimeoutMs } : {}),
  };
}

/** Does the task have `io` cases whose expected output is still to be computed? */
export function needsExpectedOutputs(task: Pick<Task, 'tests'>): boolean {
  return task.tests.kind === 'io' && task.tests.cases.some((c) => c.expected === undefined);
}

/**
 * The tests with each case's expected output taken from the reference's run (`collect`), as
 * EvalPlus's ground truth: for the `not_none` oracle, whether the output is not None.
 */
export function withExpectedOutputs(tests: TestSpec, run: ExecResult): TestSpec {
  if (tests.kind !== 'io') return tests;
  return {
    ...tests,
    cases: tests.cases.map((c, i) => {
      const t = run.tests[i];
      const actual = t?.actual;
      return {
        ...c,
        expected: tests.oracle === 'not_none' ? actual !== null && actual !== undefined : actual,
        // EvalPlus derives each input's time limit from the reference's time on it.
        ...(t?.ms !== undefined ? { refMs: Math.round(t.ms * 1000) / 1000 } : {}),
      };
    }),
  };
}

/** The first thing that went wrong in a result, said in one line. */
export function describeFailure(r: ExecResult): string {
  if (r.setupError) return `the program failed before any test ran: ${r.setupError}`;
  const bad = r.tests.find((t) => t.outcome !== 'passed');
  if (!bad) return 'the tests did not pass (no failing test was reported)';
  const name = bad.name.length > 160 ? bad.name.slice(0, 159) + '…' : bad.name;
  return `${name} — ${bad.outcome}${bad.message ? `: ${bad.message}` : ''}`;
}

export async function validateTasks(
  tasks: readonly Task[],
  exec: ExecPort,
  opts: ValidateOptions = {},
): Promise<ValidationResult[]> {
  const inFlight = Math.max(1, opts.inFlight ?? 16);
  const batchSize = Math.max(1, opts.batchSize ?? 50);
  const results: ValidationResult[] = new Array<ValidationResult>(tasks.length);
  const progress: ValidationProgress = { done: 0, total: tasks.length, passed: 0, failed: 0 };
  let pending: ValidationResult[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const flush = (): void => {
    if (!opts.onResults || pending.length === 0) return;
    const batch = pending;
    pending = [];
    const sink = opts.onResults;
    flushing = flushing.then(() => sink(batch));
  };
  opts.onProgress?.({ ...progress });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      opts.signal?.throwIfAborted();
      const i = next++;
      const task = tasks[i] as Task;
      let result: ValidationResult;
      if (task.reference === undefined) {
        result = { taskId: task.id, valid: null, durationMs: 0 };
      } else {
        // A rejected run means the executor itself failed (not loaded, closed, crashed), which
        // says nothing about the task: it stops validation instead of flagging every task.
        const collect = needsExpectedOutputs(task);
        const job = referenceJob(task, opts.testTimeoutMs ?? VALIDATION_TEST_TIMEOUT_MS);
        const r = await exec.run(collect ? { ...job, collect: true } : job, opts.signal);
        result = r.passed
          ? { taskId: task.id, valid: true, durationMs: r.durationMs }
          : { taskId: task.id, valid: false, error: describeFailure(r), durationMs: r.durationMs };
        // The reference runs once per input here; grading compares with what it returned.
        if (collect && r.passed) result.tests = withExpectedOutputs(task.tests, r);
      }
      results[i] = result;
      progress.done++;
      if (result.valid === true) progress.passed++;
      else if (result.valid === false) progress.failed++;
      pending.push(result);
      if (pending.length >= batchSize) flush();
      opts.onProgress?.({ ...progress });
    }
  };
  // Validation has the machine to itself: one worker per core, as long as it lasts.
  const release = exec.useAllCores?.();
  try {
    await Promise.all(Array.from({ length: Math.min(inFlight, tasks.length) }, worker));
  } finally {
    release?.();
  }
  flush();
  await flushing;
  return results;
}
