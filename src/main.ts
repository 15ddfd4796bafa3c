import { mount } from 'svelte';
import App from './ui/App.svelte';
import { ensureIsolation } from './ui/service-worker';
import { applyTheme } from './ui/theme';
import './ui/theme.css';

applyTheme();

// On a plain static host the service worker supplies COOP/COEP; the page reloads once under it.
const reloading = await ensureIsolation();
if (!reloading) {
  mount(App, { target: document.getElementById('app')! });
  // First start: put the starter task set in the store so a run can start without an import.
  void import('./app/starter-seed').then((m) => m.seedStarterOnFirstStart());
  // Settings' "resume interrupted runs when Athanor opens" (off by default).
  void import('./ui/interrupted')
    .then((m) => m.resumeInterruptedOnOpen())
    .catch((e: unknown) => console.warn('Resuming interrupted runs failed:', e));
}
