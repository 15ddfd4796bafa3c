/**
 * Dexie liveQuery for Svelte 5 components: `$effect(() => watchQuery(query, (v) => (x = v)))`
 * re-runs `query` whenever a table it read changes, in this tab or another one, and stops when
 * the component goes away (the effect's cleanup unsubscribes).
 */
import { liveQuery } from 'dexie';
import { errorWords } from './error-words';

export function watchQuery<T>(
  query: () => Promise<T> | T,
  onValue: (value: T) => void,
  onError: (error: Error) => void = (e) => console.error(e),
): () => void {
  const subscription = liveQuery(query).subscribe({
    next: onValue,
    error: (e: unknown) => onError(e instanceof Error ? e : new Error(String(e))),
  });
  return () => subscription.unsubscribe();
}

/** An error's message in words, without a leading class name ("TypeError: …" → "…"). */
export const errorText = (e: unknown): string => errorWords(e).message;
