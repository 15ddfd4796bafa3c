/**
 * The task layer, wired: datasets (parsing, validation, splits, the starter set) + the store's
 * dataset repository + an ExecPort. The Tasks page talks to this; so do integration tests, with a
 * Node pool in place of the browser's.
 *
 * A composition module (not `runner`) because importing and validating tasks is not part of a
 * run's life; it only needs these three pieces.
 */
import type { ExecPort, LlmPort } from '../core/ports';
import type { ExecResult } from '../core/types';
import { DownloadError } from '../datasets/errors';
import {
  parseDataset,
  tasksToCommit,
  type CommitPolicy,
  type DatasetFile,
  type ParseOptions,
  type ParsedDataset,
} from '../datasets/import';
import {
  explicitSplit,
  mbppPublishedSplit,
  seededSplit,
  withNearDuplicates,
  type SplitRatios,
} from '../datasets/split';
import {
  STARTER_DATASET_ID,
  STARTER_LICENSE,
  STARTER_NAME,
  starterSplit,
  starterTasks,
} from '../datasets/starter';
import { augmentTasks, type AugmentOptions, type AugmentResult } from '../datasets/mutate';
import {
  needsExpectedOutputs,
  referenceJob,
  validateTasks,
  type ValidationProgress,
} from '../datasets/validate';
import type { AthanorDb } from '../store/db';
import { DatasetRepository } from '../store/datasets';
import type { DatasetRecord, SplitRecord } from '../store/records';
import type { SplitName } from '../core/types';

// What the Tasks page needs from the datasets layer, so that ui reaches datasets only through app.
export { FORMATS, type FormatId, type ParsedDataset } from '../datasets/import';
export type { ValidationProgress } from '../datasets/validate';

/** Public raw files for users who are online. They load only where the host allows CORS. */
export const URL_PRESETS: { label: string; url: string }[] = [
  {
    label: 'HumanEval (openai/human-eval)',
    url: 'https://raw.githubusercontent.com/openai/human-eval/master/data/HumanEval.jsonl.gz',
  },
  {
    label: 'MBPP full (google-research)',
    url: 'https://raw.githubusercontent.com/google-research/google-research/master/mbpp/mbpp.jsonl',
  },
  {
    label: 'MBPP sanitized (google-research)',
    url: 'https://raw.githubusercontent.com/google-research/google-research/master/mbpp/sanitized-mbpp.json',
  },
];

export type SplitRequest =
  | { method: 'seeded'; seed: number; ratios: SplitRatios }
  | { method: 'published' }
  | { method: 'explicit'; ids: Record<SplitName, string[]> };

export interface ValidateRunOptions {
  onProgress?: (p: ValidationProgress) => void;
  signal?: AbortSignal;
  /** Only these tasks (default: every task of the dataset). */
  taskIds?: string[];
  /** Per-test limit; the default suits a user's machine, a loaded CI box may want more. */
  testTimeoutMs?: number;
}

export class TasksService {
  readonly repo: DatasetRepository;

  constructor(
    readonly db: AthanorDb,
    /** Called when execution is first needed, so the page loads Pyodide only then. */
    private readonly exec: () => ExecPort,
  ) {
    this.repo = new DatasetRepository(db);
  }

  /** Read a file into tasks; stores nothing. */
  parse(file: DatasetFile, opts: ParseOptions = {}): Promise<ParsedDataset> {
    return parseDataset(file, opts);
  }

  /** Store a parsed dataset (one transaction) under `policy`; returns the stored record. */
  async commit(parsed: ParsedDataset, policy: CommitPolicy): Promise<DatasetRecord> {
    const tasks = tasksToCommit(parsed, policy);
    const kept = new Set(tasks.map((t) => t.id));
    const split: SplitRecord = {
      ...parsed.split,
      ids: {
        train: parsed.split.ids.train.filter((id) => kept.has(id)),
        validation: parsed.split.ids.validation.filter((id) => kept.has(id)),
        test: parsed.split.ids.test.filter((id) => kept.has(id)),
      },
    };
    const record: DatasetRecord = {
      id: parsed.id,
      name: parsed.name,
      format: parsed.format,
      license: parsed.license,
      ...(parsed.url ? { url: parsed.url } : {}),
      createdAt: Date.now(),
      taskCount: tasks.length,
      split,
      validation: { state: 'pending', passed: 0, failed: 0 },
    };
    await this.repo.add(record, tasks);
    return record;
  }

  /** Parse and store in one call (the API for scripts and tests). */
  async importFile(
    file: DatasetFile,
    opts: ParseOptions & { commit: CommitPolicy },
  ): Promise<DatasetRecord> {
    return this.commit(await this.parse(file, opts), opts.commit);
  }

