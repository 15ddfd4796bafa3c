/**
 * Pieces every method shares: prompt candidates with content ids, parsing of the LLM's wrapped
 * answers, deterministic meta-requests, the budget guard around a step, task examples for
 * meta-prompts, and the shape of a round (start on a training sample, write candidates, score
 * them into a pool, end the round), so each method's own module reads as its paper describes it.
 */
import { BudgetExhaustedError } from '../core/budget';
import { sha256 } from '../core/hash';
import { Rng, type RngState } from '../core/rng';
import type {
  ChatMessage,
  Completion,
  CompletionRequest,
  PromptCandidate,
  Purpose,
  Task,
} from '../core/types';
import { normalizeWhitespace } from '../core/text';
import { parseTagged } from './answer-parsing';
import { num, readKnobs, type KnobValues } from './knobs';
import { notAnInstruction } from './proposal-check';
import type { BaseState, InitArgs, KnobSpec, OptimizerContext, PromptScore } from './types';

/** A candidate whose id is the content hash of its whitespace-normalized text. */
export async function makeCandidate(
  text: string,
  parents: string[],
  operator: string,
  step: number,
  feedback?: string,
): Promise<PromptCandidate> {
  const clean = normalizeWhitespace(text);
  const c: PromptCandidate = { id: await sha256(clean), text: clean, parents, operator, step };
  if (feedback) c.feedback = feedback;
  return c;
}

/**
 * A request for the optimizer side of the LLM (mutate, rewrite, judge). At temperature > 0 its
 * seed comes from the method's RNG, so a repeated or resumed run sends identical requests.
 */
export function metaRequest(
  prompt: string,
  opts: { temperature: number; rng: Rng; purpose?: Purpose; maxTokens?: number; system?: string },
): CompletionRequest {
  const messages: CompletionRequest['messages'] = [];
  if (opts.system) messages.push({ role: 'system', content: opts.system });
  messages.push({ role: 'user', content: prompt });
  return {
    messages,
    sampling: {
      temperature: opts.temperature,
      max_tokens: opts.maxTokens ?? 512,
      ...(opts.temperature > 0 ? { seed: opts.rng.nextU32() } : {}),
    },
    purpose: opts.purpose ?? 'mutate',
  };
}

export { parseDoubleBraces, parseTagged } from './answer-parsing';

/**
 * Ask for a prompt wrapped in a known format and re-ask (bounded) while the answer is malformed.
 * Each re-ask draws a fresh seed from the RNG. Returns the parsed text, or undefined when every
 * attempt failed, plus the completions for the record.
 */
export async function askParsed(
  ctx: OptimizerContext,
  build: () => CompletionRequest,
  parse: (text: string) => string | undefined,
  maxReasks: number,
): Promise<{ text: string | undefined; attempts: Completion[] }> {
  const attempts: Completion[] = [];
  for (let i = 0; i <= maxReasks; i++) {
    if (ctx.budget.exhausted()) break;
    const c = await ctx.complete(build());
    attempts.push(c);
    const parsed = parse(c.text);
    if (parsed !== undefined) return { text: parsed, attempts };
  }
  return { text: undefined, attempts };
}

/**
 * Ask for a prompt between `tags` (APE's and OPRO's `<INS>`, EvoPrompt's `<prompt>`), with one
 * re-ask when the answer lacks them or is no instruction (code, a task, a copy of the request
 * beyond the prompts it showed, `shown`, advice about the prompt: proposal-check.ts). Undefined
 * when both answers were.
 */
export async function askTagged(
  ctx: OptimizerContext,
  meta: string,
  tags: readonly [open: string, close: string],
  opts: { temperature: number; rng: Rng; purpose?: Purpose; shown: readonly string[] },
): Promise<string | undefined> {
  const { text } = await askParsed(
    ctx,
    () => metaRequest(meta, opts),
    (x) => {
      const t = parseTagged(x, tags[0], tags[1]);
      return t !== undefined && notAnInstruction(t, meta, opts.shown) === undefined ? t : undefined;
    },
    1,
  );
  return text;
}

/** Mark a state finished. */
export function finish<S extends BaseState>(s: S, reason: string): S {
  s.done = true;
  s.stopReason = reason;
  return s;
}

/**
 * Run one step on a private copy of the state (the input is never mutated, so a crashed step can
 * be re-run from the same checkpoint), and turn a spent budget into a clean stop.
 */
export async function guardedStep<S extends BaseState>(
  state: S,
  ctx: OptimizerContext,
  body: (s: S) => Promise<S>,
): Promise<S> {
  const s = structuredClone(state);
  if (s.done) return s;
  if (ctx.budget.exhausted()) return finish(s, 'budget');
  try {
    return await body(s);
  } catch (e) {
    if (e instanceof BudgetExhaustedError) return finish(structuredClone(state), 'budget');
    throw e;
  }
}

