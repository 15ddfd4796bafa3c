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
import type { KnobValue, Task } from '../../core/types';
import {
  askTagged,
  byScore,
  endRound,
  finish,
  makeCandidate,
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
    trainTasksKnob(10, 'instructions'),
    metaTemperatureKnob('Sampling temperature for induction and paraphrase.'),
  ],
};

export interface ApeState extends BaseState {
  v: 1;
  knobs: KnobValues;
  trainIds: string[];
  initial: string;
  pool: Scored[];
}

const INS = ['<INS>', '</INS>'] as const;

/** A demonstration: the task and its reference solution (the task alone when it has none). */
const demo = (t: Task): string =>
  t.reference
    ? `Task:\n${t.prompt.trim()}\nSolution:\n${t.reference.trim()}`
    : `Task:\n${t.prompt.trim()}`;

export const ape: Optimizer<ApeState> = {
  info: apeInfo,
  async init(args, ctx) {
    const start = startOnTraining(args, ctx.train, {
      knobs: apeInfo.knobs,
      label: 'APE',
      missing: 'APE needs training tasks.',
    });
    return { ...start, initial: args.initialPrompt, pool: [] };
  },
  step(state, ctx) {
    return trainingRound(state, ctx, async (s, { rng, step, tasks }) => {
      const temperature = num(s.knobs, 'temperature');
      const fresh = [];
      if (step === 1) {
        fresh.push(await makeCandidate(s.initial, [], 'seed', 0));
        // Induction needs solved examples; a task set without references still gets its tasks.
        const solved = ctx.train.filter((t) => t.reference);
        const withRef = solved.length > 0 ? solved : ctx.train;
        for (let i = 0; i < num(s.knobs, 'candidates'); i++) {
          const demos = sample(rng, withRef, num(s.knobs, 'demos'));
          const meta = fill(APE_INDUCE, { demos: demos.map(demo).join('\n\n') });
          const text = await askTagged(ctx, meta, INS, { temperature, rng, shown: [] });
          if (text) fresh.push(await makeCandidate(text, [], 'induce', step));
        }
      } else {
        const top = s.pool.slice(0, num(s.knobs, 'keep'));
        const per = Math.max(1, Math.round(num(s.knobs, 'candidates') / top.length));
        for (const parent of top) {
          for (let i = 0; i < per; i++) {
            const meta = fill(APE_RESAMPLE, { prompt: parent.prompt.text });
            const text = await askTagged(ctx, meta, INS, {
              temperature,
              rng,
              shown: [parent.prompt.text],
            });
            if (text) fresh.push(await makeCandidate(text, [parent.prompt.id], 'rewrite', step));
          }
        }
      }
      if (ctx.budget.exhausted()) return finish(s, 'budget');
      for (const p of fresh) ctx.emit({ type: 'proposed', step, prompt: p });
      const pool = await scoreIntoPool(ctx, s, fresh, tasks, step, (scored) =>
        byScore(uniqueById([...s.pool, ...scored])),
      );
      if (!pool) return finish(s, 'budget');
      s.pool = pool;
      return endRound(s, step, rng, { 'max-steps': step > num(s.knobs, 'resampleRounds') });
    });
  },
  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(apeInfo.knobs, knobs, 'APE');
    const tasks = Math.min(num(k, 'trainTasks'), counts.train);
    const c = num(k, 'candidates');
    return tasks + (1 + num(k, 'resampleRounds')) * (c + c * tasks);
  },
};
