/**
 * OPRO — "Large Language Models as Optimizers" (Yang et al., arXiv 2309.03409).
 *
 * The meta-prompt holds the best past instructions with their scores in ascending order (so the
 * best sits last, nearest the request), a few task exemplars, and asks for a new instruction that
 * beats them all. `perStep` instructions are sampled per step at temperature 1.0, scored and added
 * to the history; at most `history` instructions are shown.
 */
import type { KnobValue } from '../../core/types';
import {
  askTagged,
  describeTasks,
  endRound,
  finish,
  makeCandidate,
  pct,
  sample,
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
import { fill, OPRO_META } from '../meta-prompts';
import type { BaseState, MethodInfo, Optimizer } from '../types';

export const oproInfo: MethodInfo = {
  id: 'opro',
  name: 'OPRO',
  summary:
    'The LLM sees past prompts sorted by score and is asked for a new one that scores higher than all of them.',
  paper: {
    title: 'Large Language Models as Optimizers',
    authors: 'Yang et al.',
    year: 2023,
    arxiv: '2309.03409',
  },
  kind: 'baseline',
  perInstance: false,
  knobs: [
    intKnob('steps', 'Steps', 10, 1, 100, 'Optimization steps.'),
    intKnob(
      'perStep',
      'Instructions per step',
      4,
      1,
      16,
      'New instructions sampled each step (the paper: 8).',
    ),
    intKnob(
      'history',
      'History shown',
      20,
      1,
      50,
      'The most past instructions the meta-prompt shows, best ones kept (the paper: 20).',
    ),
    intKnob('examples', 'Exemplars', 3, 0, 10, 'Training tasks shown in the meta-prompt.'),
    trainTasksKnob(10, 'instructions'),
    metaTemperatureKnob('Sampling temperature of the optimizer LLM (the paper: 1.0).'),
  ],
};

export interface OproState extends BaseState {
  v: 1;
  knobs: KnobValues;
  trainIds: string[];
  initial: string;
  history: Scored[];
}

export const opro: Optimizer<OproState> = {
  info: oproInfo,
  async init(args, ctx) {
    const start = startOnTraining(args, ctx.train, {
      knobs: oproInfo.knobs,
      label: 'OPRO',
      missing: 'OPRO needs training tasks.',
    });
    return { ...start, initial: args.initialPrompt, history: [] };
  },
  step(state, ctx) {
    return trainingRound(state, ctx, async (s, { rng, step, tasks }) => {
      if (s.history.length === 0) {
        const seed = await makeCandidate(s.initial, [], 'seed', 0);
        const history = await scoreIntoPool(ctx, s, [seed], tasks, 0, (scored) => scored);
        if (!history) return finish(s, 'budget');
        s.history = history;
      }
      const shown = s.history
        .slice()
        .sort((a, b) => b.score - a.score)
        .slice(0, num(s.knobs, 'history'))
        .reverse();
      const meta = fill(OPRO_META, {
        history: shown.map((h) => `text:\n${h.prompt.text}\nscore:\n${pct(h.score)}`).join('\n\n'),
        examples: describeTasks(sample(rng, tasks, num(s.knobs, 'examples'))),
      });
      const fresh = [];
      for (let i = 0; i < num(s.knobs, 'perStep'); i++) {
        const text = await askTagged(ctx, meta, ['<INS>', '</INS>'], {
          temperature: num(s.knobs, 'temperature'),
          rng,
          shown: shown.map((h) => h.prompt.text),
        });
        if (text) {
          const c = await makeCandidate(
            text,
            shown.map((h) => h.prompt.id),
            'generate',
            step,
          );
          fresh.push(c);
          ctx.emit({ type: 'proposed', step, prompt: c });
        }
      }
      if (ctx.budget.exhausted()) return finish(s, 'budget');
      const history = await scoreIntoPool(ctx, s, fresh, tasks, step, (scored) =>
        uniqueById([...s.history, ...scored]),
      );
      if (!history) return finish(s, 'budget');
      s.history = history;
      return endRound(s, step, rng, { 'max-steps': step >= num(s.knobs, 'steps') });
    });
  },
  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(oproInfo.knobs, knobs, 'OPRO');
    const tasks = Math.min(num(k, 'trainTasks'), counts.train);
    return tasks + num(k, 'steps') * num(k, 'perStep') * (1 + tasks);
  },
};
