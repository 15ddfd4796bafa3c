/**
 * Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", arXiv 1412.6980) over one
 * flat parameter vector. The moments are plain arrays in the optimizer state so a checkpoint
 * resumes the exact same trajectory.
 */

export interface AdamState {
  m: number[];
  v: number[];
  /** Updates taken so far (for bias correction). */
  t: number;
}

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const ADAM_DEFAULTS: Omit<AdamParams, 'lr'> = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export function adamInit(size: number): AdamState {
  return { m: new Array<number>(size).fill(0), v: new Array<number>(size).fill(0), t: 0 };
}

/** One descent step on `params` in place; `state` moments are updated in place too. */
export function adamStep(
  params: Float64Array,
  grad: ArrayLike<number>,
  state: AdamState,
  hp: AdamParams,
): void {
  state.t += 1;
  const c1 = 1 - hp.beta1 ** state.t;
  const c2 = 1 - hp.beta2 ** state.t;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i] as number;
    const m = hp.beta1 * (state.m[i] as number) + (1 - hp.beta1) * g;
    const v = hp.beta2 * (state.v[i] as number) + (1 - hp.beta2) * g * g;
    state.m[i] = m;
    state.v[i] = v;
    params[i] = (params[i] as number) - (hp.lr * (m / c1)) / (Math.sqrt(v / c2) + hp.eps);
  }
}
