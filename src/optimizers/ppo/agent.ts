/**
 * The PPO prompt agent of Esfahani, Kahani & Ajila, "Prompt Optimization for LLM Code Generation
 * via Reinforcement Learning" (arXiv 2605.19102, 2026): an
 * actor-critic MLP (mlp.ts) chooses among the hybrid actions of hybrid.ts and is trained with PPO
 * (ppo.ts) on rewards shaped from unit-test feedback. Two registry entries share this code:
 * `ppo` optimizes a transferable prompt on the training split, `ppo-instance` is the paper's
 * per-instance protocol, which optimizes on the very tasks it reports (perInstance: true).
 * See docs/ppo.md for the features, actions, reward and hyperparameters.
 */
import { Rng } from '../../core/rng';
import type { KnobValue } from '../../core/types';
import type { MethodInfo, Optimizer } from '../types';
import { adamInit, type AdamState } from './adam';
import { ACTIONS, FEATURE_COUNT } from './features';
import {
  hybridInstanceResults,
  hybridStep,
  initHybridState,
  projectHybridCalls,
  type HybridMode,
  type HybridPolicy,
  type HybridState,
} from './hybrid';
import { num, readKnobs } from '../knobs';
import { HYBRID_KNOBS, PPO_KNOBS } from './knobs';
import { forward, initParams, mlpLayout, type MlpLayout } from './mlp';
import { act, ppoUpdate, type PpoHyper, type Transition, type UpdateStats } from './ppo';

export interface PpoState extends HybridState {
  net: { hidden: number[]; params: number[] };
  adam: AdamState;
  /** Transitions since the last update. */
  buffer: Transition[];
  updates: number;
  lastUpdate: UpdateStats | null;
}

const layoutOf = (state: PpoState): MlpLayout =>
  mlpLayout({ inputs: FEATURE_COUNT, hidden: state.net.hidden, actions: ACTIONS.length });

function hyper(knobs: Record<string, KnobValue>): PpoHyper {
  const n = (name: string): number => num(knobs, name);
  return {
    gamma: n('gamma'),
    gaeLambda: n('gaeLambda'),
    clip: n('clip'),
    valueCoef: n('valueCoef'),
    entropyCoef: n('entropyCoef'),
    lr: n('lr'),
    epochs: n('epochs'),
    minibatch: n('minibatch'),
    maxGradNorm: n('maxGradNorm'),
    normalizeAdvantages: true,
  };
}

const ppoPolicy: HybridPolicy<PpoState> = {
  choose(state, obs, rng) {
    return act(layoutOf(state), Float64Array.from(state.net.params), obs, rng);
  },
  observe(state, transition, nextObs, rng) {
    state.buffer.push(transition);
    if (state.buffer.length < num(state.knobs, 'rolloutSteps')) return undefined;
    const layout = layoutOf(state);
    const params = Float64Array.from(state.net.params);
    const lastValue = transition.done ? 0 : forward(layout, params, nextObs).value;
    const stats = ppoUpdate(
      layout,
      params,
      state.adam,
      state.buffer,
      lastValue,
      hyper(state.knobs),
      rng,
    );
    state.net.params = Array.from(params);
    state.buffer = [];
    state.updates += 1;
    state.lastUpdate = stats;
    const f = (x: number): string => x.toFixed(3);
    return `PPO update ${state.updates}: loss ${f(stats.loss)}, entropy ${f(stats.entropy)}, clip fraction ${f(stats.clipFraction)}, KL ${f(stats.approxKl)}`;
  },
};

/** The method's paper; PPO itself is Schulman et al. 2017 (arXiv 1707.06347), cited in ppo.ts. */
const PAPER = {
  title: 'Prompt Optimization for LLM Code Generation via Reinforcement Learning',
  authors: 'Ali Mohammadi Esfahani, Nafiseh Kahani, Samuel A. Ajila',
  year: 2026,
  arxiv: '2605.19102',
  url: 'https://arxiv.org/abs/2605.19102',
};

function makePpo(
  id: string,
  mode: HybridMode,
  info: Omit<MethodInfo, 'id' | 'knobs' | 'perInstance'>,
): Optimizer<PpoState> {
  const knobs = [...HYBRID_KNOBS, ...PPO_KNOBS];
  return {
    info: { ...info, id, perInstance: mode === 'per-instance', knobs },
    ...(mode === 'per-instance' ? { instanceResults: hybridInstanceResults } : {}),
    // Built inside a promise so that bad knobs reject (as an async init would) rather than throw.
    init: (args) =>
      new Promise<PpoState>((resolve) => {
        const resolved = readKnobs(knobs, args.knobs, id);
        const rng = Rng.seeded(args.seed);
        const h = num(resolved, 'hidden');
        const hidden = [h, h];
        const layout = mlpLayout({ inputs: FEATURE_COUNT, hidden, actions: ACTIONS.length });
        const params = initParams(layout, rng);
        const base = initHybridState(mode, resolved, args.initialPrompt, rng);
        resolve({
          ...base,
          rng: rng.getState(),
          net: { hidden, params: Array.from(params) },
          adam: adamInit(layout.size),
          buffer: [],
          updates: 0,
          lastUpdate: null,
        });
      }),
    step(state, ctx) {
      return hybridStep(state, ctx, ppoPolicy);
    },
    projectCalls(k, counts) {
      return projectHybridCalls(mode, readKnobs(knobs, k, id), counts.train);
    },
  };
}

export const ppoOptimizer = makePpo('ppo', 'transferable', {
  name: 'PPO prompt agent',
  summary:
    'A small neural policy learns, by trial and reward from unit tests, which edit to make next: LLM generation, word mutation, crossover or paraphrase.',
  paper: PAPER,
  kind: 'optimizer',
});

export const ppoInstanceOptimizer = makePpo('ppo-instance', 'per-instance', {
  name: 'PPO prompt agent (per-instance, test-set optimization)',
  summary:
    "The paper's protocol: the PPO agent refines a prompt for each reported task itself until its tests pass. Scores are optimized on the test tasks.",
  paper: PAPER,
  kind: 'optimizer',
});
