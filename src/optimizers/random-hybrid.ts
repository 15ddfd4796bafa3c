/**
 * Random-Hybrid, the ablation baseline of the PPO prompt agent (Esfahani, Kahani & Ajila,
 * arXiv 2605.19102): the same hybrid action space, episodes and scoring, with actions drawn
 * uniformly at random and nothing learned. The gap between it and `ppo` is what the policy adds.
 */
import { Rng } from '../core/rng';
import { ACTIONS } from './ppo/features';
import {
  hybridInstanceResults,
  hybridStep,
  initHybridState,
  projectHybridCalls,
  type HybridMode,
  type HybridPolicy,
  type HybridState,
} from './ppo/hybrid';
import { readKnobs } from './knobs';
import { HYBRID_KNOBS } from './ppo/knobs';
import type { MethodInfo, Optimizer } from './types';

const uniform: HybridPolicy<HybridState> = {
  choose(_state, _obs, rng) {
    return { action: rng.int(0, ACTIONS.length - 1), logProb: -Math.log(ACTIONS.length), value: 0 };
  },
  observe() {
    return undefined;
  },
};

function makeRandomHybrid(
  id: string,
  mode: HybridMode,
  info: Omit<MethodInfo, 'id' | 'knobs' | 'perInstance'>,
): Optimizer<HybridState> {
  return {
    info: { ...info, id, perInstance: mode === 'per-instance', knobs: HYBRID_KNOBS },
    ...(mode === 'per-instance' ? { instanceResults: hybridInstanceResults } : {}),
    // Built inside a promise so that bad knobs reject (as an async init would) rather than throw.
    init: (args) =>
      new Promise<HybridState>((resolve) => {
        const knobs = readKnobs(HYBRID_KNOBS, args.knobs, id);
        resolve(initHybridState(mode, knobs, args.initialPrompt, Rng.seeded(args.seed)));
      }),
    step(state, ctx) {
      return hybridStep(state, ctx, uniform);
    },
    projectCalls(knobs, counts) {
      return projectHybridCalls(mode, readKnobs(HYBRID_KNOBS, knobs, id), counts.train);
    },
  };
}

const PAPER = {
  title: 'Prompt Optimization for LLM Code Generation via Reinforcement Learning',
  authors: 'Ali Mohammadi Esfahani, Nafiseh Kahani, Samuel A. Ajila',
  year: 2026,
  arxiv: '2605.19102',
  url: 'https://arxiv.org/abs/2605.19102',
};

export const randomHybridOptimizer = makeRandomHybrid('random-hybrid', 'transferable', {
  name: 'Random-Hybrid',
  summary:
    "The PPO agent's actions (LLM generation, word mutation, crossover, paraphrase) chosen at random: shows what learning the choice adds.",
  paper: PAPER,
  kind: 'baseline',
});

export const randomHybridInstanceOptimizer = makeRandomHybrid(
  'random-hybrid-instance',
  'per-instance',
  {
    name: 'Random-Hybrid (per-instance, test-set optimization)',
    summary:
      'Random hybrid actions refining a prompt for each reported task itself, the per-instance counterpart of ppo-instance.',
    paper: PAPER,
    kind: 'baseline',
  },
);
