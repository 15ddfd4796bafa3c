/**
 * Prochemy's training set in a real run: the runner mutates the K chosen training tasks once per
 * seed through the run's LLM (scripted) and executor (the real Pyodide pool in Node), keeps those
 * whose reference passes their own tests, stores them with their parent and the run id, counts the
 * calls in the run's cost and budget, hands them to the optimizer, and never mutates again after
 * a crash.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmPort } from '../../src/core/ports';
import type { CompletionRequest, RunConfig } from '../../src/core/types';
import { MUTATION_SYSTEM_PROMPT } from '../../src/datasets/mutate';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import type { ProchemyState } from '../../src/optimizers/prochemy';
import { createRunner } from '../../src/runner';
import { AUGMENT_ROUND } from '../../src/runner/call-log';
import { exportBundle, importBundle } from '../../src/store/bundle';
import { AthanorDb } from '../../src/store/db';
import { landscapeLlm } from '../support/landscape';
import {
  comparable,
  CrashSwitch,
  runConfig,
  runTasks,
  unseededSampling,
} from '../support/runner-fixture';
import { scriptedLlm, systemOf } from '../support/scripted-llm';

let pool: ExecPool;
beforeAll(() => {
  pool = createNodeExecPool({ size: 1, spares: 0 });
});
afterAll(async () => {
  await pool?.close();
});

const isMutation = (req: CompletionRequest): boolean => systemOf(req) === MUTATION_SYSTEM_PROMPT;

/**
 * Writes a related task for toy task i: for even i a correct one (its reference passes its three
 * tests), for odd i one whose reference fails its own tests, which must be rejected.
 */
function mutationAnswer(req: CompletionRequest): string {
  const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
  const i = Number(/toy\/(\d+)/.exec(user)?.[1]);
  const topic = /about (\w+)/.exec(user)?.[1] ?? 'edge';
  const value = i % 2 === 0 ? 'ok' : 'ko';
  return [
    '### Task',
    `Task toy/m${i} about ${topic}: write a function f that returns the word ok.`,
    '### Solution',
    '```python',
    `def f():\n    return "${value}"`,
    '```',
    '### Tests',
    '```python',
    'assert f() == "ok"',
    'assert len(f()) == 2',
    'assert f().isalpha()',
    '```',
  ].join('\n');
}

function model(): LlmPort & { mutations: number } {
  const landscape = unseededSampling(landscapeLlm());
  const mutator = scriptedLlm(mutationAnswer);
  const port = {
    modelId: 'scripted',
    mutations: 0,
    complete(req: CompletionRequest, signal?: AbortSignal) {
      if (!isMutation(req)) return landscape.complete(req, signal);
      port.mutations++;
      return mutator.complete(req, signal);
    },
  };
  return port;
}

const config: RunConfig = runConfig({
  seeds: [3],
  knobs: { variants: 2, trainTasks: 4, rounds: 2, patience: 2 },
  evaluation: { samples: 1, k: [1] },
});

async function run(name: string, cfg: RunConfig, crash?: CrashSwitch) {
  const db = new AthanorDb(name);
  const llm = model();
  const notes: string[] = [];
  const make = () => {
    const runner = createRunner({
      db,
      llm: () => (crash ? crash.llm(llm) : llm),
      exec: crash ? crash.exec(pool) : pool,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
    });
    runner.subscribe((e) => {
      if (e.type === 'optimizer' && e.event.type === 'note') notes.push(e.event.message);
    });
    return runner;
  };
  const id = await make().create(cfg);
  let status = await make().start(id);
  let restarts = 0;
  while (status === 'failed') {
    restarts++;
    status = await make().start(id);
  }
  expect(status).toBe('done');
  const out = {
    id,
    db,
    llm,
    notes,
    restarts,
    run: (await db.runs.get(id))!,
    evals: await db.evaluations.where('runId').equals(id).toArray(),
    calls: await db.runCalls.where('runId').equals(id).toArray(),
    checkpoint: (await db.checkpoints.get(`${id}:3`))!.state as ProchemyState,
  };
  return out;
}