/** `k` distinct items chosen with the RNG, in a stable order (the order of `items`). */
export function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  if (k >= items.length) return items.slice();
  const idx = rng
    .shuffle(items.map((_, i) => i))
    .slice(0, k)
    .sort((a, b) => a - b);
  return idx.map((i) => items[i] as T);
}

/** A few task examples for a meta-prompt: the task text and whether the prompt solved it. */
export function describeTasks(tasks: readonly Task[], score?: PromptScore, maxChars = 600): string {
  return tasks
    .map((t, i) => {
      const text = t.prompt.length > maxChars ? `${t.prompt.slice(0, maxChars)}…` : t.prompt;
      const res = score?.perTask.find((p) => p.taskId === t.id);
      const verdict = res
        ? res.passed
          ? 'solved'
          : `failed (${Math.round(res.soft * 100)}% of tests passed)`
        : '';
      return `Example ${i + 1}${verdict ? ` — ${verdict}` : ''}:\n${text.trim()}`;
    })
    .join('\n\n');
}

/** Score as a percentage string for meta-prompts. */
export const pct = (x: number): string => `${Math.round(x * 1000) / 10}`;

/** A strict score that can be compared: racing or a spent budget make a score unusable. */
export function usable(score: PromptScore): boolean {
  return score.complete;
}

/** A scored prompt in a method's pool. */
export interface Scored {
  prompt: PromptCandidate;
  score: number;
}

/** Score `prompts` in order; stop early (undefined) when the budget ran out. */
export async function scoreAll(
  ctx: OptimizerContext,
  prompts: readonly PromptCandidate[],
  tasks: readonly Task[],
  step: number,
): Promise<Scored[] | undefined> {
  const out: Scored[] = [];
  for (const p of prompts) {
    const sc = await ctx.score(p, tasks);
    if (sc.stoppedBy === 'budget') return undefined;
    ctx.emit({ type: 'scored', step, prompt: p, score: sc });
    out.push({ prompt: p, score: sc.strict });
  }
  return out;
}

/** Best of a pool; ties keep the earlier entry. */
export function bestOf(pool: readonly Scored[]): Scored | undefined {
  return pool.reduce<Scored | undefined>(
    (a, b) => (a === undefined || b.score > a.score ? b : a),
    undefined,
  );
}

/** Unique by prompt id, first occurrence kept. */
export function uniqueById(pool: readonly Scored[]): Scored[] {
  const seen = new Set<string>();
  return pool.filter((s) => (seen.has(s.prompt.id) ? false : (seen.add(s.prompt.id), true)));
}

/** Update `state.best` from a pool and emit `best` when it changed. */
export function updateBest(
  s: BaseState,
  pool: readonly Scored[],
  ctx: OptimizerContext,
  step: number,
): void {
  const b = bestOf(pool);
  if (!b) return;
  if (!s.best || b.score > s.best.score) {
    s.best = { prompt: b.prompt, score: b.score };
    ctx.emit({ type: 'best', step, prompt: b.prompt, score: b.score });
  }
}

/**
 * The fields every method's state starts with: step 0, the seeded RNG as drawn so far, no best.
 * Spread first into a method's initial state, so checkpoints keep one key order.
 */
export function startState(rng: Rng): { v: 1; step: 0; rng: RngState; best: null; done: false } {
  return { v: 1, step: 0, rng: rng.getState(), best: null, done: false };
}

/**
 * Close a round: record its step and the RNG, and stop with the first of `stops` (reason →
 * condition, in priority order) that holds.
 */
export function endRound<S extends BaseState>(
  s: S,
  step: number,
  rng: Rng,
  stops: Record<string, boolean>,
): S {
  s.step = step;
  s.rng = rng.getState();
  const reason = Object.keys(stops).find((r) => stops[r]);
  return reason === undefined ? s : finish(s, reason);
}

/**
 * Score new candidates, fold them into the method's pool with `keep` (which sees the scored
 * candidates), and move `s.best` to the pool's best. Undefined when the budget ran out.
 */
export async function scoreIntoPool(
  ctx: OptimizerContext,
  s: BaseState,
  candidates: readonly PromptCandidate[],
  tasks: readonly Task[],
  step: number,
  keep: (scored: Scored[]) => Scored[],
): Promise<Scored[] | undefined> {
  const scored = await scoreAll(ctx, candidates, tasks, step);
  if (!scored) return undefined;
  const pool = keep(scored);
  updateBest(s, pool, ctx, step);
  return pool;
}

/** Sorts a pool in place, best first; the sort is stable, so equal scores keep their order. */
export const byScore = (pool: Scored[]): Scored[] => pool.sort((a, b) => b.score - a.score);

