import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { createRunner, type Runner, type RunnerEvent } from '../../src/runner';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import {
  comparable,
  CrashSwitch,
  optimizers,
  runConfig,
  runTasks,
  unseededSampling,
} from '../support/runner-fixture';
import type { LlmPort } from '../../src/core/ports';
import type { CompletionRequest, RunConfig } from '../../src/core/types';

let dbCount = 0;
const open: AthanorDb[] = [];
function freshDb(name = `runner-test-${++dbCount}`): AthanorDb {
  const db = new AthanorDb(name);
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function runnerOn(
  db: AthanorDb,
  crash?: CrashSwitch,
  model: LlmPort = unseededSampling(landscapeLlm()),
): Runner & { llmCalls: () => number } {
  const llm = countCalls(model);
  const exec = landscapeExec();
  const runner = createRunner({
    db,
    llm: () => (crash ? crash.llm(llm) : llm),
    exec: crash ? crash.exec(exec) : exec,
    optimizer: optimizers,
    tasks: () => Promise.resolve(runTasks),
    locks: null,
  });
  return Object.assign(runner, { llmCalls: () => llm.calls });
}

function countCalls(inner: LlmPort): LlmPort & { calls: number } {
  const port = {
    modelId: inner.modelId,
    calls: 0,
    complete(req: CompletionRequest, signal?: AbortSignal) {
      port.calls++;
      return inner.complete(req, signal);
    },
  };
  return port;
}

async function uninterrupted(config: RunConfig) {
  const db = freshDb();
  const runner = runnerOn(db);
  const id = await runner.create(config);
  expect(await runner.start(id)).toBe('done');
  const run = await db.runs.get(id);
  return { db, id, run: run!, evals: await db.evaluations.where('runId').equals(id).toArray() };
}

describe('runner: a run end to end', () => {
  it('optimizes, grades initial and final prompts on the held-out split, and reports', async () => {
    const { run, evals, db, id } = await uninterrupted(runConfig());
    const report = run.report!;
    expect(run.status).toBe('done');
    // A finished run still shows its last seed's training best (the Runs list reads it).
    expect(run.progress?.phase).toBe('done');
    expect(run.progress?.bestScore).toBeGreaterThan(0);
    expect(report.testSetOptimization).toBe(false);
    expect(report.prompts).toHaveLength(2);
    // Held-out: 6 test tasks × (1 greedy + 2 sampled) answers for each distinct prompt of each seed.
    for (const p of report.prompts) {
      const held = evals.filter((e) => e.seed === p.seed && e.phase === 'heldout');
      const distinct = p.initialId === p.finalId ? 1 : 2;
      expect(held).toHaveLength(6 * 3 * distinct);
    }
    // Held-out tasks are never seen during optimization.
    const testIds = new Set(runTasks.test.map((t) => t.id));
    expect(evals.filter((e) => e.phase === 'optimize').every((e) => !testIds.has(e.taskId))).toBe(
      true,
    );
    // The landscape: the initial prompt mentions no topic, so only easy task 14 (14 % 7 == 0) passes.
    expect(report.initial.strict.mean).toBeCloseTo(1 / 6, 12);
    expect(report.final.strict.mean).toBeGreaterThan(report.initial.strict.mean);
    expect(report.initial.passAtK['2']!.perSeed).toHaveLength(2);
    expect(report.taskLevel!.perSeed.every((x) => x.mcnemar.b === 0)).toBe(true);
    expect(report.taskLevel!.combined.diff).toBeCloseTo(
      report.final.strict.mean - report.initial.strict.mean,
      12,
    );
    expect(report.cost.llmCalls).toBe(await db.runCalls.where('runId').equals(id).count());
    expect(report.cost.llmCalls).toBeGreaterThan(0);
  });

  it('survives 20 crashes at random points and ends identical to an uninterrupted run', async () => {
    const config = runConfig();
    const reference = await uninterrupted(config);
    // Total calls (LLM + exec) of an uninterrupted run, to spread crash points over the run.
    const probe = new CrashSwitch();
    {
      const db = freshDb();
      const r = runnerOn(db, probe);
      await r.start(await r.create(config));
    }
    const rng = Rng.seeded(2026);
    const db = freshDb();
    const crash = new CrashSwitch();
    const model = unseededSampling(landscapeLlm());
    let runner = runnerOn(db, crash, model);
    const id = await runner.create(config);
    let crashes = 0;
    let status = 'created';
    for (let attempt = 0; attempt < 60 && status !== 'done'; attempt++) {
      // The next crash lands somewhere within the work still ahead.
      crash.at =
        crashes < 20
          ? new Set([crash.calls + rng.int(1, Math.max(2, Math.floor(probe.calls / 30)))])
          : new Set();
      status = await runner.start(id);
      if (status === 'failed') {
        crashes++;
        expect((await db.runs.get(id))!.error).toMatch(/SimulatedCrash/);
        runner.close();
        runner = runnerOn(db, crash, model); // a fresh tab: nothing in memory survives
      }
    }
    expect(crashes).toBe(20);
    expect(status).toBe('done');
    const run = (await db.runs.get(id))!;
    const evals = await db.evaluations.where('runId').equals(id).toArray();
    expect(comparable(evals)).toEqual(comparable(reference.evals));
    expect(run.report!.prompts).toEqual(reference.run.report!.prompts);
    expect(run.report!.initial).toEqual(reference.run.report!.initial);
    expect(run.report!.final).toEqual(reference.run.report!.final);
    expect(run.report!.taskLevel).toEqual(reference.run.report!.taskLevel);
    expect(run.report!.cost.llmCalls).toBe(reference.run.report!.cost.llmCalls);
  });

  it('pauses and resumes without repeating stored work, and cancels for good', async () => {
    const db = freshDb();
    const runner = runnerOn(db);
    const config = runConfig({ seeds: [5] });
    const id = await runner.create(config);
    const seen: RunnerEvent[] = [];
    let evaluations = 0;
    const off = runner.subscribe((e) => {
      seen.push(e);
      if (e.type === 'evaluation' && ++evaluations === 7) void runner.pause(id);
    });
    expect(await runner.start(id)).toBe('paused');
    expect((await db.runs.get(id))!.status).toBe('paused');
    const storedAtPause = await db.evaluations.count();
    const callsAtPause = runner.llmCalls();
    expect(await runner.resume(id)).toBe('done');
    off();
    // Nothing stored was asked again: calls after resume = calls of a clean run − calls before pause.
    const clean = await uninterrupted(config);
    const cleanRunner = clean.run.report!.cost.llmCalls;
    expect(runner.llmCalls()).toBe(cleanRunner);
    expect(callsAtPause).toBeLessThan(cleanRunner);
    expect(storedAtPause).toBeGreaterThan(0);
    expect(seen.some((e) => e.type === 'status' && e.status === 'paused')).toBe(true);
    expect(seen.some((e) => e.type === 'progress')).toBe(true);
    await expect(runner.start(id)).rejects.toThrow(/done/);

    const id2 = await runner.create(config);
    const off2 = runner.subscribe((e) => {
      if (e.type === 'evaluation') void runner.cancel(id2);
    });
    expect(await runner.start(id2)).toBe('cancelled');
    off2();
    await expect(runner.resume(id2)).rejects.toThrow(/cancelled/);
  });

  it('stops at the budget the same way with and without crashes', async () => {
    const config = runConfig({ seeds: [3], budget: { maxLlmCalls: 25 } });
    const reference = await uninterrupted(config);
    const db = freshDb();
    const crash = new CrashSwitch(new Set([9, 17, 23, 31]));
    const model = unseededSampling(landscapeLlm());
    let runner = runnerOn(db, crash, model);
    const id = await runner.create(config);
    let status = await runner.start(id);
    while (status === 'failed') {
      runner = runnerOn(db, crash, model);
      status = await runner.start(id);
    }
    expect(status).toBe('done');
    const evals = await db.evaluations.where('runId').equals(id).toArray();
    expect(comparable(evals)).toEqual(comparable(reference.evals));
    const optimizeCalls = (await db.runCalls.where('runId').equals(id).toArray()).filter(
      (c) => c.round >= 0,
    );
    expect(optimizeCalls.length).toBeLessThanOrEqual(25);
  });

  it('refuses a second driver of the same run (Web Locks)', async () => {
    const db = freshDb();
    const runner = runnerOn(db);
    const id = await runner.create(runConfig({ seeds: [9] }));
    const first = runner.start(id);
    await expect(runner.start(id)).rejects.toThrow(/already running/);
    expect(await first).toBe('done');
  });

  it('rejects a config that cannot make an honest run, naming the field', async () => {
    const runner = runnerOn(freshDb());
    await expect(runner.create(runConfig({ testSplit: 'train' }))).rejects.toThrow(/testSplit/);
    await expect(runner.create(runConfig({ seeds: [] }))).rejects.toThrow(/seeds/);
    await expect(runner.create(runConfig({ method: 'nope' }))).rejects.toThrow(/method/);
    await expect(
      runner.create(runConfig({ evaluation: { samples: 2, k: [1, 5] } })),
    ).rejects.toThrow(/evaluation\.k/);
  });
});
