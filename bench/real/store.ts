/**
 * The completion cache of bench:real on disk: one JSON line per answer, appended as it lands, so a
 * run stopped at any point resumes where it stopped (greedy and seeded requests answer from the
 * file). Same keys as the app's cache (engines/cache.ts). An answer that did not end properly
 * (empty text, or no finish reason) is never stored: a rerun asks again.
 *
 * Beside it, the answers archived in the repository (bench/results/real/answers.jsonl.gz): the
 * full run takes many hours of model time, more than one working session on one machine, and a
 * machine's cache does not outlive the machine. The archive is read first, so a new machine
 * resumes the run, and anyone can replay the recorded table's answers. It keeps each answer under
 * its cache key with the request's purpose and sampling, not its messages: those hold the
 * datasets' text, which stays out of the repository.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CompletionEntry, CompletionStore } from '../../src/engines/cache';

/** One archived answer: a cache entry less its request's messages. */
export interface ArchivedAnswer {
  key: string;
  model: string;
  purpose: CompletionEntry['request']['purpose'];
  sampling: CompletionEntry['request']['sampling'];
  completion: CompletionEntry['completion'];
  createdAt: number;
}

function archived(e: CompletionEntry): ArchivedAnswer {
  const { key, model, request, completion, createdAt } = e;
  return {
    key,
    model,
    purpose: request.purpose,
    sampling: request.sampling,
    completion,
    createdAt,
  };
}

function unarchived(a: ArchivedAnswer): CompletionEntry {
  const { key, model, purpose, sampling, completion, createdAt } = a;
  return { key, model, request: { messages: [], sampling, purpose }, completion, createdAt };
}

/** The archive's answers; none when the file is missing. */
export function readArchive(path: string): ArchivedAnswer[] {
  if (!existsSync(path)) return [];
  return gunzipSync(readFileSync(path))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as ArchivedAnswer;
      } catch {
        throw new Error(
          `${path}, line ${i + 1}, is not an archived answer: restore the file from git (git checkout -- ${path}).`,
        );
      }
    });
}

/**
 * Writes the answers in a stable order (by time, then key), so the same answers give the same
 * bytes and an unchanged archive leaves git with nothing to commit.
 */
export function writeArchive(path: string, answers: Iterable<ArchivedAnswer>): void {
  const sorted = [...answers].sort(
    (a, b) => a.createdAt - b.createdAt || a.key.localeCompare(b.key),
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(sorted.map((a) => JSON.stringify(a) + '\n').join(''), { level: 9 }));
}

export class FileCompletionStore implements CompletionStore {
  private readonly map = new Map<string, CompletionEntry>();

  /** `archive`: the repository's archived answers, read before this machine's file. */
  constructor(
    private readonly path: string,
    private readonly archive?: string,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    if (archive) for (const a of readArchive(archive)) this.map.set(a.key, unarchived(a));
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

  /** Folds every answer held here, archived or new, into the archive file; returns how many. */
  saveArchive(): number {
    if (!this.archive) throw new Error('This completion store has no archive file.');
    writeArchive(this.archive, [...this.map.values()].map(archived));
    return this.map.size;
  }
}
