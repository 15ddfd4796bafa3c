/**
 * The test set touched once, on real runs: GPO (task examples in its meta-prompts) and Prochemy
 * (training tasks mutated by the LLM) over real HumanEval tasks, graded by the real Pyodide
 * executor; only the LLM is scripted. Every stored LLM request of each run is searched for
 * test-task text, and the same search must fail on a run that was made to leak. The runs also
 * select their final prompt on the validation split (the option is off by default) and report
 * the training / validation / test gap.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig, Task } from '../../src/core/types';
import { humaneval } from '../../src/datasets/formats/humaneval';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { createRunner, type RunTasks } from '../../src/runner';
import { findTestLeaks } from '../../src/runner/leakage';
import { AthanorDb } from '../../src/store/db';
import { keywordLlm } from '../support/keyword-llm';
import { requireShared } from '../support/paths';

const KEYWORDS: Record<string, string> = {
  'HumanEval/0': 'edge',
  'HumanEval/2': 'types',
  'HumanEval/4': 'empty',
  'HumanEval/7': 'careful',
  'HumanEval/8': 'edge',
  'HumanEval/12': 'edge',
  'HumanEval/13': 'types',
};
const POOL = [
  'Write correct Python code. Think about edge cases.',
  'Write correct Python code. Handle empty inputs and edge cases.',
  'Write correct Python code. Mind the types of the arguments.',
  'Be careful: write correct Python code.',
];

let all: Task[] = [];
const refs = new Map<string, string>();
let pool: ExecPool;
let tasks: RunTasks;

beforeAll(async () => {
  const lines = readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 16);
  all = lines.map((l, index) => {
    const rec = JSON.parse(l) as Record<string, unknown>;
    const t = humaneval.toTask(rec, {
      datasetId: 'humaneval',
      options: {},
      at: { file: 'HumanEval.jsonl', line: index + 1, index },
      raw: l,
    });
    refs.set(t.id, String(rec.canonical_solution));
    return t;
  });
  tasks = { train: all.slice(0, 8), validation: all.slice(8, 11), test: all.slice(11, 16) };
  pool = createNodeExecPool({ size: 1, spares: 1 });
  await pool.warm();
});
afterAll(async () => {
  await pool?.close();
});

const llm = () =>
  keywordLlm({
    tasks: all,
    keyword: (t) => KEYWORDS[t.sourceId],
    right: (t) => refs.get(t.id) as string,
    wrong: () => '    return None\n',
    pool: POOL,
  });

const config = (method: string, knobs: RunConfig['knobs']): RunConfig => ({
  name: `leakage ${method}`,
  method,
  knobs,
  model: { engine: 'scripted', modelId: 'keyword' },
  datasetId: 'humaneval',
  trainSplit: 'train',
  testSplit: 'test',
  seeds: [3],
  budget: {},
  sampling: {
    generate: { temperature: 0, max_tokens: 256 },
    mutate: { temperature: 1, max_tokens: 256 },
  },
  initialPrompt: 'Write Python code.',
  evaluation: { samples: 1, k: [1] },
  selection: { on: 'validation', topM: 3 },
});

let n = 0;
async function drive(cfg: RunConfig, runTasks: () => RunTasks) {
  const db = new AthanorDb(`leakage-${++n}`);
  const runner = createRunner({
    db,
    llm: () => llm(),
    exec: pool,
    tasks: () => Promise.resolve(runTasks()),
    locks: null,
  });
  const id = await runner.create(cfg);
  expect(await runner.start(id)).toBe('done');
  const out = {
    run: (await db.runs.get(id))!,
    calls: await db.runCalls.where('runId').equals(id).toArray(),
    evals: await db.evaluations.where('runId').equals(id).toArray(),
  };
  runner.close();
  db.close();
  return out;
}

describe('no test task in any LLM request of a run', () => {
  it.each([
    ['gpo', { steps: 2, candidates: 2, trainTasks: 8, lMax: 30 }],
    ['prochemy', { variants: 3, trainTasks: 4, rounds: 2 }],
  ] as const)(
    '%s: every request searched, none carries test-task text; the final prompt is chosen on validation',
    { timeout: 300_000 },
    async (method, knobs) => {
      const { run, calls, evals } = await drive(config(method, knobs), () => tasks);
      const others = [...tasks.train, ...tasks.validation];
      expect(calls.length).toBeGreaterThan(10);
      // Meta-requests were made and searched, not only code requests.
      expect(calls.some((c) => c.request.purpose !== 'generate')).toBe(true);
      expect(findTestLeaks(calls, tasks.test, others)).toEqual([]);
      expect(run.report!.leakage!.leakedTasks).toEqual([]);
      expect(run.report!.leakage!.requests).toBeGreaterThan(0);
      // The held-out grading requests do carry the test tasks: the search is not blind to them.
      expect(
        findTestLeaks(
          calls.map((c) => ({ ...c, round: 0 })),
          tasks.test,
          others,
        ).length,
      ).toBeGreaterThan(0);
      // Validation: the candidates were graded there, never on the test split while optimizing.
      const test = new Set(tasks.test.map((t) => t.id));
      expect(evals.filter((e) => e.phase !== 'heldout').every((e) => !test.has(e.taskId))).toBe(
        true,
      );
      const validation = evals.filter((e) => e.phase === 'validation');
      // The top 3 training candidates (and the optimizer's best) were each graded on validation.
      expect(new Set(validation.map((e) => e.promptId)).size).toBeGreaterThanOrEqual(2);
      expect(validation.length % tasks.validation.length).toBe(0);
      const gap = run.report!.gap![0]!;
      expect(gap.selectedBy).toBe('validation');
      expect(gap.validation!.tasks).toBe(tasks.validation.length);
      expect(gap.test.tasks).toBe(tasks.test.length);
      expect(gap.train).not.toBeNull();
      expect(gap.promptId).toBe(run.report!.prompts[0]!.finalId);
    },
  );

  it('finds the leak when a test task is slipped into training', { timeout: 300_000 }, async () => {
    const leaked = tasks.test[0]!;
    const { run, calls } = await drive(
      config('gpo', { steps: 1, candidates: 2, trainTasks: 8, lMax: 30 }),
      () => ({
        ...tasks,
        train: [...tasks.train.slice(0, 7), leaked],
      }),
    );
    const leaks = findTestLeaks(calls, tasks.test, [
      ...tasks.train.slice(0, 7),
      ...tasks.validation,
    ]);
    expect(leaks.length).toBeGreaterThan(0);
    expect(new Set(leaks.map((l) => l.taskId))).toEqual(new Set([leaked.id]));
    // The run's own report says so too.
    expect(run.report!.leakage!.leakedTasks).toEqual([leaked.id]);
  });
});
