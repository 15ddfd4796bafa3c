import { describe, expect, it } from 'vitest';
import { wordEditDistance } from '../../src/core/text';
import { makeCandidate } from '../../src/optimizers/common';
import { editBudget, gpo, retrieve, type TrajectoryEntry } from '../../src/optimizers/gpo';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, toyTasks } from '../support/landscape';
import { runToEnd } from '../support/run-optimizer';
import { lastUser, scriptedLlm } from '../support/scripted-llm';

const sched = {
  lMax: 50,
  lMinRatio: 0.2,
  schedule: 'cosine' as const,
  warmup: false,
  warmupSteps: 2,
};
const never = new AbortController().signal;

describe('GPO edit budget', () => {
  it('follows the official cosine decay from L_max towards 0.2·L_max', () => {
    const T = 9;
    const got = Array.from({ length: T }, (_, i) => editBudget(i + 1, T, sched));
    // RUCAIBox/GPO consine.py: int(final + (initial − final)·½(1 + cos(π·c/T))), c steps done.
    const want = Array.from({ length: T }, (_, c) =>
      Math.floor(10 + 40 * 0.5 * (1 + Math.cos((Math.PI * c) / T))),
    );
    expect(got).toEqual(want);
    // python3 -c "import math; print([int(10+40*0.5*(1+math.cos(math.pi*c/9))) for c in range(9)])"
    expect(got).toEqual([50, 48, 45, 40, 33, 26, 20, 14, 11]);
    // Cosine decays slower than linear at the start and faster in the middle.
    const linear = Array.from({ length: T }, (_, i) =>
      editBudget(i + 1, T, { ...sched, schedule: 'linear' }),
    );
    expect(got[1]!).toBeGreaterThan(linear[1]!);
    for (let i = 1; i < T; i++) expect(got[i]!).toBeLessThanOrEqual(got[i - 1]!);
  });

  it('fixed stays at L_max; warmup grows from 0 (floored at 1 word) then decays', () => {
    expect(
      Array.from({ length: 5 }, (_, i) => editBudget(i + 1, 5, { ...sched, schedule: 'fixed' })),
    ).toEqual([50, 50, 50, 50, 50]);
    const w = Array.from({ length: 8 }, (_, i) =>
      editBudget(i + 1, 8, { ...sched, warmup: true, warmupSteps: 2 }),
    );
    // int(50·c/2) for c = 0, 1; then the decay over the 6 steps after warmup.
    expect(w).toEqual([1, 25, 50, 47, 40, 30, 20, 12]);
  });

  it('refuses candidates over the budget after re-asking, and scores only those within', async () => {
    const current = 'Write correct Python code.';
    const far =
      'Completely different words that replace everything in the old prompt with many many more extra words here.';
    const near = 'Write correct Python code. Think about edge cases.';
    let i = 0;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') return 'def f():\n    return "bad"';
      // First candidate: always far (refused); second: far then near (accepted on re-ask).
      i += 1;
      if (i <= 2) return `<START>${far}<END>`;
      return req.messages.length > 1 ? `<START>${near}<END>` : `<START>${far}<END>`;
    });
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(4) });
    const s0 = await gpo.init(
      {
        knobs: { steps: 5, candidates: 2, lMax: 10, reasks: 1, trainTasks: 4, strictBudget: true },
        seed: 1,
        initialPrompt: current,
      },
      ctx,
    );
    const s1 = await gpo.step(s0, ctx);
    const budget = editBudget(1, 5, { ...sched, lMax: 10 });
    expect(budget).toBe(10);
    expect(wordEditDistance(current, far)).toBeGreaterThan(budget);
    expect(wordEditDistance(current, near)).toBeLessThanOrEqual(budget);
    expect(s1.budgets[0]).toEqual({
      step: 1,
      words: 10,
      refused: 1,
      accepted: 1,
      distances: [wordEditDistance(current, near)],
    });
    const reask = llm.requests.filter((r) => r.purpose === 'mutate')[1]!;
    expect(lastUser(reask)).toMatch(/changed \d+ words, more than the allowed 10/);
    const proposed = ctx.events
      .filter((e) => e.type === 'proposed')
      .map((e) => (e.type === 'proposed' ? e.prompt.text : ''));
    expect(proposed).toEqual([near]);
    // The far prompt was never used to generate code.
    expect(
      llm.requests.some((r) => r.purpose === 'generate' && r.messages[0]!.content === far),
    ).toBe(false);
  });

  it('tells the LLM the scheduled budget at every step of a run', async () => {
    const llm = landscapeLlm();
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(10) });
    const { final } = await runToEnd(
      gpo,
      {
        knobs: { steps: 6, candidates: 2, lMax: 20, patience: 10 },
        seed: 4,
        initialPrompt: 'Write correct Python code.',
      },
      ctx,
    );
    const want = Array.from({ length: final.budgets.length }, (_, i) =>
      editBudget(i + 1, 6, { ...sched, lMax: 20 }),
    );
    expect(final.budgets.map((b) => b.words)).toEqual(want);
    const firstMetas = llm.requests.filter(
      (r) => r.purpose === 'mutate' && r.messages.length === 1,
    );
    const said = firstMetas.map((r) =>
      Number(/change up to (\d+) words/.exec(r.messages[0]!.content)?.[1]),
    );
    expect(new Set(said)).toEqual(new Set(want));
  });
});

