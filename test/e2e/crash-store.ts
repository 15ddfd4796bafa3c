/**
 * Reading the app's IndexedDB straight from a page of the built app (raw IndexedDB, no app code),
 * for the crash tests: what is stored is the ground truth they compare against.
 */
import type { Page } from 'playwright-core';

export interface RunDump {
  run: Record<string, unknown> | undefined;
  evaluations: Record<string, unknown>[];
  runCalls: Record<string, unknown>[];
  prompts: Record<string, unknown>[];
  checkpoints: Record<string, unknown>[];
}

/** Everything stored for a run. */
export function dumpRun(page: Page, runId: string): Promise<RunDump> {
  return page.evaluate(async (id) => {
    const open = indexedDB.open('athanor');
    const idb = await new Promise<IDBDatabase>((ok, fail) => {
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const all = (store: string): Promise<Record<string, unknown>[]> =>
      new Promise((ok, fail) => {
        const req = idb.transaction(store).objectStore(store).index('runId').getAll(id);
        req.onsuccess = () => ok(req.result as Record<string, unknown>[]);
        req.onerror = () => fail(req.error);
      });
    const run = await new Promise<Record<string, unknown> | undefined>((ok, fail) => {
      const req = idb.transaction('runs').objectStore('runs').get(id);
      req.onsuccess = () => ok(req.result as Record<string, unknown> | undefined);
      req.onerror = () => fail(req.error);
    });
    const dump = {
      run,
      evaluations: await all('evaluations'),
      runCalls: await all('runCalls'),
      prompts: await all('prompts'),
      checkpoints: await all('checkpoints'),
    };
    idb.close();
    return dump;
  }, runId);
}

export interface StoredState {
  stored: number;
  status: string | undefined;
  hasReport: boolean;
  calls: number;
  updatedAt: number;
}

/**
 * Waits in the page until the run has at least `target` stored evaluations (or has ended), then
 * `delayMs` more, and returns what the store holds at that instant. Polls one connection every
 * few milliseconds, so the caller's kill lands close to the moment asked for.
 */
export function waitStored(
  page: Page,
  runId: string,
  target: number,
  delayMs: number,
  opts: { timeoutMs?: number; holdReport?: { after: number } } = {},
): Promise<StoredState> {
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const holdAfter = opts.holdReport?.after;
  return page.evaluate(
    async ({ id, target, delayMs, timeoutMs, holdAfter }) => {
      const open = indexedDB.open('athanor');
      const idb = await new Promise<IDBDatabase>((ok, fail) => {
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      let held: { status: string; updatedAt: number } | undefined;
      const read = (): Promise<{
        stored: number;
        status: string | undefined;
        hasReport: boolean;
        calls: number;
        updatedAt: number;
      }> =>
        new Promise((ok, fail) => {
          // While the runs store is held (below), the run record is the one read when the hold
          // began: nobody can have changed it since.
          const stores = held ? ['evaluations', 'runCalls'] : ['evaluations', 'runs', 'runCalls'];
          const tx = idb.transaction(stores);
          const count = tx.objectStore('evaluations').index('runId').count(id);
          const calls = tx.objectStore('runCalls').index('runId').count(id);
          const run = held ? undefined : tx.objectStore('runs').get(id);
          tx.oncomplete = () => {
            const r = (run?.result ?? held) as
              { status?: string; report?: unknown; updatedAt?: number } | undefined;
            ok({
              stored: count.result,
              status: r?.status,
              hasReport: r?.report !== undefined,
              calls: calls.result,
              updatedAt: r?.updatedAt ?? 0,
            });
          };
          tx.onerror = () => fail(tx.error);
        });
      /**
       * Holds the runs store (a read-write transaction kept busy), as a slow disk would: the
       * run's report, which is written there, waits, so a kill lands in the report window
       * however fast the report is computed. Evaluations and the call log stay writable.
       */
      const holdRuns = (): Promise<void> =>
        new Promise((ok) => {
          const tx = idb.transaction('runs', 'readwrite');
          const store = tx.objectStore('runs');
          const first = store.get(id);
          first.onsuccess = () => {
            held = first.result as { status: string; updatedAt: number };
            ok();
            const spin = (): void => {
              store.get(id).onsuccess = spin;
            };
            spin();
          };
        });
      const until = Date.now() + timeoutMs;
      let s = await read();
      while (s.stored < target && s.status === 'running' && Date.now() < until) {
        if (holdAfter !== undefined && !held && s.stored >= target - 1 && s.updatedAt > holdAfter) {
          await holdRuns();
        }
        await new Promise((ok) => setTimeout(ok, 4));
        s = await read();
      }
      // Resumed in the report window: hold once the resumed drive has marked the run running.
      while (
        holdAfter !== undefined &&
        !held &&
        s.status === 'running' &&
        s.updatedAt <= holdAfter &&
        Date.now() < until
      ) {
        await new Promise((ok) => setTimeout(ok, 2));
        s = await read();
      }
      if (holdAfter !== undefined && !held && s.status === 'running') await holdRuns();
      if (s.stored < target && s.status === 'running') {
        idb.close();
        throw new Error(`timed out waiting for ${target} evaluations (have ${s.stored})`);
      }
      if (delayMs > 0) await new Promise((ok) => setTimeout(ok, delayMs));
      s = await read();
      // A held transaction is left running: the caller kills the browser with it.
      if (!held) idb.close();
      return s;
    },
    { id: runId, target, delayMs, timeoutMs, holdAfter },
  );
}

/** The store's state of a run now. */
export function storedState(page: Page, runId: string): Promise<StoredState> {
  return waitStored(page, runId, 0, 0);
}

/** Writes a run record (status `created`) the way the New-run form would have stored it. */
export function putRun(page: Page, run: Record<string, unknown>): Promise<void> {
  return page.evaluate(async (record) => {
    const open = indexedDB.open('athanor');
    const idb = await new Promise<IDBDatabase>((ok, fail) => {
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const tx = idb.transaction('runs', 'readwrite');
    tx.objectStore('runs').put(record);
    await new Promise<void>((ok, fail) => {
      tx.oncomplete = () => ok();
      tx.onerror = () => fail(tx.error);
    });
    idb.close();
  }, run);
}

const VOLATILE = new Set([
  'createdAt',
  'updatedAt',
  'latencyMs',
  'durationMs',
  'elapsedMs',
  'execCached',
  'modelSeconds',
  'execSeconds',
  'verdictCacheHits',
  'exportedAt',
]);

/**
 * A record without what legitimately differs between two runs of the same work: wall-clock
 * times and whether a verdict came from the cache (a kill between running a program and storing
 * its evaluation leaves the verdict cached for the re-run).
 */
export function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!VOLATILE.has(k)) out[k] = stable(v);
    return out;
  }
  return value;
}

/** Records keyed (and sorted) by the fields that identify them. */
export function byKey(
  records: Record<string, unknown>[],
  key: (r: Record<string, unknown>) => unknown[],
): Record<string, unknown> {
  const entries = records.map((r) => [JSON.stringify(key(r)), stable(r)] as const);
  entries.sort((a, b) => a[0].localeCompare(b[0]));
  return Object.fromEntries(entries);
}
