import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { KnobError } from '../../src/optimizers/knobs';
import { ppoInstanceOptimizer, ppoOptimizer, type PpoState } from '../../src/optimizers/ppo/agent';
import {
  ACTIONS,
  FEATURE_COUNT,
  featureVector,
  shapedReward,
} from '../../src/optimizers/ppo/features';
import type { HybridState } from '../../src/optimizers/ppo/hybrid';
import { crossoverWords, mutateWords } from '../../src/optimizers/ppo/lexical';
import { parsePromptAnswer } from '../../src/optimizers/ppo/llm-actions';
import { randomHybridOptimizer } from '../../src/optimizers/random-hybrid';
import { createDirectContext } from '../../src/optimizers/scoring';
import type { Optimizer } from '../../src/optimizers/types';
import type { Budget, CompletionRequest } from '../../src/core/types';
import { landscapeExec, landscapeLlm, PROMPT_POOL, solves, toyTasks } from '../support/landscape';

const START = 'Write correct Python code.';

function context(budget: Budget = {}, tasks = toyTasks(10), pool?: readonly string[]) {
  const llm = landscapeLlm(pool ? { pool } : {});
  const ctx = createDirectContext({ llm, exec: landscapeExec(), train: tasks, budget });
  return { llm, ctx };
}

async function run<S extends HybridState>(
  opt: Optimizer<S>,
  knobs: Record<string, number>,
  seed: number,
  budget: Budget = {},
  tasks = toyTasks(10),
  pool?: readonly string[],
) {
  const { llm, ctx } = context(budget, tasks, pool);
  let state = await opt.init({ knobs, seed, initialPrompt: START }, ctx);
  let guard = 0;
  while (!state.done && guard++ < 500) state = await opt.step(state, ctx);
  return { state, llm, ctx };
}

