/**
 * Every transferable method at the same LLM-call budget on the scripted landscape, on two prompt
 * pools, over 5 seeds. It shows the mechanics of the methods, not how they rank: rankings come
 * from real models (docs/optimizers.md).
 *
 *   npm run bench:methods            (BENCH_CALLS=150 by default; BENCH_TOKENS=n adds a token cap)
 *
 * The landscape (test/support/landscape.ts): a toy task has one of five topics and is solved when
 * the prompt names its topic (or the task is easy: index % 7 == 0). A failing test's message names
 * the topic. The scripted model, asked for a prompt, answers with a prompt from a pool (picked by a
 * hash of the request) and, when the request quotes failure messages, adds a sentence naming the
 * topics it read there: a model that reads feedback perfectly, which real models do not.
 *
 * Design, so no method is favoured by construction:
 * - Two pools. `default`: the landscape's own, where one prompt names all five topics, so blind
 *   search can solve everything. `one-topic`: each prompt names at most one topic, so a blind
 *   method is capped and only reading failure text helps. Both are printed.
 * - Topics. Training and validation tasks have three topics (edge, types, loops); the held-out set
 *   has 10 tasks of each of those ("seen") and 10 of each of the two others ("unseen": strings,
 *   math), reported apart. Reading training feedback can only teach seen topics.
 * - Every method gets the same 10 training and 6 validation tasks; GEPA takes its Pareto set from
 *   the validation split (its intended mode, not the degenerate train-as-Pareto one).
 * - Cost: LLM calls and tokens (the scripted model counts 4 characters a token), the optimizer's
 *   own requests apart, since a reflection request is longer than a mutation request.
 * - Comparisons: the unit is the topic cluster, not the task (tasks of a topic pass or fail
 *   together here, so each seed's outcome on a cluster is one pass/fail). Each method against GEPA
 *   with compareTaskLevel (src/core/task-stats.ts): the exact within-task relabelling test with
 *   clusters as the units and seeds as draws, and a t interval, Holm-adjusted over the methods of
 *   each pool and topic set. With 3 seen and 2 unseen clusters little can be called beyond chance.
 *
 * Per-instance methods (ppo-instance, random-hybrid-instance, reflexion) optimize on the held-out
 * tasks themselves and are left out: their numbers are test-set optimization.
 */
import type { LlmPort } from '../src/core/ports';
import { compareTaskLevel, holmAdjust } from '../src/core/task-stats';
import type { Task } from '../src/core/types';
import { makeCandidate } from '../src/optimizers/common';
import { getOptimizer, listMethods } from '../src/optimizers/registry';
import { createDirectContext, memoryEvaluationLog } from '../src/optimizers/scoring';
import {
  landscapeExec,
  landscapeLlm,
  PROMPT_POOL,
  TOPICS,
  toyTask,
} from '../test/support/landscape';
import { runToEnd } from '../test/support/run-optimizer';

const CALLS = Number(process.env.BENCH_CALLS ?? 150);
/** A token budget on top of the call budget, to compare at equal tokens (off by default). */
const TOKENS = process.env.BENCH_TOKENS ? Number(process.env.BENCH_TOKENS) : undefined;
const SEEDS = [1, 2, 3, 4, 5];
const START = 'Write correct Python code.';
const SEEN = ['edge', 'types', 'loops'];
const UNSEEN = ['strings', 'math'];
const PER_CLUSTER = 10;

/** The first `n` toy tasks from index `from` on whose topic is in `topics`. */
function tasksOf(topics: readonly string[], from: number, n: number): Task[] {
  const out: Task[] = [];
  for (let i = from; out.length < n; i++) {
    if (topics.includes(TOPICS[i % TOPICS.length] as string)) out.push(toyTask(i));
  }
  return out;
}

const TRAIN = tasksOf(SEEN, 0, 10);
const VALIDATION = tasksOf(SEEN, 100, 6);
/** Held-out clusters: PER_CLUSTER tasks of each topic, none of them in training or validation. */
const CLUSTERS = [...SEEN, ...UNSEEN].map((topic) => ({
  topic,
  seen: SEEN.includes(topic),
  tasks: tasksOf([topic], 200, PER_CLUSTER),
}));
const HELDOUT = CLUSTERS.flatMap((c) => c.tasks);

