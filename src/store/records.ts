/**
 * The shapes of the rows Athanor keeps in IndexedDB. Each table's owner (datasets, engines,
 * runner) reads and writes them through its own repository module; the schema lives in db.ts.
 */
import type { TaskLevelComparison } from '../core/task-stats';
import type { SeedStop } from '../core/stop-reasons';
import type {
  Completion,
  CompletionRequest,
  ExecResult,
  PromptCandidate,
  RunConfig,
  SplitName,
  Task,
} from '../core/types';
import type { SpeedMeasure } from '../core/speed';

export interface SplitRecord {
  /** How the split was made: a seed with ratios, the dataset's published split, or explicit ids. */
  method: 'seeded' | 'published' | 'explicit';
  seed?: number;
  ratios?: { train: number; validation: number; test: number };
  ids: Record<SplitName, string[]>;
  /**
   * Train tasks nearly identical to a test task (TF-IDF cosine of their descriptions), found when
   * the split was made, so the Tasks page can warn that such a split leaks test tasks into training.
   */
  nearDuplicates?: { trainId: string; testId: string; similarity: number }[];
}

export type ValidationState = 'pending' | 'running' | 'done';

export interface DatasetRecord {
  id: string;
  name: string;
  /** Importer that read it: `humaneval`, `mbpp`, `mbpp-sanitized`, `evalplus`, `apps`, `athanor`, `starter`. */
  format: string;
  license: string;
  url?: string;
  createdAt: number;
  taskCount: number;
  split?: SplitRecord;
  validation: { state: ValidationState; passed: number; failed: number; checkedAt?: number };
}

/** A task as stored: the domain task plus what validation found. */
export interface TaskRecord extends Task {
  /** null until validated; false with `validationError` naming the failing test. */
  valid: boolean | null;
  validationError?: string;
  /** The user may include a task that failed validation. */
  includeAnyway?: boolean;
}

export type RunStatus = 'created' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface RunRecord {
  id: string;
  config: RunConfig;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  error?: string;
  /** Why a run was paused when it was not the user (a full disk, a spent budget), for the UI. */
  message?: string;
  /** Where the run is, kept current so a second tab (liveQuery) can show it live. */
  progress?: RunProgress;
  /** Where the run was made: exported with it so a reader knows what produced the numbers. */
  environment?: RunEnvironment;
  /** True for per-instance methods: every result and export says "test-set optimization". */
  testSetOptimization?: boolean;
  /** The held-out report, written once the run is done. */
  report?: RunReport;
  /**
   * The tasks of each split, fixed when the run is created, so that a resume, a replay or an
   * imported copy grades exactly the same tasks even if the dataset's split changes later.
   */
  taskIds?: { train: string[]; validation: string[]; test: string[] };
  /**
   * Training tasks the LLM wrote for this run (Prochemy's augmentation), per seed, written once
   * before the seed's optimization. Why here: a resume must reuse them rather than mutate again,
   * and an export must carry them.
   */
  augmented?: AugmentedTasks[];
  /** How the run went, beyond its scores: why each seed stopped, which measures it used. */
  diagnostics?: RunDiagnostics;
}

/**
 * What the Live and Results pages explain about a run (issue 16): why each seed's optimization
 * stopped, which relevance measure GPO used, which meta-prompt wording, and what was trimmed to
 * fit the model's context window.
 */
export interface RunDiagnostics {
  stops?: SeedStop[];
  /**
   * GPO's relevance retrieval: sentence embeddings of `modelId`, or TF-IDF because no embedding
   * model was loaded.
   */
  relevance?: { measure: 'embeddings' | 'tf-idf'; modelId?: string };
  /** The meta-prompt wording: as the paper gives it, or the shorter small-model wording. */
  wording?: 'paper' | 'small-model';
  /** Requests trimmed to fit the model's context window (trajectories, histories, examples). */
  trims?: { count: number; last?: string };
  /**
   * A model server ended answers before they were finished (core/server-fault.ts): `retried`
   * answers came back whole when asked again (alone) and only then were graded; `pauses` times
   * an answer did not, so the run paused (`message` says why, the last time).
   */
  serverFaults?: { retried: number; lastReason?: string; pauses?: number; message?: string };
}

export interface AugmentedTasks {
  seed: number;
  /** Ids of the kept (execution-validated) mutated tasks, in the tasks table. */
  taskIds: string[];
  /** Parents whose mutation was rejected, with why. */
  rejected: { parentId: string; reason: string }[];
}

