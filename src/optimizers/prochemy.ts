/**
 * Prochemy — "Prompt Alchemy: Automatic Prompt Refinement for Enhancing Code Generation"
 * (Ye et al., arXiv 2503.11085).
 *
 * Each round the LLM, at temperature 1.0, writes N variants of the current best prompt (the
 * meta-prompt asks for the answer wrapped in `{{ }}`; a malformed answer is re-asked, at most
 * `reasks` times, then dropped). The current prompt and its variants are scored by pass@1 at
 * temperature 0 on the training set, and tasks are weighted by difficulty:
 *
 *   weight_j = (total passes over all tasks) / (passes on task j)
 *
 * so a task few candidates solve weighs more. The candidate with the best weighted score seeds
 * the next round. The run stops after `rounds` rounds, or when the best prompt is unchanged
 * `patience` rounds running (the paper: two).
 *
 * Decisions the paper leaves open, made explicit here:
 * - An unsolved task (no candidate of the round passes it) weighs 0: it cannot tell candidates
 *   apart, and total/0 is undefined. Weighted score = Σ_j w_j·pass_ij / Σ_j w_j, in [0, 1]; 0 when
 *   nothing passes anything (then the current prompt is kept).
 * - The current prompt competes with its variants (scored once, memoized), which is what makes
 *   "unchanged two rounds running" possible. Ties keep the current prompt, then the earlier variant.
 * - Training set: K real tasks chosen from ctx.train with the seeded RNG, plus up to K mutated tasks
 *   (Task.origin.kind === 'mutated', produced and execution-validated by the datasets layer and
 *   handed in through ctx.train): those whose parent is among the chosen real tasks first, then
 *   others. Without mutated tasks the set is the K real tasks alone (noted in an event).
 * - Racing (optional) applies only with weighting off: the difficulty weights depend on every
 *   candidate's full results, so no early stop is sound under them.
 * - `best.score` is the selected prompt's strict pass@1 on the training set (weighted scores are
 *   relative to a round and not comparable across rounds).
 */
import { Rng } from '../core/rng';
import type { KnobValue, PromptCandidate, Task } from '../core/types';
import {
  askInConversation,
  endRound,
  finish,
  makeCandidate,
  parseDoubleBraces,
  sample,
  startState,
  trainingRound,
  TrainingSetError,
  writeCandidates,
} from './common';
import {
  bool,
  boolKnob,
  enumKnob,
  floatKnob,
  intKnob,
  num,
  readKnobs,
  str,
  type KnobValues,
} from './knobs';
import {
  fill,
  PROCHEMY_FORMAT,
  PROCHEMY_MUTATE,
  PROCHEMY_REASK,
  REASK_NOT_INSTRUCTION,
} from './meta-prompts';
import { notAnInstruction } from './proposal-check';
import {
  PROCHEMY_MUTATE_SMALL,
  PROCHEMY_REASK_SMALL,
  SMALL_EXAMPLE_PROMPT,
  WORDINGS,
} from './meta-prompts-small';
import type { BaseState, MethodInfo, Optimizer, OptimizerContext, PromptScore } from './types';

export const prochemyInfo: MethodInfo = {
  id: 'prochemy',
  name: 'Prochemy',
  summary:
    'Each round the LLM writes N variants of the best prompt; variants are scored on real and mutated training tasks, with hard tasks weighing more.',
  paper: {
    title: 'Prompt Alchemy: Automatic Prompt Refinement for Enhancing Code Generation',
    authors: 'Ye et al.',
    year: 2025,
    arxiv: '2503.11085',
  },
  kind: 'optimizer',
  perInstance: false,
  augmentTraining: true,
  knobs: [
    intKnob(
      'variants',
      'Variants per round (N)',
      10,
      1,
      50,
      'How many variants of the current best prompt the LLM writes each round, at temperature 1.0.',
    ),
    intKnob(
      'trainTasks',
      'Real training tasks (K)',
      10,
      1,
      500,
      'K real tasks are drawn from the training split; up to K mutated tasks join them when the task set has them.',
    ),
    intKnob('rounds', 'Rounds', 10, 1, 50, 'The most rounds to run.'),
    intKnob(
      'patience',
      'Stop when unchanged for',
      2,
      1,
      10,
      'Stop when the best prompt stays the same this many rounds running (the paper: 2).',
    ),
    boolKnob(
      'weighting',
      'Difficulty weighting',
      true,
      "Weight each task by total passes / passes on it, so tasks few variants solve count more (the paper's ablation turns this off).",
    ),
    intKnob(
      'reasks',
      'Re-asks on a malformed answer',
      2,
      0,
      5,
      'How many times to ask again when the answer has no prompt wrapped in {{ }}.',
    ),
    floatKnob(
      'temperature',
      'Variant temperature',
      1.0,
      0,
      2,
      0.1,
      'Sampling temperature for writing variants (the paper: 1.0).',
    ),
    boolKnob(
      'racing',
      'Racing',
      false,
      'Stop scoring a variant once it can no longer beat the best so far. Applies only with weighting off.',
    ),
    enumKnob(
      'wording',
      'Meta-prompt wording',
      'paper',
      WORDINGS,
      'As the paper gives it, or the small-model wording: the same instruction, shorter, with the {{ }} answer shown by example (for 0.5B–3B models).',
    ),
  ],
};

