/**
 * Every transferable method at the same LLM-call budget on the scripted landscape, over 5 seeds:
 * held-out pass@1 mean ± std (over seeds) and calls used, then each method against Prochemy task
 * by task (paired sign-flip permutation test over held-out tasks; bench/sign-flip.ts).
 *
 *   npm run bench:methods
 *
 * The landscape (test/support/landscape.ts): a toy task is solved when the prompt names its topic
 * (or the task is easy). Its failing test's message names the topic, and the scripted model,
 * asked for a prompt by a meta-request that quotes such messages, adds a sentence naming the
 * topics it read; otherwise its answer is a prompt from a pool where each names at most one
 * topic. So a method gains from failure text only if its meta-prompts carry it. This is a toy:
 * it shows the mechanics work as designed, not how methods rank on real code.
 *
 * Per-instance methods (ppo-instance, random-hybrid-instance, reflexion) optimize on the held-out
 * tasks themselves and are left out: their numbers are test-set optimization.
 */
import { makeCandidate } from '../src/optimizers/common';
import { getOptimizer, listMethods } from '../src/optimizers/registry';
import { createDirectContext, memoryEvaluationLog } from '../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, toyTask } from '../test/support/landscape';
import { runToEnd } from '../test/support/run-optimizer';
import { signFlipTest } from './sign-flip';

const CALLS = Number(process.env.BENCH_CALLS ?? 150);
const SEEDS = [1, 2, 3, 4, 5];
const START = 'Write correct Python code.';
const TRAIN = Array.from({ length: 10 }, (_, i) => toyTask(i));
const TEST = Array.from({ length: 30 }, (_, i) => toyTask(10 + i));

/** Prompts that name at most one topic: a blind guess solves one topic at a time. */
const POOL = [
  'Write correct Python code.',
  'Write correct Python code. Think about edge cases.',
  'Write correct Python code. Mind the types of arguments.',
  'Write correct Python code. Use loops carefully.',
  'Write correct Python code. Handle strings with care.',
  'Write correct Python code. Check the math.',
  'Write clean, readable Python code.',
  'Write correct Python code. Be careful.',
];

/** Knobs that let the call budget, not a round limit, end each method; 10 training tasks each. */
const KNOBS: Record<string, Record<string, number | string | boolean>> = {
  prochemy: { variants: 4, trainTasks: 10, rounds: 50, patience: 10 },
  gpo: { steps: 50, candidates: 2, trainTasks: 10, patience: 20 },
  gepa: { trainTasks: 10, paretoTasks: 10, iterations: 500, maxMetricCalls: 0 },
  ppo: { trainTasks: 10, maxSteps: 1000 },
  'random-hybrid': { trainTasks: 10, maxSteps: 1000 },
  'zero-shot': { trainTasks: 10 },
  'chain-of-thought': { trainTasks: 10 },
  ape: { candidates: 8, trainTasks: 10, resampleRounds: 10 },
  opro: { steps: 100, perStep: 4, trainTasks: 10 },
  evoprompt: { population: 6, generations: 50, trainTasks: 10 },
};

interface SeedResult {
  heldout: number;
  calls: number;
  /** Pass (0/1) per held-out task, in TEST order. */
  perTask: number[];
  stop: string;
}

async function runMethod(id: string, seed: number): Promise<SeedResult> {
  const llm = landscapeLlm({ pool: POOL, reflective: true });
  const exec = landscapeExec({ revealTopic: true });
  const ctx = createDirectContext({ llm, exec, train: TRAIN, budget: { maxLlmCalls: CALLS } });
  const { final } = await runToEnd(
    getOptimizer(id),
    { knobs: KNOBS[id] ?? {}, seed, initialPrompt: START },
    ctx,
    { maxSteps: 5000 },
  );
  const prompt = final.best?.prompt;
  const held = createDirectContext({ llm, exec, train: TEST, log: memoryEvaluationLog() });
  const graded = await held.score(prompt ?? (await makeCandidate(START, [], 'seed', 0)), TEST);
  const perTask = TEST.map((t) => (graded.perTask.find((p) => p.taskId === t.id)?.passed ? 1 : 0));
  return {
    heldout: graded.strict,
    calls: ctx.meter.llmCalls,
    perTask,
    stop: final.stopReason ?? '?',
  };
}

const meanStd = (xs: number[]): { mean: number; std: number } => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1);
  return { mean, std: Math.sqrt(v) };
};

async function main(): Promise<void> {
  const methods = listMethods()
    .filter((m) => !m.perInstance)
    .map((m) => m.id);
  console.log(
    `bench:methods — scripted landscape, ${TRAIN.length} training tasks, ${TEST.length} held-out tasks, ` +
      `budget ${CALLS} LLM calls, seeds ${SEEDS.join(',')}`,
  );
  const results = new Map<string, SeedResult[]>();
  for (const id of methods) {
    const rs: SeedResult[] = [];
    for (const seed of SEEDS) rs.push(await runMethod(id, seed));
    results.set(id, rs);
    const h = meanStd(rs.map((r) => r.heldout));
    const c = meanStd(rs.map((r) => r.calls));
    const stops = [...new Set(rs.map((r) => r.stop))].join('/');
    console.log(
      `${id.padEnd(17)} held-out pass@1 ${h.mean.toFixed(3)} ± ${h.std.toFixed(3)}   calls ${c.mean.toFixed(1)} ± ${c.std.toFixed(1)} (max ${Math.max(...rs.map((r) => r.calls))})   stop ${stops}`,
    );
  }
  const base = results.get('prochemy');
  if (!base) return;
  console.log(
    '\nTask-level comparison with Prochemy (unit: held-out task; d = mean over seeds of method − Prochemy pass; paired sign-flip permutation test, two-sided):',
  );
  for (const id of methods) {
    if (id === 'prochemy') continue;
    const rs = results.get(id) as SeedResult[];
    const diffs = TEST.map(
      (_, j) =>
        SEEDS.reduce(
          (a, _s, k) =>
            a + ((rs[k] as SeedResult).perTask[j] ?? 0) - ((base[k] as SeedResult).perTask[j] ?? 0),
          0,
        ) / SEEDS.length,
    );
    const t = signFlipTest(diffs, 20000, 1);
    console.log(
      `${id.padEnd(17)} mean d ${t.mean >= 0 ? '+' : ''}${t.mean.toFixed(3)}   tasks better ${t.wins} / worse ${t.losses} / same ${diffs.length - t.wins - t.losses}   p = ${t.p.toFixed(4)}${t.exact ? ' (exact)' : ' (20000 flips)'}`,
    );
  }
}

await main();