export interface RunProgress {
  /** Index into config.seeds of the seed being worked on. */
  seedIndex: number;
  phase: 'optimize' | 'heldout' | 'done';
  /** Optimizer rounds finished for this seed (0 = initialized). */
  round: number;
  bestScore?: number;
  evaluations: number;
  llmCalls: number;
}

export interface RunEnvironment {
  modelId: string;
  engine: string;
  /** Set when the run names an optimizer model apart from the task model. */
  optimizerModelId?: string;
  optimizerEngine?: string;
  userAgent: string;
  appVersion: string;
  libraries: Record<string, string>;
}

/** Mean ± sample std (n − 1) over seeds; std is null for a single seed. */
export interface SeedStat {
  mean: number;
  std: number | null;
  n: number;
  perSeed: number[];
}

export interface PromptReport {
  strict: SeedStat;
  soft: SeedStat;
  /** pass@k for each k of the config that is <= the number of samples. */
  passAtK: Record<string, SeedStat>;
  /**
   * EvalPlus sets: pass@1 on the base inputs alone (HumanEval's / MBPP's own), which papers
   * report beside the plus figure; `strict` is the plus figure (base and added inputs).
   */
  base?: SeedStat;
}

export interface RunCost {
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  modelSeconds: number;
  execSeconds: number;
  /** Answers served by the completion cache, and verdicts served by the verdict cache. */
  completionCacheHits: number;
  verdictCacheHits: number;
  /**
   * Calls whose token counts were estimated here (characters / 4, streamed pieces) because the
   * engine reported none: the token totals are then estimates, and say so wherever shown.
   */
  estimatedCalls?: number;
  /** Model calls and tokens per role: the task model (code) and the optimizer model (the rest). */
  byRole?: Record<ModelRole, RoleCost>;
}

export type ModelRole = 'task' | 'optimizer';

export interface RoleCost {
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** Model time of this role's answers (absent in reports written before it was kept). */
  modelSeconds?: number;
}

/** The held-out evaluation of a finished run (see runner/report.ts for how each figure is made). */
export interface RunReport {
  testSetOptimization: boolean;
  split: { train: string; test: string; testTasks: number };
  samples: number;
  initial: PromptReport;
  final: PromptReport;
  /** Per-seed initial and final prompt ids. */
  prompts: { seed: number; initialId: string; finalId: string }[];
  /**
   * Reports made before task-level statistics: McNemar and a bootstrap over pooled (seed, task)
   * pairs, which overstate significance with several seeds (docs/statistics.md). Never written now.
   */
  comparison?: {
    mcnemar: { b: number; c: number; p: number };
    bootstrap: { diff: number; lo: number; hi: number; level: number; resamples: number };
  };
  /** Initial vs final prompt with the task as the unit (core/task-stats.ts). */
  taskLevel?: TaskLevelReport;
  /** Per seed: the selected prompt's training, validation and test scores (overfitting gap). */
  gap?: GeneralizationGap[];
  /**
   * Every LLM request of the run but the test grading ones, searched for test-task text
   * (runner/leakage.ts). Per-instance methods (test-set optimization) leak by design.
   */
  leakage?: { requests: number; leakedTasks: string[] };
  cost: RunCost;
  /**
   * Per-instance methods only (test-set optimization): share of test tasks solved by their own
   * best prompt, per seed, next to the held-out grading of the single best prompt above.
   */
  perInstance?: { label: 'test-set optimization'; strict: SeedStat };
  /** Temperature of the pass@k samples (samples > 1); pass@1 (strict, soft) is greedy. */
  samplingTemperature?: number;
}

export interface TaskLevelReport {
  /** Sign-flip exact test and t interval over per-task differences averaged over seeds. */
  combined: TaskLevelComparison;
  /** Plain words: "not distinguishable from chance", ... (core/task-stats verdict). */
  verdict: string;
  /** Each seed on its own: greedy pass@1 of both prompts and McNemar's exact test. */
  perSeed: SeedComparison[];
  /** The test split has fewer than FEW_TASKS tasks: only large differences can show. */
  fewTasks: boolean;
}

export interface SeedComparison {
  seed: number;
  initial: number;
  final: number;
  mcnemar: { b: number; c: number; p: number };
}

export interface SplitScore {
  /** Share of graded tasks whose greedy answer passed, and how many tasks were graded. */
  score: number;
  tasks: number;
}

