/**
 * What a GEPA budget buys, said before the run. Scoring the seed on the Pareto set costs |Pareto|
 * metric calls; each proposal then costs up to 2·b + |Pareto| more (parent and child on a
 * minibatch of b tasks, an accepted child on the whole Pareto set). The floor is the seed plus
 * MIN_PROPOSALS proposals, the rule the `gepa` package's pre-flight check uses (gepa-ai/gepa
 * #375, PR #376: |valset| + 3·(b + |valset|)); it counts b + |valset| per proposal because its
 * parent's minibatch scores are cached, while Athanor counts every grading, memoized or not, so a
 * budget means the same on a warm and a cold cache (gepa.ts). LLM calls are counted the same way,
 * plus the reflection and its re-asks.
 *
 * The step checks the same per-proposal cost before it starts (gepa.ts), so "buys N proposals"
 * is a guarantee: a run stops before a proposal it might not be able to finish.
 */
import { num, type KnobValues } from '../knobs';

/** Proposals the budget must pay for beyond the seed, as gepa's own pre-flight check asks. */
export const MIN_PROPOSALS = 3;

export interface GepaSizes {
  train: number;
  pareto: number;
  minibatch: number;
}

/** The feedback, Pareto and minibatch sizes a run will have, as init draws them. */
export function gepaSizes(k: KnobValues, counts: { train: number; validation: number }): GepaSizes {
  const train = Math.min(num(k, 'trainTasks'), counts.train);
  const left = counts.validation > 0 ? counts.validation : counts.train - train;
  const pareto = Math.min(num(k, 'paretoTasks'), left > 0 ? left : train);
  return { train, pareto, minibatch: Math.min(num(k, 'minibatch'), train) };
}

/** Metric and LLM calls one proposal may cost (an upper bound: every child accepted). */
export function proposalCost(k: KnobValues, sizes: GepaSizes): { metric: number; llm: number } {
  const metric = 2 * sizes.minibatch + sizes.pareto;
  return { metric, llm: metric + 1 + num(k, 'reasks') };
}

/**
 * Reflections a run may make: at most one per iteration, and under a metric-call budget no more
 * than the budget leaves room for. A step starts only with 2·b + |Pareto| calls left, and each
 * reflection spends at least 2·b (parent and child on the minibatch) after the seed's |Pareto|,
 * so R ≤ (M − 2·|Pareto|) / (2·b).
 */
export function gepaReflections(
  k: KnobValues,
  counts: { train: number; validation: number },
): number {
  const it = num(k, 'iterations');
  const metric = num(k, 'maxMetricCalls');
  if (metric <= 0) return it;
  const { pareto, minibatch } = gepaSizes(k, counts);
  if (minibatch === 0) return 0;
  return Math.max(0, Math.min(it, Math.floor((metric - 2 * pareto) / (2 * minibatch))));
}

export interface BudgetCheck {
  /** Proposals the tightest budget pays for in full; Infinity when no budget is set. */
  proposals: number;
  /** The calls the floor needs, of the budget that binds. */
  floor: number;
  /** Which budget binds, in words ("metric-call budget of 15"). */
  binding?: string;
  /** False when the seed's Pareto scoring alone is more than the budget. */
  seedFits: boolean;
  /** True below the floor. */
  short: boolean;
  /** The warning, when short: what the budget buys, why, and what to give instead. */
  message?: string;
}

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * Check GEPA's knobs (and the run's LLM-call budget per seed, when given) against the floor.
 * `counts` are the run's split sizes.
 */
export function checkGepaBudget(
  k: KnobValues,
  counts: { train: number; validation: number },
  runMaxLlmCalls?: number,
): BudgetCheck {
  const sizes = gepaSizes(k, counts);
  const cost = proposalCost(k, sizes);
  const budgets: { kind: 'metric' | 'llm'; limit: number; label: string }[] = [];
  const metric = num(k, 'maxMetricCalls');
  if (metric > 0)
    budgets.push({ kind: 'metric', limit: metric, label: `metric-call budget of ${metric}` });
  const llmKnob = num(k, 'maxLlmCalls');
  if (llmKnob > 0)
    budgets.push({ kind: 'llm', limit: llmKnob, label: `GEPA LLM-call budget of ${llmKnob}` });
  if (runMaxLlmCalls !== undefined && runMaxLlmCalls > 0)
    budgets.push({
      kind: 'llm',
      limit: runMaxLlmCalls,
      label: `run budget of ${runMaxLlmCalls} LLM calls`,
    });
  let worst: BudgetCheck = { proposals: Infinity, floor: 0, seedFits: true, short: false };
  for (const b of budgets) {
    const per = b.kind === 'metric' ? cost.metric : cost.llm;
    const seedFits = b.limit >= sizes.pareto;
    const proposals = seedFits ? Math.floor((b.limit - sizes.pareto) / per) : 0;
    if (proposals >= worst.proposals) continue;
    const floor = sizes.pareto + MIN_PROPOSALS * per;
    const unit = b.kind === 'metric' ? 'metric calls' : 'LLM calls';
    const short = proposals < MIN_PROPOSALS;
    const why =
      `Scoring the seed on the ${plural(sizes.pareto, 'Pareto task')} costs ${sizes.pareto} ${unit}, ` +
      `and each proposal up to ${per} more (parent and child on a minibatch of ${sizes.minibatch}, ` +
      `an accepted child on the Pareto set${b.kind === 'llm' ? ', the reflection and its re-asks' : ''}).`;
    const buys = proposals === 0 ? 'no proposal' : plural(proposals, 'proposal');
    const head = seedFits
      ? `GEPA's budget buys ${buys}: the ${b.label} pays for scoring the seed and ${buys} after it. `
      : `GEPA's budget buys no proposal: the ${b.label} does not even pay for scoring the seed. `;
    worst = {
      proposals,
      floor,
      binding: b.label,
      seedFits,
      short,
      ...(short
        ? {
            message: `${head}${why} Give at least ${floor} ${unit} (the seed and ${MIN_PROPOSALS} proposals), or fewer Pareto tasks.`,
          }
        : {}),
    };
  }
  return worst;
}

/** GEPA refuses a budget below the floor unless the run says to go ahead. */
export class GepaBudgetError extends Error {
  override readonly name = 'GepaBudgetError';
}
