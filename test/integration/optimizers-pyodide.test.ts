/**
 * Every method of the registry end to end on real HumanEval and MBPP tasks, graded by the real
 * Pyodide executor; and code extraction checked against real tests. Only the LLM is scripted (a
 * pure function of the request): for code it answers with the task's real reference solution,
 * in varied shapes, when the system prompt carries the task's keyword, and with a wrong body
 * otherwise, so a prompt really changes which real tests pass.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/core/extract';
import type { Task } from '../../src/core/types';
import { humaneval } from '../../src/datasets/formats/humaneval';
import { mbppSanitized } from '../../src/datasets/formats/mbpp';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { getOptimizer, listMethods } from '../../src/optimizers/registry';
import { createDirectContext } from '../../src/optimizers/scoring';
import type { BaseState } from '../../src/optimizers/types';
import { keywordLlm } from '../support/keyword-llm';
import { requireShared } from '../support/paths';
import { fnv1a } from '../support/scripted-llm';

const HE_KEYWORDS: Record<string, string> = {
  'HumanEval/0': 'edge',
  'HumanEval/2': 'types',
  'HumanEval/4': 'empty',
  'HumanEval/7': 'careful',
};
const MBPP_KEYWORDS: Record<string, string> = {
  '2': 'edge',
  '3': 'types',
  '4': 'empty',
  '6': 'careful',
};
const POOL = [
  'Write correct Python code. Think about edge cases.',
  'Write correct Python code. Handle empty inputs and edge cases.',
  'Write correct Python code. Mind the types of the arguments.',
  'Be careful: write correct Python code.',
  'Write Python code that solves the task.',
];
const START = 'Write Python code.';

let heAll: Task[] = [];
let mbppAll: Task[] = [];
const refs = new Map<string, string>();
let pool: ExecPool;

function load(
  file: string,
  format: typeof humaneval,
  records: Record<string, unknown>[],
  refField: string,
): Task[] {
  return records.map((rec, index) => {
    const t = format.toTask(rec, {
      datasetId: file,
      options: {},
      at: { file, line: index + 1, index },
      raw: JSON.stringify(rec),
    });
    refs.set(t.id, String(rec[refField]));
    return t;
  });
}

beforeAll(async () => {
  const he = readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  heAll = load('humaneval', humaneval, he, 'canonical_solution');
  const mb = JSON.parse(
    readFileSync(requireShared('datasets', 'sanitized-mbpp.json'), 'utf8'),
  ) as Record<string, unknown>[];
  mbppAll = load('mbpp', mbppSanitized, mb, 'code');
  // One spare: the executor replaces a worker after some programs, and a warm spare takes over at once.
  pool = createNodeExecPool({ size: 1, spares: 1 });
  await pool.warm();
});

afterAll(async () => {
  await pool?.close();
});

const keyword = (t: Task): string | undefined =>
  HE_KEYWORDS[t.sourceId] ?? (t.datasetId === 'mbpp' ? MBPP_KEYWORDS[t.sourceId] : undefined);

/** A right answer in a shape chosen by the task: body only, full function in a fence, prose. */
function rightAnswer(t: Task): string {
  const ref = refs.get(t.id) as string;
  if (!t.completionStyle)
    return `Here is the function:\n\n\`\`\`python\n${ref}\n\`\`\`\n\nIt passes the examples.`;
  const shape = fnv1a(t.id) % 3;
  if (shape === 0) return ref;
  if (shape === 1) return '```python\n' + ref + '```';
  return `<think>Let me restate it.</think>Sure:\n\`\`\`python\n${t.prompt}${ref}\`\`\``;
}

const wrongAnswer = (t: Task): string =>
  t.completionStyle
    ? '    return None\n'
    : `\`\`\`python\ndef ${t.entryPoint ?? 'f'}(*args):\n    return None\n\`\`\``;

const model = (tasks: Task[]) =>
  keywordLlm({
    tasks,
    keyword,
    right: rightAnswer,
    wrong: wrongAnswer,
    pool: POOL,
    retryFixes: true,
    judge: 'The function returns None; implement the algorithm the docstring describes.',
  });

