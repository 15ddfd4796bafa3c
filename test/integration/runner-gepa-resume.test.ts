/**
 * GEPA through the runner, crashed once in every optimizer step and resumed each time in a fresh
 * runner (a new tab: nothing in memory survives), ends identical to an uninterrupted run: the same
 * evaluations, prompts, report and GEPA state (Pareto scores, lineage, rejected proposals, metric
 * calls, each reflection's cost). The Prochemy counterpart is runner-resume.test.ts. And the
 * runner refuses a GEPA run whose budget buys no proposal before it makes a call.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmPort } from '../../src/core/ports';
import type { RunConfig } from '../../src/core/types';
import { getOptimizer } from '../../src/optimizers/registry';
import { createRunner, type Runner } from '../../src/runner';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import {
  comparable,
  CrashSwitch,
  runConfig,
  runTasks,
  unseededSampling,
} from '../support/runner-fixture';

let dbCount = 0;
const open: AthanorDb[] = [];
function freshDb(): AthanorDb {
  const db = new AthanorDb(`gepa-resume-${++dbCount}`);
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** Small enough for CI; 11 steps that reflect, with rejections and acceptances; 7 feedback tasks in minibatches of 3 (padded epochs). */
const config: RunConfig = runConfig({
  name: 'GEPA resume',
  method: 'gepa',
  knobs: { trainTasks: 7, paretoTasks: 3, minibatch: 3, iterations: 8 },
  seeds: [1, 2],
  evaluation: { samples: 1, k: [1] },
});

function runnerOn(db: AthanorDb, model: LlmPort, crash?: CrashSwitch): Runner {
  const exec = landscapeExec({ revealTopic: true });
  return createRunner({
    db,
    llm: () => (crash ? crash.llm(model) : model),
    exec: crash ? crash.exec(exec) : exec,
    optimizer: getOptimizer,
    tasks: () => Promise.resolve(runTasks),
    locks: null,
  });
}

const model = (): LlmPort => unseededSampling(landscapeLlm({ reflective: true }));

async function finalStates(db: AthanorDb, id: string) {
  const rows = await db.checkpoints.where('runId').equals(id).toArray();
  return rows
    .map((c) => c.state)
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('GEPA: crash and resume', () => {
  it('crashed in every step and resumed, ends identical to an uninterrupted run', async () => {
    const refDb = freshDb();
    const ref = runnerOn(refDb, model());
    const refId = await ref.create(config);
    expect(await ref.start(refId)).toBe('done');
    const refRun = (await refDb.runs.get(refId))!;

    const db = freshDb();
    const crash = new CrashSwitch();
    const llm = model();
    let runner = runnerOn(db, llm, crash);
    const id = await runner.create(config);
    // When the checkpoint of step r is written, arm two crashes in step r + 1: at its first call
    // and 2 to 5 calls further on (varying where it lands: parent scoring, reflection, child
    // scoring, Pareto scoring). A crash a short step cannot reach lands in a later one.
    const armed = new Set<string>();
    const arm = (r: Runner) =>
      r.subscribe((e) => {
        if (e.type !== 'progress' || e.progress.phase !== 'optimize') return;
        const key = `${e.progress.seedIndex}:${e.progress.round}`;
        if (armed.has(key)) return;
        armed.add(key);
        crash.at.add(crash.calls + 1);
        crash.at.add(crash.calls + 3 + (e.progress.round % 4));
      });
    // The steps crashes landed in: seed index and step, from the last checkpoint at the crash.
    const landed = new Set<string>();
    let off = arm(runner);
    let status = await runner.start(id);
    let crashes = 0;
    while (status === 'failed' && crashes < 100) {
      crashes++;
      const at = (await db.runs.get(id))!;
      expect(at.error).toMatch(/SimulatedCrash/);
      if (at.progress?.phase === 'optimize')
        landed.add(`${at.progress.seedIndex}:${at.progress.round + 1}`);
      off();
      runner.close();
      runner = runnerOn(db, llm, crash);
      off = arm(runner);
      status = await runner.start(id);
    }
    off();
    expect(status).toBe('done');
    const run = (await db.runs.get(id))!;
    // Every step in which the uninterrupted run asked the model anything was crashed into.
    const refCalls = await refDb.runCalls.where('runId').equals(refId).toArray();
    const busy = new Set(
      refCalls.filter((c) => c.round >= 1).map((c) => `${config.seeds.indexOf(c.seed)}:${c.round}`),
    );
    expect(busy.size).toBeGreaterThanOrEqual(8);
    expect([...busy].filter((k) => !landed.has(k))).toEqual([]);

    const evals = await db.evaluations.where('runId').equals(id).toArray();
    const refEvals = await refDb.evaluations.where('runId').equals(refId).toArray();
    expect(comparable(evals)).toEqual(comparable(refEvals));
    expect(await finalStates(db, id)).toEqual(await finalStates(refDb, refId));
    expect(run.report!.prompts).toEqual(refRun.report!.prompts);
    expect(run.report!.final).toEqual(refRun.report!.final);
    expect(run.report!.cost.llmCalls).toBe(refRun.report!.cost.llmCalls);
    expect(run.report!.cost.byRole).toEqual(refRun.report!.cost.byRole);
    expect(run.diagnostics!.stops).toEqual(refRun.diagnostics!.stops);
  });

  it('refuses to start a run whose budget buys no proposal, before any call', async () => {
    const db = freshDb();
    const llm = model();
    let calls = 0;
    const counting: LlmPort = {
      modelId: llm.modelId,
      complete: (req, signal) => {
        calls++;
        return llm.complete(req, signal);
      },
    };
    const runner = runnerOn(db, counting);
    const id = await runner.create(
      runConfig({
        name: 'GEPA under the floor',
        method: 'gepa',
        knobs: { trainTasks: 5, paretoTasks: 5, minibatch: 2, maxMetricCalls: 12 },
        seeds: [1],
      }),
    );
    expect(await runner.start(id)).toBe('failed');
    expect((await db.runs.get(id))!.error).toMatch(
      /GEPA's budget buys no proposal: the metric-call budget of 12 pays for scoring the seed and no proposal after it\..*To run anyway, turn on "Run below the budget floor"\./,
    );
    expect(calls).toBe(0);
    expect(await db.evaluations.where('runId').equals(id).count()).toBe(0);
  });
});
