import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types';
import { UngradableTaskError } from '../../src/core/expected-outputs';
import { makeCandidate } from '../../src/optimizers/common';
import {
  createDirectContext,
  createScorer,
  memoryEvaluationLog,
  type EvalKey,
} from '../../src/optimizers/scoring';
import type { TaskScore } from '../../src/optimizers/types';
import { landscapeExec, toyTasks } from '../support/landscape';
import { scriptedLlm } from '../support/scripted-llm';

/** Passes task i when the prompt names it (`solve:i`). */
const llm = () =>
  scriptedLlm((req) => {
    const sys = req.messages[0]?.content ?? '';
    const task = req.messages.find((m) => m.role === 'user')?.content ?? '';
    const i = /toy\/(\d+)/.exec(task)?.[1];
    return sys.split(' ').includes(`solve:${i}`)
      ? 'def f():\n    return "ok"'
      : 'def f():\n    return "bad"';
  });

const cand = (text: string) => makeCandidate(text, [], 'seed', 0);

describe('the default scorer', () => {
  it('grades through extract and the executor, and memoizes per (prompt, task, sample)', async () => {
    const l = llm();
    const exec = landscapeExec();
    const score = createScorer({ llm: l, exec, generate: { temperature: 0, max_tokens: 64 } });
    const tasks = toyTasks(4);
    const p = await cand('solve:0 solve:2');
    const a = await score(p, tasks);
    expect(a.perTask.map((t) => t.passed)).toEqual([true, false, true, false]);
    expect(a.strict).toBe(0.5);
    expect(a.complete).toBe(true);
    expect(exec.jobs[0]!.program).toBe('def f():\n    return "ok"');
    const again = await score(await cand('solve:0   solve:2'), tasks); // same text after normalization
    expect(again).toEqual(a);
    expect(l.requests).toHaveLength(4);
    await score(p, tasks, { samples: 2 });
    expect(l.requests).toHaveLength(8); // sample 1 is new, sample 0 is memoized
  });

  it('gives each sample at temperature > 0 its own fixed seed', async () => {
    const l = llm();
    const score = createScorer({
      llm: l,
      exec: landscapeExec(),
      generate: { temperature: 0.8, seed: 100, max_tokens: 64 },
    });
    await score(await cand('x'), toyTasks(1), { samples: 3 });
    expect(l.requests.map((r) => r.sampling.seed)).toEqual([100, 101, 102]);
  });

  it('looks up and records through an injected log, and reports each new evaluation', async () => {
    const l = llm();
    const seen: EvalKey[] = [];
    const stored = new Map<string, TaskScore>();
    const log = {
      get: (k: EvalKey) => Promise.resolve(stored.get(`${k.promptId}/${k.taskId}/${k.sample}`)),
      put: (k: EvalKey, s: TaskScore) => {
        stored.set(`${k.promptId}/${k.taskId}/${k.sample}`, s);
        return Promise.resolve();
      },
    };
    const score = createScorer({
      llm: l,
      exec: landscapeExec(),
      generate: { temperature: 0, max_tokens: 64 },
      log,
      onEvaluation: (e) => seen.push(e.key),
    });
    const p = await cand('solve:1');
    await score(p, toyTasks(3));
    // A second scorer over the same log (a resumed run) asks the model nothing.
    const l2 = llm();
    const score2 = createScorer({
      llm: l2,
      exec: landscapeExec(),
      generate: { temperature: 0, max_tokens: 64 },
      log,
    });
    const s2 = await score2(p, toyTasks(3));
    expect(l2.requests).toHaveLength(0);
    expect(s2.strict).toBeCloseTo(1 / 3);
    expect(seen.map((k) => k.taskId)).toEqual(['toy/0', 'toy/1', 'toy/2']);
  });

  it('scores everything again with memoization off (log: null)', async () => {
    const l = llm();
    const score = createScorer({
      llm: l,
      exec: landscapeExec(),
      generate: { temperature: 0, max_tokens: 64 },
      log: null,
    });
    const p = await cand('solve:1');
    await score(p, toyTasks(2));
    await score(p, toyTasks(2));
    expect(l.requests).toHaveLength(4);
  });
});

