/**
 * Every method Athanor runs: what the UI shows about it (MethodInfo: name, summary, paper,
 * knobs) and how to create it by its registry id. Adding a method is one entry in METHODS.
 */
import type { KnobValue } from '../core/types';
import { ape } from './baselines/ape';
import { evoprompt } from './baselines/evoprompt';
import { opro } from './baselines/opro';
import { reflexion } from './baselines/reflexion';
import { chainOfThought, zeroShot } from './baselines/single';
import { gepa } from './gepa/gepa';
import { gpo } from './gpo';
import { defaultKnobs, readKnobs, UnknownMethodError, type KnobValues } from './knobs';
import { prochemy } from './prochemy';
import { splitProjection, type RoleProjection } from './projection';
import { ppoInstanceOptimizer, ppoOptimizer } from './ppo/agent';
import { randomHybridInstanceOptimizer, randomHybridOptimizer } from './random-hybrid';
import type { BaseState, MethodInfo, Optimizer, ProposalCost } from './types';

/** Registry order is display order: the papers' methods first, then baselines. */
const METHODS: readonly Optimizer<BaseState>[] = [
  prochemy,
  gpo,
  gepa,
  ppoOptimizer,
  ppoInstanceOptimizer,
  zeroShot,
  chainOfThought,
  ape,
  opro,
  evoprompt,
  randomHybridOptimizer,
  randomHybridInstanceOptimizer,
  reflexion,
];

/** Every method's description, for the New-run page. */
export function listMethods(): MethodInfo[] {
  return METHODS.map((m) => m.info);
}

export function methodInfo(id: string): MethodInfo {
  return getOptimizer(id).info;
}

/** The optimizer for a registry id; UnknownMethodError names the ids that exist. */
export function getOptimizer(id: string): Optimizer<BaseState> {
  const m = METHODS.find((x) => x.info.id === id);
  if (!m) {
    throw new UnknownMethodError(
      `No method "${id}". Known methods: ${METHODS.map((x) => x.info.id).join(', ')}. A run saved by a newer Athanor may name a method this version lacks.`,
    );
  }
  return m;
}

/** The knobs a run will use: defaults filled in, values checked (KnobError otherwise). */
export function resolveKnobs(id: string, knobs: Record<string, KnobValue> = {}): KnobValues {
  const info = methodInfo(id);
  return readKnobs(info.knobs, knobs, info.name);
}

export function defaultKnobsFor(id: string): KnobValues {
  return defaultKnobs(methodInfo(id).knobs);
}

/** LLM calls a method projects for these knobs and split sizes (an upper bound before a run). */
export function projectCalls(
  id: string,
  knobs: Record<string, KnobValue>,
  counts: { train: number; validation: number },
): number {
  return getOptimizer(id).projectCalls(knobs, counts);
}

/** The projection split into task-model and optimizer-model calls (an upper bound of each). */
export function projectCallsByRole(
  id: string,
  knobs: Record<string, KnobValue>,
  counts: { train: number; validation: number },
): RoleProjection {
  const resolved = resolveKnobs(id, knobs);
  return splitProjection(id, resolved, counts, projectCalls(id, resolved, counts));
}

/**
 * A method's Pareto front from a checkpoint's state (each front candidate and the tasks it leads
 * on), or undefined for methods that keep none. A state this method cannot read gives undefined.
 */
export function paretoFrontOf(
  id: string,
  state: unknown,
): { promptId: string; taskIds: string[] }[] | undefined {
  const m = METHODS.find((x) => x.info.id === id);
  if (!m?.paretoFront || !state) return undefined;
  try {
    return m.paretoFront(state as BaseState);
  } catch {
    return undefined;
  }
}

/** Proposals a method did not keep, with why, from a checkpoint's state (undefined: none kept). */
export function rejectedOf(id: string, state: unknown): { promptId: string; reason: string }[] {
  const m = METHODS.find((x) => x.info.id === id);
  if (!m?.rejected || !state) return [];
  try {
    return m.rejected(state as BaseState);
  } catch {
    return [];
  }
}

/** What made each proposal cost (GEPA's reflections), read from a checkpoint's state; [] for others. */
export function proposalCostsOf(id: string, state: unknown): ProposalCost[] {
  const m = METHODS.find((x) => x.info.id === id);
  if (!m?.proposalCosts || !state) return [];
  try {
    return m.proposalCosts(state as BaseState);
  } catch {
    return [];
  }
}

export type { RoleProjection } from './projection';
export { KnobError, UnknownMethodError } from './knobs';