const SMALL: Record<string, Record<string, number>> = {
  prochemy: { variants: 3, trainTasks: 8, rounds: 2 },
  gpo: { steps: 2, candidates: 2, trainTasks: 8, lMax: 30 },
  ape: { candidates: 2, trainTasks: 8, resampleRounds: 1, keep: 1 },
  opro: { steps: 2, perStep: 2, trainTasks: 8 },
  evoprompt: { population: 3, generations: 1, trainTasks: 8 },
  reflexion: { rounds: 1, tasks: 8 },
  ppo: { maxSteps: 3, horizon: 3, rolloutSteps: 3 },
  'ppo-instance': { maxSteps: 8, horizon: 2, rolloutSteps: 2 },
  'random-hybrid': { maxSteps: 3, horizon: 2 },
};

describe('code extraction against real tests', () => {
  it(
    'the graded program passes for reference solutions given in every answer shape',
    { timeout: 300_000 },
    async () => {
      const he = heAll; // all 164 HumanEval tasks × 3 answer shapes
      const mb = mbppAll.filter((_, i) => i % 3 === 0); // 143 MBPP tasks
      const failures: string[] = [];
      for (const t of [...he, ...mb]) {
        const ref = refs.get(t.id) as string;
        const answers = t.completionStyle
          ? [
              ref,
              '```python\n' + ref + '```',
              `Sure:\n\`\`\`python\n${t.prompt}${ref}\`\`\`\nDone.`,
            ]
          : [rightAnswer(t)];
        for (const [shape, answer] of answers.entries()) {
          const r = await pool.run({ program: buildProgram(t, answer).program, tests: t.tests });
          if (!r.passed)
            failures.push(
              `${t.id} shape ${shape}: ${r.setupError ?? r.tests.find((x) => x.outcome !== 'passed')?.message}`,
            );
        }
        const wrong = await pool.run({
          program: buildProgram(t, wrongAnswer(t)).program,
          tests: t.tests,
        });
        if (wrong.passed) failures.push(`${t.id}: a wrong answer passed`);
      }
      expect(failures).toEqual([]);
    },
  );
});

describe('every method end to end on real tasks with Pyodide', () => {
  const pick = () => [
    ...heAll.filter((t) => t.sourceId in HE_KEYWORDS),
    ...mbppAll.filter((t) => t.sourceId in MBPP_KEYWORDS),
  ];

  it.each(listMethods().map((m) => m.id))('%s', { timeout: 300_000 }, async (id) => {
    const tasks = pick();
    expect(tasks).toHaveLength(8);
    const llm = model(tasks);
    const ctx = createDirectContext({ llm, exec: pool, train: tasks });
    const opt = getOptimizer(id);
    let state: BaseState = await opt.init(
      { knobs: SMALL[id] ?? {}, seed: 1, initialPrompt: START },
      ctx,
    );
    for (let i = 0; i < 50 && !state.done; i++)
      state = await opt.step(JSON.parse(JSON.stringify(state)) as BaseState, ctx);
    expect(state.done).toBe(true);
    expect(state.best).not.toBeNull();
    const scored = ctx.events.filter((e) => e.type === 'scored');
    expect(scored.length).toBeGreaterThan(0);
    // Real verdicts: every graded answer ran real tests.
    for (const e of scored)
      if (e.type === 'scored')
        for (const t of e.score.perTask)
          expect(t.result.tests.length + (t.result.setupError ? 1 : 0)).toBeGreaterThan(0);
    if (id === 'zero-shot') expect(state.best!.score).toBe(0); // START carries no keyword
    if (['prochemy', 'gpo', 'opro', 'evoprompt', 'reflexion'].includes(id))
      expect(state.best!.score).toBeGreaterThan(0);
    expect(ctx.meter.llmCalls).toBeLessThanOrEqual(
      opt.projectCalls(SMALL[id] ?? {}, { train: tasks.length, validation: 0 }),
    );
  });
});
