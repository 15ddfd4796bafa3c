/**
 * The embedding model loaded now, in a module of its own so the run wiring (app/context.ts) can
 * read it without importing the engines (app/models.ts loads it and sets it here).
 */
import type { EmbedPort } from '../core/ports';

export interface LoadedEmbedder {
  engine: 'webllm' | 'wllama';
  id: string;
  label: string;
  port: EmbedPort;
  unload(): Promise<void>;
}

let current: LoadedEmbedder | undefined;

/** The embedding model loaded now; runs started without one use TF-IDF and say so. */
export function currentEmbedder(): LoadedEmbedder | undefined {
  return current;
}

/** Replaces the loaded embedding model; returns the one it replaced (the caller unloads it). */
export function setEmbedder(next: LoadedEmbedder | undefined): LoadedEmbedder | undefined {
  const previous = current;
  current = next;
  return previous;
}
