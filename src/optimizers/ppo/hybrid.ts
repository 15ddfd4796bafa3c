/**
 * The environment of the hybrid-action prompt agent: prompt refinement as a sequential decision
 * process (the PPO prompt agent for code generation; see docs/ppo.md). A state is the current
 * prompt with its unit-test feedback; an action is one of direct LLM generation, genetic lexical
 * mutation, lexical crossover with an elite prompt, or LLM semantic rewriting; the reward is shaped
 * from the new prompt's strict and soft pass rates.
 *
 * The policy is pluggable: PPO (agent.ts) learns it, Random-Hybrid (../random-hybrid.ts) draws
 * actions uniformly from the same space. One `hybridStep` = one action: propose, score, reward.
 *
 * Two modes:
 * - `transferable`: every action's prompt is scored on all of ctx.train; episodes restart from the
 *   best prompt so far; the best prompt is then reported on the held-out split by the runner.
 * - `per-instance` (the paper's protocol; test-set optimization, labelled so by MethodInfo): the
 *   runner hands the tasks to be reported as ctx.train; one episode per task refines a prompt for
 *   that task alone until it passes or the horizon ends; the policy is shared across tasks.
 */
import { BudgetExhaustedError } from '../../core/budget';
import { Rng } from '../../core/rng';
import { normalizeWhitespace } from '../../core/text';
import type { KnobValue, PromptCandidate, Purpose, Task } from '../../core/types';
import { askParsed, makeCandidate, sample, startState } from '../common';
import { renderFeedback } from '../feedback';
import { num } from '../knobs';
import type {
  BaseState,
  InstanceResult as OptimizerInstanceResult,
  OptimizerContext,
  PromptScore,
} from '../types';
import { ACTIONS, featureVector, shapedReward, type ActionName } from './features';
import { crossoverWords, mutateWords } from './lexical';
import { notAnInstruction } from '../proposal-check';
import { generateMessages, parsePromptAnswer, rewriteMessages } from './llm-actions';
import type { Transition } from './ppo';

export type HybridMode = 'transferable' | 'per-instance';

/** A prompt with what scoring it on the episode's tasks found. */
export interface Scored {
  prompt: PromptCandidate;
  strict: number;
  soft: number;
  /** Share of tasks whose code crashed, timed out or did not load (rather than failing an assert). */
  errorShare: number;
  /** The first failing task's execution feedback (for the generation action); '' when all pass. */
  feedback: string;
}

export interface Episode {
  index: number;
  taskIds: string[];
  /** Actions taken in this episode. */
  t: number;
  current: Scored;
  prev: Scored | null;
  /** Action indices of this episode, newest last (only the last few are kept). */
  recent: number[];
  lastReward: number;
  bestStrict: number;
}

export interface InstanceResult {
  prompt: PromptCandidate;
  strict: number;
  soft: number;
  /** Actions spent on this task. */
  actions: number;
}

export interface TraceEntry {
  step: number;
  episode: number;
  action: ActionName;
  promptId: string;
  strict: number;
  soft: number;
  reward: number;
  llmCalls: number;
}

export interface HybridState extends BaseState {
  mode: HybridMode;
  knobs: Record<string, KnobValue>;
  initialPrompt: string;
  episode: Episode | null;
  /** Episodes started so far (in per-instance mode also the index of the next task). */
  episodes: number;
  /** Elite prompts (best first), parents of lexical mutation and crossover. */
  pool: Scored[];
  /** Per-instance mode: the best prompt found for each task. */
  instances: Record<string, InstanceResult>;
  /** Times each action was taken, in ACTIONS order. */
  actionCounts: number[];
  /** Soft pass of `best` (ties on strict pass are broken by it). */
  bestSoft: number;
  /** Steps since `best` last improved (transferable mode's patience). */
  sinceBest: number;
  trace: TraceEntry[];
  /** Transferable mode: the training tasks drawn (knob trainTasks) at the first episode. */
  trainIds?: string[];
}

export interface ActionChoice {
  action: number;
  logProb: number;
  value: number;
}

