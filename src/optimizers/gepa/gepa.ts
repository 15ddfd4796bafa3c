/**
 * GEPA — "GEPA: Reflective Prompt Evolution Can Outperform Reinforcement Learning" (Agrawal et
 * al., arXiv 2507.19457).
 *
 * A pool of candidate instructions, each scored per task on a Pareto set. Each iteration picks a
 * parent from the Pareto front (a candidate stays on it while it is best on at least one task;
 * the draw is weighted by how many tasks it leads on), runs it on a minibatch of feedback tasks,
 * and hands the reflection model (the run's optimizer model) the parent instruction, the tasks,
 * the code written and the execution feedback (optimizers/feedback.ts), asking for an improved
 * instruction. The child is scored on the same minibatch and kept only if it does strictly
 * better there; only then is it scored on the whole Pareto set and added to the pool. After new
 * candidates, a system-aware merge combines two descendants of a common ancestor, keeping what
 * each changed. The budget is counted in metric calls (task gradings) and in LLM calls.
 *
 * Decisions the paper leaves open, made explicit here:
 * - Pareto set: `paretoTasks` tasks from ctx.validation when it has any; else from the training
 *   tasks not drawn for feedback; else (too few tasks) the feedback tasks themselves (noted).
 *   Scores are strict pass@1 (0/1) per task, at the run's generation sampling (temperature 0).
 * - A task nobody solves leads nobody apart: every candidate ties there; dominance pruning
 *   (lowest mean first) then leaves it to the candidates that survive, as in the paper.
 * - Minibatches walk the feedback tasks in an order reshuffled every epoch (the `gepa` package's
 *   epoch-shuffled sampler), padded to a whole number of minibatches so every feedback task is
 *   seen in every epoch. The package pads with its least frequent ids, which can put a task twice
 *   into the last minibatch; here the padding takes the epoch's first tasks, so a minibatch never
 *   holds a task twice. A parent that passes its whole minibatch is not reflected on (the
 *   package's skip-perfect rule): the iteration ends with a note.
 * - Acceptance is strict: child minibatch passes > parent minibatch passes. A proposal identical to
 *   its parent is re-asked once more (it spent a call and no grading); handed back again, it is
 *   rejected without being scored (the `gepa` package scores it): its minibatch score is the
 *   parent's, just measured.
 * - Merge: Athanor's system has one module (the instruction), so the paper's per-module merge
 *   works per sentence (pareto.ts mergeThreeWay). A merge needs two front candidates with a
 *   common ancestor no better than either, a merged text new to the pool, and a triple not tried
 *   before; it is tried on a subsample of up to `mergeSubsample` Pareto tasks balanced over where
 *   each parent wins, and kept when it does at least as well there as the better parent. A merge
 *   costs no LLM call. It is due after every `mergeEvery` accepted children, at most `maxMerges`.
 * - Metric calls count every (prompt, task) grading, memoized or not, so a budget means the same
 *   on a warm and a cold cache. The LLM-call knob counts model calls of both roles. Before a step
 *   starts it checks that both budgets can pay for the whole step at its most expensive (budget.ts
 *   proposalCost; for a merge, its subsample and the Pareto set), and stops (`metric-budget`,
 *   `llm-budget`) rather than start a step it might not finish. Init refuses a budget below the
 *   floor (the seed and three proposals) unless the `belowFloor` knob says to go ahead.
 * - The run's own budget (calls, tokens, minutes) can still end a step midway: the spend of that
 *   step stays in the state (metricCalls, the reflection's cost), and a child that had beaten its
 *   parent on the minibatch but could not be scored on the Pareto set is kept among the rejected,
 *   with that reason.
 * - Each proposal records what its reflection cost: calls (re-asks included), prompt and answer
 *   tokens, and model time (0 for an answer the cache or the run's call log gave back).
 * - The run's best is the candidate with the highest mean on the Pareto set (ties: the older).
 * - Stop: `iterations`, either budget, or a candidate that solves every Pareto task.
 */
import { Rng } from '../../core/rng';
import { normalizeWhitespace } from '../../core/text';
import type { KnobValue, PromptCandidate, Task } from '../../core/types';
import {
  askInConversation,
  endRound,
  finish,
  makeCandidate,
  sample,
  startState,
  tasksById,
  TrainingSetError,
} from '../common';
import { clip, renderFeedback } from '../feedback';
import { boolKnob, enumKnob, floatKnob, intKnob, num, bool, readKnobs, str } from '../knobs';
import type { KnobValues } from '../knobs';
import {
  fill,
  GEPA_REASK,
  GEPA_REASK_CODE,
  GEPA_REASK_UNCHANGED,
  GEPA_FORMAT,
  GEPA_REFLECT,
  REASK_NOT_INSTRUCTION,
} from '../meta-prompts';
import { editsShown, notAnInstruction, type NotAnInstruction } from '../proposal-check';
import type {
  BaseState,
  BudgetCheckResult,
  MethodInfo,
  Optimizer,
  OptimizerContext,
  PromptScore,
} from '../types';
import {
  checkGepaBudget,
  GepaBudgetError,
  gepaReflections,
  gepaSizes,
  proposalCost,
} from './budget';
import { ancestorsOf, mergeSubsample, mergeThreeWay, paretoFront, selectByLeads } from './pareto';

