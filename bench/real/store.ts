/**
 * The completion cache of bench:real on disk: one JSON line per answer, appended as it lands, so a
 * run stopped at any point resumes where it stopped (greedy and seeded requests answer from the
 * file). Same keys as the app's cache (engines/cache.ts). An answer that did not end properly
 * (empty text, or no finish reason) is never stored: a rerun asks again.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CompletionEntry, CompletionStore } from '../../src/engines/cache';

export class FileCompletionStore implements CompletionStore {
  private readonly map = new Map<string, CompletionEntry>();

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const e = JSON.parse(line) as CompletionEntry;
          this.map.set(e.key, e);
        } catch {
          // a line cut by a kill mid-write: that answer is asked again
        }
      }
    }
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): Promise<CompletionEntry | undefined> {
    return Promise.resolve(this.map.get(key));
  }

  put(entry: CompletionEntry): Promise<void> {
    const c = entry.completion;
    if (c.text.trim() === '' || !c.finishReason) return Promise.resolve();
    this.map.set(entry.key, entry);
    appendFileSync(this.path, JSON.stringify(entry) + '\n');
    return Promise.resolve();
  }
}
