/**
 * The browser's storage for this origin: ask that it be kept (not evicted under pressure), show
 * usage against quota, and clear the caches, which can always be rebuilt (runs cannot).
 */
import type { AthanorDb } from './db';

export interface StorageReport {
  /** Bytes used by this origin, when the browser says. */
  usage: number | null;
  quota: number | null;
  /** True when the browser promised not to evict this origin's data. */
  persisted: boolean;
  /** False where navigator.storage is missing (old browsers, Node). */
  supported: boolean;
}

function storageManager(): StorageManager | undefined {
  return typeof navigator !== 'undefined' ? navigator.storage : undefined;
}

/**
 * Ask for persistent storage. Browsers decide by their own rules (Chromium grants it to sites
 * with engagement or installed apps; Firefox asks the user), so a false answer is normal.
 */
export async function requestPersistence(): Promise<boolean> {
  const sm = storageManager();
  if (!sm?.persist) return false;
  if (await sm.persisted()) return true;
  return sm.persist();
}

export async function storageReport(): Promise<StorageReport> {
  const sm = storageManager();
  if (!sm?.estimate) return { usage: null, quota: null, persisted: false, supported: false };
  const [estimate, persisted] = await Promise.all([sm.estimate(), sm.persisted?.() ?? false]);
  return {
    usage: estimate.usage ?? null,
    quota: estimate.quota ?? null,
    persisted,
    supported: true,
  };
}

export interface CacheCounts {
  completions: number;
  verdicts: number;
}

export async function cacheCounts(db: AthanorDb): Promise<CacheCounts> {
  const [completions, verdicts] = await Promise.all([db.completions.count(), db.verdicts.count()]);
  return { completions, verdicts };
}

/**
 * Empty the completion and verdict caches. Runs keep their own answers (evaluations and the call
 * log), so no run loses anything: later runs only pay again for what the caches had saved.
 */
export async function clearCaches(db: AthanorDb): Promise<CacheCounts> {
  return db.transaction('rw', [db.completions, db.verdicts], async () => {
    const counts = await cacheCounts(db);
    await db.completions.clear();
    await db.verdicts.clear();
    return counts;
  });
}