export const gepaInfo: MethodInfo = {
  id: 'gepa',
  name: 'GEPA',
  summary:
    'Reads why code failed: a reflection model turns test feedback on a few tasks into a better instruction; a Pareto front keeps every prompt that is best somewhere.',
  paper: {
    title: 'GEPA: Reflective Prompt Evolution Can Outperform Reinforcement Learning',
    authors: 'Agrawal et al.',
    year: 2025,
    arxiv: '2507.19457',
    url: 'https://arxiv.org/abs/2507.19457',
  },
  kind: 'optimizer',
  perInstance: false,
  // The Pareto set comes from the validation split when there is one (issue 23).
  selectsOnValidation: true,
  knobs: [
    intKnob(
      'trainTasks',
      'Feedback tasks',
      10,
      1,
      1000,
      'Training tasks drawn for reflection; minibatches are taken from them.',
    ),
    intKnob(
      'paretoTasks',
      'Pareto tasks',
      10,
      1,
      1000,
      'Tasks every accepted candidate is scored on, per task, for the Pareto front (from the validation split when there is one).',
    ),
    intKnob(
      'minibatch',
      'Minibatch size',
      3,
      1,
      50,
      'Tasks the parent runs on before reflection; the child must beat it on the same tasks (the paper: 3).',
    ),
    enumKnob(
      'selection',
      'Candidate selection',
      'pareto',
      ['pareto', 'current-best', 'epsilon-greedy'],
      'pareto: a front candidate, weighted by tasks led; current-best: the best mean; epsilon-greedy: the best, or a random one with probability epsilon.',
    ),
    floatKnob(
      'epsilon',
      'Epsilon',
      0.1,
      0,
      1,
      0.05,
      'For epsilon-greedy selection: the chance of a random candidate.',
    ),
    boolKnob('merge', 'Merge', true, 'Combine two descendants of a common ancestor.'),
    intKnob('mergeEvery', 'Merge after every', 1, 1, 20, 'Accepted children between merges.'),
    intKnob(
      'maxMerges',
      'Most merges',
      5,
      0,
      50,
      'Merge attempts over the whole run (the paper: 5).',
    ),
    intKnob(
      'mergeSubsample',
      'Merge subsample',
      5,
      1,
      100,
      'Pareto tasks a merge is tried on before full scoring.',
    ),
    intKnob('iterations', 'Iterations', 20, 1, 500, 'The most iterations (one proposal each).'),
    intKnob(
      'maxMetricCalls',
      'Metric-call budget',
      300,
      0,
      100000,
      'Task gradings GEPA may spend (0 = no limit besides the run budget).',
    ),
    intKnob(
      'maxLlmCalls',
      'LLM-call budget',
      0,
      0,
      100000,
      'Model calls of both roles GEPA may spend (0 = the run budget only).',
    ),
    boolKnob(
      'belowFloor',
      'Run below the budget floor',
      false,
      'Start even when the budgets cannot pay for the seed and three proposals (otherwise the run is refused, saying what the budget buys).',
    ),
    intKnob('reasks', 'Re-asks', 1, 0, 5, 'Re-asks when the reflection gives no new instruction.'),
    floatKnob(
      'temperature',
      'Reflection temperature',
      1.0,
      0,
      2,
      0.1,
      "Sampling temperature of the reflection model's requests.",
    ),
  ],
};

/** What the reflection behind one proposal cost (re-asks included). */
export interface ReflectionCost {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Model time; 0 for answers the completion cache or the run's call log gave back. */
  ms: number;
}

/** How a candidate came to be: the lineage every candidate keeps. */
export type GepaOrigin =
  | { kind: 'seed' }
  | {
      kind: 'reflect';
      parent: string;
      minibatch: string[];
      /** Minibatch passes of the parent and of the child. */
      before: number;
      after: number;
      /** The feedback the reflection model read, capped. */
      feedback: string;
      /** The reflection's cost (absent in checkpoints written before it was kept). */
      cost?: ReflectionCost;
    }
  | { kind: 'merge'; parents: [string, string]; ancestor: string; subsample: string[] };

export interface GepaCandidate {
  prompt: PromptCandidate;
  /** Strict pass per Pareto task, in paretoIds order. */
  scores: number[];
  mean: number;
  origin: GepaOrigin;
}

