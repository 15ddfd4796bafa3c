/**
 * The page's side of offline support: ask the service worker to download the app and Pyodide for
 * offline use, and report how far that got (Settings shows it; e2e tests wait on it).
 */
const CACHE_PREFIX = 'athanor-shell-';
const MANIFEST = 'precache-manifest.json';

export interface OfflineStatus {
  /** True once every file of the current build is in the cache. */
  ready: boolean;
  files: number;
  version: string | null;
}

/** Ask the active service worker to fill its cache; resolves when it says it is done. */
export async function requestPrecache(timeoutMs = 120_000): Promise<OfflineStatus> {
  if (!('serviceWorker' in navigator)) return { ready: false, files: 0, version: null };
  const registration = await navigator.serviceWorker.ready;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      navigator.serviceWorker.removeEventListener('message', onMessage);
      void offlineStatus().then(resolve);
    }, timeoutMs);
    const onMessage = (event: MessageEvent<{ type?: string }>): void => {
      if (event.data.type !== 'precached' && event.data.type !== 'precache-failed') return;
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener('message', onMessage);
      void offlineStatus().then(resolve);
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    registration.active?.postMessage({ type: 'precache' });
  });
}

/** What the cache holds now, read directly from Cache Storage. */
export async function offlineStatus(): Promise<OfflineStatus> {
  if (typeof caches === 'undefined') return { ready: false, files: 0, version: null };
  const names = (await caches.keys()).filter((n) => n.startsWith(CACHE_PREFIX));
  for (const name of names) {
    const cache = await caches.open(name);
    const manifest = await cache.match(new URL(MANIFEST, document.baseURI).href);
    if (manifest) {
      const files = (await cache.keys()).length;
      return { ready: true, files, version: name.slice(CACHE_PREFIX.length) };
    }
  }
  return { ready: false, files: 0, version: null };
}

/** Forget the offline copy; the next visit downloads it again. */
export async function clearOfflineCopy(): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  const names = (await caches.keys()).filter((n) => n.startsWith(CACHE_PREFIX));
  await Promise.all(names.map((n) => caches.delete(n)));
  return names.length;
}
