/**
 * The two one-shot baselines: the prompt as given (zero-shot), and the same prompt with a
 * chain-of-thought instruction (Wei et al. 2022, arXiv 2201.11903; zero-shot CoT, Kojima et al.
 * 2022, arXiv 2205.11916). No search: one step scores the prompt on the training tasks so the
 * run has a training score like every other method; the runner reports it on held-out tasks.
 */
import { Rng } from '../../core/rng';
import type { KnobValue, PromptCandidate } from '../../core/types';
import {
  finish,
  guardedStep,
  makeCandidate,
  sample,
  scoreAll,
  tasksById,
  TrainingSetError,
  updateBest,
} from '../common';
import { intKnob, num, readKnobs, type KnobValues } from '../knobs';
import { COT_SUFFIX } from '../meta-prompts';
import type { BaseState, MethodInfo, Optimizer } from '../types';

export interface SingleState extends BaseState {
  v: 1;
  knobs: KnobValues;
  trainIds: string[];
  prompt: PromptCandidate;
}

const trainKnob = intKnob(
  'trainTasks',
  'Training tasks',
  20,
  1,
  1000,
  'Tasks drawn from the training split to score the prompt on.',
);

function single(info: MethodInfo, transform: (p: string) => string): Optimizer<SingleState> {
  return {
    info,
    async init(args, ctx) {
      const knobs = readKnobs(info.knobs, args.knobs, info.name);
      const rng = Rng.seeded(args.seed);
      const trainIds = sample(rng, ctx.train, num(knobs, 'trainTasks')).map((t) => t.id);
      if (trainIds.length === 0)
        throw new TrainingSetError(`${info.name} needs training tasks to score on.`);
      const prompt = await makeCandidate(
        transform(args.initialPrompt),
        [],
        info.id === 'zero-shot' ? 'seed' : 'cot',
        0,
      );
      ctx.emit({ type: 'proposed', step: 0, prompt });
      return {
        v: 1,
        step: 0,
        rng: rng.getState(),
        best: null,
        done: false,
        knobs,
        trainIds,
        prompt,
      };
    },
    step(state, ctx) {
      return guardedStep(state, ctx, async (s) => {
        const scored = await scoreAll(ctx, [s.prompt], tasksById(ctx, s.trainIds), 1);
        if (!scored) return finish(s, 'budget');
        updateBest(s, scored, ctx, 1);
        s.step = 1;
        return finish(s, 'max-steps');
      });
    },
    projectCalls(knobs: Record<string, KnobValue>, counts) {
      return Math.min(num(readKnobs(info.knobs, knobs, info.name), 'trainTasks'), counts.train);
    },
  };
}

export const zeroShot = single(
  {
    id: 'zero-shot',
    name: 'Zero-shot',
    summary:
      'The starting prompt as it is, with no optimization: the floor every method must beat.',
    kind: 'baseline',
    perInstance: false,
    knobs: [trainKnob],
  },
  (p) => p,
);

export const chainOfThought = single(
  {
    id: 'chain-of-thought',
    name: 'Chain-of-thought',
    summary:
      'The starting prompt plus "think step by step": the model plans before it writes code.',
    paper: {
      title: 'Large Language Models are Zero-Shot Reasoners',
      authors: 'Kojima et al.',
      year: 2022,
      arxiv: '2205.11916',
    },
    kind: 'baseline',
    perInstance: false,
    knobs: [trainKnob],
  },
  (p) => (p.trim() === '' ? COT_SUFFIX : `${p.trim()}\n\n${COT_SUFFIX}`),
);
