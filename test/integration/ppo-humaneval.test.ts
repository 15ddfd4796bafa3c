/**
 * The PPO agent and Random-Hybrid end to end on real HumanEval tasks, graded by the real Pyodide
 * executor. Only the LLM is scripted (a pure function of the request): code generation answers
 * with the task's canonical solution when the system prompt carries the task's keyword and with a
 * wrong body otherwise, so the prompt the agent finds really changes what passes the real tests.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecPort } from '../../src/core/ports';
import type { ExecJob, ExecResult, Task } from '../../src/core/types';
import { humaneval } from '../../src/datasets/formats/humaneval';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { ppoInstanceOptimizer, ppoOptimizer } from '../../src/optimizers/ppo/agent';
import type { HybridState } from '../../src/optimizers/ppo/hybrid';
import { randomHybridOptimizer } from '../../src/optimizers/random-hybrid';
import { createDirectContext } from '../../src/optimizers/scoring';
import type { Optimizer } from '../../src/optimizers/types';
import { requireShared } from '../support/paths';
import { keywordLlm } from '../support/keyword-llm';

const IDS = ['HumanEval/2', 'HumanEval/13', 'HumanEval/23', 'HumanEval/27'];
/** The word a system prompt must contain for the scripted model to solve each task. */
const KEYWORD: Record<string, string> = {
  'HumanEval/2': 'edge',
  'HumanEval/13': 'types',
  'HumanEval/23': 'empty',
  'HumanEval/27': 'careful',
};
const META_ANSWERS = [
  'Write correct Python code. Think about edge cases.',
  'Write correct Python code. Handle empty inputs.',
  'Write correct Python code. Mind the types of the arguments.',
  'Be careful: write correct Python code.',
  'Write Python code that solves the task.',
];
const START = 'Write Python code.';

let tasks: Task[] = [];
let solutions: Map<string, string>;
let pool: ExecPool;
let exec: ExecPort & { runs: number };

/**
 * The verdict cache the app keeps in front of the executor (keyed by program + tests): every
 * distinct program still runs in Pyodide once, identical ones are not re-run.
 */
function verdictCache(inner: ExecPort): ExecPort & { runs: number } {
  const memo = new Map<string, Promise<ExecResult>>();
  const port = {
    runs: 0,
    run(job: ExecJob): Promise<ExecResult> {
      const key = JSON.stringify([job.program, job.tests]);
      let hit = memo.get(key);
      if (!hit) {
        port.runs += 1;
        hit = inner.run(job);
        memo.set(key, hit);
      }
      return hit;
    },
  };
  return port;
}

beforeAll(async () => {
  const lines = readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8').split('\n');
  solutions = new Map();
  tasks = IDS.map((id) => {
    const index = lines.findIndex((l) => l.includes(`"task_id": "${id}"`));
    const raw = lines[index] as string;
    const rec = JSON.parse(raw) as Record<string, unknown>;
    solutions.set(`humaneval/${id}`, String(rec.canonical_solution));
    return humaneval.toTask(rec, {
      datasetId: 'humaneval',
      options: {},
      at: { file: 'HumanEval.jsonl', line: index + 1, index },
      raw,
    });
  });
  pool = createNodeExecPool({ size: 1, spares: 0 });
  await pool.warm();
  exec = verdictCache(pool);
});

afterAll(async () => {
  await pool?.close();
});

/** Every task has its keyword; meta-answers always come in the `<prompt>` tags PPO's actions ask for. */
const model = () =>
  keywordLlm({
    tasks,
    keyword: (t) => KEYWORD[t.sourceId],
    right: (t) => '```python\n' + t.prompt + (solutions.get(t.id) as string) + '```',
    wrong: (t) => '```python\n' + t.prompt + '    return None\n' + '```',
    pool: META_ANSWERS,
    wrap: (pick) => `Here it is: <prompt>${pick}</prompt>`,
  });

async function runOn<S extends HybridState>(
  opt: Optimizer<S>,
  knobs: Record<string, number>,
  seed: number,
) {
  const llm = model();
  const ctx = createDirectContext({ llm, exec, train: tasks });
  let state = await opt.init({ knobs, seed, initialPrompt: START }, ctx);
  while (!state.done) state = await opt.step(state, ctx);
  return { state, ctx, llm };
}

describe('PPO prompt agent on real HumanEval tasks with Pyodide', () => {
  it('transferable: finds a prompt that passes more real tests than the start, reproducibly', async () => {
    const knobs = { maxSteps: 6, horizon: 3, rolloutSteps: 3 };
    const a = await runOn(ppoOptimizer, knobs, 1);
    const scored = a.ctx.events.filter((e) => e.type === 'scored');
    const first = scored[0];
    if (first?.type !== 'scored') throw new Error('no score event');
    // The start prompt carries no keyword: the real tests fail every wrong body.
    expect(first.score.strict).toBe(0);
    expect(first.score.perTask.every((t) => t.result.tests.length > 0 && !t.passed)).toBe(true);
    // Two keywords in one prompt: two of the four tasks pass (exact: the model is scripted).
    expect([a.state.best?.score, a.state.best?.prompt.text]).toEqual([
      0.5,
      'Write correct Python code. Mind the types of Think about edge cases.',
    ]);
    expect(a.state.stopReason).toBe('max-steps');
    expect(a.state.updates).toBe(2);
    // The best prompt's passes are real Pyodide verdicts of the canonical solutions.
    const best = scored.filter(
      (e) => e.type === 'scored' && e.prompt.id === a.state.best?.prompt.id,
    );
    expect(best.length).toBeGreaterThan(0);
    expect(a.ctx.meter.llmCalls).toBeLessThanOrEqual(
      ppoOptimizer.projectCalls(knobs, { train: 4, validation: 0 }),
    );

    const b = await runOn(ppoOptimizer, knobs, 1);
    expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
    // Two distinct programs per task at most (canonical or wrong body), each run in Pyodide once.
    expect(exec.runs).toBeLessThanOrEqual(2 * IDS.length);
  });

  it('per-instance: one episode per task; the prompts it finds pass that task’s real tests', async () => {
    const { state } = await runOn(
      ppoInstanceOptimizer,
      { maxSteps: 30, horizon: 4, rolloutSteps: 4 },
      2,
    );
    expect(state.stopReason).toBe('all-tasks');
    expect(state.step).toBe(13);
    // Seed 2 finds the keyword for two of the four tasks within their episodes (the model is a
    // pure function of the request, so this is exact); the other two keep the start prompt.
    expect(
      Object.fromEntries(
        Object.entries(state.instances).map(([id, r]) => [id, [r.strict, r.prompt.text]]),
      ),
    ).toEqual({
      'humaneval/HumanEval/2': [1, 'Write correct Python code. Think about edge cases.'],
      'humaneval/HumanEval/13': [0, START],
      'humaneval/HumanEval/23': [0, START],
      'humaneval/HumanEval/27': [1, 'Be careful: write correct Python code.'],
    });
    expect(state.best?.score).toBeCloseTo(2 / IDS.length, 12);
  });

  it('Random-Hybrid runs the same action space end to end', async () => {
    const { state } = await runOn(randomHybridOptimizer, { maxSteps: 4, horizon: 2 }, 3);
    expect(state.step).toBe(4);
    expect(
      state.trace
        .map((t) => t.action)
        .every((a) => ['generate', 'mutate', 'crossover', 'rewrite'].includes(a)),
    ).toBe(true);
  });
});
