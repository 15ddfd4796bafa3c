/**
 * The default way a prompt is scored on tasks, over the two ports:
 * prompt → messages (core/prompting) → LlmPort.complete (purpose `generate`) → extract code
 * (core/extract) → ExecPort.run → TaskScore.
 *
 * Every graded answer is memoized per (prompt id, task id, sample) in an EvaluationLog, so an
 * identical prompt is never scored twice. The runner passes a log backed by IndexedDB (so resume
 * replays nothing); tests and scripts use the in-memory one. Racing stops scoring a candidate once
 * it can no longer strictly beat the best so far.
 */
import { requireExpectedOutputs } from '../core/expected-outputs';
import { BudgetMeter } from '../core/budget';
import { answerTokens } from '../core/code-stop';
import { buildProgram } from '../core/extract';
import type { EmbedPort, ExecPort, LlmPort } from '../core/ports';
import { promptMessages } from '../core/prompting';
import { feedbackFor } from './feedback';
import type {
  Budget,
  ChatMessage,
  Completion,
  CompletionRequest,
  PromptCandidate,
  SamplingParams,
  Task,
  TokenUsage,
} from '../core/types';
import type {
  OptimizerContext,
  OptimizerEvent,
  PromptScore,
  ScoreOptions,
  TaskScore,
} from './types';

export interface EvalKey {
  promptId: string;
  taskId: string;
  sample: number;
}

/** Where graded answers are looked up before and recorded after scoring. */
export interface EvaluationLog {
  get(key: EvalKey): Promise<TaskScore | undefined> | TaskScore | undefined;
  /**
   * Whether `get` would find the key, with none of `get`'s side effects (a persistent log charges
   * the budget on first lookup). Used to decide what to ask the model ahead of time.
   */
  has?(key: EvalKey): Promise<boolean> | boolean;
  put(key: EvalKey, score: TaskScore, prompt: PromptCandidate, task: Task): Promise<void> | void;
}

export const evalKeyString = (k: EvalKey): string =>
  `${k.promptId}\u0000${k.taskId}\u0000${k.sample}`;

export function memoryEvaluationLog(): EvaluationLog & { readonly size: number } {
  const map = new Map<string, TaskScore>();
  return {
    get: (k) => map.get(evalKeyString(k)),
    has: (k) => map.has(evalKeyString(k)),
    put: (k, score) => void map.set(evalKeyString(k), score),
    get size() {
      return map.size;
    },
  };
}

/** The part of a budget meter the scorer needs. */
export interface Meter {
  record(usage: TokenUsage): void;
  exhausted(): boolean;
}

export interface ScorerDeps {
  llm: LlmPort;
  exec: ExecPort;
  /** Sampling for code generation; pass@1 uses temperature 0. */
  generate: SamplingParams;
  /** Memo of graded answers; default in-memory. `null` turns memoization off (benchmarks). */
  log?: EvaluationLog | null;
  meter?: Meter;
  signal?: AbortSignal;
  testTimeoutMs?: number;
  /** Honour ScoreOptions.race (default true); false scores every task (benchmarks, audits). */
  racing?: boolean;
  /**
   * Spend tokens only on code (issue 16): ask engines to stop at the closing fence of the block
   * that holds the entry point, and derive each task's max_tokens from its reference solution
   * (core/code-stop.ts). Off by default (tests and benches pin their requests); the runner turns
   * it on.
   */
  codeOnly?: boolean;
  /** Called for every answer that reached the model (not for memo hits). */
  onEvaluation?: (e: { key: EvalKey; score: TaskScore; request: CompletionRequest }) => void;
}

export type ScoreFn = OptimizerContext['score'];

/**
 * The request for sample `sample`. At temperature > 0 each sample gets its own fixed seed so a
 * repeated or resumed run sends byte-identical requests and hits the completion cache.
 */
export function generationRequest(
  prompt: string,
  task: Task,
  sampling: SamplingParams,
  sample: number,
  followUp: ChatMessage[] = [],
): CompletionRequest {
  const s: SamplingParams = { ...sampling };
  if (s.temperature > 0) s.seed = ((sampling.seed ?? 0) + sample) >>> 0;
  return {
    messages: [...promptMessages(prompt, task), ...followUp],
    sampling: s,
    purpose: 'generate',
  };
}

function aggregate(promptId: string, perTask: TaskScore[], complete: boolean): PromptScore {
  const n = perTask.length;
  const strict = n === 0 ? 0 : perTask.filter((t) => t.passed).length / n;
  const soft = n === 0 ? 0 : perTask.reduce((a, t) => a + t.soft, 0) / n;
  return { promptId, strict, soft, perTask, complete };
}