/** A proposal that was not accepted, kept for the family tree. */
export interface GepaRejected {
  prompt: PromptCandidate;
  origin: GepaOrigin;
  reason: string;
}

export interface GepaState extends BaseState {
  v: 1;
  knobs: KnobValues;
  /** Feedback tasks (minibatches come from these). */
  trainIds: string[];
  paretoIds: string[];
  candidates: GepaCandidate[];
  rejected: GepaRejected[];
  /** Minibatch order of this epoch (indices into trainIds) and the position in it. */
  order: number[];
  cursor: number;
  metricCalls: number;
  mergesDue: number;
  mergesDone: number;
  acceptedSinceMerge: number;
  lastFound: boolean;
  triedMerges: string[];
  /** Every reflection's cost, those that produced no instruction included (absent in older checkpoints). */
  reflection?: ReflectionCost;
}

/** The Pareto front of a state: per Pareto task the candidate ids that lead on it. */
export function gepaFront(s: Pick<GepaState, 'candidates' | 'paretoIds'>): {
  leads: { id: string; tasks: string[] }[];
} {
  const { fronts } = paretoFront(s.candidates.map((c) => c.scores));
  const byCandidate = new Map<string, string[]>();
  fronts.forEach((f, j) => {
    for (const i of f) {
      const id = (s.candidates[i] as GepaCandidate).prompt.id;
      byCandidate.set(id, [...(byCandidate.get(id) ?? []), s.paretoIds[j] as string]);
    }
  });
  return { leads: [...byCandidate].map(([id, tasks]) => ({ id, tasks })) };
}

