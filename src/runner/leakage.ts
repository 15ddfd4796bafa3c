/**
 * The test set touched once: no test task may appear in any request a run sent to the LLM, except
 * the held-out grading requests that ask for the test tasks' code (round HELDOUT_ROUND, purpose
 * `generate`). Meta-prompts, trajectories, task examples and mutated (augmented) tasks all travel
 * in requests, so searching every stored request of the run (`runCalls`) catches any path.
 *
 * A test task is recognised by its fingerprint: the lines of its prompt and tests, whitespace
 * collapsed, at least MIN_LINE characters long, that no other task of the run has (shared
 * boilerplate such as `from typing import List` proves nothing). A request leaks a task when one of
 * its lines, collapsed the same way, is a fingerprint line. Line equality rather than substring
 * search keeps the scan linear in the size of the log.
 */
import type { Task } from '../core/types';
import type { RunCallRecord, RunReport } from '../store/records';
import { HELDOUT_ROUND } from './call-log';

const MIN_LINE = 24;

export interface Leak {
  taskId: string;
  seed: number;
  round: number;
  purpose: string;
  line: string;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

function taskLines(t: Task): string[] {
  const tests = t.tests;
  const extra =
    tests.kind === 'check'
      ? [tests.source]
      : tests.kind === 'asserts'
        ? tests.asserts
        : tests.kind === 'stdio'
          ? tests.cases.map((c) => c.stdin)
          : [];
  return [t.prompt, ...extra].flatMap((text) => text.split('\n')).map(collapse);
}

/** Every line of every request of the run that carries a test task's text (outside its grading). */
export function findTestLeaks(
  calls: readonly RunCallRecord[],
  test: readonly Task[],
  others: readonly Task[],
): Leak[] {
  const shared = new Set(others.flatMap(taskLines));
  const owner = new Map<string, string>();
  for (const t of test) {
    for (const line of taskLines(t)) {
      if (line.length >= MIN_LINE && !shared.has(line) && !owner.has(line)) owner.set(line, t.id);
    }
  }
  const leaks: Leak[] = [];
  for (const c of calls) {
    if (c.round === HELDOUT_ROUND && c.request.purpose === 'generate') continue;
    for (const m of c.request.messages) {
      for (const raw of m.content.split('\n')) {
        const line = collapse(raw);
        const taskId = owner.get(line);
        if (taskId === undefined) continue;
        leaks.push({ taskId, seed: c.seed, round: c.round, purpose: c.request.purpose, line });
      }
    }
  }
  return leaks;
}

/** The report's summary: how many requests were searched and which test tasks leaked, if any. */
export function leakageReport(
  calls: readonly RunCallRecord[],
  tasks: { train: readonly Task[]; validation: readonly Task[]; test: readonly Task[] },
): NonNullable<RunReport['leakage']> {
  const searched = calls.filter(
    (c) => !(c.round === HELDOUT_ROUND && c.request.purpose === 'generate'),
  );
  // A test task that is also in training is a leak itself: it counts as a test task only.
  const testIds = new Set(tasks.test.map((t) => t.id));
  const others = [...tasks.train, ...tasks.validation].filter((t) => !testIds.has(t.id));
  const leaks = findTestLeaks(searched, tasks.test, others);
  return {
    requests: searched.length,
    leakedTasks: [...new Set(leaks.map((l) => l.taskId))].sort(),
  };
}
