/**
 * EvoPrompt (GA) — "Connecting Large Language Models with Evolutionary Algorithms Yields Powerful
 * Prompt Optimizers" (Guo et al., arXiv 2309.08532), the genetic-algorithm variant.
 *
 * Population: the starting prompt and LLM paraphrases of it. Each generation, for every member,
 * two parents are drawn by roulette wheel (probability proportional to score), and the LLM does
 * crossover then mutation in one request; children are scored and the best `population` of
 * parents ∪ children survive. Roulette uses score + a small floor so an all-zero population still
 * breeds.
 */
import type { KnobValue } from '../../core/types';
import {
  askTagged,
  byScore,
  endRound,
  finish,
  makeCandidate,
  scoreIntoPool,
  startOnTraining,
  trainingRound,
  uniqueById,
  type Scored,
} from '../common';
import {
  intKnob,
  metaTemperatureKnob,
  num,
  readKnobs,
  trainTasksKnob,
  type KnobValues,
} from '../knobs';
import { EVO_GA, EVO_PARAPHRASE, fill } from '../meta-prompts';
import type { BaseState, MethodInfo, Optimizer } from '../types';

export const evopromptInfo: MethodInfo = {
  id: 'evoprompt',
  name: 'EvoPrompt (GA)',
  summary:
    'A genetic algorithm over prompts: the LLM crosses over and mutates pairs of good prompts; the fittest survive.',
  paper: {
    title:
      'Connecting Large Language Models with Evolutionary Algorithms Yields Powerful Prompt Optimizers',
    authors: 'Guo et al.',
    year: 2023,
    arxiv: '2309.08532',
  },
  kind: 'baseline',
  perInstance: false,
  knobs: [
    intKnob('population', 'Population', 6, 2, 30, 'Prompts kept each generation (the paper: 10).'),
    intKnob('generations', 'Generations', 6, 1, 50, 'Generations of crossover and mutation.'),
    trainTasksKnob(10, 'prompts'),
    metaTemperatureKnob('Sampling temperature for paraphrase, crossover and mutation.'),
  ],
};

export interface EvoState extends BaseState {
  v: 1;
  knobs: KnobValues;
  trainIds: string[];
  initial: string;
  population: Scored[];
}

const FLOOR = 0.01;
const TAGS = ['<prompt>', '</prompt>'] as const;

export const evoprompt: Optimizer<EvoState> = {
  info: evopromptInfo,
  async init(args, ctx) {
    const start = startOnTraining(args, ctx.train, {
      knobs: evopromptInfo.knobs,
      label: 'EvoPrompt',
      missing: 'EvoPrompt needs training tasks.',
    });
    return { ...start, initial: args.initialPrompt, population: [] };
  },
  step(state, ctx) {
    return trainingRound(state, ctx, async (s, { rng, step, tasks }) => {
      const temperature = num(s.knobs, 'temperature');
      const size = num(s.knobs, 'population');
      if (s.population.length === 0) {
        const seed = await makeCandidate(s.initial, [], 'seed', 0);
        const members = [seed];
        for (let i = 1; i < size; i++) {
          const text = await askTagged(ctx, fill(EVO_PARAPHRASE, { prompt: s.initial }), TAGS, {
            temperature,
            rng,
            purpose: 'rewrite',
            shown: [s.initial],
          });
          if (text) members.push(await makeCandidate(text, [seed.id], 'rewrite', 0));
        }
        if (ctx.budget.exhausted()) return finish(s, 'budget');
        const population = await scoreIntoPool(ctx, s, members, tasks, 0, (scored) =>
          byScore(uniqueById(scored)),
        );
        if (!population) return finish(s, 'budget');
        s.population = population;
      }
      const children = [];
      const weights = s.population.map((m) => m.score + FLOOR);
      for (let i = 0; i < size; i++) {
        const a = s.population[rng.weightedIndex(weights)] as Scored;
        const b = s.population[rng.weightedIndex(weights)] as Scored;
        const meta = fill(EVO_GA, { parent1: a.prompt.text, parent2: b.prompt.text });
        const text = await askTagged(ctx, meta, TAGS, {
          temperature,
          rng,
          shown: [a.prompt.text, b.prompt.text],
        });
        if (text) {
          const c = await makeCandidate(text, [a.prompt.id, b.prompt.id], 'crossover', step);
          children.push(c);
          ctx.emit({ type: 'proposed', step, prompt: c });
        }
      }
      if (ctx.budget.exhausted()) return finish(s, 'budget');
      const population = await scoreIntoPool(ctx, s, children, tasks, step, (scored) =>
        byScore(uniqueById([...s.population, ...scored])).slice(0, size),
      );
      if (!population) return finish(s, 'budget');
      s.population = population;
      return endRound(s, step, rng, { 'max-steps': step >= num(s.knobs, 'generations') });
    });
  },
  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(evopromptInfo.knobs, knobs, 'EvoPrompt');
    const tasks = Math.min(num(k, 'trainTasks'), counts.train);
    const n = num(k, 'population');
    return n - 1 + n * tasks + num(k, 'generations') * n * (1 + tasks);
  },
};
