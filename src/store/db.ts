/**
 * The whole IndexedDB schema, in one place, with its versions. Every upgrade is a new entry at
 * the end of SCHEMA_VERSIONS; old entries stay so that any older database upgrades.
 */
import { Dexie, type EntityTable, type Table, type Transaction } from 'dexie';
import type {
  CheckpointRecord,
  CompletionRecord,
  DatasetRecord,
  EvaluationRecord,
  ModelRecord,
  PromptRecord,
  RunCallRecord,
  RunRecord,
  SettingRecord,
  TaskRecord,
  VerdictRecord,
} from './records';

export const DB_NAME = 'athanor';

/** One schema version: the tables it adds or changes (Dexie keeps the others as they were). */
export interface SchemaVersion {
  version: number;
  stores: Record<string, string | null>;
  /** Data migration run inside the upgrade transaction, when a version reshapes records. */
  upgrade?: (tx: Transaction) => Promise<void> | void;
}

/**
 * Every version ever shipped, oldest first. Never edit a shipped entry: add a new one. The upgrade
 * test (test/integration/store-upgrade.test.ts) opens the database at each older version, fills
 * every table, upgrades to the newest and checks that every record is still there.
 */
export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: {
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
    },
  },
  {
    // The runner's own call log (resume replays a round's LLM calls from it), and runs listed by
    // last activity for the runs page.
    version: 2,
    stores: {
      runs: 'id, status, createdAt, updatedAt',
      runCalls: '[runId+seed+round+key+n], runId, [runId+seed]',
    },
  },
];

export const DB_VERSION = (SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1] as SchemaVersion).version;

/** Declare versions 1..`upTo` on a Dexie instance (tests open older versions with it). */
export function declareVersions(dexie: Dexie, upTo: number = DB_VERSION): void {
  for (const v of SCHEMA_VERSIONS) {
    if (v.version > upTo) break;
    const declared = dexie.version(v.version).stores(v.stores);
    if (v.upgrade) declared.upgrade(v.upgrade);
  }
}

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
  runCalls!: Table<RunCallRecord, [string, number, number, string, number]>;

  constructor(name: string = DB_NAME) {
    super(name);
    declareVersions(this);
  }
}

let shared: AthanorDb | undefined;

/** The app's database (one connection per page or worker). */
export function db(): AthanorDb {
  shared ??= new AthanorDb();
  return shared;
}
