/**
 * Train / validation / test splits: seeded, published (MBPP's by task id), or explicit id lists.
 * A split is plain data stored with its dataset (DatasetRecord.split), so a run names its split
 * and any machine recomputes the very same one from the seed.
 *
 * Reproducibility: ids are sorted (by UTF-16 code units, the same in every JS engine) before the
 * seeded shuffle (src/core/rng.ts, xoshiro128**), so neither the file's order nor the store's order
 * changes the result.
 */
import { Rng } from '../core/rng';
import { sparseCosine, tfidfVectors } from '../core/text';
import type { SplitName, Task } from '../core/types';
import { SplitError } from './errors';

export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

/** A split as stored with a dataset (the same shape as the store's SplitRecord). */
export interface Split {
  method: 'seeded' | 'published' | 'explicit';
  seed?: number;
  ratios?: SplitRatios;
  ids: Record<SplitName, string[]>;
  nearDuplicates?: NearDuplicate[];
}

export interface NearDuplicate {
  trainId: string;
  testId: string;
  similarity: number;
}

/** Default when a dataset has no published split: most tasks held out, as honest evaluation needs. */
export const DEFAULT_RATIOS: SplitRatios = { train: 0.3, validation: 0.1, test: 0.6 };
export const DEFAULT_SEED = 1;

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function checkRatios(r: SplitRatios): void {
  for (const [k, v] of Object.entries(r)) {
    if (!Number.isFinite(v) || v < 0 || v > 1)
      throw new SplitError(`The ${k} share must be between 0 and 1, got ${v}.`);
  }
  const sum = r.train + r.validation + r.test;
  if (Math.abs(sum - 1) > 1e-6)
    throw new SplitError(
      `The train, validation and test shares must add up to 1 (100%), they add up to ${+sum.toFixed(6)}.`,
    );
}

/** Shuffle the sorted ids with `seed`, then cut train, validation, test in that order. */
export function seededSplit(
  taskIds: readonly string[],
  seed: number,
  ratios: SplitRatios = DEFAULT_RATIOS,
): Split {
  checkRatios(ratios);
  if (!Number.isInteger(seed)) throw new SplitError(`The seed must be an integer, got ${seed}.`);
  const ids = [...new Set(taskIds)].sort(byCodeUnits);
  const shuffled = Rng.seeded(seed).shuffle(ids);
  const nTrain = Math.round(ids.length * ratios.train);
  const nVal = Math.min(ids.length - nTrain, Math.round(ids.length * ratios.validation));
  return {
    method: 'seeded',
    seed,
    ratios: { ...ratios },
    ids: {
      train: shuffled.slice(0, nTrain).sort(byCodeUnits),
      validation: shuffled.slice(nTrain, nTrain + nVal).sort(byCodeUnits),
      test: shuffled.slice(nTrain + nVal).sort(byCodeUnits),
    },
  };
}

/**
 * MBPP's published split by task id (google-research/mbpp/README.md, Austin et al. 2021): 11–510
 * test, 511–600 validation, 601–974 train; 1–10 were the few-shot prompt examples and belong to
 * no split. The sanitized subset inherits the same ranges.
 */
export function mbppPublishedSplit(tasks: readonly Pick<Task, 'id' | 'sourceId'>[]): Split {
  const ids: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  for (const t of tasks) {
    const n = Number(t.sourceId);
    if (!Number.isInteger(n))
      throw new SplitError(
        `MBPP's published split needs numeric task ids; ${t.sourceId} is not one.`,
      );
    if (n >= 11 && n <= 510) ids.test.push(t.id);
    else if (n >= 511 && n <= 600) ids.validation.push(t.id);
    else if (n >= 601) ids.train.push(t.id);
  }
  for (const k of ['train', 'validation', 'test'] as const) ids[k].sort(byCodeUnits);
  return { method: 'published', ids };
}

export const isMbppLike = (tasks: readonly Pick<Task, 'sourceId'>[]): boolean =>
  tasks.length > 0 &&
  tasks.every(
    (t) => /^\d+$/.test(t.sourceId) && Number(t.sourceId) >= 1 && Number(t.sourceId) <= 974,
  );

/** A split from lists the user gives; every id must exist and be in at most one list. */
export function explicitSplit(
  taskIds: readonly string[],
  lists: Record<SplitName, readonly string[]>,
): Split {
  const known = new Set(taskIds);
  const seen = new Map<string, SplitName>();
  for (const name of ['train', 'validation', 'test'] as const) {
    for (const id of lists[name]) {
      if (!known.has(id)) throw new SplitError(`Task ${id} (in ${name}) is not in this dataset.`);
      const before = seen.get(id);
      if (before)
        throw new SplitError(
          `Task ${id} is in both ${before} and ${name}; a task belongs to one split.`,
        );
      seen.set(id, name);
    }
  }
  return {
    method: 'explicit',
    ids: {
      train: [...lists.train].sort(byCodeUnits),
      validation: [...lists.validation].sort(byCodeUnits),
      test: [...lists.test].sort(byCodeUnits),
    },
  };
}

const MBPP_FRAMING =
  /^You are an expert Python programmer, and here is your task: |Your code should pass these tests:[\s\S]*$/g;

/** The words that say what a task asks, without a benchmark's fixed framing around them. */
export function descriptionOf(task: Pick<Task, 'prompt'>): string {
  return task.prompt.replace(MBPP_FRAMING, ' ');
}

export const NEAR_DUPLICATE_THRESHOLD = 0.85;

/**
 * Train tasks whose description is nearly the same as a test task's: TF-IDF cosine over
 * lower-cased word terms (src/core/text.ts), fitted on the train and test tasks together. A high
 * score means a prompt tuned on the train task has, in effect, seen the test task.
 */
export function findNearDuplicates(
  tasks: readonly Pick<Task, 'id' | 'prompt'>[],
  split: Pick<Split, 'ids'>,
  threshold = NEAR_DUPLICATE_THRESHOLD,
): NearDuplicate[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const train = split.ids.train.filter((id) => byId.has(id));
  const test = split.ids.test.filter((id) => byId.has(id));
  if (train.length === 0 || test.length === 0) return [];
  const vectors = tfidfVectors(
    [...train, ...test].map((id) => descriptionOf(byId.get(id) as Task)),
  );
  const out: NearDuplicate[] = [];
  for (let i = 0; i < train.length; i++) {
    for (let j = 0; j < test.length; j++) {
      const s = sparseCosine(vectors[i]!, vectors[train.length + j]!);
      if (s >= threshold)
        out.push({
          trainId: train[i] as string,
          testId: test[j] as string,
          similarity: Math.round(s * 1000) / 1000,
        });
    }
  }
  return out.sort((a, b) => b.similarity - a.similarity);
}

/** The split a dataset gets at import: MBPP's published one where it applies, else seeded. */
export function defaultSplit(
  format: string,
  tasks: readonly Pick<Task, 'id' | 'sourceId' | 'prompt'>[],
): Split {
  const split =
    (format === 'mbpp' || format === 'mbpp-sanitized') && isMbppLike(tasks)
      ? mbppPublishedSplit(tasks)
      : seededSplit(
          tasks.map((t) => t.id),
          DEFAULT_SEED,
          DEFAULT_RATIOS,
        );
  return withNearDuplicates(split, tasks);
}

export function withNearDuplicates(
  split: Split,
  tasks: readonly Pick<Task, 'id' | 'prompt'>[],
): Split {
  return { ...split, nearDuplicates: findNearDuplicates(tasks, split) };
}
