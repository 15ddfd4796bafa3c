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
 *   the number of words a candidate may change, stated in the meta-prompt ("You may change at
 *   most N words") and following a cosine decay from L_max down to 0.2·L_max, as the official code
 *   (RUCAIBox/GPO, learning_rate_scheduler/consine.py) computes it. As there, the limit is an
 *   instruction, not a filter: every well-formed candidate is scored, and its measured word-level
 *   edit distance is recorded and shown. Refusing over-budget candidates (re-ask, then refuse) is
 *   the opt-in `strictBudget` knob — a small model that paraphrases would otherwise have every
 *   late-step candidate refused;
 * - a few task examples go into the meta-prompt; m candidates per step; the best (current prompt
 *   included, ties keep it) goes on; stop at `steps` or after `patience` steps without gain.
 *
 * The paper's ablations are knobs: trajectory none / recency / relevance / importance /
 * summarization; editing vs generation; fixed / linear / cosine schedules, with or without warmup.
 *
 * Decisions the paper leaves open, and what this module does (docs/optimizers.md has the
 * faithfulness table): the embedding model (the paper's code uses Llama-2-7b's; here whichever
 * embedding model is loaded, TF-IDF without one, recorded on the run); the order of the retrieved
 * prompts (ascending similarity, the most similar next to the current prompt); a budget below one
 * word (floored at 1); what "converged" means (patience steps without gain while valid
 * candidates were scored — a run whose model produced none stops as `no-usable-variants`).
 */
import type { Rng } from '../core/rng';
import { denseCosine, tfidfSimilarities, wordEditDistance } from '../core/text';
import type { KnobValue, PromptCandidate, Task } from '../core/types';
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
  GPO_SUMMARY_UPDATE,
  GPO_GENERATE,
  GPO_META,
  GPO_OVER_BUDGET,
  GPO_REASK,
  GPO_TRAJECTORY_HEADER,
  REASK_NOT_INSTRUCTION,
} from './meta-prompts';
import {
  GPO_EDIT_SMALL,
  GPO_GENERATE_SMALL,
  GPO_META_SMALL,
  SMALL_EXAMPLE_PROMPT,
  WORDINGS,
} from './meta-prompts-small';
import { notAnInstruction } from './proposal-check';
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
      50,
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
      'Grow the budget linearly from 0 up to L_max over the first steps before it decays.',
    ),
    intKnob('warmupSteps', 'Warmup steps', 2, 1, 20, 'Steps of warmup, when warmup is on.'),
    boolKnob(
      'strictBudget',
      'Strict budget',
      false,
      'Refuse candidates that change more words than the budget (after re-asking). Off (the paper): the budget is an instruction, and every candidate is scored with its edit distance shown.',
    ),
    intKnob(
      'reasks',
      'Re-asks',
      1,
      0,
      5,
      'How many times to ask again when an answer is malformed (or, with a strict budget, over budget); then it is refused.',
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
    enumKnob(
      'wording',
      'Meta-prompt wording',
      'paper',
      WORDINGS,
      'As the paper gives it, or the small-model wording: the same instructions, shorter, with the answer format shown by example (for 0.5B–3B models).',
    ),
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
  /**
   * Edit budget of each step, how many candidates were refused (malformed, or over budget with a
   * strict budget) and accepted, and the measured word edit distance of each accepted candidate.
   */
  budgets: {
    step: number;
    words: number;
    refused: number;
    accepted: number;
    distances: number[];
  }[];
  /** Summarization trajectory: the running summary, updated with each step's newest results. */
  summary?: string;
  /** Trajectory entries not yet folded into the summary. */
  unsummarized?: number;
}

export interface ScheduleOptions {
  lMax: number;
  lMinRatio: number;
  schedule: Schedule;
  warmup: boolean;
  warmupSteps: number;
}

/**
 * Words a candidate may change at `step` (1-based) of `total`, as the official code computes it
 * (RUCAIBox/GPO learning_rate_scheduler): after `c = step − 1` finished steps the decay has run
 * c/total of its course (cosine: L_min + (L_max − L_min)·½(1 + cos(π·c/total)); linear:
 * L_max − (L_max − L_min)·c/total; fixed: L_max), rounded down. With warmup the budget first grows
 * linearly from 0 to L_max over `warmupSteps` (L_max·c/warmupSteps), and the decay runs over
 * the steps after it. Never below one word: a zero budget would make every candidate pointless.
 */
