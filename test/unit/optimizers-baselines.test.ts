import { describe, expect, it } from 'vitest';
import { ape } from '../../src/optimizers/baselines/ape';
import { evoprompt } from '../../src/optimizers/baselines/evoprompt';
import { opro } from '../../src/optimizers/baselines/opro';
import { reflexion, reflexionInstanceResults } from '../../src/optimizers/baselines/reflexion';
import { chainOfThought, zeroShot } from '../../src/optimizers/baselines/single';
import { COT_SUFFIX } from '../../src/optimizers/meta-prompts';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, toyTasks } from '../support/landscape';
import { runToEnd } from '../support/run-optimizer';
import { lastUser } from '../support/scripted-llm';

const P = 'Write correct Python code.';

describe('Reflexion', () => {
  it('retries failing tasks with the previous answer, the test feedback and a reflection', async () => {
    const llm = landscapeLlm();
    const exec = landscapeExec();
    const ctx = createDirectContext({ llm, exec, train: toyTasks(10) });
    const { final } = await runToEnd(
      reflexion,
      { knobs: { rounds: 3 }, seed: 1, initialPrompt: P },
      ctx,
    );
    // The landscape solves only easy tasks at first; a retry with feedback fixes the code.
    const firstRound = final.tasks.filter((t) => t.solvedAt === 0).length;
    expect(firstRound).toBeLessThan(10);
    expect(final.tasks.every((t) => t.passed)).toBe(true);
    expect(final.stopReason).toBe('solved');
    expect(final.best!.score).toBe(1);
    // Tasks solved on a retry count as solved in the per-instance report, as first-round ones do.
    expect(final.tasks.some((t) => (t.solvedAt ?? 0) > 0)).toBe(true);
    expect(reflexion.instanceResults!(final)).toEqual(
      final.tasks.map((t) => ({ taskId: t.id, promptId: final.prompt.id, passed: true })),
    );
    const retries = llm.requests.filter(
      (r) => r.purpose === 'generate' && r.messages.some((m) => m.role === 'assistant'),
    );
    expect(retries).toHaveLength(10 - firstRound);
    const retry = retries[0]!;
    expect(retry.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry.messages[2]!.content).toContain('return "bad"');
    expect(lastUser(retry)).toMatch(/0 of 1 tests passed/);
    expect(lastUser(retry)).toContain('return "ok"'); // the landscape's reflection
    expect(llm.requests.filter((r) => r.purpose === 'judge')).toHaveLength(10 - firstRound);
    expect(reflexion.info.perInstance).toBe(true);
  });

  it('stops after its bounded rounds when tasks keep failing', async () => {
    // An executor that fails everything: no retry can succeed.
    const failing = landscapeExec();
    const never = {
      run: (j: Parameters<typeof failing.run>[0]) => failing.run({ ...j, program: 'nothing' }),
    };
    const ctx = createDirectContext({ llm: landscapeLlm(), exec: never, train: toyTasks(6) });
    const { final, states } = await runToEnd(
      reflexion,
      { knobs: { rounds: 2 }, seed: 1, initialPrompt: P },
      ctx,
    );
    expect(final.stopReason).toBe('max-steps');
    expect(states).toHaveLength(4); // init, rounds 0, 1, 2
    expect(final.tasks.every((t) => t.reflections.length === 2 && !t.passed)).toBe(true);
    // 6 first answers, then per round 6 reflections and 6 retries: exactly the projection.
    expect(ctx.meter.llmCalls).toBe(30);
    expect(reflexion.projectCalls({ rounds: 2 }, { train: 6, validation: 0 })).toBe(30);
    expect(reflexion.instanceResults!(final).every((r) => !r.passed)).toBe(true);
  });

  it('reports per task whether any of its rounds passed, with the run prompt', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(3),
    });
    const state = await reflexion.init({ knobs: { rounds: 3 }, seed: 1, initialPrompt: P }, ctx);
    const [onRetry2, never, first] = state.tasks as [
      (typeof state.tasks)[0],
      (typeof state.tasks)[0],
      (typeof state.tasks)[0],
    ];
    Object.assign(onRetry2, { passed: true, solvedAt: 2 });
    Object.assign(never, { passed: false, solvedAt: null, reflections: ['a', 'b', 'c'] });
    Object.assign(first, { passed: true, solvedAt: 0 });
    expect(reflexionInstanceResults(state)).toEqual([
      { taskId: onRetry2.id, promptId: state.prompt.id, passed: true },
      { taskId: never.id, promptId: state.prompt.id, passed: false },
      { taskId: first.id, promptId: state.prompt.id, passed: true },
    ]);
    expect(reflexion.instanceResults).toBe(reflexionInstanceResults);
  });
});

