import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { adamInit } from '../../src/optimizers/ppo/adam';
import { forward, initParams, logSoftmax, mlpLayout } from '../../src/optimizers/ppo/mlp';
import {
  act,
  gae,
  ppoLoss,
  ppoUpdate,
  PPO_DEFAULTS,
  type Transition,
} from '../../src/optimizers/ppo/ppo';

describe('GAE on a known trajectory', () => {
  it('matches advantages computed by hand', () => {
    // r = [1, 0, 2], V = [0.5, 1, 0.2], last V = 0.4, γ = 0.9, λ = 0.5, no terminal.
    // δ2 = 2 + 0.9*0.4 - 0.2 = 2.16
    // δ1 = 0 + 0.9*0.2 - 1   = -0.82
    // δ0 = 1 + 0.9*1   - 0.5 = 1.4
    // A2 = 2.16;  A1 = -0.82 + 0.45*2.16 = 0.152;  A0 = 1.4 + 0.45*0.152 = 1.4684
    const { advantages, returns } = gae(
      [1, 0, 2],
      [0.5, 1, 0.2],
      [false, false, false],
      0.4,
      0.9,
      0.5,
    );
    expect(advantages[0]).toBeCloseTo(1.4684, 10);
    expect(advantages[1]).toBeCloseTo(0.152, 10);
    expect(advantages[2]).toBeCloseTo(2.16, 10);
    expect(returns).toEqual(advantages.map((a, i) => a + ([0.5, 1, 0.2][i] as number)));
  });

  it('does not bootstrap across an episode end', () => {
    // Episode ends at t=1: δ1 = 0 - 1 = -1 (no γV(s2)); A1 = -1; A0 = 1.4 + 0.45*(-1) = 0.95;
    // t=2 starts a new episode: δ2 = 2 + 0.9*0.4 - 0.2 = 2.16.
    const { advantages } = gae([1, 0, 2], [0.5, 1, 0.2], [false, true, false], 0.4, 0.9, 0.5);
    expect(advantages[0]).toBeCloseTo(0.95, 10);
    expect(advantages[1]).toBeCloseTo(-1, 10);
    expect(advantages[2]).toBeCloseTo(2.16, 10);
  });
});

describe('clipped surrogate loss on hand-picked ratios', () => {
  // A one-input network whose policy head we set by hand so π(a|s) is known exactly.
  const layout = mlpLayout({ inputs: 1, hidden: [1], actions: 2 });
  const params = new Float64Array(layout.size); // all zero: π = (0.5, 0.5), V = 0
  const coefs = { clip: 0.2, valueCoef: 0, entropyCoef: 0 };
  const lnHalf = Math.log(0.5);

  it('uses the unclipped term inside the range', () => {
    // old π(a) = 0.45 → ρ = 0.5/0.45 = 1.111..., A = 2 → L = −ρA
    const r = ppoLoss(
      layout,
      params,
      [{ obs: [0], action: 0, logProb: Math.log(0.45), advantage: 2, ret: 0 }],
      coefs,
    );
    expect(r.policy).toBeCloseTo(-(0.5 / 0.45) * 2, 10);
    expect(r.clipFraction).toBe(0);
  });

  it('clips a ratio above 1+ε for a positive advantage', () => {
    // old π(a) = 0.25 → ρ = 2 → min(2·1, 1.2·1) = 1.2 → L = −1.2
    const r = ppoLoss(
      layout,
      params,
      [{ obs: [0], action: 0, logProb: Math.log(0.25), advantage: 1, ret: 0 }],
      coefs,
    );
    expect(r.policy).toBeCloseTo(-1.2, 10);
    expect(r.clipFraction).toBe(1);
    // Clipped: no policy gradient at all.
    expect(Array.from(r.grad).every((g) => g === 0)).toBe(true);
  });

  it('keeps the unclipped (pessimistic) term for a ratio above 1+ε and a negative advantage', () => {
    // ρ = 2, A = −1: min(−2, −1.2) = −2 → L = 2, and the gradient pushes π(a) down.
    const r = ppoLoss(
      layout,
      params,
      [{ obs: [0], action: 0, logProb: Math.log(0.25), advantage: -1, ret: 0 }],
      coefs,
    );
    expect(r.policy).toBeCloseTo(2, 10);
    const bias0 = layout.policy.b; // logit of action 0
    expect(r.grad[bias0]).toBeGreaterThan(0); // descent lowers logit 0
  });

  it('averages policy, value and entropy terms over the batch', () => {
    const withAll = { clip: 0.2, valueCoef: 0.5, entropyCoef: 0.1 };
    const batch = [
      { obs: [0], action: 0, logProb: lnHalf, advantage: 1, ret: 2 },
      { obs: [0], action: 1, logProb: lnHalf, advantage: -3, ret: -1 },
    ];
    const r = ppoLoss(layout, params, batch, withAll);
    // ρ = 1 for both: policy = −(1 − 3)/2 = 1; value = (½·4 + ½·1)/2 = 1.25; H = ln 2.
    expect(r.policy).toBeCloseTo(1, 10);
    expect(r.value).toBeCloseTo(1.25, 10);
    expect(r.entropy).toBeCloseTo(Math.log(2), 10);
    expect(r.loss).toBeCloseTo(1 + 0.5 * 1.25 - 0.1 * Math.log(2), 10);
  });
});

describe('PPO learns a trivial bandit', () => {
  it('puts most probability on the only rewarding action within 30 updates (seeded)', () => {
    const layout = mlpLayout({ inputs: 3, hidden: [16], actions: 4 });
    const rng = Rng.seeded(2024);
    const params = initParams(layout, rng);
    const adam = adamInit(layout.size);
    const obs = [1, 0, 0.5];
    const hp = { ...PPO_DEFAULTS, lr: 0.01, epochs: 4, minibatch: 8 };
    const before = Math.exp(logSoftmax(forward(layout, params, obs).logits)[2] as number);
    for (let update = 0; update < 30; update++) {
      const rollout: Transition[] = [];
      for (let t = 0; t < 16; t++) {
        const a = act(layout, params, obs, rng);
        rollout.push({
          obs,
          action: a.action,
          logProb: a.logProb,
          value: a.value,
          reward: a.action === 2 ? 1 : 0,
          done: true,
        });
      }
      ppoUpdate(layout, params, adam, rollout, 0, hp, rng);
    }
    const after = Math.exp(logSoftmax(forward(layout, params, obs).logits)[2] as number);
    expect(before).toBeLessThan(0.3);
    expect(after).toBeGreaterThan(0.9);
    // The critic learns the bandit's expected reward too.
    expect(forward(layout, params, obs).value).toBeGreaterThan(0.6);
  });
});
