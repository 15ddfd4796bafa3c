/* Athanor's service worker.
 *
 * Cross-origin isolation: static hosts often cannot set headers, so this worker re-serves every
 * response with COOP `same-origin` and COEP `credentialless` (and CORP on our own files). With
 * `credentialless`, cross-origin requests without CORS (model weights from another host) are sent
 * without cookies and still load; see docs/cross-origin-isolation.md.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'claim') event.waitUntil(self.clients.claim());
});

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

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // Only-if-cached outside same-origin throws; let the browser handle such requests itself.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  event.respondWith(fetch(request).then(withIsolationHeaders));
});