export interface ProchemyRound {
  step: number;
  seedId: string;
  candidates: { id: string; strict: number; weighted: number; complete: boolean }[];
  /** Difficulty weight per training task, in trainIds order (all 1 with weighting off). */
  weights: number[];
  selectedId: string;
}

export interface ProchemyState extends BaseState {
  v: 1;
  knobs: KnobValues;
  trainIds: string[];
  current: PromptCandidate;
  /** Rounds running in which the best prompt did not change. */
  unchanged: number;
  rounds: ProchemyRound[];
}

/** Difficulty weights from a pass matrix (candidates × tasks). Unsolved tasks weigh 0. */
export function difficultyWeights(
  passes: readonly (readonly boolean[])[],
  taskCount: number,
): number[] {
  const perTask = Array.from(
    { length: taskCount },
    (_, j) => passes.filter((row) => row[j]).length,
  );
  const total = perTask.reduce((a, b) => a + b, 0);
  return perTask.map((p) => (p > 0 ? total / p : 0));
}

/** Σ_j w_j·pass_j / Σ_j w_j; 0 when every weight is 0. */
export function weightedScore(passes: readonly boolean[], weights: readonly number[]): number {
  let num = 0;
  let den = 0;
  weights.forEach((w, j) => {
    den += w;
    if (passes[j]) num += w;
  });
  return den === 0 ? 0 : num / den;
}

/** K real tasks (seeded) and up to K mutated ones, children of the chosen real tasks first. */
export function chooseTrainingSet(
  rng: Rng,
  train: readonly Task[],
  k: number,
): { ids: string[]; mutated: number } {
  const real = train.filter((t) => t.origin.kind === 'real');
  const chosen = sample(rng, real, k);
  const parents = new Set(chosen.map((t) => t.id));
  const mutated = train.filter((t) => t.origin.kind === 'mutated');
  const children = mutated.filter(
    (t) => t.origin.kind === 'mutated' && parents.has(t.origin.parentId),
  );
  const others = mutated.filter((t) => !children.includes(t));
  const pickedChildren = sample(rng, children, k);
  const pickedOthers = sample(rng, others, k - pickedChildren.length);
  const muts = [...pickedChildren, ...pickedOthers];
  return { ids: [...chosen, ...muts].map((t) => t.id), mutated: muts.length };
}

/**
 * One variant: ask, parse `{{ }}`, re-ask in the same conversation while malformed or no
 * instruction (code, a copy of the request: proposal-check.ts).
 */
function writeVariant(
  ctx: OptimizerContext,
  rng: Rng,
  current: string,
  knobs: KnobValues,
): Promise<string | undefined> {
  const small = str(knobs, 'wording') === 'small-model';
  const meta = fill(small ? PROCHEMY_MUTATE_SMALL : PROCHEMY_MUTATE, { prompt: current });
  const o = { temperature: num(knobs, 'temperature'), maxReasks: num(knobs, 'reasks') };
  return askInConversation(ctx, rng, meta, o, (answer) => {
    const parsed = parseDoubleBraces(answer);
    // An answer that only copies the format's example is no variant.
    if (parsed === undefined || parsed === SMALL_EXAMPLE_PROMPT)
      return { reask: small ? PROCHEMY_REASK_SMALL : PROCHEMY_REASK };
    const why = notAnInstruction(parsed, meta, [current]);
    if (why === undefined) return { accept: parsed };
    const format = small ? PROCHEMY_REASK_SMALL : PROCHEMY_FORMAT;
    return { reask: `${REASK_NOT_INSTRUCTION[why]} ${format}` };
  });
}