/** How actions are chosen, and what is learned from their outcomes. */
export interface HybridPolicy<S extends HybridState> {
  choose(state: S, obs: number[], rng: Rng): ActionChoice;
  /** Sees each transition (and the next observation); may update `state`. Returns a note to emit. */
  observe(state: S, transition: Transition, nextObs: number[], rng: Rng): string | undefined;
}

/** ctx.train was empty: there is nothing to score prompts on. */
export class NoTasksError extends Error {
  override readonly name = 'NoTasksError';
  constructor() {
    super('The prompt agent needs at least one task to score prompts on: pick a split with tasks.');
  }
}

const RECENT_KEEP = 4;

export function initHybridState(
  mode: HybridMode,
  knobs: Record<string, KnobValue>,
  initialPrompt: string,
  rng: Rng,
): HybridState {
  return {
    ...startState(rng),
    mode,
    knobs,
    initialPrompt: normalizeWhitespace(initialPrompt),
    episode: null,
    episodes: 0,
    pool: [],
    instances: {},
    actionCounts: ACTIONS.map(() => 0),
    bestSoft: 0,
    sinceBest: 0,
    trace: [],
  };
}

/** The feedback record of the first failing task, as the generation action's LLM reads it. */
const FEEDBACK_CHARS = 700;

function summarize(prompt: PromptCandidate, score: PromptScore, ctx: OptimizerContext): Scored {
  let errors = 0;
  let feedback = '';
  for (const t of score.perTask) {
    if (t.passed) continue;
    const crashed =
      t.result.setupError !== undefined ||
      t.result.tests.some((v) => v.outcome === 'error' || v.outcome === 'timeout');
    if (crashed) errors += 1;
    if (!feedback) feedback = renderFeedback(ctx.feedback(t), FEEDBACK_CHARS);
  }
  return {
    prompt,
    strict: score.strict,
    soft: score.soft,
    errorShare: score.perTask.length ? errors / score.perTask.length : 0,
    feedback,
  };
}

function tasksById(ctx: OptimizerContext, ids: readonly string[]): Task[] {
  return ids.map((id) => {
    const task = ctx.train.find((t) => t.id === id);
    if (!task) throw new Error(`Task ${id} of this run's checkpoint is missing from its task set.`);
    return task;
  });
}

async function scoreOn(
  ctx: OptimizerContext,
  prompt: PromptCandidate,
  taskIds: readonly string[],
  step: number,
): Promise<Scored> {
  const score = await ctx.score(prompt, tasksById(ctx, taskIds));
  // We never race, so an incomplete score means the budget ran out while scoring.
  if (!score.complete) throw new BudgetStop();
  ctx.emit({ type: 'scored', step, prompt, score });
  return summarize(prompt, score, ctx);
}

const better = (
  a: { strict: number; soft: number },
  b: { strict: number; soft: number },
): boolean => a.strict > b.strict || (a.strict === b.strict && a.soft > b.soft);

function addToPool(state: HybridState, s: Scored): void {
  if (state.pool.some((p) => p.prompt.text === s.prompt.text)) return;
  state.pool.push(s);
  // Stable sort: among equals the older prompt stays ahead.
  state.pool.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  state.pool.length = Math.min(state.pool.length, num(state.knobs, 'poolSize'));
}

/** Transferable mode: the best prompt on the training tasks. */
function considerBest(state: HybridState, s: Scored, ctx: OptimizerContext): void {
  const current = state.best ? { strict: state.best.score, soft: state.bestSoft } : null;
  if (current === null || better(s, current)) {
    state.best = { prompt: s.prompt, score: s.strict };
    state.bestSoft = s.soft;
    state.sinceBest = 0;
    ctx.emit({ type: 'best', step: state.step, prompt: s.prompt, score: s.strict });
  }
}

/**
 * Per-instance mode: keep each task's best prompt. The run's `best` is the prompt that solves the
 * most tasks (the first such in task order), and its score the per-instance pass rate: the share
 * of all tasks solved by their own best prompt (the paper's per-instance Pass@1).
 */
