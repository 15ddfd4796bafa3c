/**
 * Registers public/sw.js, which adds the cross-origin isolation headers to every response on
 * hosts that cannot send them (GitHub Pages, a classroom's plain static server), and reloads the
 * page once so the document itself is served through it. A session flag stops a reload loop
 * when isolation still cannot be had (private mode without service workers, an old browser).
 */
import { requestPrecache } from './offline';

const RELOAD_FLAG = 'athanor:isolation-reload';

export async function ensureIsolation(): Promise<boolean> {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return false;
  if (window.crossOriginIsolated) {
    sessionStorage.removeItem(RELOAD_FLAG);
    // Once the page is isolated and running, fill the offline cache (app shell and Pyodide).
    void navigator.serviceWorker
      .register('./sw.js')
      .then(() => requestPrecache())
      .catch(() => undefined);
    return false;
  }
  try {
    const registration = await navigator.serviceWorker.register('./sw.js');
    if (sessionStorage.getItem(RELOAD_FLAG)) return false;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => {
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), {
          once: true,
        });
        // An already-active worker that has not claimed this page yet.
        if (registration.active) registration.active.postMessage({ type: 'claim' });
      });
    }
    sessionStorage.setItem(RELOAD_FLAG, '1');
    window.location.reload();
    return true;
  } catch (err) {
    console.warn('Service worker unavailable; running without cross-origin isolation.', err);
    return false;
  }
}
