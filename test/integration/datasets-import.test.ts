import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TasksService } from '../../src/app/tasks';
import { EmptyFileError, InvalidRecordsError, WrongFormatError } from '../../src/datasets/errors';
import { STARTER_DATASET_ID } from '../../src/datasets/starter';
import { AthanorDb } from '../../src/store/db';
import { DatasetExistsError } from '../../src/store/datasets';
import { requireShared } from '../support/paths';

const file = (name: string) => ({
  name,
  bytes: new Uint8Array(readFileSync(requireShared('datasets', name))),
});
const noExec = () => {
  throw new Error('import must not execute anything');
};

let db: AthanorDb;
let service: TasksService;
let n = 0;

beforeEach(async () => {
  db = new AthanorDb(`datasets-import-${n++}`);
  await db.open();
  service = new TasksService(db, noExec);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

async function storeIsEmpty(): Promise<void> {
  expect(await db.datasets.count()).toBe(0);
  expect(await db.tasks.count()).toBe(0);
}

describe('real files', () => {
  it.each([
    ['HumanEval.jsonl', 'humaneval', 164],
    ['mbpp.jsonl', 'mbpp', 974],
    ['sanitized-mbpp.json', 'mbpp-sanitized', 427],
  ])('%s imports %s with %i tasks, in one go', async (name, format, count) => {
    const d = await service.importFile(file(name), { commit: 'all-or-nothing' });
    expect(d.format).toBe(format);
    expect(d.taskCount).toBe(count);
    expect(await db.tasks.where('datasetId').equals(d.id).count()).toBe(count);
    const tasks = await service.repo.tasks(d.id);
    expect(tasks.every((t) => t.valid === null && t.reference && t.prompt)).toBe(true);
  });

  it('HumanEval gzipped imports the same tasks as plain', async () => {
    const plain = await service.parse(file('HumanEval.jsonl'));
    const gz = new Uint8Array(
      await new Response(
        new Blob([file('HumanEval.jsonl').bytes])
          .stream()
          .pipeThrough(new CompressionStream('gzip')),
      ).arrayBuffer(),
    );
    const zipped = await service.parse({ name: 'HumanEval.jsonl.gz', bytes: gz });
    expect(zipped.id).toBe(plain.id);
    expect(zipped.tasks).toEqual(plain.tasks);
  });

  it('MBPP gets its published split and sanitized MBPP inherits it', async () => {
    const full = await service.importFile(file('mbpp.jsonl'), { commit: 'all-or-nothing' });
    expect(full.split?.method).toBe('published');
    expect([
      full.split!.ids.train.length,
      full.split!.ids.validation.length,
      full.split!.ids.test.length,
    ]).toEqual([374, 90, 500]);
    const san = await service.importFile(file('sanitized-mbpp.json'), { commit: 'all-or-nothing' });
    const s = san.split!;
    expect(s.ids.train.length + s.ids.validation.length + s.ids.test.length).toBe(427 - 7); // ids 2–4 and 6–9 are MBPP's few-shot examples
    expect([s.ids.train.length, s.ids.validation.length, s.ids.test.length]).toEqual([
      120, 43, 257,
    ]);
    expect(
      s.ids.test.every((id) => {
        const k = Number(id.split('/').pop());
        return k >= 11 && k <= 510;
      }),
    ).toBe(true);
    // MBPP's known near-duplicates between train and test are reported.
    expect(full.split!.nearDuplicates!.length).toBeGreaterThan(0);
  });

  it('a seeded split is reproducible from its seed and stored with the dataset', async () => {
    const d = await service.importFile(file('HumanEval.jsonl'), { commit: 'all-or-nothing' });
    const ratios = { train: 0.2, validation: 0.1, test: 0.7 };
    const a = await service.resplit(d.id, { method: 'seeded', seed: 2024, ratios });
    expect((await service.repo.get(d.id)).split).toEqual(a);
    await service.resplit(d.id, { method: 'seeded', seed: 7, ratios });
    const again = await service.resplit(d.id, { method: 'seeded', seed: 2024, ratios });
    expect(again).toEqual(a);
    expect([a.ids.train.length, a.ids.validation.length, a.ids.test.length]).toEqual([33, 16, 115]);
  });

  it('importing the same file twice stores it once', async () => {
    await service.importFile(file('HumanEval.jsonl'), { commit: 'all-or-nothing' });
    await expect(
      service.importFile(file('HumanEval.jsonl'), { commit: 'all-or-nothing' }),
    ).rejects.toBeInstanceOf(DatasetExistsError);
    expect(await db.datasets.count()).toBe(1);
    expect(await db.tasks.count()).toBe(164);
  });

  it('delete removes the dataset and all its tasks', async () => {
    const he = await service.importFile(file('HumanEval.jsonl'), { commit: 'all-or-nothing' });
    const mb = await service.importFile(file('sanitized-mbpp.json'), { commit: 'all-or-nothing' });
    await service.repo.delete(he.id);
    expect(await db.tasks.count()).toBe(427);
    expect((await service.repo.list()).map((d) => d.id)).toEqual([mb.id]);
  });
});

describe('malformed inputs store nothing', () => {
  const lines = () =>
    readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8').trimEnd().split('\n');
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('a truncated line: all-or-nothing stores nothing, valid-rest stores the rest', async () => {
    const l = lines();
    l[10] = (l[10] as string).slice(0, 200);
    const text = l.join('\n') + '\n';
    const err = await service
      .importFile({ name: 'HumanEval.jsonl', bytes: bytes(text) }, { commit: 'all-or-nothing' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRecordsError);
    expect((err as InvalidRecordsError).errors.map((e) => [e.file, e.line, e.field])).toEqual([
      ['HumanEval.jsonl', 11, '(record)'],
    ]);
    await storeIsEmpty();
    const d = await service.importFile(
      { name: 'HumanEval.jsonl', bytes: bytes(text) },
      { commit: 'valid-rest' },
    );
    expect(d.taskCount).toBe(163);
    expect(await db.tasks.count()).toBe(163);
    expect(await db.tasks.get(`${d.id}/HumanEval/10`)).toBeUndefined();
    expect([...d.split!.ids.train, ...d.split!.ids.validation, ...d.split!.ids.test]).not.toContain(
      `${d.id}/HumanEval/10`,
    );
  });

  it('a missing field and a mistyped field are named', async () => {
    const l = lines();
    const r3 = JSON.parse(l[3] as string) as Record<string, unknown>;
    delete r3.test;
    const r7 = JSON.parse(l[7] as string) as Record<string, unknown>;
    r7.prompt = ['not', 'a', 'string'];
    l[3] = JSON.stringify(r3);
    l[7] = JSON.stringify(r7);
    const err = (await service
      .importFile({ name: 'he.jsonl', bytes: bytes(l.join('\n')) }, { commit: 'all-or-nothing' })
      .catch((e: unknown) => e)) as InvalidRecordsError;
    expect(err.errors.map((e) => e.message)).toEqual([
      'he.jsonl, line 4, field `test`: missing',
      'he.jsonl, line 8, field `prompt`: expected a string, got a list',
    ]);
    await storeIsEmpty();
  });

  it('an empty file', async () => {
    await expect(
      service.importFile(
        { name: 'empty.jsonl', bytes: new Uint8Array() },
        { commit: 'valid-rest' },
      ),
    ).rejects.toBeInstanceOf(EmptyFileError);
    await storeIsEmpty();
  });

  it('one huge line', async () => {
    const text = lines()[0] + '\n' + '{"task_id": "' + 'x'.repeat(40 * 1024 * 1024) + '"}\n';
    const err = (await service
      .importFile({ name: 'huge.jsonl', bytes: bytes(text) }, { commit: 'all-or-nothing' })
      .catch((e: unknown) => e)) as InvalidRecordsError;
    expect(err).toBeInstanceOf(InvalidRecordsError);
    expect(err.errors[0]!.message).toMatch(
      /^huge\.jsonl, line 2, field `\(record\)`: the record is 40\.0 MB/,
    );
    await storeIsEmpty();
  });

  it('the wrong format picked', async () => {
    const err = await service
      .importFile(file('mbpp.jsonl'), { format: 'humaneval', commit: 'valid-rest' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongFormatError);
    expect((err as Error).message).toMatch(
      /mbpp\.jsonl does not look like HumanEval .* it looks like MBPP full/,
    );
    const err2 = await service
      .importFile(file('HumanEval.jsonl'), { format: 'mbpp-sanitized', commit: 'valid-rest' })
      .catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/looks like HumanEval/);
    await storeIsEmpty();
  });
});

describe('starter set on first start', () => {
  it('is seeded once, not again after the user deletes it, and can be restored', async () => {
    expect(await service.ensureStarter()).toBe(true);
    expect(await service.ensureStarter()).toBe(false);
    const d = await service.repo.get(STARTER_DATASET_ID);
    expect(d.taskCount).toBeGreaterThanOrEqual(40);
    expect(await db.tasks.count()).toBe(d.taskCount);
    await service.repo.delete(STARTER_DATASET_ID);
    expect(await service.ensureStarter()).toBe(false);
    await service.restoreStarter();
    expect(await db.tasks.count()).toBe(d.taskCount);
  });

  it('is not seeded into a store that already has datasets', async () => {
    await service.importFile(file('HumanEval.jsonl'), { commit: 'all-or-nothing' });
    expect(await service.ensureStarter()).toBe(false);
    expect(await db.datasets.count()).toBe(1);
  });
});
