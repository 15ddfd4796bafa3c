/**
 * The app's pages. Each owner registers its page here with one entry; the shell builds the
 * navigation from the entries with `nav: true`. Pages load lazily so that Home stays light.
 */
import type { Component } from 'svelte';

export interface Route {
  /** Hash path without `#/`, e.g. `tasks`. A page may take sub-paths: `runs/abc`. */
  path: string;
  label: string;
  nav: boolean;
  load: () => Promise<{ default: Component<{ params: string[] }> }>;
}

export const routes: Route[] = [
  { path: '', label: 'Home', nav: true, load: () => import('./pages/HomePage.svelte') },
  { path: 'models', label: 'Models', nav: true, load: () => import('./pages/ModelsPage.svelte') },
  { path: 'tasks', label: 'Tasks', nav: true, load: () => import('./pages/TasksPage.svelte') },
  { path: 'runs', label: 'Runs', nav: true, load: () => import('./pages/RunsPage.svelte') },
  {
    path: 'compare',
    label: 'Compare',
    nav: true,
    load: () => import('./pages/ComparePage.svelte'),
  },
  { path: 'replay', label: 'Replay', nav: true, load: () => import('./pages/ReplayPage.svelte') },
  {
    path: 'settings',
    label: 'Settings',
    nav: true,
    load: () => import('./pages/SettingsPage.svelte'),
  },
];

/**
 * The route for a hash such as `#/runs/abc`, and the remaining path segments. A query after the
 * path (`#/runs/new?method=…`, ui/run-link.ts) is the page's to read, not a segment.
 */
export function matchRoute(hash: string): { route: Route | undefined; params: string[] } {
  const path = hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const head = segments[0] ?? '';
  const route = routes.find((r) => r.path === head);
  return { route, params: segments.slice(1) };
}
