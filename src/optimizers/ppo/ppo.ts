/**
 * Proximal Policy Optimization with the clipped surrogate objective (Schulman et al. 2017,
 * "Proximal Policy Optimization Algorithms", arXiv 1707.06347) and generalized advantage
 * estimation (Schulman et al. 2016, "High-Dimensional Continuous Control Using Generalized
 * Advantage Estimation", arXiv 1506.02438), on the hand-written actor-critic of mlp.ts.
 *
 * Loss minimised per minibatch of B transitions (mean over the batch):
 *   L = −min(ρ·Â, clip(ρ, 1−ε, 1+ε)·Â) + c_v · ½(V(s) − R)² − c_e · H(π(·|s))
 * with ρ = π(a|s) / π_old(a|s), R = Â + V_old(s) the GAE return.
 */
import type { Rng } from '../../core/rng';
import { adamStep, ADAM_DEFAULTS, type AdamState } from './adam';
import { backward, forward, logSoftmax, type MlpLayout } from './mlp';

export interface Transition {
  obs: number[];
  action: number;
  /** log π_old(a|s) when the action was taken. */
  logProb: number;
  /** V_old(s) when the action was taken. */
  value: number;
  reward: number;
  /** True when this step ended the episode (no bootstrap past it). */
  done: boolean;
}

export interface PpoHyper {
  gamma: number;
  gaeLambda: number;
  clip: number;
  valueCoef: number;
  entropyCoef: number;
  lr: number;
  epochs: number;
  minibatch: number;
  /** Global gradient-norm clip; 0 turns it off. */
  maxGradNorm: number;
  normalizeAdvantages: boolean;
}

export const PPO_DEFAULTS: PpoHyper = {
  gamma: 0.9,
  gaeLambda: 0.95,
  clip: 0.2,
  valueCoef: 0.5,
  entropyCoef: 0.01,
  lr: 0.003,
  epochs: 4,
  minibatch: 4,
  maxGradNorm: 0.5,
  normalizeAdvantages: true,
};

/**
 * GAE: δ_t = r_t + γ·V(s_{t+1})·(1 − done_t) − V(s_t);  Â_t = δ_t + γλ·(1 − done_t)·Â_{t+1}.
 * `lastValue` is V of the state after the final transition (ignored when that one is terminal).
 * Returns the advantages and the value targets R_t = Â_t + V(s_t).
 */
export function gae(
  rewards: readonly number[],
  values: readonly number[],
  dones: readonly boolean[],
  lastValue: number,
  gamma: number,
  lambda: number,
): { advantages: number[]; returns: number[] } {
  const n = rewards.length;
  if (values.length !== n || dones.length !== n) {
    throw new RangeError(`gae needs equal lengths, got ${n}, ${values.length}, ${dones.length}`);
  }
  const advantages = new Array<number>(n).fill(0);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const live = dones[t] ? 0 : 1;
    const nextValue = t === n - 1 ? lastValue : (values[t + 1] as number);
    const delta = (rewards[t] as number) + gamma * nextValue * live - (values[t] as number);
    next = delta + gamma * lambda * live * next;
    advantages[t] = next;
  }
  return { advantages, returns: advantages.map((a, t) => a + (values[t] as number)) };
}

export interface Sample {
  obs: readonly number[];
  action: number;
  logProb: number;
  advantage: number;
  ret: number;
}

export interface LossParts {
  loss: number;
  policy: number;
  value: number;
  entropy: number;
  /** Share of samples whose ratio fell outside [1−ε, 1+ε]. */
  clipFraction: number;
  /** Mean of (ρ − 1) − log ρ, an estimate of KL(π_old ‖ π). */
  approxKl: number;
}