function considerInstance(
  state: HybridState,
  taskId: string,
  s: Scored,
  ctx: OptimizerContext,
): void {
  const old = state.instances[taskId];
  if (old && !better(s, old)) return;
  state.instances[taskId] = {
    prompt: s.prompt,
    strict: s.strict,
    soft: s.soft,
    actions: old?.actions ?? 0,
  };
  const results = ctx.train.flatMap((t) => state.instances[t.id] ?? []);
  const wins = new Map<string, number>();
  for (const r of results) wins.set(r.prompt.id, (wins.get(r.prompt.id) ?? 0) + r.strict);
  let top = results[0]?.prompt ?? s.prompt;
  for (const r of results)
    if ((wins.get(r.prompt.id) ?? 0) > (wins.get(top.id) ?? 0)) top = r.prompt;
  const n = Math.max(1, ctx.train.length);
  const rate = results.reduce((a, r) => a + r.strict, 0) / n;
  const changed = !state.best || state.best.score !== rate || state.best.prompt.id !== top.id;
  state.best = { prompt: top, score: rate };
  state.bestSoft = results.reduce((a, r) => a + r.soft, 0) / n;
  if (changed) ctx.emit({ type: 'best', step: state.step, prompt: top, score: rate });
}

/** Opens the next episode; in per-instance mode skips (and records) tasks the start prompt solves. */
async function startEpisode(
  state: HybridState,
  ctx: OptimizerContext,
  rng: Rng,
): Promise<Episode | null> {
  if (ctx.train.length === 0) throw new NoTasksError();
  const seed = await makeCandidate(state.initialPrompt, [], 'seed', 0);
  if (state.mode === 'transferable') {
    // Drawn once; with trainTasks at least the set's size this draws nothing from the RNG.
    state.trainIds ??= sample(rng, ctx.train, num(state.knobs, 'trainTasks')).map((t) => t.id);
    const taskIds = state.trainIds;
    const start = state.best?.prompt ?? seed;
    const scored = await scoreOn(ctx, start, taskIds, state.step);
    addToPool(state, scored);
    considerBest(state, scored, ctx);
    const ep: Episode = {
      index: state.episodes++,
      taskIds,
      t: 0,
      current: scored,
      prev: null,
      recent: [],
      lastReward: 0,
      bestStrict: state.best?.score ?? scored.strict,
    };
    return ep;
  }
  while (state.episodes < ctx.train.length) {
    const task = ctx.train[state.episodes] as Task;
    const index = state.episodes++;
    const scored = await scoreOn(ctx, seed, [task.id], state.step);
    state.pool = [];
    addToPool(state, scored);
    considerInstance(state, task.id, scored, ctx);
    if (scored.strict < 1) {
      return {
        index,
        taskIds: [task.id],
        t: 0,
        current: scored,
        prev: null,
        recent: [],
        lastReward: 0,
        bestStrict: scored.strict,
      };
    }
    ctx.emit({ type: 'note', step: state.step, message: `${task.id}: solved by the start prompt` });
  }
  return null;
}

function observation(state: HybridState, ep: Episode): number[] {
  return featureVector({
    strict: ep.current.strict,
    soft: ep.current.soft,
    prevStrict: ep.prev?.strict ?? null,
    prevSoft: ep.prev?.soft ?? null,
    bestStrict: ep.bestStrict,
    errorShare: ep.current.errorShare,
    t: ep.t,
    horizon: num(state.knobs, 'horizon'),
    step: state.step,
    maxSteps: num(state.knobs, 'maxSteps'),
    prompt: ep.current.prompt.text,
    prevPrompt: ep.prev?.prompt.text ?? null,
    lastReward: ep.lastReward,
    recent: ep.recent,
  });
}

