/**
 * The one interface every method implements, and the context through which it reaches the world.
 *
 * A method is a state machine: `init` builds its state, `step` advances it by one round and says
 * whether it is done. State is plain serializable data (RNG state included), so the runner can
 * checkpoint it after every step and resume a run from the last checkpoint after a reload. A
 * method never touches an engine, the executor or the store directly: it asks the context, which
 * the runner wires to caches, budgets and the database (and tests wire to scripted ports).
 */
import type { Fit } from '../core/context-window';
import type { EmbedPort } from '../core/ports';
import type { ExecFeedback } from './feedback';
import type { RngState } from '../core/rng';
import type { VariantTally } from '../core/stop-reasons';
import type {
  Completion,
  CompletionRequest,
  ExecResult,
  KnobValue,
  PromptCandidate,
  Task,
} from '../core/types';

// ---------------------------------------------------------------------------------------------
// What the registry tells the UI
// ---------------------------------------------------------------------------------------------

export type KnobSpec =
  | {
      name: string;
      label: string;
      type: 'int' | 'float';
      default: number;
      min: number;
      max: number;
      step?: number;
      help: string;
    }
  | { name: string; label: string; type: 'bool'; default: boolean; help: string }
  | {
      name: string;
      label: string;
      type: 'enum';
      default: string;
      options: readonly string[];
      help: string;
    }
  | { name: string; label: string; type: 'text'; default: string; help: string };

export interface PaperRef {
  title: string;
  authors?: string;
  year?: number;
  /** arXiv id such as `2503.11085`, when there is one. */
  arxiv?: string;
  url?: string;
}

export interface MethodInfo {
  /** Registry key, stored in run configs: never rename one that has shipped. */
  id: string;
  name: string;
  /** One line a teacher can read aloud. */
  summary: string;
  paper?: PaperRef;
  kind: 'optimizer' | 'baseline';
  /**
   * True for methods that optimize on the very tasks they are reported on (per-instance
   * refinement, Reflexion). Every result and export labels such runs as test-set optimization.
   */
  perInstance: boolean;
  /**
   * True for methods that train on real plus LLM-mutated tasks (Prochemy): the runner writes and
   * execution-validates the mutated tasks once per seed and hands them in through ctx.train.
   */
  augmentTraining?: boolean;
  /**
   * True for methods that choose among their prompts on the validation split while optimizing
   * (GEPA's Pareto set): that split is then used for selection, not held out, and re-selecting on
   * it (`RunConfig.selection`) is refused.
   */
  selectsOnValidation?: boolean;
  /**
   * True for methods that optimize nothing (zero-shot, chain-of-thought): they score on training
   * tasks only to report a training score, so they also run on a split with none (0% training),
   * which leaves every task for the held-out evaluation.
   */
  trainingOptional?: boolean;
  knobs: readonly KnobSpec[];
}

// ---------------------------------------------------------------------------------------------
// What a method asks of the world
// ---------------------------------------------------------------------------------------------

/** One graded answer of one prompt on one task. */
export interface TaskScore {
  taskId: string;
  sample: number;
  passed: boolean;
  soft: number;
  code: string;
  result: ExecResult;
  completion: Completion;
}

export interface ScoreOptions {
  /** Samples per task (default 1, at the run's generation sampling: temperature 0). */
  samples?: number;
  /**
   * Racing: stop scoring once this prompt can no longer reach `beat` (a mean strict pass over
   * `tasks`, optionally weighted). The score is then marked incomplete.
   */
  race?: { beat: number; weights?: readonly number[] };
  /** Extra messages appended after the task (Reflexion's feedback turns). */
  followUp?: (task: Task) => { role: 'assistant' | 'user'; content: string }[] | undefined;
  /**
   * Index of the first sample (default 0). Why: an answer is memoized per (prompt, task, sample),
   * so Reflexion's retry r, whose messages differ by its feedback turns, is scored as sample r.
   */
  firstSample?: number;
}

export interface PromptScore {
  promptId: string;
  /** Mean strict pass@1 over the tasks scored. */
  strict: number;
  /** Mean soft pass (share of tests passed). */
  soft: number;
  perTask: TaskScore[];
  /** False when racing stopped early: `perTask` then covers only a prefix of the tasks. */
  complete: boolean;
  /** Why an incomplete score stopped (why: racing loses a candidate, a spent budget stops the run). */
  stoppedBy?: 'race' | 'budget';
}

export type OptimizerEvent =
  | { type: 'proposed'; step: number; prompt: PromptCandidate }
  | { type: 'scored'; step: number; prompt: PromptCandidate; score: PromptScore; weighted?: number }
  | { type: 'best'; step: number; prompt: PromptCandidate; score: number }
  | {
      type: 'note';
      step: number;
      message: string;
      /** True when the note says a request was trimmed to fit the context window. */
      trim?: boolean;
    };

export interface BudgetView {
  llmCalls: number;
  tokens: number;
  elapsedMs: number;
  /** True once any limit of the run's budget is reached: a method stops at its next check. */
  exhausted(): boolean;
}

