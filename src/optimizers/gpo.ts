/**
 * GPO — "Unleashing the Potential of Large Language Models as Prompt Optimizers: An Analogical
 * Analysis with Gradient-based Model Optimizers" (Tang et al., arXiv 2402.17564).
 *
 * Read as gradient descent on prompts:
 * - update direction: a trajectory of past (prompt, score) pairs. The paper's choice is relevance
 *   retrieval: the k past prompts most similar to the current one (sentence embeddings through
 *   ctx.embed when an embedding model is loaded, else TF-IDF cosine), shown in ascending order of
 *   similarity so the most similar sits next to the current prompt;
 * - update method: generation-based refinement ("write a new improved prompt") with a step size:
 *   the number of words a candidate may change, following a cosine decay from L_max down to
 *   about 0.2·L_max. Each candidate's word-level edit distance to the current prompt is measured;
 *   one over budget is re-asked (bounded), then refused;
 * - a few task examples go into the meta-prompt; m candidates per step; the best (current prompt
 *   included, ties keep it) goes on; stop at `steps` or after `patience` steps without gain.
 *
 * The paper's ablations are knobs: trajectory none / recency / relevance / importance /
 * summarization; editing vs generation; fixed / linear / cosine schedules, with or without warmup.
 */
import type { Rng } from '../core/rng';
import { denseCosine, tfidfSimilarities, wordEditDistance } from '../core/text';
import type { KnobValue, PromptCandidate } from '../core/types';
import {
  askInConversation,
  describeTasks,
  endRound,
  finish,
  makeCandidate,
  metaRequest,
  parseTagged,
  pct,
  sample,
  startOnTraining,
  trainingRound,
  writeCandidates,
} from './common';
import {
  bool,
  boolKnob,
  enumKnob,
  floatKnob,
  intKnob,
  metaTemperatureKnob,
  num,
  readKnobs,
  str,
  trainTasksKnob,
  type KnobValues,
} from './knobs';
import {
  fill,
  GPO_EDIT,
  GPO_GENERATE,
  GPO_META,
  GPO_OVER_BUDGET,
  GPO_SUMMARIZE,
  GPO_TRAJECTORY_HEADER,
} from './meta-prompts';
import type { BaseState, MethodInfo, Optimizer, OptimizerContext, PromptScore } from './types';

export const TRAJECTORIES = [
  'none',
  'recency',
  'relevance',
  'importance',
  'summarization',
] as const;
export type TrajectoryMode = (typeof TRAJECTORIES)[number];
export const SCHEDULES = ['fixed', 'linear', 'cosine'] as const;
export type Schedule = (typeof SCHEDULES)[number];

