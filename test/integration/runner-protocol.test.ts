/**
 * The evaluation protocol's finer points, over fake IndexedDB with the scripted LLM and grader:
 * held-out pass@k from samples drawn at a temperature > 0 with distinct seeds (pass@1 stays
 * greedy); runs created with fixed task ids (replays); the registry as the default method source;
 * replay fields surviving a bundle round trip; the per-instance pass@1 of test-set optimization.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { passAtK } from '../../src/core/stats';
import type { CompletionRequest, RunConfig } from '../../src/core/types';
import type { ReflexionState } from '../../src/optimizers/baselines/reflexion';
import type { HybridState } from '../../src/optimizers/ppo/hybrid';
import { createRunner, InvalidRunConfigError, type RunnerDeps } from '../../src/runner';
import { exportBundle, importBundle } from '../../src/store/bundle';
import { AthanorDb } from '../../src/store/db';
import type { TaskRecord } from '../../src/store/records';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import { runConfig, runTasks } from '../support/runner-fixture';
import { scriptedLlm } from '../support/scripted-llm';

let n = 0;
const open: AthanorDb[] = [];
function freshDb(): AthanorDb {
  const db = new AthanorDb(`runner-protocol-${++n}`);
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

const testIndex = (req: CompletionRequest): number =>
  Number(/toy\/(\d+)/.exec(req.messages.map((m) => m.content).join('\n'))?.[1]);

/** Greedy answers always fail; a sampled answer passes when (seed + task) % 3 == 0. */
const sampler = () =>
  scriptedLlm((req) => {
    const t = req.sampling.temperature;
    const ok = t > 0 && ((req.sampling.seed ?? 0) + testIndex(req)) % 3 === 0;
    return ok
      ? '```python\ndef f():\n    return "ok"\n```'
      : '```python\ndef f():\n    return 1\n```';
  });

function runner(db: AthanorDb, over: Partial<RunnerDeps> = {}) {
  return createRunner({
    db,
    llm: () => landscapeLlm(),
    exec: landscapeExec(),
    tasks: () => Promise.resolve(runTasks),
    locks: null,
    ...over,
  });
}

const zeroShot = (over: Partial<RunConfig> = {}): RunConfig =>
  runConfig({ method: 'zero-shot', knobs: {}, seeds: [5], ...over });

describe('held-out pass@k', () => {
  it('draws the n samples at the evaluation temperature with distinct seeds; pass@1 stays greedy', async () => {
    const db = freshDb();
    const llm = sampler();
    // No optimizer factory: the runner takes methods from the registry.
    const r = runner(db, { llm: () => llm });
    const config = zeroShot({ evaluation: { samples: 5, k: [1, 2, 5], temperature: 0.6 } });
    const id = await r.create(config);
    expect(await r.start(id)).toBe('done');
    const report = (await db.runs.get(id))!.report!;

    // Held-out requests only (test tasks are toy/10..15; zero-shot also scores on train).
    const generate = llm.requests.filter((q) => q.purpose === 'generate' && testIndex(q) >= 10);
    const perTask = new Map<number, CompletionRequest[]>();
    for (const q of generate) perTask.set(testIndex(q), [...(perTask.get(testIndex(q)) ?? []), q]);
    expect([...perTask.keys()].sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15]);
    const expected: number[] = [];
    for (const [task, reqs] of perTask) {
      const greedy = reqs.filter((q) => q.sampling.temperature === 0);
      const drawn = reqs.filter((q) => q.sampling.temperature !== 0);
      expect(greedy).toHaveLength(1);
      expect(drawn).toHaveLength(5);
      expect(drawn.every((q) => q.sampling.temperature === 0.6)).toBe(true);
      expect(new Set(drawn.map((q) => q.sampling.seed)).size).toBe(5);
      const c = drawn.filter((q) => ((q.sampling.seed ?? 0) + task) % 3 === 0).length;
      expected.push(c);
    }
    // Greedy answers all fail, so strict pass@1 is 0 while sampled pass@k is not.
    expect(report.initial.strict.mean).toBe(0);
    expect(report.samplingTemperature).toBe(0.6);
    for (const k of [1, 2, 5]) {
      const want = expected.reduce((s, c) => s + passAtK(5, c, k), 0) / expected.length;
      expect(report.initial.passAtK[String(k)]!.mean).toBeCloseTo(want, 12);
    }
    expect(expected.some((c) => c > 0)).toBe(true);
  });

  it('defaults the sampling temperature to 0.8 and refuses n samples at temperature 0', async () => {
    const db = freshDb();
    const llm = sampler();
    const r = runner(db, { llm: () => llm });
    await expect(
      r.create(zeroShot({ evaluation: { samples: 3, k: [1], temperature: 0 } })),
    ).rejects.toThrow(/evaluation\.temperature.*above 0/);
    const id = await r.create(zeroShot({ evaluation: { samples: 2, k: [1, 2] } }));
    expect(await r.start(id)).toBe('done');
    const temps = llm.requests.filter((q) => testIndex(q) >= 10).map((q) => q.sampling.temperature);
    expect(new Set(temps)).toEqual(new Set([0, 0.8]));
    expect((await db.runs.get(id))!.report!.samplingTemperature).toBe(0.8);
  });
});