describe('GPO with a model that paraphrases (budget off by default, as in the paper)', () => {
  const current = 'Write correct Python code.';
  // Every candidate rewrites the whole prompt: far over any late-step budget.
  const paraphrases = (n: number): string =>
    `You are a careful Python developer number ${n}. Read the task twice, consider empty inputs, large inputs and unusual types, then write clean code that passes every hidden test.`;

  it("scores every candidate at every step and shows each one's measured edit distance", async () => {
    let n = 0;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') return 'def f():\n    return "bad"';
      n += 1;
      return `Sure. <START>${paraphrases(n)}<END>`;
    });
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(3) });
    const { final } = await runToEnd(
      gpo,
      {
        knobs: { steps: 8, candidates: 4, patience: 20, trainTasks: 3 },
        seed: 2,
        initialPrompt: current,
      },
      ctx,
    );
    expect(final.budgets).toHaveLength(8);
    for (const b of final.budgets) {
      expect(b.accepted).toBe(4);
      expect(b.refused).toBe(0);
      expect(b.distances).toHaveLength(4);
    }
    // The late steps' budgets are far below what the model changes: scored anyway.
    const late = final.budgets.slice(5);
    expect(late.every((b) => b.distances.every((d) => d > b.words))).toBe(true);
    expect(final.variants).toEqual({ scored: 32, refused: 0, scoredSinceGain: 32 });
    const notes = ctx.events.filter(
      (e) => e.type === 'note' && /over budget, scored anyway/.test(e.message),
    );
    expect(notes.length).toBeGreaterThanOrEqual(12);
    expect(final.stopReason).toBe('max-steps');
  });

  it('with a strict budget the same model has its late candidates refused', async () => {
    let n = 0;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') return 'def f():\n    return "bad"';
      n += 1;
      return `<START>${paraphrases(n)}<END>`;
    });
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(3) });
    const { final } = await runToEnd(
      gpo,
      {
        knobs: {
          steps: 8,
          candidates: 4,
          patience: 3,
          trainTasks: 3,
          strictBudget: true,
          reasks: 0,
          lMax: 20,
        },
        seed: 2,
        initialPrompt: current,
      },
      ctx,
    );
    expect(final.budgets.every((b) => b.accepted === 0)).toBe(true);
    // Never "converged": no variant was ever scored.
    expect(final.stopReason).toBe('no-usable-variants');
    expect(final.variants?.scored).toBe(0);
  });

  it('a model that never follows the answer format stops as no-usable-variants', async () => {
    const llm = scriptedLlm((req) =>
      req.purpose === 'generate'
        ? 'def f():\n    return 1'
        : 'Here is a better prompt: be careful.',
    );
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(3) });
    const { final } = await runToEnd(
      gpo,
      {
        knobs: { steps: 8, candidates: 2, patience: 2, trainTasks: 3 },
        seed: 1,
        initialPrompt: current,
      },
      ctx,
    );
    expect(final.stopReason).toBe('no-usable-variants');
    expect(final.step).toBe(2);
  });

  it('summarization: each update sees the last summary and only the newest results', async () => {
    let n = 0;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') return 'def f():\n    return "bad"';
      if (req.purpose === 'judge') return `SUMMARY-${req.messages[0]!.content.length}`;
      n += 1;
      return `<START>${current} Variant ${n}.<END>`;
    });
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(3) });
    await runToEnd(
      gpo,
      {
        knobs: {
          steps: 3,
          candidates: 2,
          patience: 10,
          trainTasks: 3,
          trajectory: 'summarization',
        },
        seed: 3,
        initialPrompt: current,
      },
      ctx,
    );
    const judge = llm.requests
      .filter((r) => r.purpose === 'judge')
      .map((r) => r.messages[0]!.content);
    expect(judge).toHaveLength(2); // steps 2 and 3 (step 1 has only the seed)
    expect(judge[0]).toContain('(none yet)');
    expect(judge[0]).toContain('Variant 1.');
    expect(judge[1]).toMatch(/Previous summary:\nSUMMARY-\d+/);
    // The second update shows the newest results only (step 2's candidates), not step 1's again.
    expect(judge[1]).not.toContain('Variant 1.');
    expect(judge[1]).toContain('Variant 3.');
  });
});

