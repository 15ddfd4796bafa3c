import { describe, expect, it } from 'vitest';
import { describeStop, honestStopReason } from '../../src/core/stop-reasons';

const tally = (scored: number, refused: number, scoredSinceGain = scored) => ({
  scored,
  refused,
  scoredSinceGain,
});

describe('honest stop reasons', () => {
  it.each([
    ['budget', 'llm-calls', undefined, 'budget'],
    ['budget', 'tokens', undefined, 'budget'],
    ['budget', 'minutes', undefined, 'time-limit'],
    ['converged', undefined, tally(5, 1), 'converged'],
    ['plateau', undefined, undefined, 'converged'],
    // The method said converged, but nothing was scored since the last gain.
    ['converged', undefined, tally(4, 6, 0), 'no-usable-variants'],
    // Never a valid variant: not converged, not even "ran every step".
    ['converged', undefined, tally(0, 12), 'no-usable-variants'],
    ['max-steps', undefined, tally(0, 12), 'no-usable-variants'],
    ['max-steps', undefined, tally(3, 12), 'max-steps'],
    ['no-usable-variants', undefined, tally(0, 4), 'no-usable-variants'],
    ['cancelled', undefined, undefined, 'cancelled'],
    // GEPA's own budgets are budget stops, not "ran every step it was given".
    ['metric-budget', undefined, undefined, 'budget'],
    ['llm-budget', undefined, undefined, 'budget'],
    ['constructor', undefined, undefined, 'max-steps'],
  ] as const)('%s (limit %s, %j) → %s', (method, limit, variants, want) => {
    expect(honestStopReason(method, limit, variants)).toBe(want);
  });

  it('advises a larger optimizer model when the model is the cause', () => {
    expect(describeStop({ reason: 'no-usable-variants' }).advice).toMatch(
      /rarely follows the answer format: try a larger optimizer model/,
    );
    expect(describeStop({ reason: 'converged', variants: tally(2, 8) }).advice).toMatch(
      /80% of the variants were malformed or refused/,
    );
    expect(describeStop({ reason: 'converged', variants: tally(8, 2) }).advice).toBeUndefined();
    expect(describeStop({ reason: 'time-limit' }).label).toMatch(/time limit/);
    expect(describeStop({ reason: 'budget', methodReason: 'metric-budget' })).toEqual({
      label: "Optimization stopped: the method's own budget is spent (its Metric-call budget).",
      advice: 'Raise the method\'s "Metric-call budget" in the run settings to go further.',
    });
    expect(describeStop({ reason: 'budget', methodReason: 'budget' }).label).toBe(
      'Optimization stopped: the call or token budget is spent.',
    );
  });
});