export const gpoInfo: MethodInfo = {
  id: 'gpo',
  name: 'GPO',
  summary:
    'Gradient-inspired: past prompts most similar to the current one guide the LLM, which writes a new prompt changing at most a shrinking number of words.',
  paper: {
    title:
      'Unleashing the Potential of Large Language Models as Prompt Optimizers: An Analogical Analysis with Gradient-based Model Optimizers',
    authors: 'Tang et al.',
    year: 2024,
    arxiv: '2402.17564',
  },
  kind: 'optimizer',
  perInstance: false,
  knobs: [
    intKnob('steps', 'Steps', 8, 1, 50, 'The most optimization steps.'),
    intKnob(
      'candidates',
      'Candidates per step (m)',
      4,
      1,
      20,
      'New prompts the LLM writes each step; the best goes on.',
    ),
    enumKnob(
      'trajectory',
      'Trajectory',
      'relevance',
      TRAJECTORIES,
      'Which past prompts the meta-prompt shows: none, the most recent, the most similar (the paper), the best scoring, or an LLM summary.',
    ),
    intKnob('k', 'Trajectory size (k)', 3, 1, 20, 'How many past prompts the meta-prompt shows.'),
    enumKnob(
      'update',
      'Update method',
      'generation',
      ['generation', 'editing'],
      'Write a new improved prompt (the paper), or edit the current one word by word.',
    ),
    enumKnob(
      'schedule',
      'Edit budget schedule',
      'cosine',
      SCHEDULES,
      'How the number of words a candidate may change evolves over the steps.',
    ),
    intKnob(
      'lMax',
      'Edit budget L_max (words)',
      40,
      1,
      500,
      'The most words a candidate may change at the first step.',
    ),
    floatKnob(
      'lMinRatio',
      'Final budget ratio',
      0.2,
      0,
      1,
      0.05,
      'The budget decays to this share of L_max (the paper: about 0.2).',
    ),
    boolKnob(
      'warmup',
      'Warmup',
      false,
      'Grow the budget linearly up to L_max over the first steps before it decays.',
    ),
    intKnob('warmupSteps', 'Warmup steps', 2, 1, 20, 'Steps of warmup, when warmup is on.'),
    intKnob(
      'reasks',
      'Re-asks when over budget',
      1,
      0,
      5,
      'How many times to ask again when a candidate changes too many words; then it is refused.',
    ),
    intKnob(
      'examples',
      'Task examples in the meta-prompt',
      3,
      0,
      10,
      'How many training tasks the meta-prompt shows, with how the current prompt did on them.',
    ),
    trainTasksKnob(20, 'prompts'),
    intKnob(
      'patience',
      'Stop after steps without gain',
      3,
      1,
      20,
      'Stop when the best prompt has not improved for this many steps.',
    ),
    metaTemperatureKnob('Sampling temperature for writing candidates.'),
    boolKnob(
      'racing',
      'Racing',
      false,
      'Stop scoring a candidate once it can no longer beat the current prompt.',
    ),
  ],
};

export interface TrajectoryEntry {
  id: string;
  text: string;
  score: number;
  step: number;
}

export interface GpoState extends BaseState {
  v: 1;
  knobs: KnobValues;
  trainIds: string[];
  current: PromptCandidate;
  currentScore: number | null;
  trajectory: TrajectoryEntry[];
  sinceGain: number;
  /** Edit budget used at each step, and how many candidates were refused for exceeding it. */
  budgets: { step: number; words: number; refused: number; accepted: number }[];
}

export interface ScheduleOptions {
  lMax: number;
  lMinRatio: number;
  schedule: Schedule;
  warmup: boolean;
  warmupSteps: number;
}

/**
 * Words a candidate may change at `step` (1-based) of `total`: L_max at the start, decaying to
 * lMinRatio·L_max at the last step (fixed: always L_max). With warmup the budget first grows
 * linearly from lMin to L_max over `warmupSteps`, and the decay runs over the steps after it.
 */
export function editBudget(step: number, total: number, o: ScheduleOptions): number {
  const lMin = o.lMax * o.lMinRatio;
  let t: number;
  let s = step;
  let n = total;
  if (o.warmup && o.schedule !== 'fixed') {
    if (step <= o.warmupSteps)
      return Math.max(1, Math.round(lMin + ((o.lMax - lMin) * step) / o.warmupSteps));
    s = step - o.warmupSteps;
    n = total - o.warmupSteps;
  }
  if (n <= 1) t = 0;
  else t = Math.min(1, Math.max(0, (s - 1) / (n - 1)));
  let value: number;
  switch (o.schedule) {
    case 'fixed':
      value = o.lMax;
      break;
    case 'linear':
      value = lMin + (o.lMax - lMin) * (1 - t);
      break;
    case 'cosine':
      value = lMin + 0.5 * (o.lMax - lMin) * (1 + Math.cos(Math.PI * t));
      break;
  }
  return Math.max(1, Math.round(value));
}

/** Similarity of `query` to each text: embeddings when available, else TF-IDF cosine. */
export async function similarities(
  query: string,
  texts: readonly string[],
  ctx: Pick<OptimizerContext, 'embed' | 'signal'>,
): Promise<number[]> {
  if (texts.length === 0) return [];
  if (ctx.embed) {
    const [q, ...rest] = await ctx.embed.embed([query, ...texts], ctx.signal);
    return rest.map((v) => denseCosine(q as number[], v));
  }
  return tfidfSimilarities(query, texts);
}

