/**
 * Bundle import is all or nothing, for real: a fault injected into the import's own transaction
 * (a Dexie `creating` hook that throws once part of the bundle is written) must leave no trace
 * and leave earlier data untouched. And bundles that are well formed but wrong are refused with a
 * clear message: a report that contradicts the bundle's own evaluations, and references to
 * records the bundle does not hold.
 */
import 'fake-indexeddb/auto';
import type { Dexie, Table } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { BundleImportError, createRunner, type Runner } from '../../src/runner';
import { exportBundle, importBundle } from '../../src/store/bundle';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import { optimizers, runConfig, runTasks, unseededSampling } from '../support/runner-fixture';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests corrupt arbitrary fields
type Bag = Record<string, any>;

let n = 0;
const dbs: Dexie[] = [];
const fresh = (): AthanorDb => {
  const db = new AthanorDb(`bundle-rollback-${++n}`);
  dbs.push(db);
  return db;
};
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

const runnerOn = (db: AthanorDb): Runner =>
  createRunner({
    db,
    llm: () => unseededSampling(landscapeLlm()),
    exec: landscapeExec(),
    optimizer: optimizers,
    tasks: () => Promise.resolve(runTasks),
    locks: null,
  });

/** A finished run's bundle, as JSON text (the run's tasks are in its store, as in the app). */
async function bundleOf(seeds: number[]): Promise<string> {
  const db = fresh();
  await db.tasks.bulkPut([...runTasks.train, ...runTasks.test].map((t) => ({ ...t, valid: true })));
  const runner = runnerOn(db);
  const id = await runner.create(runConfig({ seeds }));
  expect(await runner.start(id)).toBe('done');
  return JSON.stringify(await exportBundle(db, id));
}

async function snapshot(db: AthanorDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of db.tables) out[t.name] = await t.toArray();
  return out;
}

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/**
 * Counts the records the import creates in every table and throws inside the transaction at the
 * `at`-th record of `table`. Returns how many were created before the throw, and the remover.
 */
function injectFault(db: AthanorDb, table: string, at: number) {
  const seen = { before: 0, thrown: false };
  const hooks: [Table, (...a: unknown[]) => void][] = [];
  for (const t of db.tables) {
    let count = 0;
    const hook = (): void => {
      if (t.name === table && ++count === at) {
        seen.thrown = true;
        throw new Error(`injected fault in ${table} at record ${at}`);
      }
      if (!seen.thrown) seen.before++;
    };
    t.hook('creating', hook);
    hooks.push([t, hook]);
  }
  return {
    seen,
    remove: () => {
      for (const [t, hook] of hooks) t.hook('creating').unsubscribe(hook);
    },
  };
}

