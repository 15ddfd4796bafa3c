/**
 * Python's memory snapshot kept across sessions in Cache Storage, so that a relaunched browser
 * (after a crash, or simply the next visit) starts its Python workers from the snapshot (a few
 * hundred ms) instead of booting Pyodide and the harness again (seconds). Why it matters: when
 * crashes come faster than a cold boot, a run that boots cold every time never grades anything.
 *
 * The key names the Pyodide version and the harness source the snapshot was made with; any other
 * version finds nothing and makes its own. A snapshot that does not load is deleted (pool.ts
 * boots that worker cold).
 */
import { sha256 } from '../core/hash';
import { dependencies } from '../../package.json';
import { PRELOAD_PY } from './python-sources';

export const SNAPSHOT_CACHE = 'athanor-python-snapshot-v1';

export interface SnapshotStore {
  load(): Promise<Uint8Array | undefined>;
  save(bytes: Uint8Array): Promise<void>;
  drop(): Promise<void>;
}

/** The Cache Storage entry for this Pyodide and harness; a no-op store where there is none. */
export async function snapshotStore(indexURL: string): Promise<SnapshotStore> {
  const storage = globalThis.caches as CacheStorage | undefined;
  if (!storage) {
    return {
      load: async () => undefined,
      save: async () => undefined,
      drop: async () => undefined,
    };
  }
  const key = await sha256(`${dependencies.pyodide}\n${indexURL}\n${PRELOAD_PY}`);
  const url = new URL(`/__athanor/python-snapshot/${key}`, globalThis.location.href).href;
  return {
    async load() {
      try {
        const hit = await (await storage.open(SNAPSHOT_CACHE)).match(url);
        return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
      } catch {
        return undefined; // A broken cache is no snapshot: boot cold.
      }
    },
    async save(bytes) {
      const cache = await storage.open(SNAPSHOT_CACHE);
      // Only this version's snapshot is kept.
      for (const old of await cache.keys()) if (old.url !== url) await cache.delete(old);
      await cache.put(
        url,
        new Response(bytes.slice().buffer, {
          headers: { 'Content-Type': 'application/octet-stream' },
        }),
      );
    },
    async drop() {
      await (await storage.open(SNAPSHOT_CACHE)).delete(url).catch(() => false);
    },
  };
}