describe('features and reward', () => {
  it('builds a bounded vector with the recent actions one-hot', () => {
    const v = featureVector({
      strict: 0.5,
      soft: 0.75,
      prevStrict: 0.25,
      prevSoft: 1,
      bestStrict: 0.75,
      errorShare: 0.1,
      t: 2,
      horizon: 4,
      step: 10,
      maxSteps: 40,
      prompt: 'a b c d',
      prevPrompt: 'a b x d',
      lastReward: 5,
      recent: [0, 3, 1],
    });
    expect(v).toHaveLength(FEATURE_COUNT);
    expect(v.slice(0, 11)).toEqual([
      0.5,
      0.75,
      0.25,
      -0.25,
      0.25,
      0.1,
      0.5,
      0.75,
      4 / 200,
      0.25,
      1,
    ]);
    // newest action (1 = mutate) first, then the one before (3 = rewrite)
    expect(v.slice(11)).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('shapes reward as q + μ·Δq − κ·calls with q = strict + λ·soft', () => {
    const r = shapedReward({ strict: 0.2, soft: 0.4 }, { strict: 0.6, soft: 0.8 }, 1, {
      softWeight: 0.5,
      improvementWeight: 2,
      costPerCall: 0.1,
    });
    // q = 0.4, q' = 1.0 → 1.0 + 2·0.6 − 0.1
    expect(r).toBeCloseTo(2.1, 12);
  });
});

describe('lexical actions and parsing', () => {
  it('mutates one word at a time, deterministically for a seed', () => {
    const text = 'Write correct Python code. Think about edge cases.';
    const a = mutateWords(text, ['Mind the types.'], Rng.seeded(5));
    const b = mutateWords(text, ['Mind the types.'], Rng.seeded(5));
    expect(a).toEqual(b);
    const n = text.split(' ').length;
    const m = a.text.split(' ').length;
    expect(Math.abs(n - m)).toBeLessThanOrEqual(1);
    expect(a.text).not.toBe(text);
    const ops = new Set(
      Array.from({ length: 40 }, (_, i) => mutateWords(text, ['types'], Rng.seeded(i)).op),
    );
    expect([...ops].sort()).toEqual(['delete', 'insert', 'replace', 'swap']);
  });

  it('crosses over the head of one prompt with the tail of another, at sentence ends when near', () => {
    const a = 'Be careful. Think about edge cases first.';
    const b = 'Write code. Mind the types of arguments.';
    const children = new Set(
      Array.from({ length: 30 }, (_, i) => crossoverWords(a, b, Rng.seeded(i))),
    );
    expect(children).toContain('Be careful. Mind the types of arguments.');
    for (const c of children) {
      expect(c.startsWith('Be')).toBe(true);
      expect(b.endsWith(c.split(' ').slice(-1)[0] ?? '')).toBe(true);
    }
  });

  it('reads the last <prompt> block, then {{ }}, then the bare answer', () => {
    expect(parsePromptAnswer('<prompt>old</prompt> ok: <prompt> new one </prompt>')).toBe(
      'new one',
    );
    expect(parsePromptAnswer('Sure: {{ braced }}')).toBe('braced');
    expect(parsePromptAnswer('I think the prompt is already good.')).toBeUndefined();
    expect(parsePromptAnswer('<prompt></prompt>')).toBeUndefined();
  });
});

describe('PPO agent on the scripted landscape', () => {
  const knobs = { maxSteps: 16, horizon: 4, rolloutSteps: 4 };

  it('improves on the start prompt, asks the LLM with the right purposes, and trains its policy', async () => {
    // Seed 4: a run that uses all 16 steps (since the generation action reads execution feedback,
    // seed 1 reaches a prompt that solves every task before then).
    const { state, llm, ctx } = await run(ppoOptimizer, knobs, 4);
    const start = toyTasks(10).filter((t) => solves(START, t)).length / 10;
    expect(state.stopReason).toBe('max-steps');
    expect(state.step).toBe(16);
    expect(state.best?.score).toBeGreaterThan(start);
    expect(state.updates).toBe(4);
    expect(state.lastUpdate?.entropy).toBeGreaterThan(0);
    const purposes = new Set(llm.requests.map((r) => r.purpose));
    expect([...purposes].every((p) => ['generate', 'mutate', 'rewrite'].includes(p))).toBe(true);
    expect(state.actionCounts.reduce((a, b) => a + b, 0)).toBe(16);
    expect(state.trace).toHaveLength(16);
    // Actions that call the LLM are exactly the generate + rewrite ones.
    const meta = llm.requests.filter((r) => r.purpose !== 'generate').length;
    expect(meta).toBe((state.actionCounts[0] ?? 0) + (state.actionCounts[3] ?? 0));
    expect(ctx.events.some((e) => e.type === 'best')).toBe(true);
    expect(
      ctx.events.filter((e) => e.type === 'note' && e.message.startsWith('PPO update')),
    ).toHaveLength(4);
    // Projected calls bound the calls actually made.
    expect(ctx.meter.llmCalls).toBeLessThanOrEqual(
      ppoOptimizer.projectCalls(knobs, { train: 10, validation: 0 }),
    );
  });

  it('reproduces a run exactly from its seed, and a different seed differs', async () => {
    const a = await run(ppoOptimizer, knobs, 7);
    const b = await run(ppoOptimizer, knobs, 7);
    const c = await run(ppoOptimizer, knobs, 8);
    expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
    expect(b.llm.requests).toEqual(a.llm.requests);
    expect(c.state.trace.map((t) => t.action)).not.toEqual(a.state.trace.map((t) => t.action));
  });

  it('resumes from a JSON checkpoint after 3 steps exactly as an uninterrupted run', async () => {
    const whole = await run(ppoOptimizer, knobs, 3);

    const first = context();
    let state: PpoState = await ppoOptimizer.init(
      { knobs, seed: 3, initialPrompt: START },
      first.ctx,
    );
    for (let i = 0; i < 3; i++) state = await ppoOptimizer.step(state, first.ctx);
    const saved = JSON.parse(JSON.stringify(state)) as PpoState;

    const second = context(); // a fresh page: new context, nothing memoized
    let resumed = saved;
    while (!resumed.done) resumed = await ppoOptimizer.step(resumed, second.ctx);
    expect(JSON.stringify(resumed)).toBe(JSON.stringify(whole.state));
    // The mutate/rewrite requests after the checkpoint are the same as in the whole run.
    const metaOf = (reqs: typeof whole.llm.requests) =>
      reqs.filter((r) => r.purpose !== 'generate');
    expect([...metaOf(first.llm.requests), ...metaOf(second.llm.requests)]).toEqual(
      metaOf(whole.llm.requests),
    );
  });

  it('never mutates the state it is given', async () => {
    const { ctx } = context();
    const s0 = await ppoOptimizer.init({ knobs, seed: 2, initialPrompt: START }, ctx);
    const before = JSON.stringify(s0);
    const s1 = await ppoOptimizer.step(s0, ctx);
    expect(JSON.stringify(s0)).toBe(before);
    expect(s1.step).toBe(1);
  });

  it('stops at an LLM-call budget without going over it', async () => {
    const { state, ctx } = await run(ppoOptimizer, { maxSteps: 200 }, 4, { maxLlmCalls: 45 });
    expect(state.stopReason).toBe('budget');
    expect(ctx.meter.llmCalls).toBeLessThanOrEqual(45);
    expect(state.step).toBeGreaterThan(0);
    expect(state.step).toBeLessThan(200);
  });

  it('stops at a token budget', async () => {
    const { state, ctx } = await run(ppoOptimizer, { maxSteps: 200 }, 4, { maxTokens: 3000 });
    expect(state.stopReason).toBe('budget');
    expect(ctx.meter.tokens).toBeGreaterThanOrEqual(3000);
    expect(state.step).toBeLessThan(200);
  });

  it('stops at a minutes budget (injected clock)', async () => {
    let now = 0;
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(10),
      budget: { maxMinutes: 1 },
      clock: () => now,
    });
    let state = await ppoOptimizer.init(
      { knobs: { maxSteps: 200 }, seed: 4, initialPrompt: START },
      ctx,
    );
    for (let i = 0; i < 3; i++) state = await ppoOptimizer.step(state, ctx);
    expect(state.done).toBe(false);
    now = 61_000;
    state = await ppoOptimizer.step(state, ctx);
    expect(state.stopReason).toBe('budget');
    expect(state.step).toBe(3);
    expect(await ppoOptimizer.step(state, ctx)).toBe(state);
  });

  it('re-asks (bounded) when the LLM answers with no prompt, then keeps the current one', async () => {
    const chatty = landscapeLlm({ malformed: 1 });
    const ctx = createDirectContext({ llm: chatty, exec: landscapeExec(), train: toyTasks(5) });
    const knobs = { maxSteps: 30, maxReasks: 2 };
    let state = await ppoOptimizer.init({ knobs, seed: 6, initialPrompt: START }, ctx);
    while (!state.done) state = await ppoOptimizer.step(state, ctx);
    const llmActions = state.trace.filter((t) => t.action === 'generate' || t.action === 'rewrite');
    expect(llmActions.length).toBeGreaterThan(0);
    for (const t of llmActions) expect(t.llmCalls).toBe(3);
    expect(chatty.requests.filter((r) => r.purpose !== 'generate')).toHaveLength(
      3 * llmActions.length,
    );
    const notes = ctx.events.filter(
      (e) => e.type === 'note' && e.message.includes('no new prompt in 3'),
    );
    expect(notes).toHaveLength(llmActions.length);
    // No chatter was adopted as a prompt: every prompt came from the start or a lexical action.
    expect(state.best?.prompt.text.toLowerCase()).not.toContain('already good');
  });

  it('re-asks an LLM action whose answer is the current prompt again', async () => {
    const inner = landscapeLlm();
    let asks = 0;
    const echoing = {
      ...inner,
      // Every other LLM-action ask (the first of each action) hands back the prompt it was shown.
      async complete(req: CompletionRequest, signal?: AbortSignal) {
        const c = await inner.complete(req, signal);
        if (req.purpose !== 'mutate' && req.purpose !== 'rewrite') return c;
        if (asks++ % 2 === 1) return c;
        const shown = /<prompt>\n([\s\S]*?)\n<\/prompt>/.exec(req.messages.at(-1)!.content)![1]!;
        return { ...c, text: `<prompt>\n${shown}\n</prompt>` };
      },
    };
    const ctx = createDirectContext({ llm: echoing, exec: landscapeExec(), train: toyTasks(5) });
    let state = await ppoOptimizer.init(
      { knobs: { maxSteps: 30 }, seed: 6, initialPrompt: START },
      ctx,
    );
    while (!state.done) state = await ppoOptimizer.step(state, ctx);
    const llmActions = state.trace.filter((t) => t.action === 'generate' || t.action === 'rewrite');
    expect(llmActions.length).toBeGreaterThan(0);
    expect(llmActions.map((t) => t.llmCalls)).toEqual(llmActions.map(() => 2));
  });

  it('stops on a plateau when patience is set', async () => {
    const { state } = await run(ppoOptimizer, { maxSteps: 200, patience: 5 }, 4);
    expect(state.stopReason).toBe('plateau');
    expect(state.sinceBest).toBe(5);
  });

  it('refuses bad knobs with a named error', async () => {
    const { ctx } = context();
    await expect(
      ppoOptimizer.init({ knobs: { clip: 7 }, seed: 1, initialPrompt: START }, ctx),
    ).rejects.toThrow(KnobError);
    await expect(
      ppoOptimizer.init({ knobs: { nope: 1 }, seed: 1, initialPrompt: START }, ctx),
    ).rejects.toThrow(/Unknown knob/);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(3),
      signal: ac.signal,
    });
    const s = await ppoOptimizer.init({ knobs: {}, seed: 1, initialPrompt: START }, ctx);
    ac.abort();
    await expect(ppoOptimizer.step(s, ctx)).rejects.toThrow();
  });
});

