/**
 * GEPA (src/optimizers/gepa): the Pareto front and its parent draw, the sentence-level merge, and
 * whole runs on the scripted landscape whose failure messages name each task's topic.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { gepa, gepaFront, parseFenced, type GepaState } from '../../src/optimizers/gepa/gepa';
import {
  mergeSubsample,
  mergeThreeWay,
  paretoFront,
  selectByLeads,
} from '../../src/optimizers/gepa/pareto';
import { KnobError } from '../../src/optimizers/knobs';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, topicMessage, toyTasks } from '../support/landscape';
import { runToEnd } from '../support/run-optimizer';

const START = 'Write correct Python code.';

function run(
  knobs: Record<string, number | string | boolean>,
  seed = 1,
  budget = {},
  pool?: string[],
) {
  const llm = landscapeLlm({ reflective: true, ...(pool ? { pool } : {}) });
  const ctx = createDirectContext({
    llm,
    exec: landscapeExec({ revealTopic: true }),
    train: toyTasks(30),
    budget,
  });
  return runToEnd(gepa, { knobs, seed, initialPrompt: START }, ctx, { viaJson: true }).then(
    (r) => ({ ...r, llm, ctx }),
  );
}

describe('Pareto front', () => {
  it('keeps a candidate while it is best on some task, pruning the dominated', () => {
    // c0 leads nowhere alone; c1 leads task 0; c2 leads task 1 and 2; c3 equals c2 on every task
    // but is newer, so it is pruned (the older one survives a tie).
    const scores = [
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 1],
      [0, 1, 1],
    ];
    const { leads, fronts } = paretoFront(scores);
    expect(leads).toEqual([0, 1, 2, 0]);
    expect(fronts).toEqual([[1], [2], [2]]);
  });

  it('lets every candidate tie on a task nobody solves, then prunes', () => {
    const { leads } = paretoFront([
      [0, 0],
      [0, 1],
    ]);
    expect(leads).toEqual([0, 2]);
  });

  it('draws parents in proportion to the tasks they lead on', () => {
    const rng = Rng.seeded(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 6000; i++) counts[selectByLeads([1, 0, 2], rng)]! += 1;
    expect(counts[1]).toBe(0);
    expect((counts[2] as number) / 6000).toBeGreaterThan(0.62);
    expect((counts[2] as number) / 6000).toBeLessThan(0.71);
  });
});

describe('system-aware merge', () => {
  it('keeps what each descendant changed relative to the ancestor', () => {
    const anc = 'Write code. Be brief.';
    const a = 'Write code. Be brief. Handle edge cases.';
    const b = 'Write code. Check the math.';
    expect(mergeThreeWay(anc, a, b)).toBe('Write code. Handle edge cases. Check the math.');
    expect(mergeThreeWay(anc, anc, anc)).toBe(anc);
  });

  it('takes a balanced subsample of where each parent wins', () => {
    const sub = mergeSubsample([1, 1, 0, 0, 1, 0], [0, 0, 1, 1, 1, 0], 4, Rng.seeded(1));
    expect(sub).toHaveLength(4);
    const aWins = sub.filter((j) => [0, 1].includes(j)).length;
    const bWins = sub.filter((j) => [2, 3].includes(j)).length;
    expect(aWins).toBeGreaterThanOrEqual(1);
    expect(bWins).toBeGreaterThanOrEqual(1);
  });
});

describe('GEPA runs', () => {
  it('parses the last fenced block', () => {
    expect(parseFenced('x\n```text\nA new rule.\n```\nthen ```\nB\n```')).toBe('B');
    expect(parseFenced('no block')).toBeUndefined();
  });

  it('hands the reflection model the failure text, and keeps only minibatch improvements', async () => {
    const { final, llm } = await run({ iterations: 8 });
    const reflections = llm.requests.filter((r) => r.purpose === 'mutate');
    expect(reflections.length).toBeGreaterThan(0);
    // The feedback reached the meta-prompt: the failing assert and its message.
    const text = reflections[0]?.messages[0]?.content ?? '';
    expect(text).toMatch(/AssertionError: f\(\) is wrong on a \w+ case/);
    expect(text).toContain(START);
    for (const c of final.candidates) {
      if (c.origin.kind === 'reflect') expect(c.origin.after).toBeGreaterThan(c.origin.before);
    }
    for (const r of final.rejected) {
      if (r.origin.kind === 'reflect') expect(r.origin.after).toBeLessThanOrEqual(r.origin.before);
    }
    expect(final.best?.score).toBeGreaterThan(final.candidates[0]?.mean ?? 1);
  });

  it('keeps lineage for every candidate', async () => {
    const { final } = await run({ iterations: 10, selection: 'pareto' }, 4);
    const ids = new Set(final.candidates.map((c) => c.prompt.id));
    for (const c of [...final.candidates, ...final.rejected]) {
      if (c.origin.kind === 'seed') continue;
      expect(c.prompt.parents.length).toBeGreaterThan(0);
      for (const p of c.prompt.parents) expect(ids.has(p)).toBe(true);
      if (c.origin.kind === 'reflect') expect(c.prompt.feedback).toContain('Test results:');
    }
    const front = gepaFront(final);
    expect(front.leads.length).toBeGreaterThan(0);
    for (const l of front.leads) expect(ids.has(l.id)).toBe(true);
  });

  it('merges two lineages when each fixed different tasks', async () => {
    // Two children of the seed each learn different topics; the merge carries both.
    let merged: GepaState | undefined;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      // The reflection model only adds what the failure text names, so no lucky pool prompt
      // solves everything at once.
      const { final } = await run({ iterations: 12, minibatch: 2 }, seed, {}, [START]);
      if (final.candidates.some((c) => c.origin.kind === 'merge')) {
        merged = final;
        break;
      }
    }
    expect(merged).toBeDefined();
    const m = merged!.candidates.find((c) => c.origin.kind === 'merge')!;
    expect(m.prompt.operator).toBe('merge');
    expect(m.prompt.parents).toHaveLength(2);
    const [a, b] = m.prompt.parents.map((id) =>
      merged!.candidates.find((c) => c.prompt.id === id)!,
    );
    // It keeps both parents' additions, and on the Pareto set it is at least as good as either.
    expect(m.mean).toBeGreaterThanOrEqual(Math.max(a!.mean, b!.mean));
  });

  it('stops within its metric-call and LLM-call budgets', async () => {
    const metric = await run({ maxMetricCalls: 25, iterations: 50 });
    expect(metric.final.metricCalls).toBeLessThanOrEqual(25);
    expect(metric.final.stopReason).toBe('metric-budget');
    const calls = await run({ maxLlmCalls: 14, iterations: 50 });
    // Checked before each scoring: one scoring under way (at most the 10 Pareto tasks) may finish.
    expect(calls.ctx.meter.llmCalls).toBeLessThanOrEqual(14 + 10);
    expect(calls.final.stopReason).toBe('llm-budget');
    const runBudget = await run({ iterations: 50 }, 1, { maxLlmCalls: 15 });
    expect(runBudget.ctx.meter.llmCalls).toBeLessThanOrEqual(15);
    expect(runBudget.final.stopReason).toBe('budget');
  });

  it('refuses an unknown selection rule', async () => {
    await expect(run({ selection: 'roulette' })).rejects.toThrow(KnobError);
  });

  it('names the topic in the landscape failure text it reads', () => {
    expect(topicMessage('math')).toContain('on a math case');
  });
});
