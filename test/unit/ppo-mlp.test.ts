import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { adamInit, adamStep } from '../../src/optimizers/ppo/adam';
import {
  forward,
  initParams,
  logSoftmax,
  mlpLayout,
  MlpShapeError,
} from '../../src/optimizers/ppo/mlp';
import { ppoLoss, type Sample } from '../../src/optimizers/ppo/ppo';

const shape = { inputs: 5, hidden: [7, 6], actions: 4 };

function randomBatch(rng: Rng, n: number, ratioSpread: number): Sample[] {
  return Array.from({ length: n }, () => ({
    obs: Array.from({ length: shape.inputs }, () => rng.normal()),
    action: rng.int(0, shape.actions - 1),
    // Old log-probs near the current ones keep ratios inside or outside the clip range on demand.
    logProb: Math.log(0.25) + (rng.float() - 0.5) * ratioSpread,
    advantage: rng.normal(),
    ret: rng.normal(),
  }));
}

/** Central finite differences of the loss along every parameter. */
function numericGrad(
  params: Float64Array,
  loss: (p: Float64Array) => number,
  h = 1e-6,
): Float64Array {
  const g = new Float64Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const saved = params[i] as number;
    params[i] = saved + h;
    const up = loss(params);
    params[i] = saved - h;
    const down = loss(params);
    params[i] = saved;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

function maxRelError(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(1e-6, Math.abs(x) + Math.abs(y)));
  }
  return worst;
}

describe('hand-written actor-critic MLP', () => {
  const layout = mlpLayout(shape);

  it('lays out every weight once', () => {
    // 5*7+7 + 7*6+6 + 6*4+4 + 6*1+1
    expect(layout.size).toBe(42 + 48 + 28 + 7);
  });

  it('rejects a bad shape or input with a named error', () => {
    expect(() => mlpLayout({ inputs: 3, hidden: [], actions: 2 })).toThrow(MlpShapeError);
    const p = initParams(layout, Rng.seeded(1));
    expect(() => forward(layout, p, [1, 2])).toThrow(/expects 5 inputs/);
  });

  it('starts near a uniform policy', () => {
    const p = initParams(layout, Rng.seeded(3));
    const probs = Array.from(logSoftmax(forward(layout, p, [1, -1, 0.5, 0, 2]).logits), Math.exp);
    for (const q of probs) expect(q).toBeCloseTo(0.25, 1);
  });

  for (const [label, spread, coefs] of [
    ['ratios inside the clip range', 0.1, { clip: 0.2, valueCoef: 0.5, entropyCoef: 0.01 }],
    ['ratios clipped on both sides', 3, { clip: 0.2, valueCoef: 0.5, entropyCoef: 0.01 }],
    ['a large entropy bonus', 0.3, { clip: 0.1, valueCoef: 1.3, entropyCoef: 0.7 }],
  ] as const) {
    it(`backprop matches finite differences of the full PPO loss (${label})`, () => {
      const rng = Rng.seeded(11);
      const params = initParams(layout, rng);
      // Make the policy head non-trivial so the softmax derivatives are exercised.
      for (let i = layout.policy.w; i < layout.policy.b + shape.actions; i++)
        params[i] = rng.normal();
      const batch = randomBatch(rng, 6, spread);
      const analytic = ppoLoss(layout, params, batch, coefs).grad;
      const numeric = numericGrad(params, (p) => ppoLoss(layout, p, batch, coefs).loss);
      expect(maxRelError(analytic, numeric)).toBeLessThan(1e-5);
      if (spread > 1) {
        // The clipped branch must actually occur in this case, or the test proves less than it says.
        expect(ppoLoss(layout, params, batch, coefs).clipFraction).toBeGreaterThan(0);
      }
    });
  }

  it('Adam takes a first step of size lr against the gradient sign', () => {
    const p = Float64Array.of(1, -2, 3);
    const st = adamInit(3);
    adamStep(p, [0.5, -4, 0], st, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
    expect(p[2]).toBe(3);
    expect(st.t).toBe(1);
  });
});