describe('creating runs', () => {
  it('refuses to re-select on the validation split a method already chose on (GEPA)', async () => {
    const r = runner(freshDb());
    const gepa = runConfig({ method: 'gepa', knobs: {}, seeds: [5] });
    await expect(r.create({ ...gepa, selection: { on: 'validation', topM: 3 } })).rejects.toThrow(
      /GEPA already chooses its prompt on the validation split \(its Pareto set\)/,
    );
    await expect(r.create(gepa)).resolves.toBeTypeOf('string');
  });

  it('takes fixed task ids (a replay) instead of the dataset split', async () => {
    const db = freshDb();
    await db.tasks.bulkAdd(
      [...runTasks.train, ...runTasks.test].map((t): TaskRecord => ({ ...t, valid: true })),
    );
    const r = createRunner({ db, llm: () => landscapeLlm(), exec: landscapeExec(), locks: null });
    // The dataset `toy` has no split in this database: without task ids there is nothing to run.
    await expect(r.create(zeroShot())).rejects.toBeInstanceOf(InvalidRunConfigError);
    const taskIds = { train: ['toy/0', 'toy/1'], validation: [], test: ['toy/12', 'toy/14'] };
    const id = await r.create(zeroShot({ evaluation: { samples: 1, k: [1] } }), { taskIds });
    expect((await db.runs.get(id))!.taskIds).toEqual(taskIds);
    expect(await r.start(id)).toBe('done');
    const graded = await db.evaluations.where('runId').equals(id).toArray();
    const ids = (phase: string) => [
      ...new Set(graded.filter((e) => e.phase === phase).map((e) => e.taskId)),
    ];
    expect(ids('heldout').sort()).toEqual(['toy/12', 'toy/14']);
    expect(ids('optimize').sort()).toEqual(['toy/0', 'toy/1']);
  });

  it('names the known methods when the registry has no such method', async () => {
    const r = runner(freshDb());
    await expect(r.create(zeroShot({ method: 'no-such-method' }))).rejects.toThrow(
      /method.*no-such-method.*prochemy/s,
    );
  });

  it('keeps model.replayOf and the evaluation temperature through a bundle round trip', async () => {
    const a = freshDb();
    const config = zeroShot({
      model: { engine: 'replay', modelId: 'scripted', replayOf: 'source-run' },
      evaluation: { samples: 2, k: [2], temperature: 0.7 },
    });
    const id = await runner(a).create(config);
    const bundle = JSON.parse(JSON.stringify(await exportBundle(a, id))) as unknown;
    const b = freshDb();
    await importBundle(b, bundle);
    const copy = (await b.runs.get(id))!;
    expect(copy.config.model).toEqual(config.model);
    expect(copy.config.evaluation).toEqual(config.evaluation);
  });
});

describe('per-instance methods', () => {
  it('report the share of tasks solved by their own best prompt, labelled test-set optimization', async () => {
    const db = freshDb();
    const r = runner(db);
    const id = await r.create(
      runConfig({
        method: 'random-hybrid-instance',
        knobs: { maxSteps: 24 },
        seeds: [1, 2],
        trainSplit: 'test',
        evaluation: { samples: 1, k: [1] },
      }),
    );
    expect(await r.start(id)).toBe('done');
    const report = (await db.runs.get(id))!.report!;
    expect(report.testSetOptimization).toBe(true);
    expect(report.perInstance?.label).toBe('test-set optimization');
    const want: number[] = [];
    for (const seed of [1, 2]) {
      const state = (await db.checkpoints.get(`${id}:${seed}`))!.state as HybridState;
      const solved = runTasks.test.filter((t) => (state.instances[t.id]?.strict ?? 0) >= 1);
      want.push(solved.length / runTasks.test.length);
    }
    expect(report.perInstance!.strict.perSeed).toEqual(want);
    expect(report.perInstance!.strict.mean).toBeGreaterThan(0);
  });

  it('include Reflexion: a task counts as solved when any of its retries passed', async () => {
    const db = freshDb();
    const r = runner(db);
    const id = await r.create(
      runConfig({
        method: 'reflexion',
        knobs: { rounds: 2 },
        seeds: [1],
        trainSplit: 'test',
        evaluation: { samples: 1, k: [1] },
      }),
    );
    expect(await r.start(id)).toBe('done');
    const report = (await db.runs.get(id))!.report!;
    const state = (await db.checkpoints.get(`${id}:1`))!.state as ReflexionState;
    // The landscape fixes failing code on a retry, so some tasks are solved only after round 0.
    expect(state.tasks.some((t) => (t.solvedAt ?? 0) > 0)).toBe(true);
    const solved = runTasks.test.filter((t) =>
      state.tasks.some((s) => s.id === t.id && s.solvedAt !== null),
    );
    expect(report.perInstance?.label).toBe('test-set optimization');
    expect(report.perInstance!.strict.perSeed).toEqual([solved.length / runTasks.test.length]);
    expect(report.perInstance!.strict.mean).toBeGreaterThan(0);
  });

  it('is absent for methods that are not per-instance', async () => {
    const db = freshDb();
    const r = runner(db);
    const id = await r.create(zeroShot({ evaluation: { samples: 1, k: [1] } }));
    expect(await r.start(id)).toBe('done');
    expect((await db.runs.get(id))!.report!.perInstance).toBeUndefined();
  });
});