interface LookaheadOptions {
  deps: ScorerDeps;
  log: EvaluationLog | null;
  prompt: PromptCandidate;
  tasks: readonly Task[];
  samples: number;
  first: number;
  followUp: ScoreOptions['followUp'];
  worthAsking: (taskIndex: number) => boolean;
}

/**
 * Keeps up to `llm.concurrency` answers in flight while the scorer grades in its own order: when
 * the scorer reaches item j (task-major, then sample), the requests of items j … j+2c-1 are
 * announced to the port (`prefetch`), unless their grade is already stored. The port runs c of
 * them at a time; announcing twice as many keeps it at c while the scorer waits on a slow item
 * whose successors already finished. Only the timing changes; what is asked, recorded and
 * charged stays the one-at-a-time sequence, so a run is identical at any concurrency.
 */
function lookahead(o: LookaheadOptions): { reach(item: number): Promise<void>; close(): void } {
  const { deps, log, prompt, tasks, samples, first } = o;
  const c = deps.llm.concurrency ?? 1;
  const prefetch = deps.llm.prefetch?.bind(deps.llm);
  const scope = new AbortController();
  const stop = (): void => scope.abort();
  deps.signal?.addEventListener('abort', stop, { once: true });
  const count = tasks.length * samples;
  let announced = 0;
  return {
    async reach(item) {
      if (!prefetch || c <= 1) return;
      // The item itself first: the port starts announced requests in order, and the one the
      // scorer waits on must not queue behind its successors.
      announced = Math.max(announced, item);
      while (announced < Math.min(count, item + 2 * c)) {
        const j = announced++;
        const t = Math.floor(j / samples);
        const task = tasks[t] as Task;
        const sample = first + (j % samples);
        if (scope.signal.aborted || deps.meter?.exhausted() || !o.worthAsking(t)) return;
        const key: EvalKey = { promptId: prompt.id, taskId: task.id, sample };
        if (log?.has ? await log.has(key) : false) continue;
        const request = generationRequest(
          prompt.text,
          task,
          deps.generate,
          sample,
          o.followUp?.(task),
        );
        await prefetch(request, scope.signal);
      }
    },
    close() {
      deps.signal?.removeEventListener('abort', stop);
      scope.abort();
    },
  };
}

export function createScorer(deps: ScorerDeps): ScoreFn {
  const log = deps.log === undefined ? memoryEvaluationLog() : deps.log;
  const racing = deps.racing ?? true;
  const ready = new WeakSet<Task>();

  async function scoreOne(
    prompt: PromptCandidate,
    task: Task,
    sample: number,
    followUp: ChatMessage[] | undefined,
  ): Promise<TaskScore | 'budget'> {
    const key: EvalKey = { promptId: prompt.id, taskId: task.id, sample };
    const memo = log ? await log.get(key) : undefined;
    if (memo) return memo;
    // Never grade against outputs that were never computed: every answer would fail, silently.
    if (!ready.has(task)) {
      requireExpectedOutputs([task]);
      ready.add(task);
    }
    if (deps.meter?.exhausted()) return 'budget';
    deps.signal?.throwIfAborted();
    const request = generationRequest(prompt.text, task, deps.generate, sample, followUp);
    if (deps.codeOnly) {
      request.sampling.max_tokens = answerTokens(task, request.sampling.max_tokens);
      request.stopAtCode = {
        ...(task.entryPoint ? { entryPoint: task.entryPoint } : {}),
        completionStyle: task.completionStyle,
      };
    }
    const completion: Completion = await deps.llm.complete(request, deps.signal);
    if (!completion.cached) deps.meter?.record(completion.usage);
    const built = buildProgram(task, completion.text);
    const job = {
      program: built.program,
      tests: task.tests,
      ...(deps.testTimeoutMs ? { testTimeoutMs: deps.testTimeoutMs } : {}),
    };
    const result = await deps.exec.run(job, deps.signal);
    const score: TaskScore = {
      taskId: task.id,
      sample,
      passed: result.passed,
      soft: result.soft,
      code: built.code,
      result,
      completion,
    };
    if (log) await log.put(key, score, prompt, task);
    deps.onEvaluation?.({ key, score, request });
    return score;
  }

  return async (prompt, tasks, opts: ScoreOptions = {}) => {
    const samples = opts.samples ?? 1;
    const first = opts.firstSample ?? 0;
    const race = racing ? opts.race : undefined;
    const weights = race?.weights ?? tasks.map(() => 1);
    if (weights.length !== tasks.length) {
      throw new RangeError(`race weights (${weights.length}) must match tasks (${tasks.length})`);
    }
    const total = weights.reduce((a, w) => a + w, 0);
    let remaining = total;
    let gained = 0;
    const perTask: TaskScore[] = [];
    const ahead = lookahead({
      deps,
      log,
      prompt,
      tasks,
      samples,
      first,
      followUp: opts.followUp,
      // A task is asked ahead only if racing cannot stop before it even when all before it fail.
      worthAsking: (t) => {
        if (!race || total <= 0) return true;
        let before = 0;
        for (let u = 0; u < t; u++) before += weights[u] as number;
        return t === 0 || (gained + total - before) / total > race.beat;
      },
    });
    try {
      for (let i = 0; i < tasks.length; i++) {
        const task = tasks[i] as Task;
        const follow = opts.followUp?.(task);
        let passes = 0;
        for (let s = first; s < first + samples; s++) {
          await ahead.reach(i * samples + (s - first));
          const r = await scoreOne(prompt, task, s, follow);
          if (r === 'budget')
            return { ...aggregate(prompt.id, perTask, false), stoppedBy: 'budget' };
          perTask.push(r);
          if (r.passed) passes += 1;
        }
        const w = weights[i] as number;
        remaining -= w;
        gained += (w * passes) / samples;
        // Racing: even passing every remaining task cannot lift this prompt strictly above `beat`.
        if (
          race &&
          i < tasks.length - 1 &&
          total > 0 &&
          (gained + remaining) / total <= race.beat
        ) {
          return { ...aggregate(prompt.id, perTask, false), stoppedBy: 'race' };
        }
      }
      return aggregate(prompt.id, perTask, true);
    } finally {
      ahead.close();
    }
  };
}

