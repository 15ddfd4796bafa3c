/**
 * The domain vocabulary of Athanor. Plain data only: everything here is serializable with
 * structuredClone and JSON, because it crosses worker boundaries, lands in IndexedDB and is
 * exported in run bundles.
 */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

// ---------------------------------------------------------------------------------------------
// Tasks and their tests
// ---------------------------------------------------------------------------------------------

/**
 * One call of the entry point with JSON-encoded arguments (EvalPlus style). Values use the
 * lossless encoding of Python values in docs/sandbox.md ("Values of io tests"): plain JSON for
 * None/bool/str/list/str-keyed dict/ints within 2^53/non-integral floats, tagged one-key objects
 * (`{"$tuple": [...]}`, `$set`, `$frozenset`, `$int`, `$float`, `$dict`, `$complex`, `$bytes`)
 * for the rest.
 */
export interface IoCase {
  /** Positional arguments, already re-typed where the importer knows better than JSON. */
  args: unknown[];
  /**
   * The expected return value, computed once from the reference solution. `undefined` until the
   * task is validated (validation fills it by running the reference with `ExecJob.collect`).
   */
  expected: unknown;
  /**
   * EvalPlus: the reference's own time on this input (ms), measured when the task was validated.
   * The case's time limit is derived from it (src/executor/time-limits.ts).
   */
  refMs?: number;
}

/**
 * EvalPlus's special oracles (evalplus/eval `check_output`), for tasks where output equality is
 * not the right test: HumanEval/32 `find_zero` (|poly(xs, out)| <= atol), MBPP+ `are_equivalent`
 * (any output), `sum_div` (or 0), `surface_area` / `digit_distance_nums` (or the formula's value),
 * `set_eq` (set(out) == set(expected)), `not_none` (expected holds `output is not None`).
 */
export type IoOracle =
  | 'find_zero'
  | 'are_equivalent'
  | 'sum_div'
  | 'surface_area'
  | 'digit_distance_nums'
  | 'set_eq'
  | 'not_none';

export interface StdioCase {
  stdin: string;
  stdout: string;
}

/**
 * How a task's tests are written. Each kind is graded by the executor's harness; see
 * docs/sandbox.md for what each one guarantees.
 */
export type TestSpec =
  /** HumanEval: `source` defines `check(candidate)`; top-level asserts inside it are the tests. */
  | { kind: 'check'; source: string; entryPoint: string }
  /** MBPP: each assert is one test; `setup` runs after the program (imports, helper classes). */
  | { kind: 'asserts'; setup: string; asserts: string[] }
  /** EvalPlus: call `entryPoint(*args)` and compare with `expected`, floats within `atol`. */
  | {
      kind: 'io';
      entryPoint: string;
      cases: IoCase[];
      atol: number;
      oracle?: IoOracle;
      /** EvalPlus: cases from this index on are `plus_input` (before it, `base_input`). */
      plusFrom?: number;
    }
  /** APPS: run the program with stdin, compare stdout. */
  | { kind: 'stdio'; cases: StdioCase[]; compare: 'exact' | 'whitespace' };

export type TestKind = TestSpec['kind'];

export type Difficulty = 'easy' | 'medium' | 'hard';

export type TaskOrigin =
  | { kind: 'real' }
  /** Written by the LLM from a parent task (Prochemy's training-set augmentation). */
  | { kind: 'mutated'; parentId: string; runId?: string };

export interface Task {
  /** Unique in the app: `${datasetId}/${sourceId}`. */
  id: string;
  datasetId: string;
  /** The id the source dataset gives, e.g. `HumanEval/0` or `11`. */
  sourceId: string;
  title: string;
  /** The text shown to the model. */
  prompt: string;
  style: 'function' | 'stdio';
  /**
   * When true the prompt is code (a signature and docstring) that the model's answer continues,
   * as in HumanEval; a graded program is then `prompt + completion` unless the completion
   * restates the function.
   */
  completionStyle: boolean;
  entryPoint?: string;
  signature?: string;
  tests: TestSpec;
  /** A complete runnable program that passes `tests`. */
  reference?: string;
  tags: string[];
  difficulty?: Difficulty;
  origin: TaskOrigin;
  source: { dataset: string; license: string; url?: string };
}

// ---------------------------------------------------------------------------------------------
// Prompts
// ---------------------------------------------------------------------------------------------

/** A prompt an optimizer proposed, with how it came to be. */
export interface PromptCandidate {
  /** Content hash of `text`, so identical prompts share an id (and a score). */
  id: string;
  text: string;
  /** Ids of the prompts this one was made from (empty for a seed). */
  parents: string[];
  /** What made it: `seed`, `generate`, `mutate`, `crossover`, `rewrite`, `edit`, ... */
  operator: string;
  /** Optimizer step (round) that proposed it. */
  step: number;
  /**
   * The execution feedback that prompted it, as the optimizer model read it (reflective methods:
   * GEPA, PPO's direct generation), capped. Shown with the family tree.
   */
  feedback?: string;
}

// ---------------------------------------------------------------------------------------------
// LLM requests
// ---------------------------------------------------------------------------------------------

export type Purpose = 'generate' | 'mutate' | 'rewrite' | 'judge';

export interface SamplingParams {
  temperature: number;
  top_p?: number;
  /** A fixed seed makes sampling at temperature > 0 repeatable on engines that honour it. */
  seed?: number;
  max_tokens: number;
  stop?: string[];
}

export interface CompletionRequest {
  messages: ChatMessage[];
  sampling: SamplingParams;
  purpose: Purpose;
  /** Per-request time limit; the engine aborts and rejects with a TimeoutError past it. */
  timeoutMs?: number;
  /**
   * Stop generating once the answer's code is complete (core/code-stop.ts): engines that stream
   * end the answer at the closing fence of the block that defines this entry point. Not part of
   * the cache key: a full answer and a stopped one extract to the same program.
   */
  stopAtCode?: { entryPoint?: string; completionStyle?: boolean };
}

