/**
 * Projections of a run's time for New run, Live and the quick demo, from the model's measured
 * speed on this device (core/speed.ts) and token counts: the run's own as it goes, before that
 * earlier answers of the same model, and failing those a stated assumption. Each projection
 * carries the sentence that says what it assumed; there is no fixed seconds-per-call anywhere.
 */
import {
  budgetWithin,
  callMs,
  speedProblem,
  type SpeedMeasure,
  type TokensPerCall,
} from '../core/speed';
import type { KnobValue } from '../core/types';
import type { Optimizer } from '../optimizers/types';
import { duration } from './format';

/** Answer length assumed before any answer of the model is known: a short function with prose. */
export const ASSUMED_ANSWER_TOKENS = 200;
/** Tokens the chat template and system framing add to a prompt. */
const TEMPLATE_TOKENS = 20;
/** English and code average about four characters per token in these tokenizers. */
const CHARS_PER_TOKEN = 4;

export interface TokenEstimate extends TokensPerCall {
  /** Where the counts come from, for the projection's sentence. */
  source: string;
}

/** Token counts assumed from the text a call carries, before any answer is known. */
export function assumedTokens(promptChars: number, maxTokens: number): TokenEstimate {
  return {
    prompt: Math.round(promptChars / CHARS_PER_TOKEN) + TEMPLATE_TOKENS,
    completion: Math.min(ASSUMED_ANSWER_TOKENS, maxTokens),
    source: `assumed: about ${CHARS_PER_TOKEN} characters per prompt token and ${Math.min(ASSUMED_ANSWER_TOKENS, maxTokens)}-token answers, as no answer of this model is known yet`,
  };
}

/** Average token counts of calls that were made, or undefined without any. */
export function averageTokens(
  usages: readonly { promptTokens: number; completionTokens: number }[],
  source: (n: number) => string,
): TokenEstimate | undefined {
  if (usages.length === 0) return undefined;
  const sum = usages.reduce((a, u) => ({ p: a.p + u.promptTokens, c: a.c + u.completionTokens }), {
    p: 0,
    c: 0,
  });
  return {
    prompt: sum.p / usages.length,
    completion: sum.c / usages.length,
    source: source(usages.length),
  };
}

export interface CallPlan {
  /** Optimization calls per seed the method projects (an upper bound). */
  perSeed: number;
  /** Optimization calls per seed after the call budget. */
  optimize: number;
  /**
   * Held-out calls per seed: initial and final prompt on every test task, `samples` each, plus the
   * validation grading of the final prompt (or of the top m candidates when selecting there).
   */
  heldout: number;
  calls: number;
  /** Set when the method's budget is below its floor (GEPA): what it buys, and what to give. */
  budgetWarning?: string;
}

export function planCalls(
  method: Optimizer,
  knobs: Record<string, KnobValue>,
  counts: { train: number; validation: number; test: number },
  seeds: number,
  samples: number,
  maxCalls: number | undefined,
  validationPrompts = 1,
): CallPlan {
  const perSeed = method.projectCalls(knobs, {
    train: counts.train,
    validation: counts.validation,
  });
  const optimize = Math.min(perSeed, maxCalls && maxCalls > 0 ? maxCalls : Infinity);
  const heldout = 2 * counts.test * samples + validationPrompts * counts.validation;
  const warning = method.checkBudget?.(
    knobs,
    { train: counts.train, validation: counts.validation },
    maxCalls,
  ).warning;
  return {
    perSeed,
    optimize,
    heldout,
    calls: seeds * (optimize + heldout),
    ...(warning ? { budgetWarning: warning } : {}),
  };
}

export interface TimeProjection {
  /** Undefined when the model's speed has not been measured on this device. */
  ms?: number;
  msPerCall?: number;
  /** What the projection assumed, in one or two sentences. */
  assumed: string;
}

/** Seconds with a decimal below a minute: calls often take less than one. */
export const perCall = (ms: number): string =>
  ms < 60_000 ? `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s` : duration(ms);

const rate = (tps: number): string => (tps >= 100 ? Math.round(tps).toString() : tps.toFixed(1));

export function speedText(speed: SpeedMeasure): string {
  return `${rate(speed.prefillTps)} prompt and ${rate(speed.decodeTps)} answer tokens/s measured on this device ${new Date(speed.measuredAt).toLocaleDateString()}`;
}

/**
 * Time for `calls` calls of `tokens` each at the measured `speed`, plus `gradingMs` per call
 * when the run has measured its grading.
 */