describe('per-instance mode (test-set optimization)', () => {
  it('is labelled per-instance and refines each task until it passes', async () => {
    expect(ppoInstanceOptimizer.info.perInstance).toBe(true);
    expect(ppoOptimizer.info.perInstance).toBe(false);
    const tasks = toyTasks(8);
    const { state, llm } = await run(
      ppoInstanceOptimizer,
      { maxSteps: 100, horizon: 6, rolloutSteps: 4 },
      5,
      {},
      tasks,
    );
    expect(state.stopReason).toBe('all-tasks');
    expect(Object.keys(state.instances).sort()).toEqual(tasks.map((t) => t.id).sort());
    const solved = Object.values(state.instances).filter((r) => r.strict === 1);
    const startSolved = tasks.filter((t) => solves(START, t)).length;
    expect(solved.length).toBeGreaterThan(startSolved);
    expect(state.best?.score).toBeCloseTo(solved.length / tasks.length, 12);
    // Each unsolved task used its whole horizon; a solved one stopped at its first pass.
    for (const r of Object.values(state.instances)) {
      if (r.strict < 1) expect(r.actions).toBe(6);
      else expect(r.actions).toBeLessThanOrEqual(6);
    }
    // Each task's episode scores prompts on that task alone.
    const gen = llm.requests.filter((r) => r.purpose === 'generate');
    expect(gen.length).toBeLessThanOrEqual(
      ppoInstanceOptimizer.projectCalls({ maxSteps: 100, horizon: 6 }, { train: 8, validation: 0 }),
    );
  });
});

describe('Random-Hybrid baseline', () => {
  it('draws every action from the same space without learning anything', async () => {
    // No prompt the LLM can write mentions "math", so the run cannot converge early.
    const noMath = PROMPT_POOL.filter((p) => !p.includes('math'));
    const { state } = await run(
      randomHybridOptimizer,
      { maxSteps: 60, horizon: 5 },
      9,
      {},
      toyTasks(10),
      noMath,
    );
    expect(state.stopReason).toBe('max-steps');
    expect(randomHybridOptimizer.info.kind).toBe('baseline');
    expect(state.actionCounts).toHaveLength(ACTIONS.length);
    for (const c of state.actionCounts) expect(c).toBeGreaterThan(6);
    expect('net' in state).toBe(false);
    expect(state.best).not.toBeNull();
  });
});
