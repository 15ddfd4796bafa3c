/* Athanor's service worker.
 *
 * Cross-origin isolation: static hosts often cannot set headers, so this worker re-serves every
 * response with COOP `same-origin` and COEP `credentialless` (and CORP on our own files). With
 * `credentialless`, cross-origin requests without CORS (model weights from another host) are sent
 * without cookies and still load; see docs/cross-origin-isolation.md.
 *
 * Offline: after the first visit the page asks this worker to `precache` every file listed in
 * precache-manifest.json (written at build time by scripts/precache-manifest.ts: the app shell,
 * its assets and Pyodide). Pages are served network-first (a new build shows up at once) with the
 * cache as fallback; other files cache-first (hashed names, or versioned by the manifest). Every
 * response, cached or not, gets the isolation headers.
 */
const CACHE_PREFIX = 'athanor-shell-';
const MANIFEST = 'precache-manifest.json';
const PARALLEL_DOWNLOADS = 4;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'claim') event.waitUntil(self.clients.claim());
  if (type === 'precache') {
    event.waitUntil(
      precache().then(
        (status) => event.source && event.source.postMessage({ type: 'precached', ...status }),
        (err) =>
          event.source &&
          event.source.postMessage({
            type: 'precache-failed',
            message: String(err && err.message),
          }),
      ),
    );
  }
});

const scoped = (path) => new URL(path, self.registration.scope).href;

let running = null;
/** Download whatever of the manifest is not cached yet; drop caches of older builds. */
function precache() {
  running ??= (async () => {
    const res = await fetch(scoped(MANIFEST), { cache: 'no-cache' });
    if (!res.ok) throw new Error(`${MANIFEST} answered ${res.status}`);
    const manifest = await res.clone().json();
    const name = CACHE_PREFIX + manifest.version;
    const cache = await caches.open(name);
    const have = new Set((await cache.keys()).map((r) => r.url));
    const wanted = [scoped('./'), ...manifest.files.map(scoped)];
    const missing = wanted.filter((url) => !have.has(url));
    const queue = [...missing];
    const worker = async () => {
      for (let url = queue.shift(); url; url = queue.shift()) {
        const r = await fetch(url, { cache: 'no-cache' });
        if (!r.ok) throw new Error(`${url} answered ${r.status}`);
        await cache.put(url, r);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_DOWNLOADS }, worker));
    // The manifest goes in last: its presence marks the cache complete.
    await cache.put(scoped(MANIFEST), res);
    for (const key of await caches.keys()) {
      if (key.startsWith(CACHE_PREFIX) && key !== name) await caches.delete(key);
    }
    return { version: manifest.version, files: wanted.length, downloaded: missing.length };
  })().finally(() => {
    running = null;
  });
  return running;
}

function withIsolationHeaders(response) {
  // Opaque and error responses cannot be rewritten; pass them through untouched.
  if (response.status === 0 || response.type === 'opaque' || response.type === 'opaqueredirect') {
    return response;
  }
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'credentialless');
  headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

async function fromCache(request) {
  const hit = await caches.match(request, { ignoreVary: true });
  if (hit) return hit;
  // A navigation to any page of the app (hash routes all share index.html).
  if (request.mode === 'navigate') return caches.match(scoped('./'));
  return undefined;
}

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const cached = await fromCache(request);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  return (await fromCache(request)) ?? fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // Only-if-cached outside same-origin throws; let the browser handle such requests itself.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The site host's models (models/models.json and its GGUFs) are never cached here: the manifest
  // must be the host's current one, and model files are stored by their engines. Left to the
  // browser, an offline fetch fails plainly and the app says the host is out of reach.
  if (url.href.startsWith(scoped('models/'))) return;
  const cacheable =
    request.method === 'GET' && !request.headers.has('range') && !url.pathname.endsWith('/sw.js');
  const respond = !cacheable
    ? fetch(request)
    : request.mode === 'navigate' || url.pathname.endsWith(`/${MANIFEST}`)
      ? networkFirst(request)
      : cacheFirst(request);
  event.respondWith(respond.then(withIsolationHeaders));
});
