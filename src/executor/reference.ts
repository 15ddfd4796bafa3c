/** Jobs for a task's own reference solution: how importers validate a task before keeping it. */
import type { ExecJob, Task } from '../core/types';

export class TaskHasNoReferenceError extends Error {
  override name = 'TaskHasNoReferenceError';
  constructor(taskId: string) {
    super(
      `Task ${taskId} has no reference solution, so it cannot be validated by running it; ` +
        'add a `reference` program that passes its tests, or skip validation for this task.',
    );
  }
}

/** The reference solution of `task` graded against its own tests. */
export function referenceJob(
  task: Task,
  limits: Pick<ExecJob, 'testTimeoutMs' | 'jobTimeoutMs'> = {},
): ExecJob {
  if (task.reference === undefined || task.reference.trim() === '') {
    throw new TaskHasNoReferenceError(task.id);
  }
  return { program: task.reference, tests: task.tests, ...limits };
}