/**
 * The trajectory entries the meta-prompt shows, in display order. Relevance: the k most similar
 * to the current prompt, ascending similarity (most similar last). Importance: the k best,
 * ascending score. Recency: the k latest, oldest first. Ties keep the earlier entry first.
 */
export async function retrieve(
  mode: Exclude<TrajectoryMode, 'summarization'>,
  current: PromptCandidate,
  trajectory: readonly TrajectoryEntry[],
  k: number,
  ctx: Pick<OptimizerContext, 'embed' | 'signal'>,
): Promise<TrajectoryEntry[]> {
  const past = trajectory.filter((e) => e.id !== current.id);
  switch (mode) {
    case 'none':
      return [];
    case 'recency':
      return past.slice(-k);
    case 'importance':
      return past
        .map((e, i) => ({ e, i }))
        .sort((a, b) => b.e.score - a.e.score || a.i - b.i)
        .slice(0, k)
        .sort((a, b) => a.e.score - b.e.score || a.i - b.i)
        .map((x) => x.e);
    case 'relevance': {
      const sims = await similarities(
        current.text,
        past.map((e) => e.text),
        ctx,
      );
      return past
        .map((e, i) => ({ e, i, sim: sims[i] as number }))
        .sort((a, b) => b.sim - a.sim || a.i - b.i)
        .slice(0, k)
        .sort((a, b) => a.sim - b.sim || a.i - b.i)
        .map((x) => x.e);
    }
  }
}

const formatEntries = (entries: readonly TrajectoryEntry[]): string =>
  entries.map((e) => `Prompt: ${e.text}\nScore: ${pct(e.score)}`).join('\n\n');

async function trajectoryBlock(s: GpoState, ctx: OptimizerContext, rng: Rng): Promise<string> {
  const mode = str(s.knobs, 'trajectory') as TrajectoryMode;
  const k = num(s.knobs, 'k');
  if (mode === 'summarization') {
    const past = s.trajectory.filter((e) => e.id !== s.current.id);
    if (past.length === 0) return '';
    const sorted = past.slice().sort((a, b) => a.score - b.score);
    const c = await ctx.complete(
      metaRequest(fill(GPO_SUMMARIZE, { trajectory: formatEntries(sorted) }), {
        temperature: 0,
        rng,
        purpose: 'judge',
      }),
    );
    return `What previous prompts taught us:\n${c.text.trim()}\n\n`;
  }
  const entries = await retrieve(mode, s.current, s.trajectory, k, ctx);
  return entries.length === 0 ? '' : `${GPO_TRAJECTORY_HEADER}\n${formatEntries(entries)}\n\n`;
}

