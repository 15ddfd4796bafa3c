/**
 * APE — "Large Language Models Are Human-Level Prompt Engineers" (Zhou et al., arXiv 2211.01910).
 *
 * Step 1 (instruction induction, forward mode): the LLM sees a few training tasks with their
 * reference solutions and writes the instruction that would produce them; `candidates` such
 * instructions, each from its own seeded draw of demonstrations. Later steps (iterative Monte
 * Carlo search): the `keep` best are paraphrased ("a variation that keeps the semantic meaning")
 * and the new ones scored. The starting prompt joins the first pool so the search cannot end
 * below it on the training tasks (a choice of ours; the paper starts from induced prompts only).
 */
import { Rng } from '../../core/rng';
import type { KnobValue, Task } from '../../core/types';
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
import { APE_INDUCE, APE_RESAMPLE, fill } from '../meta-prompts';
import type { BaseState, MethodInfo, Optimizer } from '../types';

export const apeInfo: MethodInfo = {
  id: 'ape',
  name: 'APE',
  summary:
    'The LLM guesses the instruction behind solved examples; the best guesses are paraphrased and re-scored.',
  paper: {
    title: 'Large Language Models Are Human-Level Prompt Engineers',
    authors: 'Zhou et al.',
    year: 2022,
    arxiv: '2211.01910',
  },
  kind: 'baseline',
  perInstance: false,
  knobs: [
    intKnob(
      'candidates',
      'Candidates',
      8,
      1,
      50,
      'Instructions induced from demonstrations in the first step, and paraphrases written in each later step.',
    ),
    intKnob('demos', 'Demonstrations', 3, 1, 10, 'Solved training tasks shown for each induction.'),
    intKnob(
      'resampleRounds',
      'Resampling rounds',
      1,
      0,
      10,
      'Rounds of iterative Monte Carlo search after induction.',
    ),
    intKnob(
      'keep',
      'Keep best',
      3,
      1,
      20,
      'How many of the best instructions are paraphrased in each resampling round.',
    ),
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
      'Sampling temperature for induction and paraphrase.',
    ),
  ],
};

export interface ApeState extends BaseState {
  v: 1;
  knobs: KnobValues;
  trainIds: string[];
  initial: string;
  pool: Scored[];
}

/** A demonstration: the task and its reference solution (the task alone when it has none). */
const demo = (t: Task): string =>
  t.reference
    ? `Task:\n${t.prompt.trim()}\nSolution:\n${t.reference.trim()}`
    : `Task:\n${t.prompt.trim()}`;

export const ape: Optimizer<ApeState> = {
  info: apeInfo,
  async init(args, ctx) {
    const knobs = readKnobs(apeInfo.knobs, args.knobs, 'APE');
    const rng = Rng.seeded(args.seed);
    const trainIds = sample(rng, ctx.train, num(knobs, 'trainTasks')).map((t) => t.id);
    if (trainIds.length === 0) throw new TrainingSetError('APE needs training tasks.');
    return {
      v: 1,
      step: 0,
      rng: rng.getState(),
      best: null,
      done: false,
      knobs,
      trainIds,
      initial: args.initialPrompt,
      pool: [],
    };
  },
  step(state, ctx) {
    return guardedStep(state, ctx, async (s) => {
      const rng = Rng.fromState(s.rng);
      const step = s.step + 1;
      const tasks = tasksById(ctx, s.trainIds);
      const temperature = num(s.knobs, 'temperature');
      const fresh = [];
      if (step === 1) {
        fresh.push(await makeCandidate(s.initial, [], 'seed', 0));
        // Induction needs solved examples; a task set without references still gets its tasks.
        const solved = ctx.train.filter((t) => t.reference);
        const withRef = solved.length > 0 ? solved : ctx.train;
        for (let i = 0; i < num(s.knobs, 'candidates'); i++) {
          const demos = sample(rng, withRef, num(s.knobs, 'demos'));
          const { text } = await askParsed(
            ctx,
            () =>
              metaRequest(fill(APE_INDUCE, { demos: demos.map(demo).join('\n\n') }), {
                temperature,
                rng,
              }),
            (x) => parseTagged(x, '<INS>', '</INS>'),
            1,
          );
          if (text) fresh.push(await makeCandidate(text, [], 'induce', step));
        }
      } else {
        const top = s.pool.slice(0, num(s.knobs, 'keep'));
        const per = Math.max(1, Math.round(num(s.knobs, 'candidates') / top.length));
        for (const parent of top) {
          for (let i = 0; i < per; i++) {
            const { text } = await askParsed(
              ctx,
              () =>
                metaRequest(fill(APE_RESAMPLE, { prompt: parent.prompt.text }), {
                  temperature,
                  rng,
                }),
              (x) => parseTagged(x, '<INS>', '</INS>'),
              1,
            );
            if (text) fresh.push(await makeCandidate(text, [parent.prompt.id], 'rewrite', step));
          }
        }
      }
      if (ctx.budget.exhausted()) return finish(s, 'budget');
      for (const p of fresh) ctx.emit({ type: 'proposed', step, prompt: p });
      const scored = await scoreAll(ctx, fresh, tasks, step);
      if (!scored) return finish(s, 'budget');
      s.pool = uniqueById([...s.pool, ...scored]).sort((a, b) => b.score - a.score);
      updateBest(s, s.pool, ctx, step);
      s.step = step;
      s.rng = rng.getState();
      return step > num(s.knobs, 'resampleRounds') ? finish(s, 'max-steps') : s;
    });
  },
  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(apeInfo.knobs, knobs, 'APE');
    const tasks = Math.min(num(k, 'trainTasks'), counts.train);
    const c = num(k, 'candidates');
    return tasks + (1 + num(k, 'resampleRounds')) * (c + c * tasks);
  },
};
