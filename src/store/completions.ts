/**
 * The completions table as the engines see it: a cache of deterministic answers and the replay
 * log of a run. Its methods match the `CompletionStore` and `CompletionLog` shapes of
 * src/engines (structurally: store imports only core, so it cannot name them).
 */
import type { AthanorDb } from './db';
import type { CompletionRecord } from './records';

export interface CompletionRepo {
  get(key: string): Promise<CompletionRecord | undefined>;
  put(record: CompletionRecord): Promise<void>;
  append(record: CompletionRecord): Promise<void>;
  /** Every answer of one model, oldest first: the log a replay engine is built from. */
  byModel(model: string): Promise<CompletionRecord[]>;
  count(): Promise<number>;
}

export function completionRepo(db: AthanorDb): CompletionRepo {
  return {
    get: (key) => db.completions.get(key),
    put: async (record) => {
      await db.completions.put(record);
    },
    append: async (record) => {
      await db.completions.put(record);
    },
    byModel: (model) => db.completions.where('model').equals(model).sortBy('createdAt'),
    count: () => db.completions.count(),
  };
}
