/**
 * The starter set as a dataset: loaded on first start so that a new user can begin a run without
 * importing anything. Its tasks and split are pure functions of the source, so every install has
 * the same ids and the same split.
 */
import type { Task } from '../../core/types';
import { definedFunctions, signatureOf } from '../formats/common';
import { seededSplit, withNearDuplicates, DEFAULT_RATIOS, type Split } from '../split';
import { STARTER_FUNCTION_TASKS, STARTER_STDIO_TASKS } from './tasks';

export const STARTER_DATASET_ID = 'starter';
export const STARTER_NAME = 'Athanor starter set';
export const STARTER_LICENSE = 'MIT';
export const STARTER_SEED = 1;

/** Runs after each program: the helper the starter tests use to expect an exception. */
export const STARTER_SETUP = `def raises(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc:
        return True
    return False
`;

const source = { dataset: STARTER_NAME, license: STARTER_LICENSE } as const;

export function starterTasks(): Task[] {
  const fn: Task[] = STARTER_FUNCTION_TASKS.map((t) => {
    const signature = signatureOf(t.reference, t.entryPoint) ?? `def ${t.entryPoint}(...):`;
    if (!definedFunctions(t.reference).includes(t.entryPoint))
      throw new Error(`starter task ${t.id}: reference lacks ${t.entryPoint}`);
    return {
      id: `${STARTER_DATASET_ID}/${t.id}`,
      datasetId: STARTER_DATASET_ID,
      sourceId: t.id,
      title: t.title,
      prompt: `${t.description}\n\nWrite it as a Python function with this signature:\n\n    ${signature}\n\nExample test:\n\n    ${t.asserts[0]}`,
      style: 'function',
      completionStyle: false,
      entryPoint: t.entryPoint,
      signature,
      tests: { kind: 'asserts', setup: (t.setup ?? '') + STARTER_SETUP, asserts: t.asserts },
      reference: t.reference,
      tags: t.tags,
      difficulty: t.difficulty,
      origin: { kind: 'real' },
      source: { ...source },
    };
  });
  const io: Task[] = STARTER_STDIO_TASKS.map((t) => ({
    id: `${STARTER_DATASET_ID}/${t.id}`,
    datasetId: STARTER_DATASET_ID,
    sourceId: t.id,
    title: t.title,
    prompt: `${t.description}\n\nWrite a complete Python program that reads standard input and writes standard output.`,
    style: 'stdio',
    completionStyle: false,
    tests: { kind: 'stdio', cases: t.cases, compare: 'whitespace' },
    reference: t.reference,
    tags: t.tags,
    difficulty: t.difficulty,
    origin: { kind: 'real' },
    source: { ...source },
  }));
  return [...fn, ...io];
}

export function starterSplit(tasks: readonly Task[] = starterTasks()): Split {
  return withNearDuplicates(
    seededSplit(
      tasks.map((t) => t.id),
      STARTER_SEED,
      DEFAULT_RATIOS,
    ),
    tasks,
  );
}