describe('one-shot baselines', () => {
  it('zero-shot scores the prompt as is; chain-of-thought appends the step-by-step instruction', async () => {
    const llm = landscapeLlm();
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(5) });
    const z = await runToEnd(zeroShot, { knobs: {}, seed: 1, initialPrompt: P }, ctx);
    const c = await runToEnd(chainOfThought, { knobs: {}, seed: 1, initialPrompt: P }, ctx);
    expect(z.final.best!.prompt.text).toBe(P);
    expect(c.final.best!.prompt.text).toBe(`${P}\n\n${COT_SUFFIX}`);
    expect(c.final.best!.prompt.text).toContain('step by step');
    expect(llm.requests.every((r) => r.purpose === 'generate')).toBe(true);
  });
});

describe('search baselines', () => {
  it('APE induces instructions from solved examples, then paraphrases the best', async () => {
    const llm = landscapeLlm();
    const train = toyTasks(10).map((t) => ({
      ...t,
      reference: `def f():\n    return "ok"  # ${t.id}`,
    }));
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train });
    const { final } = await runToEnd(
      ape,
      { knobs: { candidates: 4, resampleRounds: 1, keep: 2 }, seed: 1, initialPrompt: P },
      ctx,
    );
    const metas = llm.requests.filter((r) => r.purpose === 'mutate').map(lastUser);
    expect(metas.filter((m) => m.includes('The instruction was'))).toHaveLength(4);
    expect(metas.filter((m) => m.includes('return "ok"  # toy/')).length).toBe(4);
    expect(metas.filter((m) => m.startsWith('Generate a variation'))).toHaveLength(4);
    expect(final.best!.score).toBeGreaterThan(0.3);
  });

  it('OPRO shows past instructions in ascending order of score', async () => {
    const llm = landscapeLlm();
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(10) });
    await runToEnd(opro, { knobs: { steps: 3, perStep: 3 }, seed: 2, initialPrompt: P }, ctx);
    const last = lastUser(llm.requests.filter((r) => r.purpose === 'mutate').at(-1)!);
    const scores = [...last.matchAll(/score:\n([\d.]+)/g)].map((m) => Number(m[1]));
    expect(scores.length).toBeGreaterThan(1);
    expect(scores).toEqual(scores.slice().sort((a, b) => a - b));
  });

  it('EvoPrompt breeds children from two parents and keeps the population size', async () => {
    const ctx = createDirectContext({
      llm: landscapeLlm(),
      exec: landscapeExec(),
      train: toyTasks(10),
    });
    const { final } = await runToEnd(
      evoprompt,
      { knobs: { population: 4, generations: 3 }, seed: 3, initialPrompt: P },
      ctx,
    );
    expect(final.population.length).toBeLessThanOrEqual(4);
    const children = ctx.events.filter(
      (e) => e.type === 'proposed' && e.prompt.operator === 'crossover',
    );
    expect(children.length).toBeGreaterThan(0);
    expect(children.every((e) => e.type === 'proposed' && e.prompt.parents.length === 2)).toBe(
      true,
    );
    const scores = final.population.map((p) => p.score);
    expect(scores).toEqual(scores.slice().sort((a, b) => b - a));
    expect(final.best!.score).toBe(scores[0]);
  });
});
