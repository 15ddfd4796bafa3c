/**
 * OPRO — "Large Language Models as Optimizers" (Yang et al., arXiv 2309.03409).
 *
 * The meta-prompt holds the best past instructions with their scores in ascending order (so the
 * best sits last, nearest the request), a few task exemplars, and asks for a new instruction that
 * beats them all. `perStep` instructions are sampled per step at temperature 1.0, scored and added
 * to the history; at most `history` instructions are shown.
 */
import { Rng } from '../../core/rng';
import type { KnobValue } from '../../core/types';
import {
  askParsed,
  describeTasks,
  finish,
  guardedStep,
  makeCandidate,
  metaRequest,
  parseTagged,
  pct,
  sample,
  scoreAll,
  tasksById,
  TrainingSetError,
  uniqueById,
  updateBest,
  type Scored,
} from '../common';
import { floatKnob, intKnob, num, readKnobs, type KnobValues } from '../knobs';
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
    intKnob(
      'trainTasks',
      'Training tasks',
      10,
      1,
      1000,
      'Tasks drawn from the training split to score instructions on.',
    ),
    floatKnob(
      'temperature',
      'Meta temperature',
      1.0,
      0,
      2,
      0.1,
      'Sampling temperature of the optimizer LLM (the paper: 1.0).',
    ),
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
    const knobs = readKnobs(oproInfo.knobs, args.knobs, 'OPRO');
    const rng = Rng.seeded(args.seed);
    const trainIds = sample(rng, ctx.train, num(knobs, 'trainTasks')).map((t) => t.id);
    if (trainIds.length === 0) throw new TrainingSetError('OPRO needs training tasks.');
    return {
      v: 1,
      step: 0,
      rng: rng.getState(),
      best: null,
      done: false,
      knobs,
      trainIds,
      initial: args.initialPrompt,
      history: [],
    };
  },
  step(state, ctx) {
    return guardedStep(state, ctx, async (s) => {
      const rng = Rng.fromState(s.rng);
      const step = s.step + 1;
      const tasks = tasksById(ctx, s.trainIds);
      if (s.history.length === 0) {
        const seed = await scoreAll(ctx, [await makeCandidate(s.initial, [], 'seed', 0)], tasks, 0);
        if (!seed) return finish(s, 'budget');
        s.history = seed;
        updateBest(s, seed, ctx, 0);
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
        const { text } = await askParsed(
          ctx,
          () => metaRequest(meta, { temperature: num(s.knobs, 'temperature'), rng }),
          (x) => parseTagged(x, '<INS>', '</INS>'),
          1,
        );
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
      const scored = await scoreAll(ctx, fresh, tasks, step);
      if (!scored) return finish(s, 'budget');
      s.history = uniqueById([...s.history, ...scored]);
      updateBest(s, s.history, ctx, step);
      s.step = step;
      s.rng = rng.getState();
      return step >= num(s.knobs, 'steps') ? finish(s, 'max-steps') : s;
    });
  },
  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(oproInfo.knobs, knobs, 'OPRO');
    const tasks = Math.min(num(k, 'trainTasks'), counts.train);
    return tasks + num(k, 'steps') * num(k, 'perStep') * (1 + tasks);
  },
};
