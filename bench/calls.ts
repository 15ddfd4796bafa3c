/**
 * LLM calls Prochemy spends with and without its savings — memoized scoring (an identical prompt
 * is never scored twice), a deterministic-request cache, and racing — on the same scripted
 * landscape, and whether the selected prompt is the same. Prints figures; asserts nothing.
 *
 *   npm run bench:calls
 */
import { prochemy } from '../src/optimizers/prochemy';
import { createDirectContext, memoryEvaluationLog } from '../src/optimizers/scoring';
import type { LlmPort } from '../src/core/ports';
import {
  landscapeExec,
  landscapeLlm,
  PROMPT_POOL,
  TOPICS,
  toyTasks,
} from '../test/support/landscape';
import { runToEnd } from '../test/support/run-optimizer';
import { cachedLlm } from '../test/support/scripted-llm';

interface Setup {
  name: string;
  memo: boolean;
  cache: boolean;
  racing: boolean;
}

const TASKS = toyTasks(20);
const START = 'Write correct Python code.';

/**
 * Two landscapes: the default one, whose meta-answers come from 8 prompts (an LLM that often
 * repeats itself), and a diverse one with 64 distinct prompts (every subset of the five topics,
 * in two phrasings), where the memo can only save re-scoring the carried-over best prompt.
 */
const DIVERSE = Array.from({ length: 32 }, (_, mask) => {
  const topics = TOPICS.filter((_, i) => mask & (1 << i));
  return [
    `Write correct Python code. Consider ${topics.join(', ') || 'the task'}.`,
    `You write Python. Pay attention to ${topics.join(' and ') || 'everything'}.`,
  ];
}).flat();
const landscape = { pool: PROMPT_POOL as readonly string[] };

async function measure(
  setup: Setup,
  knobs: Record<string, number | boolean>,
  seed: number,
  warm?: LlmPort,
) {
  const model = landscapeLlm({ pool: landscape.pool });
  const port = warm ?? (setup.cache ? cachedLlm(model) : model);
  const ctx = createDirectContext({
    llm: port,
    exec: landscapeExec(),
    train: TASKS,
    log: setup.memo ? memoryEvaluationLog() : null,
    racing: setup.racing,
  });
  const { final } = await runToEnd(
    prochemy,
    { knobs: { ...knobs, racing: setup.racing }, seed, initialPrompt: START },
    ctx,
  );
  const gen = model.requests.filter((r) => r.purpose === 'generate').length;
  return {
    calls: model.requests.length,
    gen,
    meta: model.requests.length - gen,
    best: final.best!.prompt.text,
    rounds: final.step,
    port,
  };
}

async function table(
  title: string,
  knobs: Record<string, number | boolean>,
  setups: Setup[],
  seeds: number[],
) {
  console.log(`\n${title}`);
  console.log(
    `knobs ${JSON.stringify(knobs)}, ${TASKS.length} training tasks, seeds ${seeds.join(', ')}`,
  );
  console.log(
    'setup'.padEnd(34) +
      'calls (mean)'.padStart(13) +
      'code gen'.padStart(10) +
      'meta'.padStart(7) +
      '  vs naive   same prompt',
  );
  const baseline: { calls: number; best: string }[] = [];
  for (const setup of setups) {
    const rows: Awaited<ReturnType<typeof measure>>[] = [];
    for (const seed of seeds) rows.push(await measure(setup, knobs, seed));
    const mean = (f: (r: (typeof rows)[number]) => number) =>
      rows.reduce((a, r) => a + f(r), 0) / rows.length;
    if (baseline.length === 0) rows.forEach((r) => baseline.push({ calls: r.calls, best: r.best }));
    const same = rows.filter((r, i) => r.best === baseline[i]!.best).length;
    const ratio =
      mean((r) => r.calls) / (baseline.reduce((a, b) => a + b.calls, 0) / baseline.length);
    console.log(
      setup.name.padEnd(34) +
        mean((r) => r.calls)
          .toFixed(1)
          .padStart(13) +
        mean((r) => r.gen)
          .toFixed(1)
          .padStart(10) +
        mean((r) => r.meta)
          .toFixed(1)
          .padStart(7) +
        `${(ratio * 100).toFixed(0)}%`.padStart(10) +
        `   ${same}/${rows.length}`,
    );
  }
}

const seeds = [1, 2, 3, 4, 5];

for (const [name, pool] of [
  ['repetitive LLM (8 distinct answers)', PROMPT_POOL],
  ['diverse LLM (64 distinct answers)', DIVERSE],
] as const) {
  landscape.pool = pool;
  console.log(`\n=== Landscape: ${name} ===`);
  const naive: Setup = {
    name: 'naive (no memo, no cache, no race)',
    memo: false,
    cache: false,
    racing: false,
  };

  await table(
    'Prochemy as in the paper (difficulty weighting on: racing does not apply)',
    { variants: 10, trainTasks: 20, rounds: 10 },
    [
      naive,
      { name: 'cache only', memo: false, cache: true, racing: false },
      { name: 'memo', memo: true, cache: false, racing: false },
      { name: 'memo + cache', memo: true, cache: true, racing: false },
    ],
    seeds,
  );

  await table(
    'Prochemy with weighting off (the ablation), where racing is sound',
    { variants: 10, trainTasks: 20, rounds: 10, weighting: false },
    [
      naive,
      { name: 'memo', memo: true, cache: false, racing: false },
      { name: 'racing only', memo: false, cache: false, racing: true },
      { name: 'memo + cache + racing', memo: true, cache: true, racing: true },
    ],
    seeds,
  );
}

landscape.pool = PROMPT_POOL;
// A repeated (or resumed) run of the same seed over a warm cache asks the model nothing new.
const first = await measure(
  { name: 'first', memo: true, cache: true, racing: false },
  { variants: 10, trainTasks: 20, rounds: 10 },
  1,
);
const warmPort = first.port as ReturnType<typeof cachedLlm>;
const hitsBefore = warmPort.hits;
const again = await measure(
  { name: 'again', memo: true, cache: true, racing: false },
  { variants: 10, trainTasks: 20, rounds: 10 },
  1,
  warmPort,
);
console.log(
  `\nRepeat of seed 1 over the first run's cache: ${again.calls} new model calls (first run: ${first.calls}); ${warmPort.hits - hitsBefore} cache hits; same prompt: ${again.best === first.best}`,
);
