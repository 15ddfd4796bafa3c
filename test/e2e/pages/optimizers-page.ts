/**
 * Runs every method of the registry in the page for test/e2e/optimizers-browser.test.ts, on real
 * HumanEval tasks fetched from ../shared, with the scripted LLM (the one allowed stand-in). The
 * executor is the browser Pyodide pool when it is built (src/executor/browser.ts); until then a
 * scripted grader that passes exactly the answers carrying the task's canonical solution, and the
 * page says which one it used.
 */
import type { ExecPort } from '../../../src/core/ports';
import type { Task } from '../../../src/core/types';
import { humaneval } from '../../../src/datasets/formats/humaneval';
import { getOptimizer, listMethods } from '../../../src/optimizers/registry';
import { createDirectContext } from '../../../src/optimizers/scoring';
import type { BaseState } from '../../../src/optimizers/types';
import { keywordLlm } from '../../support/keyword-llm';

const KEYWORDS: Record<string, string> = {
  'HumanEval/0': 'edge',
  'HumanEval/2': 'types',
  'HumanEval/4': 'empty',
};
const POOL = [
  'Write correct Python code. Think about edge cases.',
  'Write correct Python code. Handle empty inputs and edge cases.',
  'Write correct Python code. Mind the types of the arguments.',
  'Write Python code that solves the task.',
];

const text = await (await fetch('/__shared/datasets/HumanEval.jsonl')).text();
const solutions = new Map<string, string>();
const tasks: Task[] = text
  .split('\n')
  .map((line, index) => ({ line, index }))
  .filter(({ line }) => Object.keys(KEYWORDS).some((id) => line.includes(`"task_id": "${id}"`)))
  .map(({ line, index }) => {
    const rec = JSON.parse(line) as Record<string, unknown>;
    const t = humaneval.toTask(rec, {
      datasetId: 'humaneval',
      options: {},
      at: { file: 'HumanEval.jsonl', line: index + 1, index },
      raw: line,
    });
    solutions.set(t.id, String(rec.canonical_solution));
    return t;
  });

const browserExec = import.meta.glob<{ createBrowserExecPool: () => ExecPort }>(
  '../../../src/executor/browser.ts',
);
// Real Pyodide or nothing: a page that quietly graded with a stand-in would prove nothing.
async function makeExec(): Promise<{ exec: ExecPort; kind: string }> {
  const load = Object.values(browserExec)[0];
  if (!load)
    throw new Error('src/executor/browser.ts is missing: this page grades with real Pyodide only.');
  return { exec: (await load()).createBrowserExecPool(), kind: 'pyodide' };
}
const { exec, kind } = await makeExec();

const model = () =>
  keywordLlm({
    tasks,
    keyword: (t) => KEYWORDS[t.sourceId],
    right: (t) => '```python\n' + (solutions.get(t.id) ?? '') + '```',
    wrong: () => '    return None\n',
    pool: POOL,
    retryFixes: true,
    judge: 'It returns None; implement the docstring.',
  });

const SMALL: Record<string, Record<string, number>> = {
  prochemy: { variants: 3, trainTasks: 3, rounds: 2 },
  gpo: { steps: 2, candidates: 2, trainTasks: 3 },
  ape: { candidates: 2, trainTasks: 3, resampleRounds: 1, keep: 1 },
  opro: { steps: 2, perStep: 2, trainTasks: 3 },
  evoprompt: { population: 3, generations: 1, trainTasks: 3 },
  reflexion: { rounds: 1, tasks: 3 },
  ppo: { maxSteps: 3, horizon: 3, rolloutSteps: 3 },
  'ppo-instance': { maxSteps: 6, horizon: 2, rolloutSteps: 2 },
  'random-hybrid': { maxSteps: 3, horizon: 2 },
  gepa: { iterations: 3, trainTasks: 3, paretoTasks: 3, minibatch: 2 },
};

const api = {
  execKind: kind,
  taskIds: tasks.map((t) => t.id),
  methods: () => listMethods().map((m) => m.id),
  /** Run a method to the end, through JSON between steps; return what the test checks. */
  async run(id: string, seed: number) {
    const llm = model();
    const ctx = createDirectContext({ llm, exec, train: tasks });
    const opt = getOptimizer(id);
    let state: BaseState = await opt.init(
      { knobs: SMALL[id] ?? {}, seed, initialPrompt: 'Write Python code.' },
      ctx,
    );
    for (let i = 0; i < 50 && !state.done; i++)
      state = await opt.step(JSON.parse(JSON.stringify(state)) as BaseState, ctx);
    return {
      state: JSON.stringify(state),
      done: state.done,
      best: state.best?.score ?? null,
      scored: ctx.events.filter((e) => e.type === 'scored').length,
      calls: ctx.meter.llmCalls,
      projected: opt.projectCalls(SMALL[id] ?? {}, { train: tasks.length, validation: 0 }),
    };
  },
};

declare global {
  interface Window {
    optimizersPage: typeof api;
  }
}
window.optimizersPage = api;
document.getElementById('status')!.textContent = 'ready';