const POOLS: Record<string, readonly string[]> = {
  default: PROMPT_POOL,
  'one-topic': [
    'Write correct Python code.',
    'Write correct Python code. Think about edge cases.',
    'Write correct Python code. Mind the types of arguments.',
    'Write correct Python code. Use loops carefully.',
    'Write correct Python code. Handle strings with care.',
    'Write correct Python code. Check the math.',
    'Write clean, readable Python code.',
    'Write correct Python code. Be careful.',
  ],
};

/** Knobs that let the call budget, not a round limit, end each method; 10 training tasks each. */
const KNOBS: Record<string, Record<string, number | string | boolean>> = {
  prochemy: { variants: 4, trainTasks: 10, rounds: 50, patience: 10 },
  gpo: { steps: 50, candidates: 2, trainTasks: 10, patience: 20 },
  gepa: { trainTasks: 10, paretoTasks: VALIDATION.length, iterations: 500, maxMetricCalls: 0 },
  ppo: { trainTasks: 10, maxSteps: 1000 },
  'random-hybrid': { trainTasks: 10, maxSteps: 1000 },
  'zero-shot': { trainTasks: 10 },
  'chain-of-thought': { trainTasks: 10 },
  ape: { candidates: 8, trainTasks: 10, resampleRounds: 10 },
  opro: { steps: 100, perStep: 4, trainTasks: 10 },
  evoprompt: { population: 6, generations: 50, trainTasks: 10 },
};

interface Spend {
  calls: number;
  tokens: number;
  /** The optimizer's own requests (mutate, rewrite, judge): their share of the above. */
  metaCalls: number;
  metaTokens: number;
}

/** Counts every call and its tokens, the optimizer's own requests apart. */
function metered(inner: LlmPort): LlmPort & { spend: Spend } {
  const spend: Spend = { calls: 0, tokens: 0, metaCalls: 0, metaTokens: 0 };
  return {
    modelId: inner.modelId,
    spend,
    async complete(req, signal) {
      const c = await inner.complete(req, signal);
      const tokens = c.usage.promptTokens + c.usage.completionTokens;
      spend.calls += 1;
      spend.tokens += tokens;
      if (req.purpose !== 'generate') {
        spend.metaCalls += 1;
        spend.metaTokens += tokens;
      }
      return c;
    },
  };
}

interface SeedResult {
  /** Pass (0/1) per held-out task, in HELDOUT order. */
  perTask: number[];
  spend: Spend;
  stop: string;
}

async function runMethod(id: string, pool: readonly string[], seed: number): Promise<SeedResult> {
  const llm = metered(landscapeLlm({ pool, reflective: true }));
  const exec = landscapeExec({ revealTopic: true });
  const ctx = createDirectContext({
    llm,
    exec,
    train: TRAIN,
    validation: VALIDATION,
    budget: { maxLlmCalls: CALLS, ...(TOKENS ? { maxTokens: TOKENS } : {}) },
  });
  const { final } = await runToEnd(
    getOptimizer(id),
    { knobs: KNOBS[id] ?? {}, seed, initialPrompt: START },
    ctx,
    { maxSteps: 5000 },
  );
  const spend = { ...llm.spend };
  const prompt = final.best?.prompt ?? (await makeCandidate(START, [], 'seed', 0));
  const held = createDirectContext({ llm, exec, train: HELDOUT, log: memoryEvaluationLog() });
  const graded = await held.score(prompt, HELDOUT);
  const perTask = HELDOUT.map((t) =>
    graded.perTask.find((p) => p.taskId === t.id)?.passed ? 1 : 0,
  );
  return { perTask, spend, stop: final.stopReason ?? '?' };
}

const meanSd = (xs: number[]): string => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Pass rate of one seed on a set of clusters. */
function rate(r: SeedResult, seen: boolean): number {
  let pass = 0;
  let n = 0;
  HELDOUT.forEach((t, j) => {
    const c = CLUSTERS.find((x) => x.tasks.includes(t));
    if (c?.seen !== seen) return;
    pass += r.perTask[j] ?? 0;
    n += 1;
  });
  return pass / n;
}

/**
 * The (seeds × tasks-in-cluster) × clusters matrix compareTaskLevel reads: it averages each
 * column over its rows, so the unit of the test is the cluster, and d_c is the cluster's pass
 * difference averaged over seeds and its tasks. Clusters have equal sizes, so every row is full.
 */
/**
 * Seeds × clusters, each entry whether that seed's prompt solved the topic: tasks of a topic pass
 * or fail together on this landscape, so a cluster's outcome is one pass/fail per seed (a majority
 * where its tasks disagree; `mixed` counts those cells). compareTaskLevel then takes clusters as
 * the units and seeds as each arm's draws, the design its calibration covers (docs/statistics.md).
 */
