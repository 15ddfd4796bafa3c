import { describe, expect, it } from 'vitest';
import { BudgetExhaustedError } from '../../src/core/budget';
import { Rng } from '../../src/core/rng';
import type { Task } from '../../src/core/types';
import { parseDoubleBraces } from '../../src/optimizers/common';
import {
  chooseTrainingSet,
  difficultyWeights,
  prochemy,
  weightedScore,
} from '../../src/optimizers/prochemy';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, toyTask, toyTasks } from '../support/landscape';
import { runToEnd } from '../support/run-optimizer';
import { clockedLlm, scriptedLlm } from '../support/scripted-llm';

const args = (knobs: Record<string, number | boolean> = {}, seed = 1) => ({
  knobs: { variants: 4, trainTasks: 6, rounds: 5, ...knobs },
  seed,
  initialPrompt: 'Write correct Python code.',
});

describe('Prochemy difficulty weights', () => {
  it('weigh a task few candidates solve more, and an unsolved task 0', () => {
    // Rows: candidates A, B, C. Tasks 0-2 everyone solves, 3 two solve, 4 only B, 5 nobody.
    const A = [true, true, true, true, false, false];
    const B = [true, true, true, false, true, false];
    const C = [true, true, true, true, false, false];
    const w = difficultyWeights([A, B, C], 6);
    expect(w).toEqual([4, 4, 4, 6, 12, 0]);
    // A and B pass four tasks each; B's rare task makes it win under weighting.
    expect(weightedScore(B, w)).toBeGreaterThan(weightedScore(A, w));
    expect(weightedScore(A, w)).toBeCloseTo(18 / 30);
    expect(weightedScore([false, false], [0, 0])).toBe(0);
  });

  it('select the candidate that solves the rare task in a real round, and not without weighting', async () => {
    // Tasks: two on types, one on loops, one on edge. Variants A ("types loops"), B ("types
    // edge") and A again: A and B both pass 3 of 4, but only B passes the edge task, while the
    // loops task is passed by both copies of A.
    const tasks = [toyTask(1), toyTask(6), toyTask(2), toyTask(5)];
    const pool = ['P types loops', 'P types edge', 'P types loops'];
    let n = 0;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') {
        const sys = req.messages[0]?.content ?? '';
        const task = req.messages[1]?.content ?? '';
        const ok = ['types', 'loops', 'edge'].some(
          (t) => task.includes(`about ${t}`) && sys.includes(t),
        );
        return ok ? 'def f():\n    return "ok"' : 'def f():\n    return "bad"';
      }
      return `{{${pool[n++ % 3]}}}`;
    });
    const run = async (weighting: boolean) => {
      n = 0;
      const ctx = createDirectContext({ llm, exec: landscapeExec(), train: tasks });
      const s0 = await prochemy.init(
        {
          knobs: { variants: 3, trainTasks: 4, rounds: 1, weighting },
          seed: 3,
          initialPrompt: 'P',
        },
        ctx,
      );
      return prochemy.step(s0, ctx);
    };
    const w = await run(true);
    const u = await run(false);
    const round = w.rounds[0]!;
    const order = w.trainIds.map((id) => tasks.findIndex((t) => t.id === id));
    expect(round.candidates.map((c) => c.strict)).toEqual([0, 0.75, 0.75, 0.75]);
    // total passes 9: types tasks 3 passes each (w 3), loops 2 (w 4.5), edge 1 (w 9).
    expect(round.weights).toEqual(order.map((i) => [3, 3, 4.5, 9][i]));
    expect(w.current.text).toBe('P types edge');
    // Without weighting the tie goes to the earlier variant.
    expect(u.current.text).toBe('P types loops');
  });
});

