/**
 * Two roles, two models, through the runner and the store: the task model answers code requests,
 * the optimizer model everything else; the call log keys each answer under its own model; the
 * report's cost splits by role; the feedback reaches GEPA's stored meta-prompt; bundles keep both
 * models, and a replay from the bundle reproduces the run.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmPort } from '../../src/core/ports';
import type { ModelRef } from '../../src/core/types';
import { ReplayEngine } from '../../src/engines/replay';
import { getOptimizer } from '../../src/optimizers/registry';
import { createRunner } from '../../src/runner';
import { requestKey } from '../../src/runner/call-log';
import { exportBundle, importBundle } from '../../src/store/bundle';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import { runConfig, runTasks, storeRunTasks } from '../support/runner-fixture';

let n = 0;
const dbs: AthanorDb[] = [];
const fresh = (): AthanorDb => {
  const db = new AthanorDb(`two-models-${++n}`);
  dbs.push(db);
  return db;
};
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

const TASK: ModelRef = { engine: 'scripted', modelId: 'task-lm' };
const OPT: ModelRef = { engine: 'scripted', modelId: 'reflect-lm' };
const config = (over = {}) =>
  runConfig({
    name: 'GEPA, two models',
    method: 'gepa',
    knobs: { trainTasks: 5, paretoTasks: 5, iterations: 4, minibatch: 2 },
    model: TASK,
    optimizerModel: OPT,
    seeds: [1],
    evaluation: { samples: 1, k: [1] },
    ...over,
  });

async function run(db: AthanorDb, llmFor: (m: ModelRef) => LlmPort, cfg = config()) {
  const runner = createRunner({
    db,
    llm: llmFor,
    exec: landscapeExec({ revealTopic: true }),
    optimizer: getOptimizer,
    tasks: () => Promise.resolve(runTasks),
    locks: null,
  });
  const id = await runner.create(cfg);
  expect(await runner.start(id)).toBe('done');
  return { runner, id };
}

describe('a run with a task model and an optimizer model', () => {
  it('routes, logs, costs, exports and replays each role on its own model', async () => {
    const task = landscapeLlm({ modelId: 'task-lm' });
    const opt = landscapeLlm({ modelId: 'reflect-lm', reflective: true });
    const db = fresh();
    const { id } = await run(db, (m) => (m.modelId === 'task-lm' ? task : opt));

    expect(task.requests.length).toBeGreaterThan(0);
    expect(opt.requests.length).toBeGreaterThan(0);
    expect(task.requests.every((r) => r.purpose === 'generate')).toBe(true);
    expect(opt.requests.every((r) => r.purpose !== 'generate')).toBe(true);

    // The stored log keys each call under the model that answered it.
    const calls = await db.runCalls.where('runId').equals(id).toArray();
    for (const c of calls) {
      const model = c.request.purpose === 'generate' ? 'task-lm' : 'reflect-lm';
      expect(c.completion.model).toBe(model);
      expect(c.key).toBe(await requestKey(model, c.request));
    }
    // The feedback reached GEPA's meta-prompt, as stored.
    const reflections = calls.filter((c) => c.request.purpose === 'mutate');
    expect(reflections.length).toBeGreaterThan(0);
    expect(reflections[0]!.request.messages[0]!.content).toMatch(
      /Test results:\n0 of 1 tests passed\. Failing:\n- assert f\(\) == "ok": failed — AssertionError: f\(\) is wrong on an? \w+ case/,
    );

    const record = (await db.runs.get(id))!;
    expect(record.environment).toMatchObject({
      modelId: 'task-lm',
      optimizerModelId: 'reflect-lm',
      optimizerEngine: 'scripted',
    });
    const byRole = record.report!.cost.byRole!;
    expect(byRole.task.llmCalls).toBe(task.requests.length);
    expect(byRole.optimizer.llmCalls).toBe(opt.requests.length);
    expect(byRole.task.llmCalls + byRole.optimizer.llmCalls).toBe(record.report!.cost.llmCalls);
    // Model time splits by role too (the reflection model's own seconds).
    expect(byRole.task.modelSeconds! + byRole.optimizer.modelSeconds!).toBeCloseTo(
      record.report!.cost.modelSeconds,
      9,
    );

    // Lineage with feedback is stored with the prompts.
    const prompts = await db.prompts.where('runId').equals(id).toArray();
    expect(
      prompts.some((p) => p.operator === 'reflect' && p.feedback?.includes('Test results')),
    ).toBe(true);

    // A bundle keeps both models; its import is the same run.
    await storeRunTasks(db);
    const bundle = await exportBundle(db, id, { name: 'athanor', version: 'test' });
    // The export carries what each reflection cost: the reflection model's own calls, per proposal.
    const reflected = bundle.checkpoints.flatMap((c) =>
      (getOptimizer('gepa').proposalCosts?.(c.state as never) ?? []).map((x) => x.calls),
    );
    expect(reflected.length).toBeGreaterThan(0);
    expect(reflected.every((n) => n >= 1)).toBe(true);
    expect(reflected.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(opt.requests.length);
    const other = fresh();
    expect(await importBundle(other, JSON.stringify(bundle))).toBe(id);
    const imported = (await other.runs.get(id))!;
    expect(imported.config.optimizerModel).toEqual(OPT);
    expect(imported.environment?.optimizerModelId).toBe('reflect-lm');
    expect(imported.report).toEqual(record.report);
    const importedPrompts = await other.prompts.where('runId').equals(id).toArray();
    expect(importedPrompts.filter((p) => p.feedback).length).toBe(
      prompts.filter((p) => p.feedback).length,
    );

    // Replay: each role answered from its own model's recorded answers, the same run again.
    const replays = {
      'task-lm': await ReplayEngine.fromLog('task-lm', bundle.completions),
      'reflect-lm': await ReplayEngine.fromLog('reflect-lm', bundle.completions),
    };
    const third = fresh();
    const again = await run(
      third,
      (m) => replays[m.modelId as keyof typeof replays],
      config({
        model: { engine: 'replay', modelId: 'task-lm', replayOf: id },
        optimizerModel: { engine: 'replay', modelId: 'reflect-lm', replayOf: id },
      }),
    );
    const replayed = (await third.runs.get(again.id))!.report!;
    expect(replayed.final).toEqual(record.report!.final);
    expect(replayed.prompts).toEqual(record.report!.prompts);
    // Calls and tokens replay exactly; model time is the replay's own, not the model's.
    const callsAndTokens = (b: typeof byRole | undefined) =>
      Object.fromEntries(
        Object.entries(b ?? {}).map(([role, c]) => [
          role,
          {
            llmCalls: c.llmCalls,
            promptTokens: c.promptTokens,
            completionTokens: c.completionTokens,
          },
        ]),
      );
    expect(callsAndTokens(replayed.cost.byRole)).toEqual(callsAndTokens(byRole));
  });

  it('without an optimizer model, the task model plays both roles', async () => {
    const one = landscapeLlm({ modelId: 'task-lm', reflective: true });
    const db = fresh();
    const { id } = await run(db, () => one, config({ optimizerModel: undefined }));
    const record = (await db.runs.get(id))!;
    expect(record.environment?.optimizerModelId).toBeUndefined();
    expect(one.requests.some((r) => r.purpose === 'mutate')).toBe(true);
    expect(record.report!.cost.byRole!.optimizer.llmCalls).toBeGreaterThan(0);
  });
});
