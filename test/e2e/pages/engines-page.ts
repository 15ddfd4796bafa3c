/**
 * Exposes the engines module (and the store's completions repository, which backs the cache in
 * the app) to e2e tests (test/e2e/engines-*.test.ts), which drive them with page.evaluate.
 * Nothing here decides a result: the tests assert on what the real engines return.
 */
import * as engines from '../../../src/engines/index';
import { AthanorDb } from '../../../src/store/db';
import { completionRepo } from '../../../src/store/completions';

const store = { AthanorDb, completionRepo };

declare global {
  interface Window {
    engines: typeof engines;
    store: typeof store;
  }
}

window.engines = engines;
window.store = store;
document.getElementById('status')!.textContent = 'ready';