  /** Download a dataset file; a network or HTTP failure becomes a DownloadError. */
  async download(url: string, signal?: AbortSignal): Promise<DatasetFile> {
    let response: Response;
    try {
      response = await fetch(url, { signal: signal ?? null });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new DownloadError(
        url,
        `the request failed (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (!response.ok)
      throw new DownloadError(
        url,
        `the server answered ${response.status} ${response.statusText}`.trim(),
      );
    const bytes = new Uint8Array(await response.arrayBuffer());
    const name = decodeURIComponent(
      new URL(url, 'http://x/').pathname.split('/').pop() || 'download.jsonl',
    );
    return { name, bytes, url };
  }

  /** Run every reference against its tests, writing results as they land. */
  async validate(datasetId: string, opts: ValidateRunOptions = {}): Promise<void> {
    await this.repo.get(datasetId);
    let tasks = (await this.repo.tasks(datasetId)).filter((t) => t.origin.kind === 'real');
    if (opts.taskIds) {
      const only = new Set(opts.taskIds);
      tasks = tasks.filter((t) => only.has(t.id));
    }
    await this.repo.setValidationState(datasetId, 'running');
    try {
      await validateTasks(tasks, this.exec(), {
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.testTimeoutMs ? { testTimeoutMs: opts.testTimeoutMs } : {}),
        onResults: (batch) =>
          this.repo.recordValidation(
            datasetId,
            batch.map((r) => ({
              taskId: r.taskId,
              valid: r.valid,
              ...(r.error ? { validationError: r.error } : {}),
              ...(r.tests ? { tests: r.tests } : {}),
            })),
          ),
      });
      await this.repo.recordValidation(datasetId, [], 'done');
    } catch (err) {
      // Results already written stay; the dataset shows as not fully validated.
      await this.repo.setValidationState(datasetId, 'pending').catch(() => undefined);
      throw err;
    }
  }

  /** Run one task's reference (the task view's button). */
  async runReference(taskId: string, signal?: AbortSignal): Promise<ExecResult> {
    const task = await this.repo.task(taskId);
    if (!task) throw new RangeError(`There is no task ${taskId}.`);
    const job = referenceJob(task);
    // Before validation an EvalPlus task has no expected outputs: show what the reference returns.
    return this.exec().run(needsExpectedOutputs(task) ? { ...job, collect: true } : job, signal);
  }

  /** Make and store a new split for a dataset. */
  async resplit(datasetId: string, request: SplitRequest): Promise<SplitRecord> {
    const tasks = (await this.repo.tasks(datasetId)).filter((t) => t.origin.kind === 'real');
    const ids = tasks.map((t) => t.id);
    const split =
      request.method === 'seeded'
        ? seededSplit(ids, request.seed, request.ratios)
        : request.method === 'published'
          ? mbppPublishedSplit(tasks)
          : explicitSplit(ids, request.ids);
    const stored = withNearDuplicates(split, tasks);
    await this.repo.setSplit(datasetId, stored);
    return stored;
  }

  /**
   * Prochemy's augmentation: the LLM writes one related task per parent; the ones whose reference
   * passes their own tests are stored beside their parents (already validated, by that run).
   */
  async augment(
    parentIds: readonly string[],
    llm: LlmPort,
    opts: AugmentOptions,
  ): Promise<AugmentResult> {
    const parents = [];
    for (const id of parentIds) {
      const t = await this.repo.task(id);
      if (!t) throw new RangeError(`There is no task ${id}.`);
      parents.push(t);
    }
    const result = await augmentTasks(parents, llm, this.exec(), opts);
    const byDataset = new Map<string, typeof result.kept>();
    for (const t of result.kept)
      byDataset.set(t.datasetId, [...(byDataset.get(t.datasetId) ?? []), t]);
    for (const [datasetId, tasks] of byDataset) {
      await this.repo.addTasks(
        datasetId,
        tasks.map((t) => ({ ...t, valid: true })),
      );
    }
    return result;
  }

  /** Seed the starter set on first start (never again once seeded, even if deleted). */
  ensureStarter(): Promise<boolean> {
    const { record, tasks } = starterDataset();
    return this.repo.seedOnce(record, tasks);
  }

  /** Put the starter set back after it was deleted. */
  async restoreStarter(): Promise<void> {
    const { record, tasks } = starterDataset();
    await this.repo.restore(record, tasks);
  }
}

export function starterDataset(): {
  record: DatasetRecord;
  tasks: ReturnType<typeof starterTasks>;
} {
  const tasks = starterTasks();
  const record: DatasetRecord = {
    id: STARTER_DATASET_ID,
    name: STARTER_NAME,
    format: 'starter',
    license: STARTER_LICENSE,
    createdAt: Date.now(),
    taskCount: tasks.length,
    split: starterSplit(tasks),
    validation: { state: 'pending', passed: 0, failed: 0 },
  };
  return { record, tasks };
}