export function projectTime(
  calls: number,
  speed: SpeedMeasure | undefined,
  tokens: TokenEstimate,
  gradingMs?: number,
  /** Says where `speed` comes from when it was not measured here (the demo's prior). */
  speedLabel?: string,
): TimeProjection {
  if (!speed)
    return {
      assumed:
        "This model's speed has not been measured on this device yet: load it on Models (a short probe runs after loading) to see a time.",
    };
  // A prior (the demo's typical speed, measuredAt 0) was never probed, so has no probe to check.
  const problem = speed.measuredAt > 0 ? speedProblem(speed) : undefined;
  if (problem)
    return {
      assumed: `This model's stored speed cannot be used: ${problem}. Measure it again on Models to see a time.`,
    };
  const per = callMs(speed, tokens) + (gradingMs ?? 0);
  const grading =
    gradingMs === undefined
      ? ' Grading the code is not included.'
      : ` Grading adds ${perCall(gradingMs)} per call, as measured in this run.`;
  return {
    ms: calls * per,
    msPerCall: per,
    assumed: `${perCall(per)} per call: ${Math.round(tokens.prompt)} prompt + ${Math.round(tokens.completion)} answer tokens (${tokens.source}) at ${speedLabel ?? speedText(speed)}.${grading}`,
  };
}

/** A run that should finish within the hour on a slow device stays a little under it. */
export const HOUR_MS = 3_600_000;
const SUGGESTED_LIMIT_MS = 55 * 60_000;

export interface BudgetSuggestion {
  seeds: number;
  maxLlmCalls: number;
  /** Per seed, as the form's limit is. */
  maxMinutes: number;
  ms: number;
  /** The papers' defaults (the method's default knobs, three seeds, no call cap) on this device. */
  papers: { calls: number; ms: number };
}

/**
 * On a device where the papers' defaults take more than an hour at the measured `msPerCall`, a
 * budget that finishes within the hour; undefined on a fast device, or when even the held-out
 * report alone would take longer.
 */
export function suggestBudget(args: {
  method: Optimizer;
  counts: { train: number; validation: number; test: number };
  samples: number;
  msPerCall: number;
  paperSeeds: number;
}): BudgetSuggestion | undefined {
  const { method, counts, samples, msPerCall, paperSeeds } = args;
  const defaults = Object.fromEntries(method.info.knobs.map((k) => [k.name, k.default]));
  const papers = planCalls(method, defaults, counts, paperSeeds, samples, undefined);
  const papersMs = papers.calls * msPerCall;
  if (papersMs <= HOUR_MS) return undefined;
  const fit = budgetWithin({
    limitMs: SUGGESTED_LIMIT_MS,
    msPerCall,
    seeds: paperSeeds,
    perSeedCalls: papers.perSeed,
    heldoutCallsPerSeed: papers.heldout,
  });
  if (!fit) return undefined;
  return {
    seeds: fit.seeds,
    maxLlmCalls: fit.maxLlmCalls,
    maxMinutes: Math.ceil(SUGGESTED_LIMIT_MS / fit.seeds / 60_000),
    ms: fit.ms,
    papers: { calls: papers.calls, ms: papersMs },
  };
}

export interface LiveInput {
  plan: CallPlan;
  /** LLM calls the run has made so far, all seeds. */
  callsDone: number;
  /** Token counts of the run's own calls (recent ones), or undefined before its first. */
  runTokens?: TokenEstimate;
  /** Token counts to use before the run has any (assumed from its prompt). */
  fallbackTokens: TokenEstimate;
  speed?: SpeedMeasure;
  /** Grading time per LLM call measured in this run, when it has graded something. */
  gradingMs?: number;
  /** Time the run's time limit still allows, all seeds, when it has one. */
  limitMsLeft?: number;
}

/**
 * Time left in a running run: the calls its plan still allows at the measured speed and the
 * run's own token counts, or the time limit when that ends first. Calls are an upper bound (a
 * method may converge early), so the time is too.
 */
export function timeLeft(input: LiveInput): TimeProjection & { callsLeft: number } {
  const callsLeft = Math.max(0, input.plan.calls - input.callsDone);
  const time = projectTime(
    callsLeft,
    input.speed,
    input.runTokens ?? input.fallbackTokens,
    input.gradingMs,
  );
  const head = `At most ${callsLeft.toLocaleString()} of ${input.plan.calls.toLocaleString()} planned calls left, `;
  if (time.ms !== undefined && input.limitMsLeft !== undefined && input.limitMsLeft < time.ms)
    return {
      ...time,
      ms: input.limitMsLeft,
      callsLeft,
      assumed: `${head}but the run's time limit ends first. ${time.assumed}`,
    };
  return { ...time, callsLeft, assumed: head + 'each ' + time.assumed };
}