function clusterMatrix(
  rs: readonly SeedResult[],
  seen: boolean,
): { rows: number[][]; mixed: number } {
  const clusters = CLUSTERS.filter((c) => c.seen === seen);
  let mixed = 0;
  const rows = rs.map((r) =>
    clusters.map((c) => {
      const outcomes = c.tasks.map((t) => r.perTask[HELDOUT.indexOf(t)] as number);
      const passed = outcomes.filter((x) => x === 1).length;
      if (passed !== 0 && passed !== outcomes.length) mixed++;
      return passed * 2 >= outcomes.length ? 1 : 0;
    }),
  );
  return { rows, mixed };
}

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

async function main(): Promise<void> {
  const started = Date.now();
  const methods = listMethods()
    .filter((m) => !m.perInstance)
    .map((m) => m.id);
  console.log(
    `bench:methods — scripted landscape (mechanics, not rankings). ${TRAIN.length} training and ` +
      `${VALIDATION.length} validation tasks on topics ${SEEN.join(', ')}; held-out: ` +
      `${PER_CLUSTER} tasks per topic, seen (${SEEN.join(', ')}) and unseen (${UNSEEN.join(', ')}). ` +
      `Budget ${CALLS} LLM calls${TOKENS ? ` and ${TOKENS} tokens` : ''}; seeds ${SEEDS.join(',')}.`,
  );
  for (const [poolName, pool] of Object.entries(POOLS)) {
    console.log(
      `\n== Pool "${poolName}" (${pool.length} prompts; ${poolName === 'default' ? 'one names every topic' : 'each names at most one topic'}) ==`,
    );
    console.log(
      'method             seen pass@1      unseen pass@1    calls (meta)          tokens (meta)             stops',
    );
    const results = new Map<string, SeedResult[]>();
    for (const id of methods) {
      const rs: SeedResult[] = [];
      for (const seed of SEEDS) rs.push(await runMethod(id, pool, seed));
      results.set(id, rs);
      const calls = `${mean(rs.map((r) => r.spend.calls)).toFixed(0)} (${mean(rs.map((r) => r.spend.metaCalls)).toFixed(0)})`;
      const tokens = `${mean(rs.map((r) => r.spend.tokens)).toFixed(0)} (${mean(rs.map((r) => r.spend.metaTokens)).toFixed(0)})`;
      console.log(
        `${id.padEnd(18)} ${meanSd(rs.map((r) => rate(r, true))).padEnd(16)} ${meanSd(rs.map((r) => rate(r, false))).padEnd(16)} ${calls.padEnd(21)} ${tokens.padEnd(25)} ${[...new Set(rs.map((r) => r.stop))].join('/')}`,
      );
    }
    const gepa = results.get('gepa');
    if (!gepa) continue;
    for (const seen of [true, false]) {
      const clusters = CLUSTERS.filter((c) => c.seen === seen).length;
      console.log(
        `\n  ${seen ? 'Seen' : 'Unseen'} topics: each method − GEPA, unit = topic cluster (${clusters} clusters × ${PER_CLUSTER} tasks × ${SEEDS.length} seeds); ` +
          `exact within-cluster relabelling p over seeds, Holm over ${methods.length - 1} methods, 95% t interval:`,
      );
      const others = methods.filter((m) => m !== 'gepa');
      let mixed = 0;
      const tests = others.map((id) => {
        const a = clusterMatrix(gepa, seen);
        const b = clusterMatrix(results.get(id) as SeedResult[], seen);
        mixed += b.mixed;
        return compareTaskLevel(a.rows, b.rows);
      });
      mixed += clusterMatrix(gepa, seen).mixed;
      const holm = holmAdjust(tests.map((t) => t.p));
      others.forEach((id, i) => {
        const t = tests[i]!;
        console.log(
          `  ${id.padEnd(18)} d ${signed(t.diff)}  [${signed(t.ci.lo)}, ${signed(t.ci.hi)}]  clusters changed ${t.changed}/${t.tasks}  p ${t.p.toFixed(3)}  Holm p ${(holm[i] as number).toFixed(3)}`,
        );
      });
      console.log(`  (seed × cluster cells whose tasks disagreed, decided by majority: ${mixed})`);
    }
  }
  console.log(
    `\n(${((Date.now() - started) / 1000).toFixed(0)} s on this machine; timings are noisy on a shared machine)`,
  );
}

await main();
