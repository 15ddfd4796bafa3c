/**
 * GEPA (src/optimizers/gepa): the Pareto front and its parent draw, the sentence-level merge, and
 * whole runs on the scripted landscape whose failure messages name each task's topic.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  checkGepaBudget,
  GepaBudgetError,
  gepaReflections,
} from '../../src/optimizers/gepa/budget';
import { planCalls } from '../../src/ui/projection';
import {
  epochOrder,
  gepa,
  gepaFront,
  parseFenced,
  parseReflection,
  type GepaState,
} from '../../src/optimizers/gepa/gepa';
import {
  mergeSubsample,
  mergeThreeWay,
  paretoFront,
  selectByLeads,
} from '../../src/optimizers/gepa/pareto';
import { KnobError, readKnobs } from '../../src/optimizers/knobs';
import { GEPA_REASK_CODE, GEPA_REASK_UNCHANGED } from '../../src/optimizers/meta-prompts';
import { gepaInfo } from '../../src/optimizers/gepa/gepa';
import { createDirectContext } from '../../src/optimizers/scoring';
import { gepaWithFirstAsk } from '../support/gepa-first-ask';
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
  // Every grading GEPA asks for (memoized or not), to hold its metricCalls to account.
  const asked = { gradings: 0, cutShort: 0 };
  const score = ctx.score;
  ctx.score = async (prompt, tasks, opts) => {
    const r = await score(prompt, tasks, opts);
    asked.gradings += r.stoppedBy === 'budget' ? r.perTask.length : tasks.length;
    if (r.stoppedBy === 'budget') asked.cutShort += r.perTask.length;
    return r;
  };
  return runToEnd(gepa, { knobs, seed, initialPrompt: START }, ctx, { viaJson: true }).then(
    (r) => ({ ...r, llm, ctx, asked }),
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

  it('takes no code block for an instruction', () => {
    // As Qwen2.5-Coder-0.5B answered a reflection: the instruction loose, then a solution.
    const answer =
      '### New Instruction\nWrite a correct solution.\n\n```python\ndef can_arrange(arr):\n    return -1\n```';
    expect(parseReflection(answer)).toEqual({ missing: 'code' });
    expect(parseReflection('```\nfrom math import gcd\n```')).toEqual({ missing: 'code' });
    expect(parseReflection('no block')).toEqual({ missing: 'no-block' });
    // A heading is no instruction; above one, it is dropped.
    expect(parseReflection('```\n### New instruction:\n\n```\nTask:\nImplement f.\n```')).toEqual({
      missing: 'no-block',
    });
    expect(parseReflection('```\n**New instruction:**\nYou are careful.\n```')).toEqual({
      instruction: 'You are careful.',
    });
    // A prose instruction in a ```python block is still an instruction.
    expect(parseReflection('```python\nYou are careful.\n```')).toEqual({
      instruction: 'You are careful.',
    });
    expect(parseReflection('```\nDefine every helper you use.\n```')).toEqual({
      instruction: 'Define every helper you use.',
    });
  });

  const EXPERT =
    'You are an expert Python programmer. Write a correct, self-contained solution to the task. Reply with one Python code block.';
  it.each([
    [
      'an edit of the parent, re-asked',
      'You are an expert Python programmer. Write a correct, self-contained solution to the task. Avoid the mistakes in the test results above.',
      true,
      'instruction',
    ],
    [
      'the same edit, first asked',
      'You are an expert Python programmer. Write a correct solution. Avoid the mistakes above.',
      false,
      'no-block',
    ],
    ['chatter, re-asked', 'I think the prompt is already good.', true, 'no-block'],
    [
      'a task of its own, re-asked',
      'Create a function that calculates the sum of all even numbers up to and including n.',
      true,
      'no-block',
    ],
  ])('a bare answer: %s', (_, answer, reasked, kind) => {
    const parsed = parseReflection(answer, '', [EXPERT], reasked);
    expect('instruction' in parsed ? 'instruction' : parsed.missing).toBe(kind);
  });

  it('re-asks a reflection that wrote code, and never scores the code as a prompt', async () => {
    // The first ask of every reflection gets a solution to a task instead of an instruction.
    const { mutate, firstAsks, proposals } = await gepaWithFirstAsk(
      () => 'Sure.\n```python\ndef f():\n    return "ok"\n```',
      START,
    );
    const reasks = mutate.filter((r) => r.messages.at(-1)?.content === GEPA_REASK_CODE).length;
    // Every reflection was re-asked once, and what was proposed came from the re-asks.
    expect({
      reasked: firstAsks > 0 && reasks === firstAsks,
      code: proposals.filter((c) => /def f\(\)/.test(c.prompt.text)).length,
      proposals: proposals.length,
    }).toEqual({ reasked: true, code: 0, proposals: firstAsks });
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

  it('re-asks a reflection that hands back its parent, and scores the instruction it then writes', async () => {
    // Qwen2.5-Coder-0.5B handed back the instruction it was shown in 14 of 48 reflections.
    const parentOf = (request: string) => /Instruction:\n```\n([\s\S]*?)\n```/.exec(request)?.[1];
    const { mutate, firstAsks, proposals } = await gepaWithFirstAsk(
      (request) => `Here is the new instruction:\n\`\`\`\n${parentOf(request)}\n\`\`\``,
      START,
    );
    const reasks = mutate.filter((r) =>
      r.messages.at(-1)?.content.startsWith(GEPA_REASK_UNCHANGED),
    ).length;
    expect({
      reasked: firstAsks > 0 && reasks === firstAsks,
      handedBack: proposals.filter((c) => c.prompt.id === c.prompt.parents[0]).length,
      proposals: proposals.length,
    }).toEqual({ reasked: true, handedBack: 0, proposals: firstAsks });
  });

  it('scores a re-asked answer that edits its parent without a fence', async () => {
    // Asked again, Qwen2.5-Coder-0.5B dropped the fence: "<the parent> Avoid the mistakes in the
    // test results above."
    const parentOf = (request: string) => /Instruction:\n```\n([\s\S]*?)\n```/.exec(request)?.[1];
    const { firstAsks, proposals } = await gepaWithFirstAsk(
      (request) => `\`\`\`\n${parentOf(request)}\n\`\`\``,
      START,
      (request) => `${parentOf(request)} Check the edge cases first.`,
    );
    expect({
      asked: firstAsks > 0,
      bare: proposals.filter((c) => c.prompt.text.endsWith('Check the edge cases first.')).length,
    }).toEqual({ asked: true, bare: firstAsks });
  });

  it('does not score again a proposal that hands back its parent unchanged', async () => {
    // A reflection model that answers with the instruction it was given, even when re-asked:
    // each step grades the parent's minibatch (3 tasks) and nothing more, on top of the seed's
    // Pareto scoring, and spends its two calls (the ask and one re-ask).
    const llm = landscapeLlm({ pool: [START] });
    const ctx = createDirectContext({
      llm,
      exec: landscapeExec({ revealTopic: true }),
      train: toyTasks(30),
    });
    const { final } = await runToEnd(
      gepa,
      { knobs: { iterations: 4 }, seed: 1, initialPrompt: START },
      ctx,
    );
    const reflected = final.rejected.filter((r) => /same as its parent/.test(r.reason)).length;
    const pareto = final.candidates[0]!.scores.length;
    const calls = llm.requests.filter((r) => r.purpose === 'mutate').length;
    expect({ reflected, metricCalls: final.metricCalls, calls }).toEqual({
      reflected: 4,
      metricCalls: pareto + 3 * 4,
      calls: 2 * 4,
    });
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
    if (m.origin.kind !== 'merge') throw new Error('not a merge');
    const anc = merged!.candidates.find(
      (c) => c.prompt.id === (m.origin as { ancestor: string }).ancestor,
    )!;
    // What the merge guarantees, exactly: the text is the three-way merge of the ancestor and the
    // two parents; the ancestor is no better than either parent; and on the subsample it was tried
    // on, the merge passes at least as many tasks as the better parent there. (Not more on the
    // whole Pareto set: the subsample is a few tasks, so it can lose elsewhere.)
    expect(m.prompt.text).toBe(mergeThreeWay(anc.prompt.text, a!.prompt.text, b!.prompt.text));
    expect(anc.mean).toBeLessThanOrEqual(Math.min(a!.mean, b!.mean));
    const sub = m.origin.subsample.map((id) => merged!.paretoIds.indexOf(id));
    const on = (c: { scores: number[] }) => sub.reduce((n, j) => n + (c.scores[j] ?? 0), 0);
    expect(on(m)).toBeGreaterThanOrEqual(Math.max(on(a!), on(b!)));
    for (const r of merged!.rejected) {
      if (r.origin.kind === 'merge') expect(r.reason).toMatch(/is below the better parent's/);
    }
  });

  it('stops before a proposal its own budgets cannot pay for, and counts every grading', async () => {
    // Floor: 10 (seed) + 3 · (2·3 + 10) = 58 metric calls; 70 buys 3 proposals in full.
    const metric = await run({ maxMetricCalls: 70, iterations: 50 });
    expect(metric.final.stopReason).toBe('metric-budget');
    expect(metric.final.metricCalls).toBeLessThanOrEqual(70);
    expect(metric.final.metricCalls).toBe(metric.asked.gradings);
    expect(
      metric.ctx.events.some(
        (e) => e.type === 'note' && /Stopped before a proposal/.test(e.message),
      ),
    ).toBe(true);
    const calls = await run({ maxLlmCalls: 80, iterations: 50 });
    expect(calls.ctx.meter.llmCalls).toBeLessThanOrEqual(80);
    expect(calls.final.stopReason).toBe('llm-budget');
  });

  it('keeps the spend, and the accepted child, of a step the run budget cuts short', async () => {
    // The run budget (not GEPA's) ends a step midway; find a seed and a budget where it cuts an
    // accepted child's Pareto scoring.
    let cut: Awaited<ReturnType<typeof run>> | undefined;
    for (let calls = 15; calls < 60 && !cut; calls++) {
      const r = await run({ iterations: 50 }, 1, { maxLlmCalls: calls });
      // ... in the middle of that scoring: some of its gradings ran.
      const kept = r.final.rejected.some((x) => /budget ran out before its Pareto/.test(x.reason));
      if (kept && r.asked.cutShort > 0) cut = r;
    }
    expect(cut).toBeDefined();
    expect(cut!.final.stopReason).toBe('budget');
    // Every grading that ran is in the state, the cut-short ones included.
    expect(cut!.final.metricCalls).toBe(cut!.asked.gradings);
    const kept = cut!.final.rejected.find((x) => /before its Pareto scoring/.test(x.reason))!;
    expect(kept.origin.kind).toBe('reflect');
    if (kept.origin.kind === 'reflect')
      expect(kept.origin.after).toBeGreaterThan(kept.origin.before);
  });

  it('refuses a budget that buys no proposal, saying so', async () => {
    // The issue's case: 20 Pareto tasks, 15 metric calls: not even the seed's scoring.
    const err = await run({ paretoTasks: 20, maxMetricCalls: 15 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GepaBudgetError);
    expect((err as Error).message).toMatch(
      /^GEPA's budget buys no proposal: the metric-call budget of 15 does not even pay for scoring the seed\./,
    );
    // The seed fits but no proposal does: refused unless the run says to go ahead.
    const short = await run({ maxMetricCalls: 25 }).catch((e: unknown) => e);
    expect((short as Error).message).toMatch(
      /^GEPA's budget buys no proposal: the metric-call budget of 25 pays for scoring the seed and no proposal after it\. .* Give at least 58 metric calls .* To run anyway, turn on "Run below the budget floor"\.$/,
    );
    const anyway = await run({ maxMetricCalls: 25, belowFloor: true });
    expect(anyway.final.candidates).toHaveLength(1);
    expect(anyway.final.stopReason).toBe('metric-budget');
    expect(anyway.final.metricCalls).toBe(10);
    // The projection says the same before the run.
    const k = readKnobs(gepaInfo.knobs, { maxMetricCalls: 25 }, 'GEPA');
    expect(checkGepaBudget(k, { train: 30, validation: 0 })).toMatchObject({
      proposals: 0,
      floor: 58,
      short: true,
    });
    expect(gepa.checkBudget!({ maxMetricCalls: 25 }, { train: 30, validation: 0 }).warning).toMatch(
      /buys no proposal.*will be refused unless/,
    );
    expect(gepa.checkBudget!({ maxMetricCalls: 58 }, { train: 30, validation: 0 })).toEqual({
      proposals: 3,
    });
    // The run's own LLM-call budget counts too (a proposal: 16 gradings, a reflection, a re-ask).
    expect(gepa.checkBudget!({}, { train: 30, validation: 0 }, 40).warning).toMatch(
      /^GEPA's budget buys 1 proposal: the run budget of 40 LLM calls pays/,
    );
  });

  it('warns in the New-run projection, saying what the budget buys', () => {
    const counts = { train: 30, validation: 0, test: 10 };
    // The issue's case: the projection no longer pretends; it says the run will be refused.
    const refused = planCalls(
      gepa as never,
      { paretoTasks: 20, maxMetricCalls: 15 },
      counts,
      1,
      1,
      undefined,
    );
    expect(refused.budgetWarning).toMatch(
      /^GEPA's budget buys no proposal: the metric-call budget of 15 does not even pay for scoring the seed\..*will be refused/,
    );
    expect(refused.optimize).toBeLessThanOrEqual(15);
    // The run's LLM-call budget per seed: 100 calls buy 4 proposals of 16 gradings + 2 reflection calls.
    expect(planCalls(gepa as never, {}, counts, 1, 1, 100).budgetWarning).toBeUndefined();
    expect(planCalls(gepa as never, {}, counts, 1, 1, 60).budgetWarning).toMatch(
      /^GEPA's budget buys 2 proposals: the run budget of 60 LLM calls/,
    );
    expect(planCalls(gepa as never, {}, counts, 1, 1, undefined).budgetWarning).toBeUndefined();
    // Under a metric budget the projected reflections are the ones it leaves room for.
    const k = { maxMetricCalls: 58, iterations: 50 };
    expect(gepaReflections(readKnobs(gepaInfo.knobs, k, 'GEPA'), counts)).toBe(6);
    expect(gepa.projectCalls(k, counts)).toBe(58 + 6 * 2);
  });

  it('covers every feedback task in each epoch, padding the last minibatch', () => {
    for (const [n, b] of [
      [10, 3],
      [7, 7],
      [5, 2],
      [9, 4],
      [1, 1],
    ] as const) {
      const rng = Rng.seeded(n * 31 + b);
      for (let epoch = 0; epoch < 3; epoch++) {
        const order = epochOrder(n, b, rng);
        expect(order.length % b).toBe(0);
        expect(order.length).toBe(Math.ceil(n / b) * b);
        expect(new Set(order).size).toBe(n);
        for (let i = 0; i < order.length; i += b) {
          const batch = order.slice(i, i + b);
          expect(new Set(batch).size).toBe(b);
        }
      }
    }
  });

  it('records what each reflection cost, per proposal and in total', async () => {
    const { final, llm } = await run({ iterations: 6, reasks: 1 });
    const proposals = [...final.candidates, ...final.rejected].filter(
      (c) => c.origin.kind === 'reflect',
    );
    expect(proposals.length).toBeGreaterThan(0);
    let calls = 0;
    for (const p of proposals) {
      if (p.origin.kind !== 'reflect') continue;
      expect(p.origin.cost!.calls).toBeGreaterThanOrEqual(1);
      expect(p.origin.cost!.promptTokens).toBeGreaterThan(0);
      calls += p.origin.cost!.calls;
    }
    // The total counts every reflection request the model got, proposals or not.
    const asked = llm.requests.filter((r) => r.purpose === 'mutate');
    expect(final.reflection!.calls).toBe(asked.length);
    expect(calls).toBeLessThanOrEqual(asked.length);
  });

  it('refuses an unknown selection rule', async () => {
    await expect(run({ selection: 'roulette' })).rejects.toThrow(KnobError);
  });

  it('names the topic in the landscape failure text it reads', () => {
    expect(topicMessage('math')).toContain('on a math case');
  });
});