describe('Prochemy {{ }} parse and re-ask', () => {
  it.each([
    ['{{Write tests first.}}', 'Write tests first.'],
    [
      'Sure! Here is the prompt:\n{{ Be precise.\nHandle edge cases. }}\nHope it helps.',
      'Be precise.\nHandle edge cases.',
    ],
    ['Draft {{one}} and final {{two}}', 'two'],
    [
      'Use a dict like {"a": 1} inside: {{Return {"a": 1} when asked.}}',
      'Return {"a": 1} when asked.',
    ],
    ['{{   }}', undefined],
    ['{ single braces }', undefined],
    ['{{unclosed', undefined],
    ['', undefined],
  ])('parses %j', (text, want) => {
    expect(parseDoubleBraces(text)).toBe(want);
  });

  it('re-asks in the same conversation and accepts the second answer', async () => {
    let calls = 0;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') return 'def f():\n    return "bad"';
      calls += 1;
      return req.messages.length === 1
        ? 'Improved prompt: be careful.'
        : '{{Be careful about edge cases.}}';
    });
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(3) });
    const s = await prochemy.step(await prochemy.init(args({ variants: 1, rounds: 1 }), ctx), ctx);
    expect(calls).toBe(2);
    const meta = llm.requests.filter((r) => r.purpose === 'mutate');
    expect(meta[1]!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(meta[1]!.messages[1]!.content).toBe('Improved prompt: be careful.');
    expect(s.rounds[0]!.candidates.map((c) => c.id)).toHaveLength(2);
    expect(
      ctx.events.some(
        (e) => e.type === 'proposed' && e.prompt.text === 'Be careful about edge cases.',
      ),
    ).toBe(true);
  });

  it('drops a variant after the bounded re-asks all fail', async () => {
    const llm = scriptedLlm((req) => (req.purpose === 'generate' ? 'x = 1' : 'no braces here'));
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(3) });
    const s = await prochemy.step(
      await prochemy.init(args({ variants: 2, rounds: 1, reasks: 2 }), ctx),
      ctx,
    );
    expect(llm.requests.filter((r) => r.purpose === 'mutate')).toHaveLength(6);
    expect(s.rounds[0]!.candidates).toHaveLength(1);
    expect(ctx.events.filter((e) => e.type === 'note' && /malformed/.test(e.message))).toHaveLength(
      2,
    );
  });
});

describe('Prochemy runs', () => {
  it('improves on the landscape and stops when the best is unchanged two rounds running', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(20),
    });
    const { final } = await runToEnd(prochemy, args({ variants: 6, rounds: 10 }), ctx);
    expect(final.best!.score).toBeGreaterThan(0.5);
    const last = final.rounds.slice(-2);
    expect(final.stopReason).toBe('converged');
    expect(last.every((r) => r.selectedId === r.seedId)).toBe(true);
    expect(final.rounds.length).toBeLessThan(10);
  });

  it('stops at max rounds', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(10),
    });
    const { final } = await runToEnd(prochemy, args({ variants: 2, rounds: 1 }), ctx);
    expect(final.stopReason).toBe('max-steps');
    expect(final.step).toBe(1);
  });

  it('reproduces a run exactly from its seed, also through JSON checkpoints, and differs for another seed', async () => {
    const go = async (seed: number, viaJson: boolean) => {
      const llm = landscapeLlm();
      const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(20) });
      const { final } = await runToEnd(prochemy, args({ variants: 5, rounds: 6 }, seed), ctx, {
        viaJson,
      });
      return { final, requests: llm.requests };
    };
    const a = await go(7, false);
    const b = await go(7, true);
    const c = await go(8, false);
    expect(b.final).toEqual(a.final);
    expect(b.requests).toEqual(a.requests);
    expect(c.requests).not.toEqual(a.requests);
    // Variant requests at temperature 1.0 carry a fixed seed from the state's RNG.
    const meta = a.requests.filter((r) => r.purpose === 'mutate');
    expect(
      meta.every((r) => r.sampling.temperature === 1 && Number.isInteger(r.sampling.seed)),
    ).toBe(true);
    expect(
      a.requests.filter((r) => r.purpose === 'generate').every((r) => r.sampling.temperature === 0),
    ).toBe(true);
  });

  it('never scores the same (prompt, task) twice', async () => {
    const llm = landscapeLlm();
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(12) });
    await runToEnd(prochemy, args({ variants: 6, rounds: 6 }), ctx);
    const gen = llm.requests
      .filter((r) => r.purpose === 'generate')
      .map((r) => JSON.stringify(r.messages));
    expect(new Set(gen).size).toBe(gen.length);
  });
});