export interface OptimizerContext {
  /** Train tasks (per-instance methods get the held-out tasks here, and say so in their info). */
  train: readonly Task[];
  /** Validation tasks for selection, where the method uses them; may be empty. */
  validation: readonly Task[];
  /** Ask the LLM something that is not code generation (mutate, rewrite, judge). Counted in the budget. */
  complete(req: CompletionRequest): Promise<Completion>;
  /** Generate code for each task with `prompt`, run it, and grade it. Memoized per (prompt, task, sample). */
  score(prompt: PromptCandidate, tasks: readonly Task[], opts?: ScoreOptions): Promise<PromptScore>;
  /**
   * Execution feedback of a graded answer (optimizers/feedback.ts): failing tests, messages,
   * expected vs actual, a code excerpt; capped and deterministic. Only for `train` and
   * `validation` tasks: any other task is refused (FeedbackScopeError).
   */
  feedback(score: TaskScore): ExecFeedback;
  /** Sentence embeddings, when an embedding model is loaded (GPO's relevance retrieval). */
  embed?: EmbedPort;
  /**
   * How a request would fit the model's context window (core/context-window.ts), where the window
   * is known: methods trim what they show (trajectories, examples) until it fits.
   */
  fit?(req: Pick<CompletionRequest, 'messages' | 'sampling'>): Promise<Fit | undefined>;
  budget: BudgetView;
  signal: AbortSignal;
  emit(event: OptimizerEvent): void;
}

// ---------------------------------------------------------------------------------------------
// The interface itself
// ---------------------------------------------------------------------------------------------

/** What every method's state carries at least; the rest is the method's own. */
export interface BaseState {
  /** Version of this method's state shape, for resuming checkpoints written by older code. */
  v: number;
  step: number;
  rng: RngState;
  best: { prompt: PromptCandidate; score: number } | null;
  done: boolean;
  /** Why it stopped: `converged`, `max-steps`, `budget`, ... */
  stopReason?: string;
  /**
   * Variants the method asked the model for, scored and refused (methods that write variants
   * keep it), so the runner never reports "converged" for a model that produced none.
   */
  variants?: VariantTally;
}

/** The optimizer-model requests behind one proposal: calls (re-asks included), tokens, time. */
export interface ProposalCost {
  promptId: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Model time; 0 for answers a cache or the run's call log gave back. */
  ms: number;
}

/** What a method's budget buys (Optimizer.checkBudget). */
export interface BudgetCheckResult {
  /** Proposals the budget pays for in full (Infinity with no budget set). */
  proposals: number;
  /** Set below the floor: what the budget buys, why, what to give instead. */
  warning?: string;
}

/** One task's own best prompt in a per-instance run. */
export interface InstanceResult {
  taskId: string;
  promptId: string;
  /** Strict pass of that prompt on that task. */
  passed: boolean;
}

export interface InitArgs {
  knobs: Record<string, KnobValue>;
  seed: number;
  initialPrompt: string;
}

export interface Optimizer<S extends BaseState = BaseState> {
  readonly info: MethodInfo;
  init(args: InitArgs, ctx: OptimizerContext): Promise<S>;
  /** One round. Must be safe to re-run from the same state after a crash (the runner memoizes scoring). */
  step(state: S, ctx: OptimizerContext): Promise<S>;
  /**
   * For methods with info.augmentTraining: the real tasks init will pick from `train`, which the
   * runner mutates before init (so the mutated tasks are children of the chosen ones).
   */
  trainingParents?(args: InitArgs, train: readonly Task[]): readonly Task[];
  /**
   * For per-instance methods: each task's own best prompt and whether it passed, read from the
   * final state, so reports can show the per-instance pass@1 (test-set optimization).
   */
  instanceResults?(state: S): InstanceResult[];
  /**
   * For methods that keep a Pareto front (GEPA): each front candidate and the tasks it leads on,
   * read from a checkpoint's state, for the Live and Results pages.
   */
  paretoFront?(state: S): { promptId: string; taskIds: string[] }[];
  /** Proposals the method did not keep, with why (GEPA's rejected children), for the family tree. */
  rejected?(state: S): { promptId: string; reason: string }[];
  /** What asking for each proposal cost (GEPA's reflections), for the family tree. */
  proposalCosts?(state: S): ProposalCost[];
  /**
   * For methods whose own budget has a floor (GEPA): what the budget buys and, below the floor, a
   * warning for the New-run page's projection (`runMaxLlmCalls`: the run's LLM-call budget).
   */
  checkBudget?(
    knobs: Record<string, KnobValue>,
    counts: { train: number; validation: number },
    runMaxLlmCalls?: number,
  ): BudgetCheckResult;
  /** LLM calls the method will make with these knobs, for the New-run page's projection. */
  projectCalls(
    knobs: Record<string, KnobValue>,
    counts: { train: number; validation: number },
  ): number;
}
