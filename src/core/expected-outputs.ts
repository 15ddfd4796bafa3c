/**
 * EvalPlus tasks (`io` tests) are graded against expected outputs that come from running the
 * reference solution once, when the task set is validated (datasets/validate.ts). A task graded
 * before that would fail every answer on a missing value, so every grader refuses it instead,
 * with this error.
 */
import type { Task } from './types';

/** Cases of the task whose expected output was never computed (0 for other test kinds). */
export function missingExpectedOutputs(task: Pick<Task, 'tests'>): number {
  if (task.tests.kind !== 'io') return 0;
  return task.tests.cases.filter((c) => c.expected === undefined).length;
}

export class UngradableTaskError extends Error {
  override readonly name = 'UngradableTaskError';
  constructor(readonly taskIds: readonly string[]) {
    const head = taskIds.slice(0, 3).join(', ') + (taskIds.length > 3 ? ', …' : '');
    super(
      `${taskIds.length} task${taskIds.length === 1 ? '' : 's'} (${head}) cannot be graded yet: ` +
        'their test inputs have no expected outputs, because their reference solutions were never run, or failed. ' +
        'Validate the task set on the Tasks page (scripts: datasets/validate.ts validateTasks), then start again; ' +
        'a task whose reference fails validation cannot be graded at all: leave it out of the split.',
    );
  }
}

/** Throws UngradableTaskError naming every task that still lacks expected outputs. */
export function requireExpectedOutputs(tasks: readonly Pick<Task, 'id' | 'tests'>[]): void {
  const missing = tasks.filter((t) => missingExpectedOutputs(t) > 0).map((t) => t.id);
  if (missing.length > 0) throw new UngradableTaskError(missing);
}
