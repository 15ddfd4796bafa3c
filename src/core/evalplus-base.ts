/**
 * EvalPlus reports two pass@1 figures: "base" (the original HumanEval / MBPP inputs only) and
 * "plus" (base and the added inputs; Athanor's strict verdict). Papers report both, so runs on an
 * EvalPlus set show both. The base verdict comes from the per-case verdicts already stored with
 * every graded answer (`case i`, in input order; base inputs come before `plusFrom`).
 */
import type { ExecResult, Task } from './types';

/** Where an EvalPlus task's plus inputs start, or undefined for tasks that are not EvalPlus. */
export function plusFromOf(task: Pick<Task, 'tests'>): number | undefined {
  return task.tests.kind === 'io' ? task.tests.plusFrom : undefined;
}

/** Whether the answer passed every base input (the cases before `plusFrom`). */
export function passedBase(
  result: Pick<ExecResult, 'passed' | 'tests'>,
  plusFrom: number,
): boolean {
  if (result.passed) return true;
  if (plusFrom <= 0) return false;
  const outcome = new Map(result.tests.map((t) => [t.name, t.outcome]));
  for (let i = 0; i < plusFrom; i++) if (outcome.get(`case ${i}`) !== 'passed') return false;
  return true;
}