export type FinishReason = 'stop' | 'length' | 'abort';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface Completion {
  text: string;
  usage: TokenUsage;
  /** Wall time the engine spent on this answer (0 for a cache hit). */
  latencyMs: number;
  /** The model that answered. */
  model: string;
  finishReason: FinishReason;
  /** Set by the completion cache when the answer came from it, not from the model. */
  cached?: boolean;
  /** A cached answer: the engine's wall time when the model first wrote it. */
  firstLatencyMs?: number;
  /**
   * The engine ended the answer itself once its code was complete (core/code-stop.ts): a
   * legitimate early end, kept apart from a model's own stop and from a server cutting it short.
   */
  stoppedAtCode?: boolean;
  /** Token counts made here (characters, streamed pieces), because the engine reported none. */
  usageEstimated?: boolean;
  /**
   * A model server cut this request short (no finish reason, an empty answer, a dropped request)
   * `count` times before it came back whole; `reason` says how the last attempt ended.
   */
  retried?: { count: number; reason: string };
}

// ---------------------------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------------------------

export interface ExecJob {
  /** The program under test: the model's code, already extracted. */
  program: string;
  tests: TestSpec;
  /** Limit for one test; default 3000 ms. */
  testTimeoutMs?: number;
  /** Limit for the whole job; default 10 × testTimeoutMs. */
  jobTimeoutMs?: number;
  /**
   * `io` tests only: return each call's value in `TestVerdict.actual`. Why: expected outputs are
   * computed once, by running the reference with this set, instead of at every grading.
   */
  collect?: boolean;
}

/**
 * `not-run`: the test was never started because an earlier one timed out (a runaway answer costs
 * one time limit, not one per test) or the job ran out of time. Soft credit counts it as failed.
 */
export type TestOutcome = 'passed' | 'failed' | 'error' | 'timeout' | 'not-run';

export interface TestVerdict {
  /** A short name: the assert's source, or `case 3`. */
  name: string;
  outcome: TestOutcome;
  /** Assertion message, or `ExceptionType: message`. */
  message?: string;
  errorType?: string;
  /** Line in the program where the error was raised, when known. */
  line?: number;
  /** With `ExecJob.collect`: the value returned, in the encoding of `IoCase`. */
  actual?: unknown;
  /** With `ExecJob.collect`: how long the call took (ms), for EvalPlus's time limits. */
  ms?: number;
}

export interface CapturedText {
  text: string;
  /** True when output went past the cap and was cut. */
  truncated: boolean;
}

export interface ExecResult {
  /**
   * Strict verdict: every test passed. For `check` tests this is the official harness's
   * verdict (the whole `check(candidate)` run once), not the conjunction of split asserts.
   */
  passed: boolean;
  /** Share of tests passed, in [0, 1]: the soft-pass credit. */
  soft: number;
  tests: TestVerdict[];
  /** Set when the program failed before any test ran (syntax error, exit at import, ...). */
  setupError?: string;
  stdout: CapturedText;
  stderr: CapturedText;
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

/** Limits that stop a run, whichever comes first. Absent means unlimited. */
export interface Budget {
  maxLlmCalls?: number;
  maxTokens?: number;
  maxMinutes?: number;
}

export type KnobValue = number | string | boolean;

export type SplitName = 'train' | 'validation' | 'test';

export interface ModelRef {
  engine: 'webllm' | 'wllama' | 'openai' | 'replay' | 'scripted';
  modelId: string;
  /**
   * For engine `openai` (a model server speaking the OpenAI API): its API base URL, ending in
   * `/v1`. The API key, if any, is never part of a ModelRef: it stays in this browser's settings.
   */
  server?: string;
  /**
   * For engine `replay`: the run whose recorded answers are replayed. Why: a replay must answer
   * from one run's call log (the n-th identical request gets that run's n-th answer), and the
   * runner builds an LLM from the ModelRef alone.
   */
  replayOf?: string;
}

export interface RunConfig {
  name: string;
  /** Registry key of the optimizer, e.g. `prochemy`. */
  method: string;
  knobs: Record<string, KnobValue>;
  /** The task model: writes the code that is graded (requests of purpose `generate`). */
  model: ModelRef;
  /**
   * The optimizer model: mutates, rewrites, reflects, induces (every other purpose). Absent: the
   * task model plays both roles.
   */
  optimizerModel?: ModelRef;
  datasetId: string;
  /** Split the optimizer trains on, and the held-out split it is reported on. */
  trainSplit: SplitName;
  testSplit: SplitName;
  /** One optimization per seed; results are reported as mean ± std over them. */
  seeds: number[];
  budget: Budget;
  /** Sampling for code generation (pass@1 uses temperature 0) and for prompt mutation. */
  sampling: { generate: SamplingParams; mutate: SamplingParams };
  initialPrompt: string;
  evaluation: {
    /** Samples per task for pass@k on the held-out split. */
    samples: number;
    k: number[];
    /**
     * Temperature of the n held-out samples behind pass@k when samples > 1 (default 0.8, as in
     * Chen et al. 2021, arXiv 2107.03374). Why: at temperature 0 the n samples are one answer n
     * times and pass@k says nothing; pass@1 stays the greedy (temperature 0) answer.
     */
    temperature?: number;
  };
  /**
   * Off (absent) by default, so the papers' methods run as published. When set, the final prompt
   * is the best on the validation split among the top `topM` prompts by training score.
   */
  selection?: { on: 'validation'; topM: number };
}
