/**
 * The projection by role bounds what each model is actually asked, for every method, on the
 * scripted landscape.
 */
import { describe, expect, it } from 'vitest';
import { listMethods, getOptimizer, projectCallsByRole } from '../../src/optimizers/registry';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, toyTasks } from '../support/landscape';
import { runToEnd, SMALL_KNOBS } from '../support/run-optimizer';

const SMALL: Record<string, Record<string, number>> = {
  ...SMALL_KNOBS,
  ppo: { maxSteps: 8 },
  'ppo-instance': { maxSteps: 8 },
  'random-hybrid': { maxSteps: 8 },
  'random-hybrid-instance': { maxSteps: 8 },
};

describe('projected calls by role', () => {
  for (const info of listMethods()) {
    it(`${info.id}: each model gets no more calls than projected`, async () => {
      const train = toyTasks(12);
      const llm = landscapeLlm({ reflective: true });
      const ctx = createDirectContext({ llm, exec: landscapeExec({ revealTopic: true }), train });
      const knobs = SMALL[info.id] ?? {};
      await runToEnd(getOptimizer(info.id), { knobs, seed: 1, initialPrompt: 'Write code.' }, ctx);
      const p = projectCallsByRole(info.id, knobs, { train: train.length, validation: 0 });
      expect(p.split).toBe(true);
      const optimizer = llm.requests.filter((r) => r.purpose !== 'generate').length;
      const task = llm.requests.length - optimizer;
      expect(optimizer).toBeLessThanOrEqual(p.optimizer);
      expect(task).toBeLessThanOrEqual(p.task);
    });
  }
});