/** Carries out one action; returns the new prompt's text, its parents and the LLM calls made. */
async function applyAction(
  action: ActionName,
  state: HybridState,
  ep: Episode,
  ctx: OptimizerContext,
  rng: Rng,
): Promise<{
  text: string;
  parents: string[];
  operator: string;
  llmCalls: number;
  feedback?: string;
}> {
  const current = ep.current.prompt;
  const others = state.pool.filter((p) => p.prompt.text !== current.text);
  if (action === 'generate' || action === 'rewrite') {
    const task = tasksById(ctx, ep.taskIds.slice(0, 1))[0];
    const messages =
      action === 'generate'
        ? generateMessages({
            current: current.text,
            strict: ep.current.strict,
            soft: ep.current.soft,
            tasks: ep.taskIds.length,
            feedback: ep.current.feedback,
            example: task?.prompt ?? '',
          })
        : rewriteMessages(current.text);
    const purpose: Purpose = action === 'generate' ? 'mutate' : 'rewrite';
    const request = messages.map((m) => m.content).join('\n');
    const asked = await askParsed(
      ctx,
      () => ({
        messages,
        purpose,
        sampling: {
          temperature: num(state.knobs, 'llmTemperature'),
          max_tokens: num(state.knobs, 'llmMaxTokens'),
          // A seed from our RNG makes sampled answers repeatable on engines that honour it.
          seed: rng.nextU32(),
        },
      }),
      (answer) => {
        const text = parsePromptAnswer(answer);
        // Code or a copy of the request is no instruction (proposal-check.ts): asked afresh.
        if (text === undefined || notAnInstruction(text, request, [current.text])) return undefined;
        const proposed = normalizeWhitespace(text);
        // The current prompt handed back explores nothing (a 0.5B optimizer model did so in 3 of
        // its first 4 generations on HumanEval+): asked afresh, with a new seed.
        return proposed && proposed !== normalizeWhitespace(current.text) ? proposed : undefined;
      },
      num(state.knobs, 'maxReasks'),
    );
    if (asked.text === undefined) {
      ctx.emit({
        type: 'note',
        step: state.step,
        message: `${action}: no new prompt in ${asked.attempts.length} LLM answer(s); kept the current one`,
      });
    }
    return {
      text: asked.text ?? current.text,
      parents: [current.id],
      operator: action,
      llmCalls: asked.attempts.length,
      ...(action === 'generate' && ep.current.feedback ? { feedback: ep.current.feedback } : {}),
    };
  }
  if (action === 'crossover' && others.length > 0) {
    const mate = rng.pick(others).prompt;
    let text = crossoverWords(current.text, mate.text, rng);
    // A child identical to a parent explores nothing: nudge it with one word-level mutation.
    if (text === current.text || text === mate.text) {
      text = mutateWords(text, [current.text, mate.text], rng).text;
    }
    return { text, parents: [current.id, mate.id], operator: 'crossover', llmCalls: 0 };
  }
  // Lexical mutation (also crossover's fallback while the pool holds a single prompt).
  const donors = others.length > 0 ? others.map((p) => p.prompt.text) : [current.text];
  const m = mutateWords(current.text, donors, rng);
  return {
    text: m.text || current.text,
    parents: [current.id],
    operator: `mutate:${m.op}`,
    llmCalls: 0,
  };
}

/** Internal: scoring stopped part-way because the budget ran out. */
class BudgetStop extends Error {
  override readonly name = 'BudgetStop';
}

const isBudgetError = (e: unknown): boolean =>
  e instanceof BudgetStop ||
  e instanceof BudgetExhaustedError ||
  (e instanceof Error && e.name === 'BudgetExhaustedError');

function finish<S extends HybridState>(state: S, reason: string, rng: Rng): S {
  state.done = true;
  state.stopReason = reason;
  state.rng = rng.getState();
  return state;
}