export function editBudget(step: number, total: number, o: ScheduleOptions): number {
  const lMin = o.lMax * o.lMinRatio;
  const c = step - 1;
  let t: number;
  if (o.schedule === 'fixed') return Math.max(1, Math.floor(o.lMax));
  if (o.warmup && c < o.warmupSteps) {
    return Math.max(1, Math.floor((o.lMax * c) / o.warmupSteps));
  }
  if (o.warmup) t = (c - o.warmupSteps) / Math.max(1, total - o.warmupSteps);
  else t = c / Math.max(1, total);
  t = Math.min(1, Math.max(0, t));
  const value =
    o.schedule === 'linear'
      ? o.lMax - (o.lMax - lMin) * t
      : lMin + 0.5 * (o.lMax - lMin) * (1 + Math.cos(Math.PI * t));
  return Math.max(1, Math.floor(value + 1e-9));
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

/**
 * The summarization trajectory, as the official code's "real-time" momentum: the running summary
 * is updated from the last summary plus the newest results (the prompts scored since it was
 * written), one call at temperature 0 per step. The first step has nothing to summarize.
 */
async function updateSummary(s: GpoState, ctx: OptimizerContext, rng: Rng): Promise<void> {
  const fresh = s.trajectory.slice(s.trajectory.length - (s.unsummarized ?? s.trajectory.length));
  if (fresh.length === 0 || s.trajectory.length < 2) return;
  const c = await ctx.complete(
    metaRequest(
      fill(GPO_SUMMARY_UPDATE, {
        previous: s.summary ?? '(none yet)',
        newest: formatEntries(fresh),
      }),
      { temperature: 0, rng, purpose: 'judge' },
    ),
  );
  const text = c.text.trim();
  if (text !== '') s.summary = text;
  s.unsummarized = 0;
}

/** What the meta-prompt shows as the update direction: retrieved entries, or the summary. */
type Direction = { entries: TrajectoryEntry[] } | { summary: string };

async function direction(s: GpoState, ctx: OptimizerContext, rng: Rng): Promise<Direction> {
  const mode = str(s.knobs, 'trajectory') as TrajectoryMode;
  if (mode === 'summarization') {
    await updateSummary(s, ctx, rng);
    return { summary: s.summary ?? '' };
  }
  return { entries: await retrieve(mode, s.current, s.trajectory, num(s.knobs, 'k'), ctx) };
}

function directionText(d: Direction): string {
  if ('summary' in d) return d.summary ? `What previous prompts taught us:\n${d.summary}\n\n` : '';
  return d.entries.length === 0 ? '' : `${GPO_TRAJECTORY_HEADER}\n${formatEntries(d.entries)}\n\n`;
}

/**
 * The meta-prompt, trimmed to the model's context window where it is known, until it fits with
 * room for the whole answer: the least relevant
 * trajectory entries go first (the first shown: least similar, oldest or lowest scoring), then
 * task examples from the last; a note (`trim`) says what went. What still does not fit is left to
 * the context guard, which refuses it with the window and the size.
 */
async function fittedMeta(
  ctx: OptimizerContext,
  step: number,
  d: Direction,
  examples: Task[],
  build: (d: Direction, examples: Task[]) => string,
): Promise<string> {
  let meta = build(d, examples);
  if (!ctx.fit) return meta;
  const measure = (text: string) =>
    ctx.fit?.({
      messages: [{ role: 'user', content: text }],
      sampling: { temperature: 0, max_tokens: 512 },
    });
  let f = await measure(meta);
  if (!f || f.roomy) return meta;
  const entries = 'entries' in d ? d.entries.slice() : [];
  const shown = examples.slice();
  let droppedEntries = 0;
  let droppedExamples = 0;
  while (f && !f.roomy && (entries.length > 0 || shown.length > 1)) {
    if (entries.length > 0) {
      entries.shift();
      droppedEntries++;
    } else {
      shown.pop();
      droppedExamples++;
    }
    meta = build('entries' in d ? { entries } : d, shown);
    f = await measure(meta);
  }
  const parts = [
    droppedEntries ? `${droppedEntries} trajectory entr${droppedEntries === 1 ? 'y' : 'ies'}` : '',
    droppedExamples ? `${droppedExamples} task example${droppedExamples === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  if (parts.length > 0) {
    ctx.emit({
      type: 'note',
      step,
      trim: true,
      message: `Trimmed ${parts.join(' and ')} from GPO's meta-prompt to fit the ${f?.window ?? '?'}-token context window.`,
    });
  }
  return meta;
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
      variants: { scored: 0, refused: 0, scoredSinceGain: 0 },
    };
  },

  step(state, ctx) {
    return trainingRound(state, ctx, async (s, { rng, step, tasks }) => {
      const racing = bool(s.knobs, 'racing');
      // Checkpoints written before the tally existed start one.
      const variants = (s.variants ??= { scored: 0, refused: 0, scoredSinceGain: 0 });

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
        s.unsummarized = 1;
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
      const small = str(s.knobs, 'wording') === 'small-model';
      const editing = str(s.knobs, 'update') === 'editing';
      const instruction = fill(
        small ? (editing ? GPO_EDIT_SMALL : GPO_GENERATE_SMALL) : editing ? GPO_EDIT : GPO_GENERATE,
        { budget },
      );
      const meta = await fittedMeta(ctx, step, await direction(s, ctx, rng), examples, (d, ex) =>
        fill(small ? GPO_META_SMALL : GPO_META, {
          trajectory: directionText(d),
          score: pct(s.currentScore as number),
          prompt: s.current.text,
          examples: describeTasks(ex, currentScore),
          instruction,
        }),
      );

      const m = num(s.knobs, 'candidates');
      const strict = bool(s.knobs, 'strictBudget');
      const accepted = await writeCandidates(
        ctx,
        {
          n: m,
          parent: s.current,
          operator: str(s.knobs, 'update') === 'editing' ? 'edit' : 'generate',
          step,
        },
        () =>
          writeCandidate(ctx, rng, meta, s.current.text, strict ? budget : undefined, s.knobs, [
            s.current.text,
            ...s.trajectory.map((e) => e.text),
          ]),
        (i) =>
          strict
            ? `Candidate ${i + 1} was refused: over the budget of ${budget} changed words (or malformed, code, a task, a copy of the request, or advice about the prompt) after every re-ask.`
            : `Candidate ${i + 1} was refused: no prompt between <START> and <END> (or only code, a task, a copy of the request, or advice about the prompt) after every re-ask.`,
      );
      if (!accepted) return finish(s, 'budget');
      // The measured edit distance of every candidate, shown beside the budget it was given.
      const distances = accepted.map((c) => wordEditDistance(s.current.text, c.text));
      accepted.forEach((c, i) => {
        const d = distances[i] as number;
        ctx.emit({
          type: 'note',
          step,
          message: `Candidate ${c.id.slice(0, 8)} changed ${d} word${d === 1 ? '' : 's'} (budget ${budget})${d > budget ? ': over budget, scored anyway' : ''}.`,
        });
      });
      s.budgets.push({
        step,
        words: budget,
        refused: m - accepted.length,
        accepted: accepted.length,
        distances,
      });
      variants.refused += m - accepted.length;

      let bestScore = s.currentScore;
      let next = s.current;
      for (const c of accepted) {
        const sc = await ctx.score(c, tasks, racing ? { race: { beat: bestScore } } : {});
        if (sc.stoppedBy === 'budget') return finish(s, 'budget');
        ctx.emit({ type: 'scored', step, prompt: c, score: sc });
        variants.scored += 1;
        variants.scoredSinceGain += 1;
        if (!s.trajectory.some((e) => e.id === c.id)) {
          s.trajectory.push({
            id: c.id,
            text: c.text,
            score: sc.complete ? sc.strict : Math.min(sc.strict, bestScore),
            step,
          });
          s.unsummarized = (s.unsummarized ?? 0) + 1;
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
        variants.scoredSinceGain = 0;
        ctx.emit({ type: 'best', step, prompt: next, score: bestScore });
      } else {
        s.sinceGain += 1;
      }
      // Unchanged for `patience` steps: converged only if valid candidates were scored meanwhile.
      const plateau = s.sinceGain >= num(s.knobs, 'patience');
      return endRound(s, step, rng, {
        converged: plateau && variants.scoredSinceGain > 0,
        'no-usable-variants': plateau && variants.scoredSinceGain === 0,
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

/**
 * Ask for one candidate; re-ask in the conversation while the answer is malformed, is no
 * instruction (code, a copy of the request: proposal-check.ts; `shown` are the prompts the
 * request quotes) or, with a strict budget, changes more than `budget` words.
 */
function writeCandidate(
  ctx: OptimizerContext,
  rng: Rng,
  meta: string,
  current: string,
  budget: number | undefined,
  knobs: KnobValues,
  shown: readonly string[],
): Promise<string | undefined> {
  const o = { temperature: num(knobs, 'temperature'), maxReasks: num(knobs, 'reasks') };
  return askInConversation(ctx, rng, meta, o, (answer) => {
    const text = parseTagged(answer, '<START>', '<END>');
    if (!text || text === SMALL_EXAMPLE_PROMPT) return { reask: GPO_REASK };
    const why = notAnInstruction(text, meta, shown);
    if (why !== undefined) return { reask: `${REASK_NOT_INSTRUCTION[why]} ${GPO_REASK}` };
    if (budget === undefined) return { accept: text };
    const distance = wordEditDistance(current, text);
    return distance <= budget
      ? { accept: text }
      : { reask: fill(GPO_OVER_BUDGET, { distance, budget }) };
  });
}
