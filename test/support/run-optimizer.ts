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