describe('runner: Prochemy training-set augmentation', () => {
  it('mutates the K chosen tasks once, keeps the validated ones, and trains on them', async () => {
    const r = await run('augment-ref', config);
    const entry = r.run.augmented?.find((a) => a.seed === 3);
    expect(entry).toBeDefined();
    // K = 4 parents were mutated, each once; the odd ones' references fail their own tests.
    expect(r.llm.mutations).toBe(4);
    expect(entry!.taskIds.length + entry!.rejected.length).toBe(4);
    expect(entry!.rejected.every((x) => /fails its own tests/.test(x.reason))).toBe(true);
    const parents = entry!.rejected.map((x) => Number(x.parentId.split('/')[1]));
    expect(parents.every((i) => i % 2 === 1)).toBe(true);
    expect(entry!.taskIds.length).toBeGreaterThan(0);
    expect(r.notes).toContain(
      `Kept ${entry!.taskIds.length} mutated training task(s) whose reference passes its own tests; ${entry!.rejected.length} rejected.`,
    );

    // Stored beside their parent, validated, tagged with the run.
    const kept = await r.db.tasks.bulkGet(entry!.taskIds);
    for (const t of kept) {
      expect(t!.valid).toBe(true);
      expect(t!.datasetId).toBe('toy');
      expect(t!.origin).toMatchObject({ kind: 'mutated', runId: r.id });
      const parentId = (t!.origin as { parentId: string }).parentId;
      expect(Number(parentId.split('/')[1]) % 2).toBe(0);
      expect(r.checkpoint.trainIds).toContain(parentId);
    }
    // Handed to the optimizer: its training set holds them, and it scored prompts on them.
    for (const id of entry!.taskIds) {
      expect(r.checkpoint.trainIds).toContain(id);
      expect(r.evals.some((e) => e.phase === 'optimize' && e.taskId === id)).toBe(true);
    }
    // Logged under the augmentation round and counted in the run's cost.
    expect(r.calls.filter((c) => c.round === AUGMENT_ROUND)).toHaveLength(4);
    expect(r.run.report!.cost.llmCalls).toBe(r.calls.length);

    // The run's bundle carries its mutated tasks and their list.
    const copy = new AthanorDb('augment-imported');
    // A bundle carries the run's tasks from the store (as the app keeps them).
    await r.db.tasks.bulkPut(
      [...runTasks.train, ...runTasks.test].map((t) => ({ ...t, valid: true })),
    );
    await importBundle(copy, JSON.parse(JSON.stringify(await exportBundle(r.db, r.id))));
    expect((await copy.runs.get(r.id))!.augmented).toEqual(r.run.augmented);
    expect(await copy.tasks.bulkGet(entry!.taskIds)).toEqual(
      kept.map((t) => ({ ...t, valid: null })),
    );
    copy.close();
    r.db.close();
  });

  it('a run crashed during and after the augmentation never mutates again', async () => {
    const ref = await run('augment-ref-2', config);
    // Call 2 lands inside the augmentation; call 30 in the optimization after it.
    const crashed = await run('augment-crashed', config, new CrashSwitch(new Set([2, 30])));
    expect(crashed.restarts).toBe(2);
    // The model was asked each mutation once: after a crash the call log answered.
    expect(crashed.llm.mutations).toBe(4);
    expect(crashed.run.augmented).toEqual(ref.run.augmented?.map((a) => ({ ...a })));
    expect(comparable(crashed.evals)).toEqual(comparable(ref.evals));
    expect(crashed.run.report!.prompts).toEqual(ref.run.report!.prompts);
    expect(crashed.run.report!.cost.llmCalls).toBe(ref.run.report!.cost.llmCalls);
    ref.db.close();
    crashed.db.close();
  });

  it('charges the mutations to the budget', async () => {
    const r = await run('augment-budget', { ...config, budget: { maxLlmCalls: 2 } });
    const entry = r.run.augmented![0]!;
    // Two calls spend the budget: two parents are mutated and the optimizer stops at once.
    expect(r.llm.mutations).toBe(2);
    expect(entry.taskIds.length + entry.rejected.length).toBe(2);
    expect(r.checkpoint.stopReason).toBe('budget');
    r.db.close();
  });
});
