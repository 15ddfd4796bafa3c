/**
 * The whole IndexedDB schema, in one place, with its versions. Every upgrade is a new
 * `this.version(n)` block below the old ones; old blocks stay so that any older database upgrades.
 */
import { Dexie, type EntityTable, type Table } from 'dexie';
import type {
  CheckpointRecord,
  CompletionRecord,
  DatasetRecord,
  EvaluationRecord,
  ModelRecord,
  PromptRecord,
  RunRecord,
  SettingRecord,
  TaskRecord,
  VerdictRecord,
} from './records';

export const DB_NAME = 'athanor';

export class AthanorDb extends Dexie {
  datasets!: EntityTable<DatasetRecord, 'id'>;
  tasks!: EntityTable<TaskRecord, 'id'>;
  runs!: EntityTable<RunRecord, 'id'>;
  prompts!: Table<PromptRecord, [string, number, string]>;
  evaluations!: Table<EvaluationRecord, [string, number, string, string, string, number]>;
  checkpoints!: EntityTable<CheckpointRecord, 'id'>;
  completions!: EntityTable<CompletionRecord, 'key'>;
  verdicts!: EntityTable<VerdictRecord, 'key'>;
  models!: EntityTable<ModelRecord, 'id'>;
  settings!: EntityTable<SettingRecord, 'key'>;

  constructor(name: string = DB_NAME) {
    super(name);
    this.version(1).stores({
      datasets: 'id, createdAt',
      tasks: 'id, datasetId, [datasetId+sourceId], origin.parentId',
      runs: 'id, status, createdAt',
      prompts: '[runId+seed+id], runId',
      evaluations:
        '[runId+seed+phase+promptId+taskId+sample], runId, [runId+seed], [runId+seed+phase+promptId]',
      checkpoints: 'id, runId',
      completions: 'key, model, createdAt',
      verdicts: 'key, createdAt',
      models: 'id, engine',
      settings: 'key',
    });
  }
}

let shared: AthanorDb | undefined;

/** The app's database (one connection per page or worker). */
export function db(): AthanorDb {
  shared ??= new AthanorDb();
  return shared;
}
