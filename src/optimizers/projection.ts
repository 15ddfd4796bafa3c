/**
 * The New-run page's projection split by role: of the LLM calls a method projects
 * (Optimizer.projectCalls), how many are the optimizer model's (mutate, rewrite, reflect, judge)
 * and how many the task model's (code generation for scoring). Kept apart from the methods so a
 * method's module stays its paper's; each formula mirrors the meta-request terms of that
 * method's projectCalls (upper bounds, re-asks included where projectCalls includes them).
 */
import type { KnobValue } from '../core/types';
import { gepaReflections } from './gepa/budget';
import { num, str, type KnobValues } from './knobs';

type Counts = { train: number; validation: number };

/** Optimizer-model calls per method id, from resolved knobs. */
const OPTIMIZER_CALLS: Record<string, (k: KnobValues, c: Counts) => number> = {
  prochemy: (k, c) =>
    Math.min(num(k, 'trainTasks'), c.train) + num(k, 'rounds') * num(k, 'variants'),
  gpo: (k) =>
    num(k, 'steps') * num(k, 'candidates') +
    (str(k, 'trajectory') === 'summarization' ? num(k, 'steps') : 0),
  gepa: (k, c) => gepaReflections(k, c) * (1 + num(k, 'reasks')),
  ppo: (k) => num(k, 'maxSteps') * (1 + num(k, 'maxReasks')),
  'random-hybrid': (k) => num(k, 'maxSteps') * (1 + num(k, 'maxReasks')),
  'ppo-instance': (k, c) =>
    Math.min(num(k, 'maxSteps'), c.train * num(k, 'horizon')) * (1 + num(k, 'maxReasks')),
  'random-hybrid-instance': (k, c) =>
    Math.min(num(k, 'maxSteps'), c.train * num(k, 'horizon')) * (1 + num(k, 'maxReasks')),
  'zero-shot': () => 0,
  'chain-of-thought': () => 0,
  ape: (k) => (1 + num(k, 'resampleRounds')) * num(k, 'candidates'),
  opro: (k) => num(k, 'steps') * num(k, 'perStep'),
  evoprompt: (k) => num(k, 'population') - 1 + num(k, 'generations') * num(k, 'population'),
  reflexion: (k, c) => num(k, 'rounds') * Math.min(num(k, 'tasks'), c.train),
};

/**
 * Re-asks a method's projectCalls leaves out of its total (GPO's says "without re-asks"): added
 * to the optimizer's share only, so the task model's share stays what the total implies.
 */
const REASKS_OUTSIDE_TOTAL: Record<string, (k: KnobValues) => number> = {
  gpo: (k) => num(k, 'steps') * num(k, 'candidates') * num(k, 'reasks'),
};

export interface RoleProjection {
  task: number;
  optimizer: number;
  /** False when this method has no split formula (all calls are then counted as the task's). */
  split: boolean;
}

/** Split a projected total: optimizer calls by formula, the rest the task model's. */
export function splitProjection(
  id: string,
  knobs: Record<string, KnobValue>,
  counts: Counts,
  total: number,
): RoleProjection {
  const f = OPTIMIZER_CALLS[id];
  if (!f) return { task: total, optimizer: 0, split: false };
  const inTotal = Math.min(total, Math.max(0, f(knobs, counts)));
  const extra = REASKS_OUTSIDE_TOTAL[id]?.(knobs) ?? 0;
  return { task: total - inTotal, optimizer: inTotal + extra, split: true };
}
