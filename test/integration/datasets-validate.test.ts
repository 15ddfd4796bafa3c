/**
 * Every reference of the real datasets and of the starter set passes its own tests in real Pyodide
 * (the Node pool), through the same service the Tasks page uses; a broken reference is flagged with
 * its failing test and left out of runs.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TasksService } from '../../src/app/tasks';
import type { ValidationProgress } from '../../src/datasets/validate';
import { STARTER_DATASET_ID } from '../../src/datasets/starter';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { AthanorDb } from '../../src/store/db';
import { isRunnable } from '../../src/store/datasets';
import { requireShared } from '../support/paths';

let pool: ExecPool;
let db: AthanorDb;
let service: TasksService;

beforeAll(async () => {
  pool = createNodeExecPool();
  db = new AthanorDb('datasets-validate');
  await db.open();
  service = new TasksService(db, () => pool);
});
afterAll(async () => {
  await pool?.close();
  db?.close();
  await db?.delete();
});

const file = (name: string) => ({
  name,
  bytes: new Uint8Array(readFileSync(requireShared('datasets', name))),
});

async function validateAll(datasetId: string): Promise<ValidationProgress[]> {
  const seen: ValidationProgress[] = [];
  // Correctness, not speed, is under test: MBPP 123 (amicable numbers to 9999) needs several
  // seconds in Pyodide and more on a loaded two-core CI machine.
  await service.validate(datasetId, { onProgress: (p) => seen.push(p), testTimeoutMs: 60_000 });
  return seen;
}

describe('validation by execution', () => {
  it('the starter set: every reference passes', async () => {
    await service.ensureStarter();
    const progress = await validateAll(STARTER_DATASET_ID);
    const d = await service.repo.get(STARTER_DATASET_ID);
    const failed = (await service.repo.tasks(STARTER_DATASET_ID)).filter((t) => t.valid !== true);
    expect(failed.map((t) => `${t.id}: ${t.validationError}`)).toEqual([]);
    expect(d.validation).toMatchObject({ state: 'done', passed: d.taskCount, failed: 0 });
    expect(progress.at(-1)).toEqual({
      done: d.taskCount,
      total: d.taskCount,
      passed: d.taskCount,
      failed: 0,
    });
    expect(progress.map((p) => p.done)).toEqual(
      [...progress.map((p) => p.done)].sort((a, b) => a - b),
    );
  });

  it.each([
    ['HumanEval.jsonl', 164],
    ['mbpp.jsonl', 974],
    ['sanitized-mbpp.json', 427],
  ])('%s: all %i references pass', async (name, count) => {
    const d = await service.importFile(file(name), { commit: 'all-or-nothing' });
    await validateAll(d.id);
    const failed = (await service.repo.tasks(d.id)).filter((t) => t.valid !== true);
    expect(failed.map((t) => `${t.sourceId}: ${t.validationError}`)).toEqual([]);
    expect((await service.repo.get(d.id)).validation).toMatchObject({
      state: 'done',
      passed: count,
      failed: 0,
    });
  });

  it('a reference that fails is flagged with its failing test and left out of runs', async () => {
    const text = readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(0, 3);
    const broken = JSON.parse(text[1] as string) as { canonical_solution: string };
    broken.canonical_solution = '    return []\n';
    text[1] = JSON.stringify(broken);
    const d = await service.importFile(
      { name: 'broken.jsonl', bytes: new TextEncoder().encode(text.join('\n')) },
      { commit: 'all-or-nothing' },
    );
    await validateAll(d.id);
    const tasks = await service.repo.tasks(d.id);
    const bad = tasks.find((t) => t.sourceId === 'HumanEval/1')!;
    expect(bad.valid).toBe(false);
    expect(bad.validationError).toMatch(/assert .* — failed/);
    expect(isRunnable(bad)).toBe(false);
    await service.repo.setIncludeAnyway(bad.id, true);
    expect(isRunnable((await service.repo.task(bad.id))!)).toBe(true);
    expect(tasks.filter((t) => t.valid === true)).toHaveLength(2);
    expect((await service.repo.get(d.id)).validation).toMatchObject({ passed: 2, failed: 1 });
  });

  it('runs one reference on demand (the task view button)', async () => {
    const [task] = await service.repo.tasks(STARTER_DATASET_ID);
    const r = await service.runReference(task!.id);
    expect(r.passed).toBe(true);
    expect(r.tests.length).toBeGreaterThanOrEqual(5);
  });
});
