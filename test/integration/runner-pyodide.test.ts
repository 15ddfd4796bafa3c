/**
 * The runner over the real Pyodide executor (Node worker pool): a small Prochemy run on toy tasks
 * whose generated programs are really graded, crashed twice, must end exactly like the same run
 * uninterrupted.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LlmPort } from '../../src/core/ports';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { createRunner } from '../../src/runner';
import { AthanorDb } from '../../src/store/db';
import { landscapeLlm } from '../support/landscape';
import {
  comparable,
  CrashSwitch,
  optimizers,
  runConfig,
  runTasks,
  unseededSampling,
} from '../support/runner-fixture';

let pool: ExecPool;
beforeAll(() => {
  pool = createNodeExecPool({ size: 1, spares: 0 });
});
afterAll(async () => {
  await pool?.close();
});

const config = runConfig({
  seeds: [11],
  knobs: { variants: 2, trainTasks: 4, rounds: 2, patience: 2 },
  evaluation: { samples: 1, k: [1] },
});

async function run(
  name: string,
  crash?: CrashSwitch,
  model: LlmPort = unseededSampling(landscapeLlm()),
) {
  const db = new AthanorDb(name);
  // Each run starts with an empty verdict cache: the programs are really run once each.
  const make = () => {
    const runner = createRunner({
      db,
      llm: () => (crash ? crash.llm(model) : model),
      exec: crash ? crash.exec(pool) : pool,
      optimizer: optimizers,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
    });
    if (process.env.DEBUG_RUNNER) runner.subscribe((e) => console.log(name, e.type, Date.now()));
    return runner;
  };
  const id = await make().create(config);
  let status = await make().start(id);
  while (status === 'failed') status = await make().start(id);
  expect(status).toBe('done');
  const out = { run: (await db.runs.get(id))!, evals: await db.evaluations.toArray() };
  db.close();
  return out;
}

it('grades for real, and a crashed run resumes to the same result', async () => {
  const reference = await run('pyodide-ref');
  // The toy programs are graded by Python: the initial prompt solves only the easy task.
  const report = reference.run.report!;
  expect(report.initial.strict.mean).toBeCloseTo(1 / 6, 12);
  expect(reference.evals.every((e) => e.result.tests.length === 1)).toBe(true);
  expect(
    reference.evals.some((e) => !e.result.passed && e.result.tests[0]!.outcome === 'failed'),
  ).toBe(true);
  expect(report.cost.execSeconds).toBeGreaterThan(0);

  const resumed = await run('pyodide-crashed', new CrashSwitch(new Set([5, 13])));
  expect(comparable(resumed.evals)).toEqual(comparable(reference.evals));
  expect(resumed.run.report!.prompts).toEqual(report.prompts);
});
