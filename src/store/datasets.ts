/**
 * The datasets' repository: datasets and their tasks. An import is one transaction (the dataset
 * row and all its tasks, or nothing), as is a delete; validation results land in batches as they
 * come, so a closed tab keeps what was already checked.
 */
import type { Task, TestSpec } from '../core/types';
import type { AthanorDb } from './db';
import type { DatasetRecord, SplitRecord, TaskRecord, ValidationState } from './records';

/** The same file (same content and options) is already imported. */
export class DatasetExistsError extends Error {
  override readonly name = 'DatasetExistsError';
  constructor(
    readonly datasetId: string,
    readonly datasetName: string,
  ) {
    super(
      `This file is already imported as “${datasetName}” (${datasetId}). Delete that dataset first to import it again.`,
    );
  }
}

/** No dataset with this id (deleted in another tab, or a stale link). */
export class DatasetNotFoundError extends Error {
  override readonly name = 'DatasetNotFoundError';
  constructor(readonly datasetId: string) {
    super(`There is no dataset ${datasetId}: it may have been deleted. Reload the Tasks page.`);
  }
}

/** A task whose reference failed validation is left out of runs unless the user includes it. */
export const isRunnable = (t: Pick<TaskRecord, 'valid' | 'includeAnyway'>): boolean =>
  t.valid !== false || t.includeAnyway === true;

/** Settings key set once the starter set has been seeded. */
export const STARTER_SEEDED_KEY = 'datasets.starterSeeded';

export interface ValidationUpdate {
  taskId: string;
  valid: boolean | null;
  validationError?: string;
  /** Tests with expected outputs computed by this validation (EvalPlus io cases), to store. */
  tests?: TestSpec;
}

export class DatasetRepository {
  constructor(readonly db: AthanorDb) {}

  list(): Promise<DatasetRecord[]> {
    return this.db.datasets.orderBy('createdAt').toArray();
  }

  async get(id: string): Promise<DatasetRecord> {
    const d = await this.db.datasets.get(id);
    if (!d) throw new DatasetNotFoundError(id);
    return d;
  }

  /** All tasks of a dataset, real and mutated, in source order of their ids. */
  tasks(datasetId: string): Promise<TaskRecord[]> {
    return this.db.tasks.where('datasetId').equals(datasetId).toArray();
  }

  task(id: string): Promise<TaskRecord | undefined> {
    return this.db.tasks.get(id);
  }

  /** Mutated tasks written from a parent (Prochemy's augmentation). */
  children(parentId: string): Promise<TaskRecord[]> {
    return this.db.tasks.where('origin.parentId').equals(parentId).toArray();
  }

  /**
   * Store a dataset and its tasks in one transaction. Throws DatasetExistsError, storing nothing,
   * when a dataset with this id is already there.
   */
  async add(dataset: DatasetRecord, tasks: readonly Task[]): Promise<void> {
    const rows: TaskRecord[] = tasks.map((t) => ({ ...t, valid: null }));
    await this.db.transaction('rw', this.db.datasets, this.db.tasks, async () => {
      const existing = await this.db.datasets.get(dataset.id);
      if (existing) throw new DatasetExistsError(dataset.id, existing.name);
      await this.db.datasets.add(dataset);
      await this.db.tasks.bulkAdd(rows);
    });
  }

  /**
   * Store the starter dataset on first start: only when it was never seeded before and the store
   * holds no dataset, atomically, so two tabs opening together do not both seed it, and a user who
   * deleted it does not get it back on the next visit. Returns whether it was stored.
   */
  async seedOnce(dataset: DatasetRecord, tasks: readonly Task[]): Promise<boolean> {
    return this.db.transaction(
      'rw',
      this.db.datasets,
      this.db.tasks,
      this.db.settings,
      async () => {
        if (await this.db.settings.get(STARTER_SEEDED_KEY)) return false;
        await this.db.settings.put({ key: STARTER_SEEDED_KEY, value: Date.now() });
        if ((await this.db.datasets.count()) > 0) return false;
        await this.db.datasets.add(dataset);
        await this.db.tasks.bulkAdd(tasks.map((t) => ({ ...t, valid: null })));
        return true;
      },
    );
  }

  /** Put the starter dataset back (the user asks for it after deleting it). */
  async restore(dataset: DatasetRecord, tasks: readonly Task[]): Promise<void> {
    await this.add(dataset, tasks);
  }

  /** Delete a dataset and every task in it, in one transaction. */
  async delete(id: string): Promise<void> {
    await this.db.transaction('rw', this.db.datasets, this.db.tasks, async () => {
      await this.db.tasks.where('datasetId').equals(id).delete();
      await this.db.datasets.delete(id);
    });
  }

  async setSplit(id: string, split: SplitRecord): Promise<void> {
    const n = await this.db.datasets.update(id, { split });
    if (n === 0) throw new DatasetNotFoundError(id);
  }

  async setValidationState(id: string, state: ValidationState): Promise<void> {
    const n = await this.db.datasets.update(id, { 'validation.state': state });
    if (n === 0) throw new DatasetNotFoundError(id);
  }

  /** Record a batch of validation results and recount the dataset's totals, in one transaction. */
  async recordValidation(
    datasetId: string,
    updates: readonly ValidationUpdate[],
    state?: ValidationState,
  ): Promise<void> {
    await this.db.transaction('rw', this.db.datasets, this.db.tasks, async () => {
      const dataset = await this.db.datasets.get(datasetId);
      if (!dataset) throw new DatasetNotFoundError(datasetId);
      for (const u of updates) {
        await this.db.tasks.update(u.taskId, {
          valid: u.valid,
          validationError: u.validationError,
          ...(u.tests ? { tests: u.tests } : {}),
        });
      }
      let passed = 0;
      let failed = 0;
      await this.db.tasks
        .where('datasetId')
        .equals(datasetId)
        .each((t) => {
          if (t.valid === true) passed++;
          else if (t.valid === false) failed++;
        });
      await this.db.datasets.update(datasetId, {
        validation: {
          state: state ?? dataset.validation.state,
          passed,
          failed,
          checkedAt: Date.now(),
        },
      });
    });
  }

  async setIncludeAnyway(taskId: string, include: boolean): Promise<void> {
    await this.db.tasks.update(taskId, { includeAnyway: include });
  }

  /** Add tasks to an existing dataset (mutated tasks from Prochemy's augmentation). */
  async addTasks(datasetId: string, tasks: readonly TaskRecord[]): Promise<void> {
    await this.db.transaction('rw', this.db.datasets, this.db.tasks, async () => {
      if (!(await this.db.datasets.get(datasetId))) throw new DatasetNotFoundError(datasetId);
      await this.db.tasks.bulkPut([...tasks]);
    });
  }
}
