/**
 * A tiny actor-critic network: a tanh MLP trunk with two linear heads, policy logits and a state
 * value. Written by hand on Float64Array because the agent needs a few thousand parameters and a
 * handful of updates per run: a hand-written forward/backward pass (gradient-checked against
 * finite differences in test/unit/ppo-mlp.test.ts) is a few hundred lines, runs unchanged in
 * Node, a page and a worker, and keeps the static app free of a multi-megabyte ML library such as
 * TensorFlow.js whose kernels would be idle 99.9% of the time.
 *
 * All parameters live in ONE flat vector so the optimizer state can carry them as a plain
 * `number[]` (exact through JSON) and Adam can treat them as one vector.
 */
import type { Rng } from '../../core/rng';

export interface MlpShape {
  inputs: number;
  /** Sizes of the tanh hidden layers of the shared trunk (at least one). */
  hidden: readonly number[];
  actions: number;
}

interface Dense {
  /** Offset of the weight matrix (rows = outputs, cols = inputs, row-major) in the flat vector. */
  w: number;
  /** Offset of the bias vector. */
  b: number;
  ins: number;
  outs: number;
}

export interface MlpLayout {
  shape: MlpShape;
  trunk: Dense[];
  policy: Dense;
  value: Dense;
  size: number;
}

export class MlpShapeError extends Error {
  override name = 'MlpShapeError';
}

export function mlpLayout(shape: MlpShape): MlpLayout {
  const sizes = [shape.inputs, ...shape.hidden];
  if (shape.hidden.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new MlpShapeError(
      `An MLP needs positive integer layer sizes and at least one hidden layer; got ${JSON.stringify(shape)}`,
    );
  }
  if (!Number.isInteger(shape.actions) || shape.actions < 1) {
    throw new MlpShapeError(`An MLP needs at least one action; got ${shape.actions}`);
  }
  let offset = 0;
  const dense = (ins: number, outs: number): Dense => {
    const d = { w: offset, b: offset + ins * outs, ins, outs };
    offset += ins * outs + outs;
    return d;
  };
  const trunk: Dense[] = [];
  for (let i = 0; i + 1 < sizes.length; i++)
    trunk.push(dense(sizes[i] as number, sizes[i + 1] as number));
  const last = sizes[sizes.length - 1] as number;
  const policy = dense(last, shape.actions);
  const value = dense(last, 1);
  return { shape, trunk, policy, value, size: offset };
}

/**
 * Initial parameters: trunk weights ~ N(0, 1/fan_in) (LeCun), policy head scaled by 0.01 so the
 * first policy is close to uniform (the usual PPO initialisation, Andrychowicz et al. 2021,
 * "What Matters in On-Policy RL"), value head N(0, 1/fan_in), biases zero.
 */
export function initParams(layout: MlpLayout, rng: Rng): Float64Array {
  const p = new Float64Array(layout.size);
  const fill = (d: Dense, scale: number): void => {
    const sd = scale / Math.sqrt(d.ins);
    for (let i = 0; i < d.ins * d.outs; i++) p[d.w + i] = rng.normal() * sd;
  };
  for (const d of layout.trunk) fill(d, 1);
  fill(layout.policy, 0.01);
  fill(layout.value, 1);
  return p;
}

export interface Forward {
  /** Activations per trunk layer, input first: acts[0] is x, acts[k] = tanh(W_k acts[k-1] + b_k). */
  acts: Float64Array[];
  logits: Float64Array;
  value: number;
}

function affine(p: Float64Array, d: Dense, x: Float64Array, out: Float64Array): void {
  for (let o = 0; o < d.outs; o++) {
    let s = p[d.b + o] as number;
    const row = d.w + o * d.ins;
    for (let i = 0; i < d.ins; i++) s += (p[row + i] as number) * (x[i] as number);
    out[o] = s;
  }
}

export function forward(layout: MlpLayout, p: Float64Array, x: ArrayLike<number>): Forward {
  if (x.length !== layout.shape.inputs) {
    throw new MlpShapeError(`MLP expects ${layout.shape.inputs} inputs, got ${x.length}`);
  }
  const acts: Float64Array[] = [Float64Array.from(x)];
  for (const d of layout.trunk) {
    const h = new Float64Array(d.outs);
    affine(p, d, acts[acts.length - 1] as Float64Array, h);
    for (let i = 0; i < h.length; i++) h[i] = Math.tanh(h[i] as number);
    acts.push(h);
  }
  const top = acts[acts.length - 1] as Float64Array;
  const logits = new Float64Array(layout.shape.actions);
  affine(p, layout.policy, top, logits);
  const v = new Float64Array(1);
  affine(p, layout.value, top, v);
  return { acts, logits, value: v[0] as number };
}

/** Adds to `d` the gradient of `W x + b` w.r.t. W and b given dOut, and returns dL/dx. */
function affineBack(
  p: Float64Array,
  d: Dense,
  x: Float64Array,
  dOut: Float64Array,
  grad: Float64Array,
): Float64Array {
  const dx = new Float64Array(d.ins);
  for (let o = 0; o < d.outs; o++) {
    const g = dOut[o] as number;
    if (g === 0) continue;
    grad[d.b + o] = (grad[d.b + o] as number) + g;
    const row = d.w + o * d.ins;
    for (let i = 0; i < d.ins; i++) {
      grad[row + i] = (grad[row + i] as number) + g * (x[i] as number);
      dx[i] = (dx[i] as number) + g * (p[row + i] as number);
    }
  }
  return dx;
}

/**
 * Backpropagates dL/dlogits and dL/dvalue through the network of one forward pass and ADDS the
 * parameter gradient to `grad` (so a minibatch accumulates into one vector).
 */
export function backward(
  layout: MlpLayout,
  p: Float64Array,
  f: Forward,
  dLogits: ArrayLike<number>,
  dValue: number,
  grad: Float64Array,
): void {
  const top = f.acts[f.acts.length - 1] as Float64Array;
  const dTopP = affineBack(p, layout.policy, top, Float64Array.from(dLogits), grad);
  const dTopV = affineBack(p, layout.value, top, Float64Array.of(dValue), grad);
  let dh: Float64Array = new Float64Array(top.length);
  for (let i = 0; i < dh.length; i++) dh[i] = (dTopP[i] as number) + (dTopV[i] as number);
  for (let k = layout.trunk.length - 1; k >= 0; k--) {
    const h = f.acts[k + 1] as Float64Array;
    // tanh' = 1 - tanh^2, applied to the gradient arriving at this layer's output.
    const dz = new Float64Array(h.length);
    for (let i = 0; i < h.length; i++) dz[i] = (dh[i] as number) * (1 - (h[i] as number) ** 2);
    dh = affineBack(p, layout.trunk[k] as Dense, f.acts[k] as Float64Array, dz, grad);
  }
}

/** Numerically stable log-softmax. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] as number) - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = (logits[i] as number) - lse;
  return out;
}
