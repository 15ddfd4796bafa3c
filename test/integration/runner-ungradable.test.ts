/**
 * A run over tasks whose expected outputs were never computed (EvalPlus before validation) asks
 * the model nothing and grades nothing: it pauses before grading with the tasks named and what
 * to do, and resumes once the outputs are there.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types';
import { createRunner } from '../../src/runner';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import { optimizers, runConfig, runTasks } from '../support/runner-fixture';

const dbs: AthanorDb[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

const withOutputs = (t: Task, expected: unknown): Task => ({
  ...t,
  tests: { kind: 'io', entryPoint: 'f', cases: [{ args: [], expected }], atol: 0, plusFrom: 1 },
});

describe('tasks never validated', () => {
  it('pause the run before grading, named, and it resumes once they are validated', async () => {
    const db = new AthanorDb('runner-ungradable');
    dbs.push(db);
    const llm = landscapeLlm();
    let test = runTasks.test.map((t, i) => (i < 2 ? withOutputs(t, undefined) : t));
    const runner = createRunner({
      db,
      llm: () => llm,
      exec: landscapeExec(),
      optimizer: optimizers,
      tasks: () => Promise.resolve({ ...runTasks, test }),
      locks: null,
    });
    const id = await runner.create(runConfig({ seeds: [1], evaluation: { samples: 1, k: [1] } }));
    expect(await runner.start(id)).toBe('paused');
    const paused = await db.runs.get(id);
    expect(paused?.message).toMatch(
      /^Paused before grading: 2 tasks \(toy\/10, toy\/11\) cannot be graded yet: their test inputs have no expected outputs/,
    );
    expect(llm.requests).toHaveLength(0);
    expect(await db.evaluations.where('runId').equals(id).count()).toBe(0);

    test = runTasks.test.map((t, i) => (i < 2 ? withOutputs(t, 'ok') : t));
    expect(await runner.resume(id)).toBe('done');
  });
});