describe('Prochemy training set', () => {
  it('takes K real tasks by seed and their mutated children first', () => {
    const real = toyTasks(10);
    const mutated: Task[] = [
      toyTask(100, { kind: 'mutated', parentId: 'toy/3' }),
      toyTask(101, { kind: 'mutated', parentId: 'toy/9' }),
      toyTask(102, { kind: 'mutated', parentId: 'toy/4' }),
    ];
    const a = chooseTrainingSet(Rng.seeded(5), [...real, ...mutated], 2);
    const b = chooseTrainingSet(Rng.seeded(5), [...real, ...mutated], 2);
    expect(a).toEqual(b);
    expect(a.ids).toHaveLength(4);
    expect(a.mutated).toBe(2);
    const chosenReal = a.ids.slice(0, 2);
    const children = mutated
      .filter((t) => t.origin.kind === 'mutated' && chosenReal.includes(t.origin.parentId))
      .map((t) => t.id);
    for (const c of children) expect(a.ids).toContain(c);
    expect(chooseTrainingSet(Rng.seeded(5), real, 3)).toEqual({
      ids: expect.any(Array),
      mutated: 0,
    });
  });
});

describe('Prochemy budgets', () => {
  it('stops on LLM calls', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(10),
      budget: { maxLlmCalls: 30 },
    });
    const { final } = await runToEnd(prochemy, args({ variants: 6, rounds: 10 }), ctx);
    expect(final.stopReason).toBe('budget');
    expect(ctx.meter.llmCalls).toBeLessThanOrEqual(30);
  });

  it('stops on tokens', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(10),
      budget: { maxTokens: 2000 },
    });
    const { final } = await runToEnd(prochemy, args({ variants: 6, rounds: 10 }), ctx);
    expect(final.stopReason).toBe('budget');
    expect(ctx.meter.tokens).toBeGreaterThanOrEqual(2000);
    expect(ctx.meter.tokens).toBeLessThan(2600);
  });

  it('stops on minutes (injected clock)', async () => {
    const { llm, clock } = clockedLlm(landscapeLlm(), 10_000);
    const ctx = createDirectContext({
      llm,
      exec: landscapeExec(),
      train: toyTasks(10),
      budget: { maxMinutes: 1 },
      clock,
    });
    const { final } = await runToEnd(prochemy, args({ variants: 6, rounds: 10 }), ctx);
    expect(final.stopReason).toBe('budget');
    expect(clock()).toBeLessThanOrEqual(70_000);
  });

  it('refuses a call once the budget is spent', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(3),
      budget: { maxLlmCalls: 0 },
    });
    await expect(
      ctx.complete({
        messages: [],
        sampling: { temperature: 0, max_tokens: 1 },
        purpose: 'mutate',
      }),
    ).rejects.toBeInstanceOf(BudgetExhaustedError);
  });

  it('projects an upper bound of its calls', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(10),
    });
    const knobs = { variants: 4, trainTasks: 5, rounds: 3 };
    await runToEnd(prochemy, { knobs, seed: 2, initialPrompt: 'Write correct Python code.' }, ctx);
    const projected = prochemy.projectCalls(knobs, { train: 10, validation: 0 });
    // Upper bound: K mutation calls, and a training set of up to 2K tasks (K real + K mutated).
    expect(projected).toBe(5 + 3 * (4 + 4 * 10) + 10);
    expect(ctx.meter.llmCalls).toBeLessThanOrEqual(projected);
  });
});