/** What a conversation's judge says of an answer: take this text, or ask again with this turn. */
export type Verdict = { accept: string } | { reask: string };

/**
 * Ask for a prompt in one conversation and re-ask, at most `maxReasks` times, while `judge`
 * refuses the answer: the refused answer and the judge's reply are appended, so the LLM sees why
 * (Prochemy's malformed `{{ }}`, GPO's over-budget edits). Each request draws a fresh seed from
 * the RNG when sampling. Undefined when every attempt was refused or the budget ran out.
 */
export async function askInConversation(
  ctx: OptimizerContext,
  rng: Rng,
  meta: string,
  o: { temperature: number; maxReasks: number },
  judge: (text: string) => Verdict,
): Promise<string | undefined> {
  const messages: ChatMessage[] = [{ role: 'user', content: meta }];
  for (let attempt = 0; attempt <= o.maxReasks; attempt++) {
    if (ctx.budget.exhausted()) return undefined;
    const c = await ctx.complete({
      messages: messages.slice(),
      sampling: {
        temperature: o.temperature,
        max_tokens: 512,
        ...(o.temperature > 0 ? { seed: rng.nextU32() } : {}),
      },
      purpose: 'mutate',
    });
    const verdict = judge(c.text);
    if ('accept' in verdict) return verdict.accept;
    messages.push({ role: 'assistant', content: c.text }, { role: 'user', content: verdict.reask });
  }
  return undefined;
}

/**
 * Write `n` candidates that all descend from `parent`, one `write` each, announcing each as
 * proposed. A refused write (undefined) is noted with `refusal(i)` and skipped. Undefined when the
 * budget ran out.
 */
export async function writeCandidates(
  ctx: OptimizerContext,
  o: { n: number; parent: PromptCandidate; operator: string; step: number },
  write: () => Promise<string | undefined>,
  refusal: (i: number) => string,
): Promise<PromptCandidate[] | undefined> {
  const out: PromptCandidate[] = [];
  for (let i = 0; i < o.n; i++) {
    const text = await write();
    if (text === undefined) {
      if (ctx.budget.exhausted()) return undefined;
      ctx.emit({ type: 'note', step: o.step, message: refusal(i) });
      continue;
    }
    const c = await makeCandidate(text, [o.parent.id], o.operator, o.step);
    out.push(c);
    ctx.emit({ type: 'proposed', step: o.step, prompt: c });
  }
  return out;
}

export class TrainingSetError extends Error {
  override readonly name = 'TrainingSetError';
}

/** The state a method that scores on a fixed sample of training tasks starts with. */
export interface TrainingStart {
  v: 1;
  step: 0;
  rng: RngState;
  best: null;
  done: false;
  knobs: KnobValues;
  trainIds: string[];
}

/**
 * The start of a method that scores on `trainTasks` training tasks drawn with the seeded RNG:
 * its checked knobs (a KnobError names `label`), the ids of the drawn tasks (TrainingSetError
 * `missing` when there are none), and the base state fields.
 */
export function startOnTraining(
  args: InitArgs,
  train: readonly Task[],
  o: { knobs: readonly KnobSpec[]; label: string; missing: string; optional?: boolean },
): TrainingStart {
  const knobs = readKnobs(o.knobs, args.knobs, o.label);
  const rng = Rng.seeded(args.seed);
  const trainIds = sample(rng, train, num(knobs, 'trainTasks')).map((t) => t.id);
  if (trainIds.length === 0 && !o.optional) throw new TrainingSetError(o.missing);
  return { ...startState(rng), knobs, trainIds };
}

/** What a round over a method's training sample starts from. */
export interface Round {
  /** The RNG as the state left it; the body stores it back (endRound does). */
  rng: Rng;
  /** This round's number, 1-based. */
  step: number;
  tasks: Task[];
}

/** guardedStep for methods with a training sample: the body gets the RNG, round and tasks. */
export function trainingRound<S extends BaseState & { trainIds: string[] }>(
  state: S,
  ctx: OptimizerContext,
  body: (s: S, r: Round) => Promise<S>,
): Promise<S> {
  return guardedStep(state, ctx, (s) =>
    body(s, { rng: Rng.fromState(s.rng), step: s.step + 1, tasks: tasksById(ctx, s.trainIds) }),
  );
}

/** The tasks of a stored training set, from the context; a vanished task is a named error. */
export function tasksById(ctx: OptimizerContext, ids: readonly string[]): Task[] {
  const all = new Map([...ctx.train, ...ctx.validation].map((t) => [t.id, t]));
  return ids.map((id) => {
    const t = all.get(id);
    if (!t) {
      throw new TrainingSetError(
        `Task ${id} of this run's training set is no longer in the task set. Re-import the dataset or start a new run.`,
      );
    }
    return t;
  });
}
