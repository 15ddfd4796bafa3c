/**
 * What the PPO agent's learned policy adds over Random-Hybrid (the same actions, chosen
 * uniformly) on the scripted landscape, over several seeds: best strict pass on train, mean shaped
 * reward over the second half of the run, LLM calls, and how often each action was taken.
 * Prints figures; asserts nothing.
 *
 *   node --import tsx bench/ppo.ts        (env: BENCH_SEEDS, default 10; BENCH_STEPS, default 80)
 */
import { ppoOptimizer } from '../src/optimizers/ppo/agent';
import type { HybridState } from '../src/optimizers/ppo/hybrid';
import { ACTIONS } from '../src/optimizers/ppo/features';
import { randomHybridOptimizer } from '../src/optimizers/random-hybrid';
import { createDirectContext } from '../src/optimizers/scoring';
import type { Optimizer } from '../src/optimizers/types';
import { landscapeExec, landscapeLlm, PROMPT_POOL, toyTasks } from '../test/support/landscape';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 10);
const STEPS = Number(process.env.BENCH_STEPS ?? 80);
// Without the one pool prompt that mentions every topic, no run converges early and all run
// the same number of steps.
const POOL = PROMPT_POOL.filter((p) => !p.includes('math'));

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

async function measure<S extends HybridState>(opt: Optimizer<S>) {
  const best: number[] = [];
  const reward: number[] = [];
  const calls: number[] = [];
  const counts = ACTIONS.map(() => 0);
  for (let seed = 1; seed <= SEEDS; seed++) {
    const ctx = createDirectContext({
      llm: landscapeLlm({ pool: POOL }),
      exec: landscapeExec(),
      train: toyTasks(10),
    });
    let s = await opt.init(
      { knobs: { maxSteps: STEPS }, seed, initialPrompt: 'Write correct Python code.' },
      ctx,
    );
    while (!s.done) s = await opt.step(s, ctx);
    best.push(s.best?.score ?? 0);
    const late = s.trace.slice(Math.floor(s.trace.length / 2));
    reward.push(mean(late.map((t) => t.reward)));
    calls.push(ctx.meter.llmCalls);
    s.actionCounts.forEach((c, i) => (counts[i] = (counts[i] ?? 0) + c));
  }
  const f = (xs: number[]): string => `${mean(xs).toFixed(3)} ± ${std(xs).toFixed(3)}`;
  console.log(
    `${opt.info.id.padEnd(14)} best strict ${f(best)}   reward (2nd half) ${f(reward)}   LLM calls ${f(calls)}   actions ${ACTIONS.map((a, i) => `${a} ${counts[i]}`).join(', ')}`,
  );
}

console.log(`${SEEDS} seeds × ${STEPS} steps, 10 toy tasks`);
await measure(ppoOptimizer);
await measure(randomHybridOptimizer);
