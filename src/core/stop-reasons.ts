/**
 * Why an optimization stopped, told honestly. A method says why it ended (`BaseState.stopReason`:
 * `converged`, `plateau`, `max-steps`, `budget`, …); the runner turns that, the budget limit that
 * was hit and the variants the model produced into one of these reasons, stores it on the run and
 * the pages say it, with advice where the model is the cause. The rule the reasons exist for: a
 * run whose model never produced a usable variant is never reported as having converged.
 */

export type StopReason =
  /** The best prompt stayed the same while valid variants were scored. */
  | 'converged'
  /** The method ran all the steps (rounds, generations) it was given. */
  | 'max-steps'
  /** Every variant the model wrote was malformed or refused: nothing could be scored. */
  | 'no-usable-variants'
  /**
   * A budget is spent: the run's calls or tokens, or the method's own (GEPA's `metric-budget` and
   * `llm-budget`; `SeedStop.methodReason` says which).
   */
  | 'budget'
  /** The run's time limit (budget in minutes) is reached. */
  | 'time-limit'
  /** The user cancelled the run. */
  | 'cancelled';

/** Variants a method asked the model for: scored (well-formed, accepted) and refused. */
export interface VariantTally {
  scored: number;
  refused: number;
  /** Variants scored since the best prompt last changed (what "converged" needs). */
  scoredSinceGain: number;
}

/** The stop of one seed's optimization, as stored on the run. */
export interface SeedStop {
  seed: number;
  reason: StopReason;
  /** The method's own word for it (`plateau`, `converged`, `budget`, …). */
  methodReason: string;
  /** The step the method had finished. */
  step: number;
  variants?: VariantTally;
}

/** Method stop reasons that mean the method's own budget is spent, and the knob that sets it. */
const METHOD_BUDGETS = new Map([
  ['metric-budget', 'Metric-call budget'],
  ['llm-budget', 'LLM-call budget'],
]);

/**
 * The honest reason from what the method said (`methodReason`), which budget limit was reached
 * (if any) and the variants it tallied (methods that write variants keep a tally).
 */
export function honestStopReason(
  methodReason: string | undefined,
  limit: 'llm-calls' | 'tokens' | 'minutes' | undefined,
  variants?: VariantTally,
): StopReason {
  if (methodReason === 'cancelled') return 'cancelled';
  if (methodReason === 'budget' || (methodReason === undefined && limit !== undefined)) {
    return limit === 'minutes' ? 'time-limit' : 'budget';
  }
  // The method's own budget (GEPA's metric calls or LLM calls): a budget stop, not "every step".
  if (methodReason !== undefined && METHOD_BUDGETS.has(methodReason)) return 'budget';
  if (methodReason === 'no-usable-variants') return 'no-usable-variants';
  if (variants && variants.scored === 0 && variants.refused > 0) return 'no-usable-variants';
  if (methodReason === 'converged' || methodReason === 'plateau') {
    return variants && variants.scoredSinceGain === 0 ? 'no-usable-variants' : 'converged';
  }
  return 'max-steps';
}

/** What the Live and Results pages say about a stop, and what to do when the model is the cause. */
export function describeStop(
  stop: Pick<SeedStop, 'reason' | 'variants'> & { methodReason?: string },
): {
  label: string;
  advice?: string;
} {
  const v = stop.variants;
  const refusedShare = v && v.scored + v.refused > 0 ? v.refused / (v.scored + v.refused) : 0;
  const formatAdvice =
    'This model rarely follows the answer format: try a larger optimizer model, or turn on the small-model wording.';
  switch (stop.reason) {
    case 'converged':
      return {
        label: 'Converged: the best prompt stayed the same while new variants were scored.',
        ...(refusedShare >= 0.5
          ? {
              advice: `${Math.round(refusedShare * 100)}% of the variants were malformed or refused. ${formatAdvice}`,
            }
          : {}),
      };
    case 'max-steps':
      return { label: 'Ran every step it was given.' };
    case 'no-usable-variants':
      return {
        label:
          'Optimization stopped: the model produced no usable variant (every answer was malformed or refused).',
        advice: formatAdvice,
      };
    case 'budget': {
      const knob = stop.methodReason ? METHOD_BUDGETS.get(stop.methodReason) : undefined;
      if (knob)
        return {
          label: `Optimization stopped: the method's own budget is spent (its ${knob}).`,
          advice: `Raise the method's "${knob}" in the run settings to go further.`,
        };
      return {
        label: 'Optimization stopped: the call or token budget is spent.',
        advice: 'Raise the budget in the run settings to go further.',
      };
    }
    case 'time-limit':
      return {
        label: 'Optimization stopped: the time limit is reached.',
        advice: 'Raise the time limit, or use a smaller model or fewer training tasks.',
      };
    case 'cancelled':
      return { label: 'Cancelled by you.' };
  }
}
