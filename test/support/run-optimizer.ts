/** Drive an optimizer to the end, optionally through JSON between steps (as a checkpoint would). */
import type { BaseState, InitArgs, Optimizer, OptimizerContext } from '../../src/optimizers/types';

export async function runToEnd<S extends BaseState>(
  opt: Optimizer<S>,
  args: InitArgs,
  ctx: OptimizerContext,
  o: { viaJson?: boolean; maxSteps?: number } = {},
): Promise<{ final: S; states: S[] }> {
  let state = await opt.init(args, ctx);
  const states = [state];
  for (let i = 0; i < (o.maxSteps ?? 200) && !state.done; i++) {
    if (o.viaJson) state = JSON.parse(JSON.stringify(state)) as S;
    state = await opt.step(state, ctx);
    states.push(state);
  }
  if (!state.done)
    throw new Error(`${opt.info.id} did not finish within ${o.maxSteps ?? 200} steps`);
  return { final: state, states };
}

/** The methods issue 6 asks for, papers' and baselines' (the registry holds these and more). */
export const REQUIRED_METHODS = [
  'prochemy',
  'gpo',
  'zero-shot',
  'chain-of-thought',
  'ape',
  'opro',
  'evoprompt',
  'reflexion',
] as const;

/** Knobs small enough for each method to finish quickly on the landscape (others: defaults). */
export const SMALL_KNOBS: Readonly<Record<string, Record<string, number>>> = {
  prochemy: { variants: 3, trainTasks: 5, rounds: 3 },
  gpo: { steps: 3, candidates: 2, trainTasks: 8 },
  ape: { candidates: 3, trainTasks: 8 },
  opro: { steps: 3, perStep: 2, trainTasks: 8 },
  evoprompt: { population: 3, generations: 2, trainTasks: 8 },
  reflexion: { rounds: 2, tasks: 8 },
  gepa: { iterations: 6, trainTasks: 6, paretoTasks: 6 },
};
