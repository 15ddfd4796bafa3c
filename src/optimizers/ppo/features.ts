/**
 * The agent's observation: features of the current prompt and of its test feedback, all scaled to
 * about [-1, 1] so the tanh network needs no running normalisation (which would be one more piece
 * of state to checkpoint).
 */
import { wordEditDistance, words } from '../../core/text';

export const ACTIONS = ['generate', 'mutate', 'crossover', 'rewrite'] as const;
export type ActionName = (typeof ACTIONS)[number];

/** How many past actions the observation remembers, one-hot each. */
export const RECENT_ACTIONS = 2;

export const FEATURE_NAMES: readonly string[] = [
  'strict pass rate of the current prompt',
  'soft pass rate (share of unit tests passed)',
  'change in strict pass since the last step',
  'change in soft pass since the last step',
  'gap to the best strict pass seen (best − current)',
  'share of tasks whose code crashed or timed out (not a failed assert)',
  'step index within the episode (t / horizon)',
  'budget left (1 − steps taken / max steps)',
  'prompt length (words / 200, at most 1)',
  'word edit distance from the previous prompt (share of words changed)',
  'last reward (clipped to ±2, halved)',
  ...Array.from({ length: RECENT_ACTIONS }, (_, k) =>
    ACTIONS.map((a) => `action ${k + 1} step(s) ago was ${a}`),
  ).flat(),
];

export const FEATURE_COUNT = FEATURE_NAMES.length;

export interface FeatureInput {
  strict: number;
  soft: number;
  prevStrict: number | null;
  prevSoft: number | null;
  bestStrict: number;
  errorShare: number;
  t: number;
  horizon: number;
  step: number;
  maxSteps: number;
  prompt: string;
  prevPrompt: string | null;
  lastReward: number;
  /** Past actions, newest last. */
  recent: readonly number[];
}

export function featureVector(f: FeatureInput): number[] {
  const len = words(f.prompt).length;
  let change = 0;
  if (f.prevPrompt !== null) {
    const prevLen = words(f.prevPrompt).length;
    change = wordEditDistance(f.prevPrompt, f.prompt) / Math.max(1, len, prevLen);
  }
  const out = [
    f.strict,
    f.soft,
    f.prevStrict === null ? 0 : f.strict - f.prevStrict,
    f.prevSoft === null ? 0 : f.soft - f.prevSoft,
    Math.max(0, f.bestStrict - f.strict),
    f.errorShare,
    Math.min(1, f.t / f.horizon),
    Math.max(0, 1 - f.step / f.maxSteps),
    Math.min(1, len / 200),
    Math.min(1, change),
    Math.max(-2, Math.min(2, f.lastReward)) / 2,
  ];
  for (let k = 1; k <= RECENT_ACTIONS; k++) {
    const a = f.recent[f.recent.length - k];
    for (let i = 0; i < ACTIONS.length; i++) out.push(a === i ? 1 : 0);
  }
  return out;
}

export interface RewardParams {
  /** λ: weight of soft pass. */
  softWeight: number;
  /** μ: weight of the improvement of (strict + λ·soft) over the previous prompt. */
  improvementWeight: number;
  /** κ: penalty per LLM call the action made. */
  costPerCall: number;
}

/**
 * Shaped reward from unit-test feedback: r = q' + μ·(q' − q) − κ·calls, with q = strict + λ·soft
 * of the previous prompt and q' of the new one.
 */
export function shapedReward(
  prev: { strict: number; soft: number },
  next: { strict: number; soft: number },
  llmCalls: number,
  p: RewardParams,
): number {
  const q = prev.strict + p.softWeight * prev.soft;
  const q2 = next.strict + p.softWeight * next.soft;
  return q2 + p.improvementWeight * (q2 - q) - p.costPerCall * llmCalls;
}