export interface GeneralizationGap {
  seed: number;
  promptId: string;
  /** null when the prompt has no training grades (e.g. the initial prompt kept unscored). */
  train: SplitScore | null;
  /** null when the run has no validation split. */
  validation: SplitScore | null;
  test: SplitScore;
  /** How the prompt was chosen: the optimizer's best, or re-selected on validation. */
  selectedBy: 'training' | 'validation';
  /**
   * The optimizer itself graded prompts on validation tasks while optimizing (GEPA's Pareto set):
   * the validation score is then used for selection, not held out. Absent in older reports.
   */
  validationUsed?: boolean;
}

export interface PromptRecord extends PromptCandidate {
  runId: string;
  seed: number;
}

/** `validation`: the final prompt (or the top-m candidates) graded on the validation split. */
export type EvalPhase = 'optimize' | 'validation' | 'heldout';

export interface EvaluationRecord {
  runId: string;
  seed: number;
  phase: EvalPhase;
  promptId: string;
  taskId: string;
  sample: number;
  /** Key into the completions table for the answer graded here. */
  completionKey: string;
  code: string;
  result: ExecResult;
  createdAt: number;
  /** Optimizer round that graded it (heldout: the number of rounds); resume uses it to replay budgets. */
  round?: number;
  /** The verdict came from the verdict cache, not from running the program. */
  execCached?: boolean;
  /** The completion graded here, so a run's answers live with it (the shared cache may evict). */
  completion?: Completion;
}

/**
 * One LLM call of a run, in a log the run owns. On resume the optimizer's interrupted round is
 * re-run and asks the same questions; each is answered from here (the n-th identical request of a
 * round gets the n-th answer), so a resumed run is identical to one that never stopped, even at
 * temperature 1. The global completion cache cannot do this: it keeps one answer per request.
 */
export interface RunCallRecord {
  runId: string;
  seed: number;
  /** 0 for init, r for the r-th step. */
  round: number;
  /** Hash of model + messages + sampling (the completion cache's key). */
  key: string;
  /** Occurrence of this request within the round (0, 1, ...). */
  n: number;
  /** Order of the call within the run and seed, for export and replay. */
  seq: number;
  request: CompletionRequest;
  completion: Completion;
  createdAt: number;
}

export interface CheckpointRecord {
  /** `${runId}:${seed}` */
  id: string;
  runId: string;
  seed: number;
  step: number;
  /** The optimizer's serializable state. */
  state: unknown;
  updatedAt: number;
  /** Rounds finished (0 = after init): the round whose calls a resume replays is `round + 1`. */
  round?: number;
  /** Budget spent up to this checkpoint (core/budget BudgetSpent), carried into a resume. */
  spent?: { llmCalls: number; tokens: number; elapsedMs: number };
  /** Next call sequence number in the run's call log. */
  seq?: number;
}

export interface CompletionRecord {
  /** Hash of model id + messages + sampling parameters. */
  key: string;
  model: string;
  request: CompletionRequest;
  completion: Completion;
  createdAt: number;
}

export interface VerdictRecord {
  /** Hash of program + tests. */
  key: string;
  result: ExecResult;
  createdAt: number;
}

export interface ModelRecord {
  id: string;
  engine: 'webllm' | 'wllama' | 'openai';
  label: string;
  /**
   * Where the weights came from: a URL, or `file:<name>` for a file the user picked. For engine
   * `openai` (a model server): its API base URL (the key, if any, is never stored here).
   */
  source: string;
  /**
   * WebLLM custom models only: the compiled model library (.wasm) that matches the weights; the
   * Models page's custom-model form asks for it (web-llm needs both URLs).
   */
  modelLib?: string;
  sizeBytes?: number;
  addedAt: number;
  /** This model's speed on this device, measured after it last loaded (core/speed.ts). */
  speed?: SpeedMeasure;
  /**
   * A model file kept on this device (origin-private file system; `source` is `opfs:<name>`):
   * its checksum and what its GGUF header says, read when it was stored.
   */
  file?: StoredModelFile;
}

export interface StoredModelFile {
  /** The file's name in the OPFS models folder (store/model-files.ts). */
  name: string;
  bytes: number;
  sha256: string;
  /** Where it came from: `disk` (picked or dropped) or the URL it was downloaded from. */
  from: string;
  architecture: string;
  /** The header's general.name, when it has one. */
  modelName?: string;
  /** The family (general.basename), when the header or the host's manifest names one. */
  family?: string;
  quantization?: string;
  /** The context length the model was trained with (header). */
  contextLength?: number;
  /** The window to load it with, when a host's manifest names one. */
  loadContext?: number;
  chatTemplate: boolean;
}

export interface SettingRecord {
  key: string;
  value: unknown;
}