export interface DirectContextOptions {
  llm: LlmPort;
  exec: ExecPort;
  train: readonly Task[];
  validation?: readonly Task[];
  budget?: Budget;
  /** Injected clock for the minutes limit (tests drive it by hand). */
  clock?: () => number;
  generate?: SamplingParams;
  log?: EvaluationLog | null;
  racing?: boolean;
  embed?: EmbedPort;
  /** Context-window measure (a ContextGuard's `fit`), so methods trim to fit. */
  fit?: OptimizerContext['fit'];
  signal?: AbortSignal;
  testTimeoutMs?: number;
  onEvent?: (e: OptimizerEvent) => void;
  onEvaluation?: ScorerDeps['onEvaluation'];
}

/** Default generation sampling: greedy, so pass@1 is deterministic and cacheable. */
export const GREEDY: SamplingParams = { temperature: 0, max_tokens: 1024 };

/**
 * An OptimizerContext straight over the ports, for tests, benches and scripts. The runner builds
 * its own (persistent log, checkpoints, progress events) from the same pieces.
 */
export function createDirectContext(o: DirectContextOptions): OptimizerContext & {
  meter: BudgetMeter;
  events: OptimizerEvent[];
} {
  requireExpectedOutputs([...o.train, ...(o.validation ?? [])]);
  const meter = new BudgetMeter(o.budget ?? {}, o.clock ?? Date.now);
  const signal = o.signal ?? new AbortController().signal;
  const events: OptimizerEvent[] = [];
  const score = createScorer({
    llm: o.llm,
    exec: o.exec,
    generate: o.generate ?? GREEDY,
    meter,
    signal,
    ...(o.log !== undefined ? { log: o.log } : {}),
    ...(o.racing !== undefined ? { racing: o.racing } : {}),
    ...(o.testTimeoutMs !== undefined ? { testTimeoutMs: o.testTimeoutMs } : {}),
    ...(o.onEvaluation ? { onEvaluation: o.onEvaluation } : {}),
  });
  return {
    train: o.train,
    validation: o.validation ?? [],
    async complete(req) {
      meter.assertAvailable();
      signal.throwIfAborted();
      const c = await o.llm.complete(req, signal);
      if (!c.cached) meter.record(c.usage);
      return c;
    },
    score,
    feedback: feedbackFor(o.train, o.validation ?? []),
    ...(o.embed ? { embed: o.embed } : {}),
    ...(o.fit ? { fit: o.fit } : {}),
    budget: meter,
    signal,
    emit(e) {
      events.push(e);
      o.onEvent?.(e);
    },
    meter,
    events,
  };
}
