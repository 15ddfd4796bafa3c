/**
 * The user's theme choice. Kept in localStorage (not IndexedDB) because it must be applied
 * synchronously before the first paint, or a dark-mode user sees a white flash on every load.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'athanor:theme';

export function storedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** `system` removes the attribute so that prefers-color-scheme decides (see theme.css). */
export function applyTheme(choice: ThemeChoice = storedTheme()): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
}

export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage refused (private mode): the choice still applies to this page.
  }
  applyTheme(choice);
}

/** The theme actually showing, for charts that need concrete colours. */
export function effectiveTheme(): 'light' | 'dark' {
  const attr = document.documentElement.getAttribute('data-theme');
  if (attr === 'light' || attr === 'dark') return attr;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
