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
import { Rng } from '../../core/rng';
import type { KnobValue } from '../../core/types';
import {
  askParsed,
  finish,
  guardedStep,
  makeCandidate,
  metaRequest,
  parseTagged,
  sample,
  scoreAll,
  tasksById,
  TrainingSetError,
  uniqueById,
  updateBest,
  type Scored,
} from '../common';
import { floatKnob, intKnob, num, readKnobs, type KnobValues } from '../knobs';
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
    intKnob(
      'trainTasks',
      'Training tasks',
      10,
      1,
      1000,
      'Tasks drawn from the training split to score prompts on.',
    ),
    floatKnob(
      'temperature',
      'Meta temperature',
      1.0,
      0,
      2,
      0.1,
      'Sampling temperature for paraphrase, crossover and mutation.',
    ),
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

export const evoprompt: Optimizer<EvoState> = {
  info: evopromptInfo,
  async init(args, ctx) {
    const knobs = readKnobs(evopromptInfo.knobs, args.knobs, 'EvoPrompt');
    const rng = Rng.seeded(args.seed);
    const trainIds = sample(rng, ctx.train, num(knobs, 'trainTasks')).map((t) => t.id);
    if (trainIds.length === 0) throw new TrainingSetError('EvoPrompt needs training tasks.');
    return {
      v: 1,
      step: 0,
      rng: rng.getState(),
      best: null,
      done: false,
      knobs,
      trainIds,
      initial: args.initialPrompt,
      population: [],
    };
  },
  step(state, ctx) {
    return guardedStep(state, ctx, async (s) => {
      const rng = Rng.fromState(s.rng);
      const step = s.step + 1;
      const tasks = tasksById(ctx, s.trainIds);
      const temperature = num(s.knobs, 'temperature');
      const size = num(s.knobs, 'population');
      const parse = (x: string) => parseTagged(x, '<prompt>', '</prompt>');
      if (s.population.length === 0) {
        const seed = await makeCandidate(s.initial, [], 'seed', 0);
        const members = [seed];
        for (let i = 1; i < size; i++) {
          const { text } = await askParsed(
            ctx,
            () =>
              metaRequest(fill(EVO_PARAPHRASE, { prompt: s.initial }), {
                temperature,
                rng,
                purpose: 'rewrite',
              }),
            parse,
            1,
          );
          if (text) members.push(await makeCandidate(text, [seed.id], 'rewrite', 0));
        }
        if (ctx.budget.exhausted()) return finish(s, 'budget');
        const scored = await scoreAll(ctx, members, tasks, 0);
        if (!scored) return finish(s, 'budget');
        s.population = uniqueById(scored).sort((a, b) => b.score - a.score);
        updateBest(s, s.population, ctx, 0);
      }
      const children = [];
      const weights = s.population.map((m) => m.score + FLOOR);
      for (let i = 0; i < size; i++) {
        const a = s.population[rng.weightedIndex(weights)] as Scored;
        const b = s.population[rng.weightedIndex(weights)] as Scored;
        const { text } = await askParsed(
          ctx,
          () =>
            metaRequest(fill(EVO_GA, { parent1: a.prompt.text, parent2: b.prompt.text }), {
              temperature,
              rng,
            }),
          parse,
          1,
        );
        if (text) {
          const c = await makeCandidate(text, [a.prompt.id, b.prompt.id], 'crossover', step);
          children.push(c);
          ctx.emit({ type: 'proposed', step, prompt: c });
        }
      }
      if (ctx.budget.exhausted()) return finish(s, 'budget');
      const scored = await scoreAll(ctx, children, tasks, step);
      if (!scored) return finish(s, 'budget');
      s.population = uniqueById([...s.population, ...scored])
        .sort((a, b) => b.score - a.score)
        .slice(0, size);
      updateBest(s, s.population, ctx, step);
      s.step = step;
      s.rng = rng.getState();
      return step >= num(s.knobs, 'generations') ? finish(s, 'max-steps') : s;
    });
  },
  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(evopromptInfo.knobs, knobs, 'EvoPrompt');
    const tasks = Math.min(num(k, 'trainTasks'), counts.train);
    const n = num(k, 'population');
    return n - 1 + n * tasks + num(k, 'generations') * n * (1 + tasks);
  },
};
