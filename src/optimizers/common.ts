/**
 * Pieces every method shares: prompt candidates with content ids, parsing of the LLM's wrapped
 * answers, deterministic meta-requests, the budget guard around a step, and task examples for
 * meta-prompts.
 */
import { BudgetExhaustedError } from '../core/budget';
import { sha256 } from '../core/hash';
import type { Rng } from '../core/rng';
import type {
  Completion,
  CompletionRequest,
  ExecResult,
  PromptCandidate,
  Purpose,
  Task,
} from '../core/types';
import { normalizeWhitespace } from '../core/text';
import type { BaseState, OptimizerContext, PromptScore } from './types';

/** A candidate whose id is the content hash of its whitespace-normalized text. */
export async function makeCandidate(
  text: string,
  parents: string[],
  operator: string,
  step: number,
): Promise<PromptCandidate> {
  const clean = normalizeWhitespace(text);
  return { id: await sha256(clean), text: clean, parents, operator, step };
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

/** The text inside the last `{{ … }}` pair (Prochemy's wrapper), or undefined when malformed. */
export function parseDoubleBraces(text: string): string | undefined {
  const matches = [...text.matchAll(/\{\{([\s\S]*?)\}\}(?!\})/g)];
  const last = matches[matches.length - 1];
  const inner = last?.[1]?.trim();
  return inner ? inner : undefined;
}

/** The text between `open` and `close` tags (last pair), or undefined. */
export function parseTagged(text: string, open: string, close: string): string | undefined {
  const end = text.lastIndexOf(close);
  if (end < 0) return undefined;
  const start = text.lastIndexOf(open, end);
  if (start < 0) return undefined;
  const inner = text.slice(start + open.length, end).trim();
  return inner === '' ? undefined : inner;
}

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

/** Test feedback as the LLM sees it: the failing tests and their messages, capped. */
export function formatFeedback(result: ExecResult, max = 5): string {
  if (result.setupError) return `The program failed before any test ran: ${result.setupError}`;
  const failing = result.tests.filter((t) => t.outcome !== 'passed');
  if (failing.length === 0) return 'All tests passed.';
  const lines = failing
    .slice(0, max)
    .map((t) => `- ${t.name}: ${t.outcome}${t.message ? ` (${t.message})` : ''}`);
  if (failing.length > max) lines.push(`- … and ${failing.length - max} more failing tests`);
  return `${result.tests.length - failing.length} of ${result.tests.length} tests passed. Failing:\n${lines.join('\n')}`;
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

export class TrainingSetError extends Error {
  override readonly name = 'TrainingSetError';
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
