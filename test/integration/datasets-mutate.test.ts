/**
 * Prochemy's augmentation with a scripted LLM (the one allowed stand-in) and real Pyodide: a
 * written task is kept only when its reference passes its own tests, and it is stored with its
 * parent.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TasksService } from '../../src/app/tasks';
import type { CompletionRequest } from '../../src/core/types';
import { STARTER_DATASET_ID } from '../../src/datasets/starter';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { AthanorDb } from '../../src/store/db';
import { lastUser, scriptedLlm } from '../support/scripted-llm';

let pool: ExecPool;
let db: AthanorDb;
let service: TasksService;

beforeAll(async () => {
  pool = createNodeExecPool();
  db = new AthanorDb('datasets-mutate');
  await db.open();
  service = new TasksService(db, () => pool);
  await service.ensureStarter();
});
afterAll(async () => {
  await pool?.close();
  db?.close();
  await db?.delete();
});

const answer = (fn: string, body: string, tests: string[]) =>
  `### Task\nA task related to the one given, solved by ${fn}.\n### Solution\n\`\`\`python\ndef ${fn}(x):\n    ${body}\n\`\`\`\n### Tests\n\`\`\`python\n${tests.join('\n')}\n\`\`\`\n`;

/** The answer depends only on the request: which parent task it shows. */
function respond(req: CompletionRequest): string {
  const user = lastUser(req);
  if (user.includes('def clamp('))
    return answer('triple', 'return 3 * x', [
      'assert triple(1) == 3',
      'assert triple(0) == 0',
      'assert triple(-2) == -6',
    ]);
  if (user.includes('def count_vowels('))
    return answer('halve', 'return x / 3', [
      'assert halve(4) == 2',
      'assert halve(0) == 0',
      'assert halve(-2) == -1',
    ]);
  if (user.includes('def is_leap_year(')) return 'I would rather not.';
  return answer('ident', 'return x', ['assert ident(1) == 1']);
}

describe('augment', () => {
  it('keeps only tasks whose reference passes their own tests, stored with the parent', async () => {
    const llm = scriptedLlm(respond);
    const parents = ['clamp', 'count-vowels', 'leap-year', 'digit-sum'].map(
      (id) => `${STARTER_DATASET_ID}/${id}`,
    );
    const result = await service.augment(parents, llm, { seed: 5, runId: 'run-1' });

    expect(llm.requests).toHaveLength(4);
    expect(llm.requests.map((r) => [r.purpose, r.sampling.temperature, r.sampling.seed])).toEqual([
      ['mutate', 1, 5],
      ['mutate', 1, 6],
      ['mutate', 1, 7],
      ['mutate', 1, 8],
    ]);
    expect(result.kept.map((t) => t.entryPoint)).toEqual(['triple']);
    expect(result.rejected.map((r) => [r.parentId.split('/')[1], r.reason.split(':')[0]])).toEqual([
      ['count-vowels', 'its reference fails its own tests'],
      ['leap-year', 'the answer does not follow the format'],
      ['digit-sum', 'the answer does not follow the format'],
    ]);
    expect(result.rejected[0]!.reason).toMatch(/assert halve\(4\) == 2 — failed/);
    expect(result.rejected[2]!.reason).toMatch(/only 1 tests; at least 3 are needed/);

    const children = await service.repo.children(`${STARTER_DATASET_ID}/clamp`);
    expect(children).toHaveLength(1);
    const child = children[0]!;
    expect(child.origin).toEqual({
      kind: 'mutated',
      parentId: `${STARTER_DATASET_ID}/clamp`,
      runId: 'run-1',
    });
    expect(child.datasetId).toBe(STARTER_DATASET_ID);
    expect(child.valid).toBe(true);
    expect(child.prompt).toContain('assert triple(1) == 3');
    expect(child.tags).toContain('mutated');
    // The mutated task is graded like any other: its reference passes through the same service.
    expect((await service.runReference(child.id)).passed).toBe(true);
  });

  it('asks the same questions again for the same seed', async () => {
    const a = scriptedLlm(respond);
    const b = scriptedLlm(respond);
    const parents = [`${STARTER_DATASET_ID}/clamp`];
    await service.augment(parents, a, { seed: 11 });
    await service.augment(parents, b, { seed: 11 });
    expect(b.requests).toEqual(a.requests);
  });
});

describe('an executor that fails', () => {
  it('stops validation without flagging any task', async () => {
    const closed = createNodeExecPool();
    await closed.close();
    const s = new TasksService(db, () => closed);
    await expect(s.validate(STARTER_DATASET_ID)).rejects.toThrow();
    const tasks = await s.repo.tasks(STARTER_DATASET_ID);
    expect(tasks.filter((t) => t.valid === false)).toEqual([]);
    expect((await s.repo.get(STARTER_DATASET_ID)).validation.state).toBe('pending');
  });
});