describe('racing', () => {
  const tasks: Task[] = toyTasks(6);

  it('stops once the prompt cannot strictly beat the best, and never drops a winner', async () => {
    const l = llm();
    const score = createScorer({
      llm: l,
      exec: landscapeExec(),
      generate: { temperature: 0, max_tokens: 64 },
    });
    // Fails tasks 0 and 1: at most 4/6 < 0.7.
    const loser = await score(await cand('solve:2 solve:3 solve:4 solve:5'), tasks, {
      race: { beat: 0.7 },
    });
    expect(loser.complete).toBe(false);
    expect(loser.stoppedBy).toBe('race');
    expect(loser.perTask).toHaveLength(2);
    // A tie cannot beat: at most 4/6 against 4/6 stops once the second failure lands.
    const tie = await score(await cand('solve:2 solve:3 solve:4 solve:5'), tasks, {
      race: { beat: 4 / 6 },
    });
    expect(tie.complete).toBe(false);
    expect(tie.perTask).toHaveLength(2);
    // Against a lower best it is scored to the end: it could still win.
    const under = await score(await cand('solve:2 solve:3 solve:4 solve:5'), tasks, {
      race: { beat: 0.6 },
    });
    expect(under.complete).toBe(true);
    // A winner is scored on every task.
    const win = await score(await cand('solve:0 solve:1 solve:2 solve:3 solve:4'), tasks, {
      race: { beat: 0.7 },
    });
    expect(win.complete).toBe(true);
    expect(win.strict).toBeCloseTo(5 / 6);
  });

  it('respects task weights, and can be switched off', async () => {
    const score = createScorer({
      llm: llm(),
      exec: landscapeExec(),
      generate: { temperature: 0, max_tokens: 64 },
    });
    // Task 0 weighs 10 of 15: failing it loses against 0.5 at once.
    const w = [10, 1, 1, 1, 1, 1];
    const r = await score(await cand('solve:1 solve:2 solve:3 solve:4 solve:5'), tasks, {
      race: { beat: 0.5, weights: w },
    });
    expect(r.perTask).toHaveLength(1);
    const off = createScorer({
      llm: llm(),
      exec: landscapeExec(),
      generate: { temperature: 0, max_tokens: 64 },
      racing: false,
    });
    expect((await off(await cand('solve:1'), tasks, { race: { beat: 0.9 } })).complete).toBe(true);
  });
});

describe('the direct context', () => {
  it('counts calls that reach the model, not cache hits, and stops scoring when the budget is spent', async () => {
    const base = llm();
    const cachedPort = {
      modelId: 'm',
      complete: async (r: Parameters<typeof base.complete>[0]) => ({
        ...(await base.complete(r)),
        cached: r.purpose === 'judge',
      }),
    };
    const ctx = createDirectContext({
      llm: cachedPort,
      exec: landscapeExec(),
      train: toyTasks(5),
      budget: { maxLlmCalls: 3 },
    });
    await ctx.complete({
      messages: [],
      sampling: { temperature: 0, max_tokens: 1 },
      purpose: 'judge',
    });
    expect(ctx.budget.llmCalls).toBe(0);
    const s = await ctx.score(await cand('solve:0'), ctx.train);
    expect(s.complete).toBe(false);
    expect(s.stoppedBy).toBe('budget');
    expect(s.perTask).toHaveLength(3);
    expect(ctx.budget.exhausted()).toBe(true);
  });

  it('has an in-memory log whose size counts distinct evaluations', async () => {
    const log = memoryEvaluationLog();
    const ctx = createDirectContext({ llm: llm(), exec: landscapeExec(), train: toyTasks(3), log });
    const p = await cand('solve:0');
    await ctx.score(p, ctx.train);
    await ctx.score(p, ctx.train);
    expect(log.size).toBe(3);
  });
});

describe('tasks whose expected outputs were never computed', () => {
  // An EvalPlus task before validation: its inputs, no outputs yet.
  const unvalidated = (i: number): Task => ({
    ...toyTasks(i + 1)[i]!,
    id: `plus/${i}`,
    tests: {
      kind: 'io',
      entryPoint: 'f',
      cases: [{ args: [1], expected: undefined }],
      atol: 0,
    },
  });

  it('the scorer refuses to grade them, in words, before asking the model', async () => {
    const l = llm();
    const exec = landscapeExec();
    const score = createScorer({ llm: l, exec, generate: { temperature: 0, max_tokens: 64 } });
    const err = await score(await cand('solve:0'), [unvalidated(0)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UngradableTaskError);
    expect((err as Error).message).toBe(
      '1 task (plus/0) cannot be graded yet: their test inputs have no expected outputs, because their reference solutions were never run, or failed. Validate the task set on the Tasks page (scripts: datasets/validate.ts validateTasks), then start again; a task whose reference fails validation cannot be graded at all: leave it out of the split.',
    );
    expect(l.requests).toHaveLength(0);
    expect(exec.jobs).toHaveLength(0);
  });

  it('a direct context refuses them when it is made, naming each', () => {
    expect(() =>
      createDirectContext({
        llm: llm(),
        exec: landscapeExec(),
        train: [...toyTasks(2), unvalidated(3), unvalidated(4)],
      }),
    ).toThrow(/^2 tasks \(plus\/3, plus\/4\) cannot be graded yet/);
  });
});