describe('bundle import rolls back for real', () => {
  it('a fault injected into the transaction after part was written leaves nothing, and earlier data as it was', async () => {
    const earlier = await bundleOf([3]);
    const good = await bundleOf([1, 2]);
    const parsed = JSON.parse(good) as Bag;

    // A browser that has data already: settings, and another run imported before.
    const target = fresh();
    await target.settings.put({ key: 'keep', value: { theme: 'dark' } });
    await importBundle(
      target,
      JSON.parse(earlier.replaceAll(JSON.parse(earlier).run.id, 'earlier-run')),
    );
    await target.tasks.bulkDelete(parsed.tasks.slice(0, 4).map((t: Bag) => t.id as string));
    const before = await snapshot(target);
    expect(before.runs).toHaveLength(1);

    // Fault in each table the import writes, halfway through its records.
    const tables: [string, number][] = [
      ['tasks', 4],
      ['runs', 1],
      ['prompts', parsed.prompts.length],
      ['evaluations', Math.ceil(parsed.evaluations.length / 2)],
      ['runCalls', Math.ceil(parsed.completions.length / 2)],
      ['checkpoints', parsed.checkpoints.length],
    ];
    for (const [table, at] of tables) {
      const fault = injectFault(target, table, at);
      const err = await failure(runnerOn(target).importBundle(good));
      fault.remove();
      expect(fault.seen.thrown, table).toBe(true);
      // Part of the bundle was written in the transaction before the fault.
      if (table !== 'tasks') expect(fault.seen.before, table).toBeGreaterThan(0);
      expect(err, table).toBeInstanceOf(BundleImportError);
      expect((err as Error).message, table).toMatch(/Writing the bundle failed/);
      expect((err as Error).message, table).toMatch(new RegExp(`injected fault in ${table}`));
      expect((err as Error).message, table).toMatch(/Nothing was imported/);
      expect(await snapshot(target), table).toEqual(before);
    }

    // Without the fault the same bundle imports whole, next to the earlier run.
    const id = await runnerOn(target).importBundle(good);
    const after = await snapshot(target);
    expect(after.runs!.map((r) => (r as Bag).id).sort()).toEqual(['earlier-run', id].sort());
    expect(after.evaluations).toHaveLength(before.evaluations!.length + parsed.evaluations.length);
    expect(after.settings).toEqual(before.settings);
  });

  it('refuses a bundle whose report contradicts its evaluations, naming the figure', async () => {
    const good = await bundleOf([1, 2]);
    const target = fresh();
    const before = await snapshot(target);
    const edit = (f: (b: Bag) => void): string => {
      const b = JSON.parse(good) as Bag;
      f(b);
      return JSON.stringify(b);
    };
    const both = (b: Bag, f: (r: Bag) => void): void => {
      f(b.run.report);
      f(b.statistics);
    };
    const cases: [string, string, RegExp][] = [
      [
        'final pass@1 raised',
        edit((b) =>
          both(b, (r) => {
            r.final.strict.perSeed[0] = 1 - (r.final.strict.perSeed[0] as number) + 0.01;
          }),
        ),
        /run\.report\.final\.strict\.perSeed\.0: the report says/,
      ],
      [
        'pass@k of the initial prompt',
        edit((b) =>
          both(b, (r) => {
            r.initial.passAtK['2'].perSeed[1] = 0.123;
          }),
        ),
        /run\.report\.initial\.passAtK\.2\.perSeed\.1/,
      ],
      [
        'the task-level difference',
        edit((b) =>
          both(b, (r) => {
            r.taskLevel.combined.diff += 0.05;
          }),
        ),
        /run\.report\.taskLevel\.combined: the report says/,
      ],
      [
        'an evaluation flipped under the report',
        edit((b) => {
          const e = (b.evaluations as Bag[]).find((x) => x.phase === 'heldout' && x.sample === 0)!;
          e.result.passed = !e.result.passed;
        }),
        /contradicts its own evaluations/,
      ],
      [
        'statistics differ from the run report',
        edit((b) => (b.statistics.final.strict.mean = 0.5)),
        /statistics: differs from run\.report/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const err = await failure(runnerOn(target).importBundle(text));
      expect(err, name).toBeInstanceOf(BundleImportError);
      expect((err as Error).message, name).toMatch(message);
      expect((err as Error).message, name).toMatch(/Nothing was imported/);
    }
    expect(await snapshot(target)).toEqual(before);
    // The untouched bundle passes the same check.
    await runnerOn(target).importBundle(good);
  });

  it('refuses a bundle with dangling references, naming each', async () => {
    const good = await bundleOf([1, 2]);
    const target = fresh();
    await target.settings.put({ key: 'keep', value: 1 });
    const before = await snapshot(target);
    const edit = (f: (b: Bag) => void): string => {
      const b = JSON.parse(good) as Bag;
      f(b);
      return JSON.stringify(b);
    };
    const cases: [string, string, RegExp][] = [
      [
        'evaluation of an absent prompt',
        edit((b) => (b.evaluations[0].promptId = 'f'.repeat(64))),
        /evaluations\.0\.promptId: no prompt ffffffffffffffff/,
      ],
      [
        'report names an absent final prompt',
        edit((b) => {
          const finalId = b.run.report.prompts[0].finalId as string;
          const seed = b.run.report.prompts[0].seed as number;
          b.prompts = (b.prompts as Bag[]).filter((p) => !(p.id === finalId && p.seed === seed));
          b.evaluations = (b.evaluations as Bag[]).filter(
            (e) => !(e.promptId === finalId && e.seed === seed),
          );
        }),
        /run\.report\.prompts\.0\.finalId: no prompt/,
      ],
      [
        'evaluation of a seed the run does not have',
        edit((b) => (b.evaluations[1].seed = 77)),
        /evaluations\.1\.seed: seed 77 is not one of the run's/,
      ],
      [
        'checkpoint of an unknown seed',
        edit((b) => (b.checkpoints[0].seed = 78)),
        /checkpoints\.0\.seed: seed 78/,
      ],
      [
        'call of an unknown seed',
        edit((b) => (b.completions[0].seed = 79)),
        /completions\.0\.seed: seed 79/,
      ],
      [
        'evaluation of a task neither in the bundle nor in this browser',
        edit((b) => {
          const id = b.evaluations[2].taskId as string;
          b.tasks = (b.tasks as Bag[]).filter((t) => t.id !== id);
        }),
        /evaluations\.\d+\.taskId: no task toy\/\d+ in the bundle or in this browser/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const err = await failure(runnerOn(target).importBundle(text));
      expect(err, name).toBeInstanceOf(BundleImportError);
      expect((err as Error).message, name).toMatch(/refers to records it does not contain/);
      expect((err as Error).message, name).toMatch(message);
      expect((err as Error).message, name).toMatch(/Nothing was imported/);
      expect(await snapshot(target), name).toEqual(before);
    }
  });
});
