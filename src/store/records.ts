/**
 * The shapes of the rows Athanor keeps in IndexedDB. Each table's owner (datasets, engines,
 * runner) reads and writes them through its own repository module; the schema lives in db.ts.
 */
import type {
  Completion,
  CompletionRequest,
  ExecResult,
  PromptCandidate,
  RunConfig,
  SplitName,
  Task,
} from '../core/types';

export interface SplitRecord {
  /** How the split was made: a seed with ratios, the dataset's published split, or explicit ids. */
  method: 'seeded' | 'published' | 'explicit';
  seed?: number;
  ratios?: { train: number; validation: number; test: number };
  ids: Record<SplitName, string[]>;
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
}

export interface PromptRecord extends PromptCandidate {
  runId: string;
  seed: number;
}

export type EvalPhase = 'optimize' | 'heldout';

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
  engine: 'webllm' | 'wllama';
  label: string;
  /** Where the weights came from: a URL, or `file:<name>` for a file the user picked. */
  source: string;
  sizeBytes?: number;
  addedAt: number;
}

export interface SettingRecord {
  key: string;
  value: unknown;
}
