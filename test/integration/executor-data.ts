/**
 * Jobs built straight from the shared real datasets (read in place, never copied), in the orders
 * their README gives. Used by the executor's real-data tests and by bench/exec.ts.
 */
import { readFileSync } from 'node:fs';
import type { ExecJob } from '../../src/core/types';

interface HumanEvalRow {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  test: string;
  entry_point: string;
}
interface MbppRow {
  task_id: number;
  code: string;
  test_setup_code: string;
  test_list: string[];
}
interface SanitizedRow {
  task_id: number;
  code: string;
  test_imports: string[];
  test_list: string[];
}

export interface NamedJob {
  id: string;
  job: ExecJob;
}

function jsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** HumanEval: prompt + canonical solution, graded by check(entry_point); or `return None`. */
export function humanEvalJobs(
  path: string,
  variant: 'reference' | 'return-none' = 'reference',
): NamedJob[] {
  return jsonl<HumanEvalRow>(path).map((r) => ({
    id: r.task_id,
    job: {
      program: r.prompt + (variant === 'reference' ? r.canonical_solution : '    return None\n'),
      tests: { kind: 'check', source: r.test, entryPoint: r.entry_point },
    },
  }));
}

/** MBPP full: code + test_setup_code + test_list. */
export function mbppJobs(path: string): NamedJob[] {
  return jsonl<MbppRow>(path).map((r) => ({
    id: `mbpp/${r.task_id}`,
    job: {
      program: r.code,
      tests: { kind: 'asserts', setup: r.test_setup_code, asserts: r.test_list },
    },
  }));
}

/** MBPP sanitized: test_imports + code + test_list. */
export function sanitizedMbppJobs(path: string): NamedJob[] {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as SanitizedRow[];
  return rows.map((r) => ({
    id: `sanitized/${r.task_id}`,
    job: {
      program: [...r.test_imports, r.code].join('\n'),
      tests: { kind: 'asserts', setup: '', asserts: r.test_list },
    },
  }));
}