/** The PPO loss of a minibatch and its gradient (added into `grad`, which is returned). */
export function ppoLoss(
  layout: MlpLayout,
  params: Float64Array,
  batch: readonly Sample[],
  hp: Pick<PpoHyper, 'clip' | 'valueCoef' | 'entropyCoef'>,
  grad: Float64Array = new Float64Array(layout.size),
): LossParts & { grad: Float64Array } {
  const B = batch.length;
  const parts = { loss: 0, policy: 0, value: 0, entropy: 0, clipFraction: 0, approxKl: 0 };
  for (const s of batch) {
    const f = forward(layout, params, s.obs);
    const logp = logSoftmax(f.logits);
    const probs = logp.map(Math.exp);
    const lpa = logp[s.action];
    if (lpa === undefined) throw new RangeError(`Action ${s.action} is outside the policy`);
    const ratio = Math.exp(lpa - s.logProb);
    const A = s.advantage;
    const unclipped = ratio * A;
    const clipped = Math.min(Math.max(ratio, 1 - hp.clip), 1 + hp.clip) * A;
    const surrogate = Math.min(unclipped, clipped);
    // The gradient flows only through the unclipped term, and only when min() picks it.
    const dSurrogateDLogp = unclipped <= clipped ? ratio * A : 0;
    let entropy = 0;
    for (let j = 0; j < probs.length; j++) entropy -= (probs[j] as number) * (logp[j] as number);
    const vErr = f.value - s.ret;

    parts.policy -= surrogate / B;
    parts.value += (0.5 * vErr * vErr) / B;
    parts.entropy += entropy / B;
    if (ratio < 1 - hp.clip || ratio > 1 + hp.clip) parts.clipFraction += 1 / B;
    parts.approxKl += (ratio - 1 - Math.log(ratio)) / B;

    const dLogits = new Float64Array(probs.length);
    for (let j = 0; j < probs.length; j++) {
      const p = probs[j] as number;
      // d logπ(a)/d z_j = 1[j=a] − p_j ;  dH/dz_j = −p_j (log p_j + H)
      const dLogpa = (j === s.action ? 1 : 0) - p;
      const dH = -p * ((logp[j] as number) + entropy);
      dLogits[j] = (-dSurrogateDLogp * dLogpa - hp.entropyCoef * dH) / B;
    }
    backward(layout, params, f, dLogits, (hp.valueCoef * vErr) / B, grad);
  }
  parts.loss = parts.policy + hp.valueCoef * parts.value - hp.entropyCoef * parts.entropy;
  return { ...parts, grad };
}

export interface UpdateStats extends LossParts {
  updates: number;
  gradNorm: number;
}

/**
 * One PPO update from a rollout: GAE, optional advantage normalisation, then `epochs` passes of
 * shuffled minibatches, each an Adam step on the clipped loss. `params` and `adam` change in place.
 */
export function ppoUpdate(
  layout: MlpLayout,
  params: Float64Array,
  adam: AdamState,
  rollout: readonly Transition[],
  lastValue: number,
  hp: PpoHyper,
  rng: Rng,
): UpdateStats {
  const { advantages, returns } = gae(
    rollout.map((t) => t.reward),
    rollout.map((t) => t.value),
    rollout.map((t) => t.done),
    lastValue,
    hp.gamma,
    hp.gaeLambda,
  );
  let adv = advantages;
  if (hp.normalizeAdvantages && adv.length > 1) {
    const mean = adv.reduce((a, b) => a + b, 0) / adv.length;
    const sd = Math.sqrt(adv.reduce((a, b) => a + (b - mean) ** 2, 0) / adv.length);
    adv = adv.map((a) => (a - mean) / (sd + 1e-8));
  }
  const samples: Sample[] = rollout.map((t, i) => ({
    obs: t.obs,
    action: t.action,
    logProb: t.logProb,
    advantage: adv[i] as number,
    ret: returns[i] as number,
  }));
  const size = Math.max(1, Math.min(hp.minibatch, samples.length));
  const stats: UpdateStats = {
    loss: 0,
    policy: 0,
    value: 0,
    entropy: 0,
    clipFraction: 0,
    approxKl: 0,
    updates: 0,
    gradNorm: 0,
  };
  for (let epoch = 0; epoch < hp.epochs; epoch++) {
    const order = rng.shuffle(samples.map((_, i) => i));
    for (let start = 0; start < order.length; start += size) {
      const batch = order.slice(start, start + size).map((i) => samples[i] as Sample);
      const r = ppoLoss(layout, params, batch, hp);
      let norm = 0;
      for (const g of r.grad) norm += g * g;
      norm = Math.sqrt(norm);
      if (hp.maxGradNorm > 0 && norm > hp.maxGradNorm) {
        const k = hp.maxGradNorm / norm;
        for (let i = 0; i < r.grad.length; i++) r.grad[i] = (r.grad[i] as number) * k;
      }
      adamStep(params, r.grad, adam, { lr: hp.lr, ...ADAM_DEFAULTS });
      // Report the figures of the last epoch, averaged over its minibatches.
      if (epoch === hp.epochs - 1) {
        const w = batch.length / samples.length;
        stats.loss += r.loss * w;
        stats.policy += r.policy * w;
        stats.value += r.value * w;
        stats.entropy += r.entropy * w;
        stats.clipFraction += r.clipFraction * w;
        stats.approxKl += r.approxKl * w;
        stats.gradNorm = Math.max(stats.gradNorm, norm);
      }
      stats.updates += 1;
    }
  }
  return stats;
}

/** Samples an action from the policy at `obs`; returns it with its log-probability and V(obs). */
export function act(
  layout: MlpLayout,
  params: Float64Array,
  obs: readonly number[],
  rng: Rng,
): { action: number; logProb: number; value: number; probs: number[] } {
  const f = forward(layout, params, obs);
  const logp = logSoftmax(f.logits);
  const probs = Array.from(logp, Math.exp);
  const action = rng.weightedIndex(probs);
  return { action, logProb: logp[action] as number, value: f.value, probs };
}
