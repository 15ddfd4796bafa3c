/**
 * Zero-shot and chain-of-thought optimize nothing, so they run on a split with no training tasks
 * (0% training), which leaves every task for the held-out evaluation; methods that search still
 * refuse such a split, in words.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunner } from '../../src/runner';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import { runConfig, runTasks } from '../support/runner-fixture';

let n = 0;
const dbs: AthanorDb[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

async function runWithoutTraining(method: string) {
  const db = new AthanorDb(`zero-training-${++n}`);
  dbs.push(db);
  const runner = createRunner({
    db,
    llm: () => landscapeLlm(),
    exec: landscapeExec(),
    tasks: () => Promise.resolve({ ...runTasks, train: [] }),
    locks: null,
  });
  const id = await runner.create(
    runConfig({ method, knobs: {}, seeds: [1], evaluation: { samples: 1, k: [1] } }),
  );
  return { status: await runner.start(id), run: await db.runs.get(id) };
}

describe('a 0% training split', () => {
  it.each(['zero-shot', 'chain-of-thought'])(
    '%s runs on it and grades every held-out task',
    async (method) => {
      const { status, run } = await runWithoutTraining(method);
      expect(status).toBe('done');
      expect(run?.report?.split.testTasks).toBe(runTasks.test.length);
      expect(Number.isFinite(run?.report?.final.strict.mean)).toBe(true);
    },
  );

  it('a method that searches refuses it, saying it needs training tasks', async () => {
    const { status, run } = await runWithoutTraining('ape');
    expect(status).toBe('failed');
    expect(run?.error).toMatch(/needs training tasks/);
  });
});