export const gpo: Optimizer<GpoState> = {
  info: gpoInfo,

  async init(args, ctx) {
    const start = startOnTraining(args, ctx.train, {
      knobs: gpoInfo.knobs,
      label: 'GPO',
      missing: 'GPO needs training tasks. Pick a dataset with a training split.',
    });
    const current = await makeCandidate(args.initialPrompt, [], 'seed', 0);
    return {
      ...start,
      current,
      currentScore: null,
      trajectory: [],
      sinceGain: 0,
      budgets: [],
    };
  },

  step(state, ctx) {
    return trainingRound(state, ctx, async (s, { rng, step, tasks }) => {
      const racing = bool(s.knobs, 'racing');

      const currentScore: PromptScore = await ctx.score(s.current, tasks);
      if (currentScore.stoppedBy === 'budget') return finish(s, 'budget');
      if (s.currentScore === null) {
        s.currentScore = currentScore.strict;
        s.trajectory.push({
          id: s.current.id,
          text: s.current.text,
          score: currentScore.strict,
          step: 0,
        });
        s.best = { prompt: s.current, score: currentScore.strict };
        ctx.emit({ type: 'scored', step: 0, prompt: s.current, score: currentScore });
      }

      const budget = editBudget(step, num(s.knobs, 'steps'), {
        lMax: num(s.knobs, 'lMax'),
        lMinRatio: num(s.knobs, 'lMinRatio'),
        schedule: str(s.knobs, 'schedule') as Schedule,
        warmup: bool(s.knobs, 'warmup'),
        warmupSteps: num(s.knobs, 'warmupSteps'),
      });
      const examples = sample(rng, tasks, num(s.knobs, 'examples'));
      const instruction = fill(str(s.knobs, 'update') === 'editing' ? GPO_EDIT : GPO_GENERATE, {
        budget,
      });
      const meta = fill(GPO_META, {
        trajectory: await trajectoryBlock(s, ctx, rng),
        score: pct(s.currentScore),
        prompt: s.current.text,
        examples: describeTasks(examples, currentScore),
        instruction,
      });

      const m = num(s.knobs, 'candidates');
      const accepted = await writeCandidates(
        ctx,
        {
          n: m,
          parent: s.current,
          operator: str(s.knobs, 'update') === 'editing' ? 'edit' : 'generate',
          step,
        },
        () => writeWithinBudget(ctx, rng, meta, s.current.text, budget, s.knobs),
        (i) =>
          `Candidate ${i + 1} was refused: over the budget of ${budget} changed words (or malformed) after every re-ask.`,
      );
      if (!accepted) return finish(s, 'budget');
      s.budgets.push({
        step,
        words: budget,
        refused: m - accepted.length,
        accepted: accepted.length,
      });

      let bestScore = s.currentScore;
      let next = s.current;
      for (const c of accepted) {
        const sc = await ctx.score(c, tasks, racing ? { race: { beat: bestScore } } : {});
        if (sc.stoppedBy === 'budget') return finish(s, 'budget');
        ctx.emit({ type: 'scored', step, prompt: c, score: sc });
        if (!s.trajectory.some((e) => e.id === c.id)) {
          s.trajectory.push({
            id: c.id,
            text: c.text,
            score: sc.complete ? sc.strict : Math.min(sc.strict, bestScore),
            step,
          });
        }
        if (sc.complete && sc.strict > bestScore) {
          bestScore = sc.strict;
          next = c;
        }
      }
      if (next.id !== s.current.id) {
        s.current = next;
        s.currentScore = bestScore;
        s.best = { prompt: next, score: bestScore };
        s.sinceGain = 0;
        ctx.emit({ type: 'best', step, prompt: next, score: bestScore });
      } else {
        s.sinceGain += 1;
      }
      return endRound(s, step, rng, {
        plateau: s.sinceGain >= num(s.knobs, 'patience'),
        'max-steps': step >= num(s.knobs, 'steps'),
      });
    });
  },

  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(gpoInfo.knobs, knobs, 'GPO');
    const tasks = Math.min(num(k, 'trainTasks'), counts.train);
    const steps = num(k, 'steps');
    const m = num(k, 'candidates');
    const summaries = str(k, 'trajectory') === 'summarization' ? steps : 0;
    // Upper bound without re-asks: m candidates written and scored per step, the seed once.
    return steps * (m + m * tasks) + summaries + tasks;
  },
};

/** Ask for one candidate; re-ask in the conversation while it changes more than `budget` words. */
function writeWithinBudget(
  ctx: OptimizerContext,
  rng: Rng,
  meta: string,
  current: string,
  budget: number,
  knobs: KnobValues,
): Promise<string | undefined> {
  const o = { temperature: num(knobs, 'temperature'), maxReasks: num(knobs, 'reasks') };
  return askInConversation(ctx, rng, meta, o, (answer) => {
    const text = parseTagged(answer, '<START>', '<END>');
    if (!text) return { reask: 'Reply with the new prompt between <START> and <END>.' };
    const distance = wordEditDistance(current, text);
    return distance <= budget
      ? { accept: text }
      : { reask: fill(GPO_OVER_BUDGET, { distance, budget }) };
  });
}