/** The last ``` block of an answer (language tag dropped), or undefined. */
export function parseFenced(text: string): string | undefined {
  const blocks = [...text.matchAll(/```[^\n`]*\n?([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
  return blocks.filter((b) => b !== '').pop();
}

/** A heading line such as "### New instruction:" or "**Improved prompt**". */
const LABEL =
  /^(#+\s*|\*\*)?\s*(new|improved|updated|revised)?\s*(system\s+)?(instruction|prompt)\s*:?\s*(\*\*)?\s*:?\s*$/i;

/**
 * What a reflection answer proposes: the instruction in its last ``` block (in a re-asked answer
 * without one, the whole answer when it edits the parent: `bareEdit`), or why there is none.
 * Three shapes of a small reflection model's answer are no instruction, and are re-asked (Qwen2.5-
 * Coder-0.5B on HumanEval+, docs/results.md), where gepa 0.1.4 takes whatever its backticks hold
 * and the paper leaves it open:
 * - a block that is code (a solution to one of the tasks it was shown, or a new task with its
 *   `def`; proposal-check.ts). Judged by what the block holds, not its fence tag: the same model
 *   also puts prose instructions in ```python blocks.
 * - a block that is only a heading ("### New instruction:"), the rest of the answer outside it:
 *   scored as a prompt, it took at least 23 of one run's 200 gradings. A heading above an
 *   instruction is dropped from it.
 * - a block that is a new task ("Task: Write a function that…"), or that mostly copies the
 *   request (`request`, with the parent `shown` in it): a task's docstring, an example as
 *   shown, the meta-prompt's own sentences.
 */
export function parseReflection(
  text: string,
  request = '',
  shown: readonly string[] = [],
  reasked = false,
): { instruction: string } | { missing: 'no-block' | NotAnInstruction } {
  const b = parseFenced(text) ?? (reasked ? bareEdit(text, shown) : undefined);
  if (b === undefined) return { missing: 'no-block' };
  const [first = '', ...rest] = b.split('\n');
  const body = LABEL.test(first.trim()) ? rest.join('\n').trim() : b;
  if (body === '') return { missing: 'no-block' };
  const why = notAnInstruction(body, request, shown);
  return why ? { missing: why } : { instruction: body };
}

/**
 * A re-asked answer without a fence, taken whole when it edits a shown prompt. Asked again, a
 * small model often drops the fence (Qwen2.5-Coder-0.5B: 48 of the 69 stored re-asks of the
 * bench runs, docs/optimizers.md); gepa 0.1.4 takes a bare answer too. Only an edit of the parent
 * is taken (8 of those 48), so chatter and a task of its own (most of the rest) stay refused.
 */
function bareEdit(text: string, shown: readonly string[]): string | undefined {
  return !text.includes('```') && editsShown(text, shown) ? text.trim() : undefined;
}

/** What GEPA says after a reflection that proposed no instruction. */
function reaskFor(missing: 'no-block' | NotAnInstruction): string {
  if (missing === 'no-block') return GEPA_REASK;
  // The code re-ask's wording predates the shared ones; kept, so stored runs replay.
  if (missing === 'code') return GEPA_REASK_CODE;
  return `${REASK_NOT_INSTRUCTION[missing]} ${GEPA_FORMAT}`;
}

/** GEPA's own budget (metric calls or LLM calls) would run over: stop at the last step. */
class GepaBudgetSpent extends Error {
  override readonly name = 'GepaBudgetSpent';
  constructor(readonly reason: 'metric-budget' | 'llm-budget') {
    super(reason);
  }
}

function limits(s: GepaState, ctx: OptimizerContext): string | undefined {
  const metric = num(s.knobs, 'maxMetricCalls');
  const llm = num(s.knobs, 'maxLlmCalls');
  if (metric > 0 && s.metricCalls >= metric) return 'metric-budget';
  if (llm > 0 && ctx.budget.llmCalls >= llm) return 'llm-budget';
  if (ctx.budget.exhausted()) return 'budget';
  return undefined;
}

/**
 * Which of GEPA's own budgets cannot pay `cost` more calls (checked before a step starts, so a
 * step never begins what it might not finish), or undefined when both can.
 */
function cannotAfford(
  s: GepaState,
  ctx: OptimizerContext,
  cost: { metric: number; llm: number },
): 'metric-budget' | 'llm-budget' | undefined {
  const metric = num(s.knobs, 'maxMetricCalls');
  if (metric > 0 && s.metricCalls + cost.metric > metric) return 'metric-budget';
  const llm = num(s.knobs, 'maxLlmCalls');
  if (llm > 0 && ctx.budget.llmCalls + cost.llm > llm) return 'llm-budget';
  return undefined;
}

const stateSizes = (s: GepaState) => ({
  train: s.trainIds.length,
  pareto: s.paretoIds.length,
  minibatch: Math.min(num(s.knobs, 'minibatch'), s.trainIds.length),
});

/** Score with metric calls counted; throws GepaBudgetSpent when they would run over. */
async function measure(
  ctx: OptimizerContext,
  s: GepaState,
  prompt: PromptCandidate,
  tasks: readonly Task[],
): Promise<PromptScore | undefined> {
  const metric = num(s.knobs, 'maxMetricCalls');
  if (metric > 0 && s.metricCalls + tasks.length > metric)
    throw new GepaBudgetSpent('metric-budget');
  const llm = num(s.knobs, 'maxLlmCalls');
  if (llm > 0 && ctx.budget.llmCalls >= llm) throw new GepaBudgetSpent('llm-budget');
  const score = await ctx.score(prompt, tasks);
  if (score.stoppedBy === 'budget') {
    // The run's budget cut the scoring short: the gradings that ran are spent all the same.
    s.metricCalls += score.perTask.length;
    return undefined;
  }
  s.metricCalls += tasks.length;
  return score;
}

const passes = (score: PromptScore): number => score.perTask.filter((t) => t.passed).length;

const perTask = (score: PromptScore, tasks: readonly Task[]): number[] =>
  tasks.map((t) => (score.perTask.some((p) => p.taskId === t.id && p.passed) ? 1 : 0));

function bestIndex(s: GepaState): number {
  let b = 0;
  s.candidates.forEach((c, i) => {
    if (c.mean > (s.candidates[b] as GepaCandidate).mean) b = i;
  });
  return b;
}

function updateBest(s: GepaState, ctx: OptimizerContext, step: number): void {
  const b = s.candidates[bestIndex(s)] as GepaCandidate;
  if (!s.best || s.best.prompt.id !== b.prompt.id) {
    s.best = { prompt: b.prompt, score: b.mean };
    ctx.emit({ type: 'best', step, prompt: b.prompt, score: b.mean });
  }
}

function chooseParent(s: GepaState, rng: Rng): number {
  const selection = str(s.knobs, 'selection');
  if (selection === 'current-best') return bestIndex(s);
  if (selection === 'epsilon-greedy') {
    return rng.chance(num(s.knobs, 'epsilon')) ? rng.int(0, s.candidates.length - 1) : bestIndex(s);
  }
  return selectByLeads(paretoFront(s.candidates.map((c) => c.scores)).leads, rng);
}

/**
 * One epoch's order of the feedback tasks (indices): shuffled, then padded with its first tasks
 * to a whole number of minibatches, so every task is in some minibatch of every epoch and no
 * minibatch holds a task twice (size <= n).
 */
export function epochOrder(n: number, size: number, rng: Rng): number[] {
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const pad = (size - (n % size)) % size;
  return [...order, ...order.slice(0, pad)];
}

/** The next minibatch of feedback tasks; a new shuffled epoch when the current one runs out. */
function nextMinibatch(s: GepaState, rng: Rng): string[] {
  const size = Math.min(num(s.knobs, 'minibatch'), s.trainIds.length);
  if (s.cursor + size > s.order.length) {
    s.order = epochOrder(s.trainIds.length, size, rng);
    s.cursor = 0;
  }
  const ids = s.order.slice(s.cursor, s.cursor + size).map((i) => s.trainIds[i] as string);
  s.cursor += size;
  return ids;
}

/** The reflective dataset as the reflection model reads it: task, code, test results. */
function reflectiveExamples(
  ctx: OptimizerContext,
  tasks: readonly Task[],
  score: PromptScore,
): string {
  return tasks
    .map((t, i) => {
      const ts = score.perTask.find((p) => p.taskId === t.id);
      if (!ts) return '';
      const verdict = ts.passed ? 'passed' : 'failed';
      return [
        `### Example ${i + 1} (${verdict})`,
        'Task:',
        clip(t.prompt.trim(), 600),
        'Code written:',
        clip(ts.code.trim() || '(no code)', 800),
        'Test results:',
        renderFeedback(ctx.feedback(ts), 1200, { excerpt: false }),
      ].join('\n');
    })
    .filter((x) => x !== '')
    .join('\n\n');
}

async function addCandidate(
  ctx: OptimizerContext,
  s: GepaState,
  prompt: PromptCandidate,
  origin: GepaOrigin,
  step: number,
): Promise<boolean> {
  const pareto = tasksById(ctx, s.paretoIds);
  const score = await measure(ctx, s, prompt, pareto);
  if (!score) return false;
  ctx.emit({ type: 'scored', step, prompt, score });
  const scores = perTask(score, pareto);
  s.candidates.push({ prompt, scores, mean: score.strict, origin });
  updateBest(s, ctx, step);
  return true;
}

const noCost = (): ReflectionCost => ({ calls: 0, promptTokens: 0, completionTokens: 0, ms: 0 });

/** The context the reflection asks through: every answer's calls, tokens and time land in `cost`. */
function costing(ctx: OptimizerContext, cost: ReflectionCost): OptimizerContext {
  return {
    ...ctx,
    async complete(req) {
      const c = await ctx.complete(req);
      cost.calls += 1;
      cost.promptTokens += c.usage.promptTokens;
      cost.completionTokens += c.usage.completionTokens;
      cost.ms += c.cached ? 0 : c.latencyMs;
      return c;
    },
  };
}

function addCost(s: GepaState, cost: ReflectionCost): void {
  const t = s.reflection ?? noCost();
  s.reflection = {
    calls: t.calls + cost.calls,
    promptTokens: t.promptTokens + cost.promptTokens,
    completionTokens: t.completionTokens + cost.completionTokens,
    ms: t.ms + cost.ms,
  };
}

async function reflectStep(
  ctx: OptimizerContext,
  s: GepaState,
  rng: Rng,
  step: number,
): Promise<'budget' | undefined> {
  const parentIdx = chooseParent(s, rng);
  const parent = s.candidates[parentIdx] as GepaCandidate;
  const ids = nextMinibatch(s, rng);
  const tasks = tasksById(ctx, ids);
  const before = await measure(ctx, s, parent.prompt, tasks);
  if (!before) return 'budget';
  if (before.perTask.every((t) => t.passed)) {
    ctx.emit({
      type: 'note',
      step,
      message: `The parent passes its whole minibatch (${ids.join(', ')}): nothing to reflect on.`,
    });
    return undefined;
  }
  const llm = num(s.knobs, 'maxLlmCalls');
  if (llm > 0 && ctx.budget.llmCalls >= llm) throw new GepaBudgetSpent('llm-budget');
  const examples = reflectiveExamples(ctx, tasks, before);
  const meta = fill(GEPA_REFLECT, { prompt: parent.prompt.text, examples });
  const o = { temperature: num(s.knobs, 'temperature'), maxReasks: num(s.knobs, 'reasks') };
  const cost = noCost();
  let text: string | undefined;
  // Whether the last answer was the parent handed back: after the last re-ask it is recorded as
  // such below, not as an answer without an instruction.
  let handedBack = false;
  let asks = 0;
  try {
    text = await askInConversation(costing(ctx, cost), rng, meta, o, (answer) => {
      const parsed = parseReflection(answer, meta, [parent.prompt.text], asks++ > 0);
      handedBack =
        'instruction' in parsed && normalizeWhitespace(parsed.instruction) === parent.prompt.text;
      if (handedBack) return { reask: `${GEPA_REASK_UNCHANGED} ${GEPA_FORMAT}` };
      if ('instruction' in parsed) return { accept: parsed.instruction };
      return { reask: reaskFor(parsed.missing) };
    });
  } finally {
    // Spent even when the run's budget ends the conversation midway.
    addCost(s, cost);
  }
  if (text === undefined && handedBack && !ctx.budget.exhausted()) text = parent.prompt.text;
  if (text === undefined) {
    if (limits(s, ctx)) return 'budget';
    ctx.emit({
      type: 'note',
      step,
      message:
        'The reflection had no instruction in a ``` block (none, code, a task, a copy of the request, or advice about the prompt).',
    });
    return undefined;
  }
  const feedback = clip(examples, 2000);
  const child = await makeCandidate(text, [parent.prompt.id], 'reflect', step, feedback);
  ctx.emit({ type: 'proposed', step, prompt: child });
  if (child.id === parent.prompt.id) {
    // A small reflection model often hands the instruction back unchanged (14 of 48 reflections
    // of Qwen2.5-Coder-0.5B on HumanEval+, docs/results.md), here even after a re-ask. Its
    // minibatch score is the parent's, just measured; scoring it again would spend gradings on
    // nothing. Not in the paper, which leaves it open; gepa 0.1.4 scores it.
    const reason = 'the same as its parent, so not scored again';
    s.rejected.push({
      prompt: child,
      origin: {
        kind: 'reflect',
        parent: parent.prompt.id,
        minibatch: ids,
        before: passes(before),
        after: passes(before),
        feedback,
        cost,
      },
      reason,
    });
    ctx.emit({ type: 'note', step, message: `Rejected: ${reason}.` });
    return undefined;
  }
  const after = await measure(ctx, s, child, tasks);
  if (!after) return 'budget';
  ctx.emit({ type: 'scored', step, prompt: child, score: after });
  const origin: GepaOrigin = {
    kind: 'reflect',
    parent: parent.prompt.id,
    minibatch: ids,
    before: passes(before),
    after: passes(after),
    feedback,
    cost,
  };
  if (s.candidates.some((c) => c.prompt.id === child.id) || passes(after) <= passes(before)) {
    const reason = s.candidates.some((c) => c.prompt.id === child.id)
      ? 'already in the pool'
      : `minibatch ${passes(after)}/${ids.length} does not beat the parent's ${passes(before)}/${ids.length}`;
    s.rejected.push({ prompt: child, origin, reason });
    ctx.emit({ type: 'note', step, message: `Rejected: ${reason}.` });
    return undefined;
  }
  if (!(await addOrKeep(ctx, s, child, origin, step))) return 'budget';
  s.lastFound = true;
  s.acceptedSinceMerge += 1;
  if (
    bool(s.knobs, 'merge') &&
    s.acceptedSinceMerge >= num(s.knobs, 'mergeEvery') &&
    s.mergesDone + s.mergesDue < num(s.knobs, 'maxMerges')
  ) {
    s.mergesDue += 1;
    s.acceptedSinceMerge = 0;
  }
  return undefined;
}

/**
 * Score an accepted proposal on the Pareto set and add it to the pool. When the run's budget ends
 * that scoring, the proposal is kept among the rejected with that reason (its spend is already in
 * the state), so the family tree still shows what the step found; false then.
 */
async function addOrKeep(
  ctx: OptimizerContext,
  s: GepaState,
  prompt: PromptCandidate,
  origin: GepaOrigin,
  step: number,
): Promise<boolean> {
  const keep = (): void => {
    const reason = 'accepted, but the run budget ran out before its Pareto scoring';
    s.rejected.push({ prompt, origin, reason });
    ctx.emit({ type: 'note', step, message: `Not added: ${reason}.` });
  };
  try {
    if (await addCandidate(ctx, s, prompt, origin, step)) return true;
  } catch (e) {
    // Only a spent budget: a crash or a pause discards this step's state and re-runs it.
    if (e instanceof GepaBudgetSpent || (e instanceof Error && e.name === 'BudgetExhaustedError'))
      keep();
    throw e;
  }
  keep();
  return false;
}

/** A viable merge: two front candidates, a common ancestor no better than either, a new text. */
function findMerge(
  s: GepaState,
  rng: Rng,
): { i: number; j: number; ancestor: number; text: string } | undefined {
  const { leads } = paretoFront(s.candidates.map((c) => c.scores));
  const front = leads.map((l, i) => (l > 0 ? i : -1)).filter((i) => i >= 0);
  const parents = new Map(s.candidates.map((c) => [c.prompt.id, c.prompt.parents]));
  const index = new Map(s.candidates.map((c, i) => [c.prompt.id, i]));
  const texts = new Set([...s.candidates, ...s.rejected].map((c) => c.prompt.text));
  const viable: { i: number; j: number; ancestor: number; text: string }[] = [];
  for (const i of front) {
    for (const j of front) {
      if (j <= i) continue;
      const a = s.candidates[i] as GepaCandidate;
      const b = s.candidates[j] as GepaCandidate;
      const ancA = ancestorsOf(a.prompt.id, parents);
      const ancB = new Set(ancestorsOf(b.prompt.id, parents));
      if (ancA.includes(b.prompt.id) || ancB.has(a.prompt.id)) continue;
      for (const id of ancA.filter((x) => ancB.has(x))) {
        const k = index.get(id);
        if (k === undefined) continue;
        const anc = s.candidates[k] as GepaCandidate;
        if (anc.mean > Math.min(a.mean, b.mean)) continue;
        const triple = `${a.prompt.id}+${b.prompt.id}@${id}`;
        if (s.triedMerges.includes(triple)) continue;
        const text = mergeThreeWay(anc.prompt.text, a.prompt.text, b.prompt.text);
        if (texts.has(text)) continue;
        viable.push({ i, j, ancestor: k, text });
      }
    }
  }
  return viable.length === 0 ? undefined : rng.pick(viable);
}

async function mergeStep(
  ctx: OptimizerContext,
  s: GepaState,
  rng: Rng,
  step: number,
): Promise<'merged' | 'none' | 'budget'> {
  const m = findMerge(s, rng);
  if (!m) return 'none';
  const a = s.candidates[m.i] as GepaCandidate;
  const b = s.candidates[m.j] as GepaCandidate;
  const anc = s.candidates[m.ancestor] as GepaCandidate;
  s.triedMerges.push(`${a.prompt.id}+${b.prompt.id}@${anc.prompt.id}`);
  s.mergesDue -= 1;
  s.mergesDone += 1;
  const merged = await makeCandidate(m.text, [a.prompt.id, b.prompt.id], 'merge', step);
  ctx.emit({ type: 'proposed', step, prompt: merged });
  const sub = mergeSubsample(a.scores, b.scores, num(s.knobs, 'mergeSubsample'), rng);
  const subIds = sub.map((j) => s.paretoIds[j] as string);
  const subScore = await measure(ctx, s, merged, tasksById(ctx, subIds));
  if (!subScore) return 'budget';
  const got = passes(subScore);
  const need = Math.max(...[a, b].map((c) => sub.reduce((n, j) => n + (c.scores[j] ?? 0), 0)));
  const origin: GepaOrigin = {
    kind: 'merge',
    parents: [a.prompt.id, b.prompt.id],
    ancestor: anc.prompt.id,
    subsample: subIds,
  };
  if (got < need) {
    const reason = `merge subsample ${got}/${sub.length} is below the better parent's ${need}`;
    s.rejected.push({ prompt: merged, origin, reason });
    ctx.emit({ type: 'note', step, message: `Rejected: ${reason}.` });
    return 'merged';
  }
  if (!(await addOrKeep(ctx, s, merged, origin, step))) return 'budget';
  return 'merged';
}

export const gepa: Optimizer<GepaState> = {
  info: gepaInfo,

  paretoFront(state) {
    return gepaFront(state).leads.map((l) => ({ promptId: l.id, taskIds: l.tasks }));
  },

  rejected(state) {
    return state.rejected.map((r) => ({ promptId: r.prompt.id, reason: r.reason }));
  },

  proposalCosts(state) {
    return [...state.candidates, ...state.rejected].flatMap((c) =>
      c.origin.kind === 'reflect' && c.origin.cost
        ? [{ promptId: c.prompt.id, ...c.origin.cost }]
        : [],
    );
  },

  async init(args, ctx) {
    const knobs = readKnobs(gepaInfo.knobs, args.knobs, 'GEPA');
    const rng = Rng.seeded(args.seed);
    const feedbackTasks = sample(rng, ctx.train, num(knobs, 'trainTasks'));
    if (feedbackTasks.length === 0) {
      throw new TrainingSetError(
        'GEPA needs training tasks. Pick a dataset with a training split.',
      );
    }
    const drawn = new Set(feedbackTasks.map((t) => t.id));
    const rest = ctx.train.filter((t) => !drawn.has(t.id));
    const pool = ctx.validation.length > 0 ? ctx.validation : rest;
    let pareto = sample(rng, pool, num(knobs, 'paretoTasks'));
    if (pareto.length === 0) {
      pareto = feedbackTasks;
      ctx.emit({
        type: 'note',
        step: 0,
        message:
          'No tasks left for a separate Pareto set: the feedback tasks score the front too (the paper keeps them apart).',
      });
    }
    const check = checkGepaBudget(knobs, {
      train: ctx.train.length,
      validation: ctx.validation.length,
    });
    if (check.short && check.message) {
      if (!check.seedFits || !bool(knobs, 'belowFloor')) {
        throw new GepaBudgetError(
          check.seedFits
            ? `${check.message} To run anyway, turn on "Run below the budget floor".`
            : check.message,
        );
      }
      ctx.emit({
        type: 'note',
        step: 0,
        message: `Below the budget floor, as asked: ${check.message}`,
      });
    }
    const seed = await makeCandidate(args.initialPrompt, [], 'seed', 0);
    const s: GepaState = {
      ...startState(rng),
      knobs,
      trainIds: feedbackTasks.map((t) => t.id),
      paretoIds: pareto.map((t) => t.id),
      candidates: [],
      rejected: [],
      order: [],
      cursor: 0,
      metricCalls: 0,
      mergesDue: 0,
      mergesDone: 0,
      acceptedSinceMerge: 0,
      lastFound: false,
      triedMerges: [],
      reflection: noCost(),
    };
    try {
      if (!(await addCandidate(ctx, s, seed, { kind: 'seed' }, 0))) return finish(s, 'budget');
    } catch (e) {
      if (e instanceof GepaBudgetSpent) return finish(s, e.reason);
      throw e;
    }
    s.rng = rng.getState();
    return s;
  },

  async step(state, ctx) {
    const s = structuredClone(state);
    if (s.done) return s;
    const stop = limits(s, ctx);
    if (stop) return finish(s, stop);
    const rng = Rng.fromState(s.rng);
    const step = s.step + 1;
    try {
      let outcome: 'budget' | undefined;
      let merged = false;
      if (bool(s.knobs, 'merge') && s.mergesDue > 0 && s.lastFound) {
        s.lastFound = false;
        const sub = Math.min(num(s.knobs, 'mergeSubsample'), s.paretoIds.length);
        const short = cannotAfford(s, ctx, {
          metric: sub + s.paretoIds.length,
          llm: sub + s.paretoIds.length,
        });
        if (short) {
          ctx.emit({
            type: 'note',
            step,
            message: `A merge is due, but the ${short === 'metric-budget' ? 'metric-call' : 'LLM-call'} budget left cannot pay for its subsample and the Pareto set: no merge.`,
          });
        } else {
          const m = await mergeStep(ctx, s, rng, step);
          if (m === 'budget') outcome = 'budget';
          merged = m === 'merged';
        }
      }
      if (!merged && outcome === undefined) {
        s.lastFound = false;
        const cost = proposalCost(s.knobs, stateSizes(s));
        const short = cannotAfford(s, ctx, cost);
        if (short) {
          ctx.emit({
            type: 'note',
            step,
            message: `Stopped before a proposal it might not finish: one may cost ${short === 'metric-budget' ? `${cost.metric} metric calls` : `${cost.llm} LLM calls`}, more than the budget has left.`,
          });
          return finish(s, short);
        }
        outcome = await reflectStep(ctx, s, rng, step);
      }
      // The run's budget ended the step midway: keep its spend (and any child it kept) in the state.
      if (outcome === 'budget') return finish(s, limits(s, ctx) ?? 'budget');
    } catch (e) {
      if (e instanceof GepaBudgetSpent) return finish(s, e.reason);
      if (e instanceof Error && e.name === 'BudgetExhaustedError') return finish(s, 'budget');
      throw e;
    }
    const best = s.candidates[bestIndex(s)] as GepaCandidate;
    return endRound(s, step, rng, {
      converged: best.mean >= 1,
      'max-steps': step >= num(s.knobs, 'iterations'),
      ...(limits(s, ctx) ? { [limits(s, ctx) as string]: true } : {}),
    });
  },

  checkBudget(knobs, counts, runMaxLlmCalls): BudgetCheckResult {
    const k = readKnobs(gepaInfo.knobs, knobs, 'GEPA');
    const check = checkGepaBudget(k, counts, runMaxLlmCalls);
    const refused = check.short && (!check.seedFits || !bool(k, 'belowFloor'));
    return {
      proposals: check.proposals,
      ...(check.message
        ? {
            warning: refused
              ? `${check.message} The run will be refused unless "Run below the budget floor" is on.`
              : check.message,
          }
        : {}),
    };
  },

  projectCalls(knobs: Record<string, KnobValue>, counts) {
    const k = readKnobs(gepaInfo.knobs, knobs, 'GEPA');
    const { pareto, minibatch: b } = gepaSizes(k, counts);
    const it = num(k, 'iterations');
    // Upper bound: the seed on the Pareto set, then per iteration the parent and the child on a
    // minibatch, the child on the Pareto set, and the reflection with its re-asks (each grading
    // is at most one task-model call). A metric-call budget caps both the gradings and the
    // reflections it leaves room for (budget.ts gepaReflections).
    let metric = pareto + it * (2 * b + pareto);
    if (num(k, 'maxMetricCalls') > 0) metric = Math.min(metric, num(k, 'maxMetricCalls'));
    const total = metric + gepaReflections(k, counts) * (1 + num(k, 'reasks'));
    return num(k, 'maxLlmCalls') > 0 ? Math.min(total, num(k, 'maxLlmCalls')) : total;
  },
};