/** One action of the agent (or, at an episode's start, also scoring the start prompt). */
export async function hybridStep<S extends HybridState>(
  input: S,
  ctx: OptimizerContext,
  policy: HybridPolicy<S>,
): Promise<S> {
  if (input.done) return input;
  ctx.signal.throwIfAborted();
  const state = structuredClone(input);
  const rng = Rng.fromState(state.rng);
  const maxSteps = num(state.knobs, 'maxSteps');
  if (state.step >= maxSteps) return finish(state, 'max-steps', rng);
  if (ctx.budget.exhausted()) return finish(state, 'budget', rng);
  try {
    const ep = state.episode ?? (await startEpisode(state, ctx, rng));
    if (ep === null) return finish(state, 'all-tasks', rng);
    state.episode = ep;
    if (ctx.budget.exhausted()) return finish(state, 'budget', rng);

    const obs = observation(state, ep);
    const choice = policy.choose(state, obs, rng);
    const action = ACTIONS[choice.action];
    if (action === undefined)
      throw new RangeError(`Policy chose action ${choice.action}, which does not exist`);
    const made = await applyAction(action, state, ep, ctx, rng);
    const prompt = await makeCandidate(
      made.text,
      made.parents,
      made.operator,
      state.step + 1,
      made.feedback,
    );
    ctx.emit({ type: 'proposed', step: state.step, prompt });
    const scored = await scoreOn(ctx, prompt, ep.taskIds, state.step);
    const reward = shapedReward(ep.current, scored, made.llmCalls, {
      softWeight: num(state.knobs, 'softWeight'),
      improvementWeight: num(state.knobs, 'improvementWeight'),
      costPerCall: num(state.knobs, 'costPerCall'),
    });

    state.actionCounts[choice.action] = (state.actionCounts[choice.action] ?? 0) + 1;
    ep.prev = ep.current;
    ep.current = scored;
    ep.t += 1;
    ep.recent = [...ep.recent, choice.action].slice(-RECENT_KEEP);
    ep.lastReward = reward;
    ep.bestStrict = Math.max(ep.bestStrict, scored.strict);
    addToPool(state, scored);
    state.sinceBest += 1;
    let solved: boolean;
    if (state.mode === 'transferable') {
      considerBest(state, scored, ctx);
      solved = scored.strict === 1 && scored.soft === 1;
    } else {
      const taskId = ep.taskIds[0] as string;
      considerInstance(state, taskId, scored, ctx);
      const inst = state.instances[taskId];
      if (inst) inst.actions += 1;
      solved = scored.strict === 1;
      if (solved)
        ctx.emit({
          type: 'note',
          step: state.step,
          message: `${taskId}: solved after ${ep.t} action(s)`,
        });
    }
    state.trace.push({
      step: state.step,
      episode: ep.index,
      action,
      promptId: prompt.id,
      strict: scored.strict,
      soft: scored.soft,
      reward,
      llmCalls: made.llmCalls,
    });

    const episodeDone = solved || ep.t >= num(state.knobs, 'horizon');
    state.step += 1;
    const note = policy.observe(
      state,
      {
        obs,
        action: choice.action,
        logProb: choice.logProb,
        value: choice.value,
        reward,
        done: episodeDone,
      },
      observation(state, ep),
      rng,
    );
    if (note) ctx.emit({ type: 'note', step: state.step - 1, message: note });
    if (episodeDone) state.episode = null;

    if (state.mode === 'transferable' && solved) return finish(state, 'converged', rng);
    const patience = num(state.knobs, 'patience');
    if (state.mode === 'transferable' && patience > 0 && state.sinceBest >= patience) {
      return finish(state, 'plateau', rng);
    }
    if (
      state.mode === 'per-instance' &&
      state.episode === null &&
      state.episodes >= ctx.train.length
    ) {
      return finish(state, 'all-tasks', rng);
    }
    if (state.step >= maxSteps) return finish(state, 'max-steps', rng);
    if (ctx.budget.exhausted()) return finish(state, 'budget', rng);
    state.rng = rng.getState();
    return state;
  } catch (e) {
    // A limit hit in the middle of an action: stop at the last complete step, not in an error.
    if (isBudgetError(e)) return finish(structuredClone(input), 'budget', Rng.fromState(input.rng));
    throw e;
  }
}

/** Upper bound on LLM calls (code generations for scoring plus action calls) for the New-run page. */
export function projectHybridCalls(
  mode: HybridMode,
  knobs: Record<string, KnobValue>,
  tasks: number,
): number {
  const steps = num(knobs, 'maxSteps');
  const horizon = num(knobs, 'horizon');
  // An LLM action asks once plus at most `maxReasks` times.
  const action = 1 + num(knobs, 'maxReasks');
  if (mode === 'transferable') {
    // The start prompt once on every task, then per step one new prompt scored on every task.
    const train = Math.min(tasks, num(knobs, 'trainTasks'));
    return train + steps * (train + action);
  }
  // Each task: its start prompt once, then up to `horizon` actions each scored on that task alone.
  return tasks + Math.min(steps, tasks * horizon) * (1 + action);
}

/** Per-instance mode: each task's own best prompt, for the run report (Optimizer.instanceResults). */
export function hybridInstanceResults(state: HybridState): OptimizerInstanceResult[] {
  return Object.entries(state.instances).map(([taskId, r]) => ({
    taskId,
    promptId: r.prompt.id,
    passed: r.strict >= 1,
  }));
}
