/**
 * The two one-shot baselines: the prompt as given (zero-shot), and the same prompt with a
 * chain-of-thought instruction (Wei et al. 2022, arXiv 2201.11903; zero-shot CoT, Kojima et al.
 * 2022, arXiv 2205.11916). No search: one step scores the prompt on the training tasks so the
 * run has a training score like every other method; the runner reports it on held-out tasks.
 */
import type { KnobValue, PromptCandidate } from '../../core/types';
import {
  finish,
  guardedStep,
  makeCandidate,
  scoreIntoPool,
  startOnTraining,
  tasksById,
} from '../common';
import { num, readKnobs, trainTasksKnob, type KnobValues } from '../knobs';
import { COT_SUFFIX } from '../meta-prompts';
import type { BaseState, MethodInfo, Optimizer } from '../types';

export interface SingleState extends BaseState {
  v: 1;
  knobs: KnobValues;
  trainIds: string[];
  prompt: PromptCandidate;
}

const trainKnob = trainTasksKnob(20, 'the prompt');

function single(info: MethodInfo, transform: (p: string) => string): Optimizer<SingleState> {
  return {
    info,
    async init(args, ctx) {
      const start = startOnTraining(args, ctx.train, {
        knobs: info.knobs,
        label: info.name,
        missing: `${info.name} needs training tasks to score on.`,
        optional: info.trainingOptional === true,
      });
      const prompt = await makeCandidate(
        transform(args.initialPrompt),
        [],
        info.id === 'zero-shot' ? 'seed' : 'cot',
        0,
      );
      ctx.emit({ type: 'proposed', step: 0, prompt });
      return { ...start, prompt };
    },
    step(state, ctx) {
      return guardedStep(state, ctx, async (s) => {
        // No training tasks (a 0% training split): nothing to score before the held-out grading.
        if (s.trainIds.length === 0) {
          s.step = 1;
          return finish(s, 'max-steps');
        }
        const tasks = tasksById(ctx, s.trainIds);
        const scored = await scoreIntoPool(ctx, s, [s.prompt], tasks, 1, (x) => x);
        if (!scored) return finish(s, 'budget');
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
    trainingOptional: true,
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
    trainingOptional: true,
    knobs: [trainKnob],
  },
  (p) => (p.trim() === '' ? COT_SUFFIX : `${p.trim()}\n\n${COT_SUFFIX}`),
);
