import { describe, expect, it } from 'vitest';
import {
  getOptimizer,
  KnobError,
  listMethods,
  projectCalls,
  resolveKnobs,
  UnknownMethodError,
} from '../../src/optimizers/registry';
import { createDirectContext } from '../../src/optimizers/scoring';
import type { BaseState } from '../../src/optimizers/types';
import { landscapeExec, landscapeLlm, toyTask, toyTasks } from '../support/landscape';
import { clockedLlm } from '../support/scripted-llm';
import { REQUIRED_METHODS, runToEnd, SMALL_KNOBS } from '../support/run-optimizer';

const knobsFor = (id: string) => SMALL_KNOBS[id] ?? {};
const train = () => [
  ...toyTasks(12).map((t) => ({ ...t, reference: 'def f():\n    return "ok"' })),
  toyTask(50, { kind: 'mutated', parentId: 'toy/1' }),
];

async function run(
  id: string,
  seed: number,
  o: {
    viaJson?: boolean;
    budget?: { maxLlmCalls?: number; maxTokens?: number; maxMinutes?: number };
  } = {},
) {
  const llm = landscapeLlm();
  // Every model call moves the clock on by one second, so a minutes limit is reachable.
  const { llm: timed, clock } = clockedLlm(llm, 1000);
  const ctx = createDirectContext({
    llm: timed,
    clock,
    exec: landscapeExec(),
    train: train(),
    ...(o.budget ? { budget: o.budget } : {}),
  });
  const { final } = await runToEnd(
    getOptimizer(id),
    { knobs: knobsFor(id), seed, initialPrompt: 'Write correct Python code.' },
    ctx,
    { viaJson: o.viaJson },
  );
  return { final: final as BaseState, requests: llm.requests, ctx, elapsedMs: clock() };
}

describe('the registry', () => {
  it('describes every method with a summary and well-formed knobs', () => {
    const methods = listMethods();
    const ids = methods.map((m) => m.id);
    for (const id of REQUIRED_METHODS) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of methods) {
      expect(m.summary.length).toBeGreaterThan(20);
      for (const k of m.knobs) {
        expect(k.help.length).toBeGreaterThan(10);
        if (k.type === 'int' || k.type === 'float') expect(k.default).toBeGreaterThanOrEqual(k.min);
        if (k.type === 'int' || k.type === 'float') expect(k.default).toBeLessThanOrEqual(k.max);
        if (k.type === 'enum') expect(k.options).toContain(k.default);
      }
      // Defaults alone are a valid configuration.
      expect(() => resolveKnobs(m.id, {})).not.toThrow();
    }
    expect(methods.find((m) => m.id === 'reflexion')!.perInstance).toBe(true);
    expect(methods.find((m) => m.id === 'prochemy')!.paper!.arxiv).toBe('2503.11085');
    expect(methods.find((m) => m.id === 'gpo')!.paper!.arxiv).toBe('2402.17564');
  });

  it('refuses unknown methods and bad knobs with named errors', () => {
    expect(() => getOptimizer('nope')).toThrow(UnknownMethodError);
    expect(() => resolveKnobs('prochemy', { variants: 0 })).toThrow(KnobError);
    expect(() => resolveKnobs('prochemy', { variants: 2.5 })).toThrow(/integer/);
    expect(() => resolveKnobs('gpo', { trajectory: 'sideways' })).toThrow(/one of none/);
    expect(() => resolveKnobs('gpo', { typo: 1 })).toThrow(/Unknown knob "typo"/);
    expect(resolveKnobs('prochemy', { variants: 4 }).variants).toBe(4);
  });
});

describe.each(listMethods().map((m) => m.id))('%s', (id) => {
  it('runs to the end and reproduces from its seed exactly, also through JSON checkpoints', async () => {
    const a = await run(id, 11);
    const b = await run(id, 11, { viaJson: true });
    expect(a.final.done).toBe(true);
    expect(a.final.best).not.toBeNull();
    expect(b.final).toEqual(a.final);
    expect(b.requests).toEqual(a.requests);
  });

  it('stops when its call budget is spent', async () => {
    const full = await run(id, 3);
    const limit = Math.max(1, Math.floor(full.ctx.meter.llmCalls / 2));
    const cut = await run(id, 3, { budget: { maxLlmCalls: limit } });
    expect(cut.final.stopReason).toBe('budget');
    expect(cut.ctx.meter.llmCalls).toBeLessThanOrEqual(limit);
  });

  it('stops when its token budget is spent', async () => {
    const full = await run(id, 3);
    const limit = Math.floor(full.ctx.meter.tokens / 2);
    const cut = await run(id, 3, { budget: { maxTokens: limit } });
    expect(cut.final.stopReason).toBe('budget');
  });

  it('stops when its time budget is spent (injected clock)', async () => {
    const full = await run(id, 3);
    const minutes = full.elapsedMs / 2 / 60_000;
    const cut = await run(id, 3, { budget: { maxMinutes: minutes } });
    expect(cut.final.stopReason).toBe('budget');
    expect(cut.elapsedMs).toBeLessThan(full.elapsedMs);
  });

  it('projects at least the calls it makes', async () => {
    const r = await run(id, 5);
    const projected = projectCalls(id, knobsFor(id), { train: train().length, validation: 0 });
    expect(projected).toBeGreaterThanOrEqual(r.ctx.meter.llmCalls);
  });
});