export const prochemy: Optimizer<ProchemyState> = {
  info: prochemyInfo,

  async init(args, ctx) {
    const knobs = readKnobs(prochemyInfo.knobs, args.knobs, 'Prochemy');
    const rng = Rng.seeded(args.seed);
    const { ids, mutated } = chooseTrainingSet(rng, ctx.train, num(knobs, 'trainTasks'));
    if (ids.length === 0) {
      throw new TrainingSetError(
        'Prochemy needs at least one real training task. Pick a dataset with a training split.',
      );
    }
    if (mutated === 0) {
      ctx.emit({
        type: 'note',
        step: 0,
        message: 'No mutated training tasks were given: Prochemy trains on the K real tasks only.',
      });
    }
    const current = await makeCandidate(args.initialPrompt, [], 'seed', 0);
    return {
      ...startState(rng),
      knobs,
      trainIds: ids,
      current,
      unchanged: 0,
      rounds: [],
    };
  },

  step(state, ctx) {
    return trainingRound(state, ctx, async (s, { rng, step, tasks }) => {
      const weighting = bool(s.knobs, 'weighting');
      const racing = bool(s.knobs, 'racing') && !weighting;

      // Variants of the current prompt at temperature 1.0; duplicates are kept (they are N
      // samples) and cost nothing to score twice thanks to the memo.
      const variants = await writeCandidates(
        ctx,
        { n: num(s.knobs, 'variants'), parent: s.current, operator: 'generate', step },
        () => writeVariant(ctx, rng, s.current.text, s.knobs),
        (i) => `Variant ${i + 1} was malformed after every re-ask and was dropped.`,
      );
      if (!variants) return finish(s, 'budget');
      const tally = (s.variants ??= { scored: 0, refused: 0, scoredSinceGain: 0 });
      tally.scored += variants.length;
      tally.scoredSinceGain += variants.length;
      tally.refused += num(s.knobs, 'variants') - variants.length;
      const candidates: PromptCandidate[] = [s.current, ...variants];

      const scores: PromptScore[] = [];
      let beat = -1;
      for (const c of candidates) {
        const sc = await ctx.score(c, tasks, racing && beat >= 0 ? { race: { beat } } : {});
        if (sc.stoppedBy === 'budget') return finish(s, 'budget');
        scores.push(sc);
        if (sc.complete) beat = Math.max(beat, sc.strict);
      }

      const passRows = scores.map((sc) =>
        tasks.map((t) => sc.perTask.some((p) => p.taskId === t.id && p.passed)),
      );
      const weights = weighting ? difficultyWeights(passRows, tasks.length) : tasks.map(() => 1);
      const weighted = scores.map((sc, i) =>
        sc.complete ? weightedScore(passRows[i] as boolean[], weights) : -1,
      );

      let bestIdx = 0;
      weighted.forEach((w, i) => {
        if (w > (weighted[bestIdx] as number)) bestIdx = i;
      });
      candidates.forEach((c, i) =>
        ctx.emit({
          type: 'scored',
          step,
          prompt: c,
          score: scores[i] as PromptScore,
          weighted: weighted[i] as number,
        }),
      );
      const selected = candidates[bestIdx] as PromptCandidate;
      const changed = selected.id !== s.current.id;
      s.unchanged = changed ? 0 : s.unchanged + 1;
      if (changed) tally.scoredSinceGain = 0;
      s.current = selected;
      s.best = { prompt: selected, score: (scores[bestIdx] as PromptScore).strict };
      if (changed || step === 1)
        ctx.emit({ type: 'best', step, prompt: selected, score: s.best.score });
      s.rounds.push({
        step,
        seedId: (candidates[0] as PromptCandidate).id,
        candidates: candidates.map((c, i) => ({
          id: c.id,
          strict: (scores[i] as PromptScore).strict,
          weighted: weighted[i] as number,
          complete: (scores[i] as PromptScore).complete,
        })),
        weights,
        selectedId: selected.id,
      });
      // Unchanged for `patience` rounds: converged only if valid variants were scored meanwhile.
      const plateau = s.unchanged >= num(s.knobs, 'patience');
      return endRound(s, step, rng, {
        converged: plateau && tally.scoredSinceGain > 0,
        'no-usable-variants': plateau && tally.scoredSinceGain === 0,
        'max-steps': step >= num(s.knobs, 'rounds'),
      });
    });
  },

  // The K real tasks init will choose (its first draws of the seeded RNG), for the runner to mutate.
  trainingParents(args, train) {
    const knobs = readKnobs(prochemyInfo.knobs, args.knobs, 'Prochemy');
    const real = train.filter((t) => t.origin.kind === 'real');
    const { ids } = chooseTrainingSet(Rng.seeded(args.seed), real, num(knobs, 'trainTasks'));
    return ids.flatMap((id) => real.filter((t) => t.id === id));
  },

  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(prochemyInfo.knobs, knobs, 'Prochemy');
    const parents = Math.min(num(k, 'trainTasks'), counts.train);
    const tasks = Math.min(2 * num(k, 'trainTasks'), counts.train);
    const n = num(k, 'variants');
    // Upper bound without re-asks: one mutation call per real training task (the runner's
    // augmentation), N variant calls and N scorings per round, plus the seed once.
    return parents + num(k, 'rounds') * (n + n * tasks) + tasks;
  },
};