describe('GPO retrieval', () => {
  const entries = (texts: [string, number][]): TrajectoryEntry[] =>
    texts.map(([text, score], i) => ({ id: `p${i}`, text, score, step: i }));

  it('relevance: the k most similar, in ascending similarity (TF-IDF)', async () => {
    const current = await makeCandidate('sort the list of numbers carefully', [], 'seed', 0);
    const traj = entries([
      ['handle strings and unicode', 0.5],
      ['sort the list of numbers', 0.2], // most similar
      ['sort the list', 0.3],
      ['numbers matter', 0.9],
      ['completely unrelated text about cats', 0.8],
    ]);
    const got = await retrieve('relevance', current, traj, 3, { signal: never });
    expect(got.map((e) => e.text)).toEqual([
      'numbers matter',
      'sort the list',
      'sort the list of numbers',
    ]);
  });

  it('relevance uses the embedding port when one is loaded', async () => {
    const current = await makeCandidate('A', [], 'seed', 0);
    const vec: Record<string, number[]> = { A: [1, 0], B: [0, 1], C: [1, 1], D: [1, 0.1] };
    const embed = {
      modelId: 'fake',
      embed: (t: string[]) => Promise.resolve(t.map((x) => vec[x]!)),
    };
    const traj = entries([
      ['B', 0],
      ['C', 0],
      ['D', 0],
    ]);
    const got = await retrieve('relevance', current, traj, 2, { embed, signal: never });
    expect(got.map((e) => e.text)).toEqual(['C', 'D']);
  });

  it('importance: the k best, ascending; recency: the k latest; none: nothing', async () => {
    const current = await makeCandidate('x', [], 'seed', 0);
    const traj = entries([
      ['a', 0.5],
      ['b', 0.9],
      ['c', 0.1],
      ['d', 0.7],
    ]);
    expect(
      (await retrieve('importance', current, traj, 2, { signal: never })).map((e) => e.text),
    ).toEqual(['d', 'b']);
    expect(
      (await retrieve('recency', current, traj, 2, { signal: never })).map((e) => e.text),
    ).toEqual(['c', 'd']);
    expect(await retrieve('none', current, traj, 2, { signal: never })).toEqual([]);
  });

  it('shows the retrieved prompts in the meta-prompt in that order', async () => {
    const llm = landscapeLlm();
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(10) });
    const { final } = await runToEnd(
      gpo,
      {
        knobs: { steps: 4, candidates: 3, k: 3, patience: 10 },
        seed: 2,
        initialPrompt: 'Write correct Python code.',
      },
      ctx,
    );
    expect(final.trajectory.length).toBeGreaterThan(2);
    const last = llm.requests
      .filter((r) => r.purpose === 'mutate' && r.messages.length === 1)
      .at(-1)!.messages[0]!.content;
    const shown = [...last.matchAll(/^Prompt: (.*)$/gm)].map((m) => m[1]);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThanOrEqual(3);
  });
});

describe('GPO runs', () => {
  it('improves on the landscape, reproduces from its seed through JSON, and each ablation runs', async () => {
    const go = async (knobs: Record<string, string | number | boolean>, viaJson = false) => {
      const llm = landscapeLlm();
      const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(15) });
      const { final } = await runToEnd(
        gpo,
        {
          knobs: { steps: 5, candidates: 3, ...knobs },
          seed: 9,
          initialPrompt: 'Write correct Python code.',
        },
        ctx,
        { viaJson },
      );
      return { final, requests: llm.requests };
    };
    const a = await go({});
    const b = await go({}, true);
    expect(b.final).toEqual(a.final);
    expect(b.requests).toEqual(a.requests);
    expect(a.final.best!.score).toBeGreaterThan(a.final.trajectory[0]!.score);
    for (const trajectory of ['none', 'recency', 'importance', 'summarization']) {
      for (const update of ['generation', 'editing']) {
        const r = await go({ trajectory, update, schedule: 'linear', warmup: true });
        expect(r.final.done).toBe(true);
      }
    }
    const summ = await go({ trajectory: 'summarization' });
    expect(summ.requests.some((r) => r.purpose === 'judge')).toBe(true);
  });

  it('stops on its call budget', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(10),
      budget: { maxLlmCalls: 25 },
    });
    const { final } = await runToEnd(
      gpo,
      {
        knobs: { steps: 20, candidates: 4, patience: 20 },
        seed: 1,
        initialPrompt: 'Write correct Python code.',
      },
      ctx,
    );
    expect(final.stopReason).toBe('budget');
    expect(ctx.meter.llmCalls).toBeLessThanOrEqual(25);
  });
});
