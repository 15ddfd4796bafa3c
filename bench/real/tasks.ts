/**
 * The EvalPlus sets as the app has them after import: the published file read by the real
 * importer, every reference validated in Pyodide (which computes the expected outputs). The
 * validated tests are kept under the bench's cache directory, keyed by the dataset's
 * content-derived id, so later runs skip the validation.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecPort } from '../../src/core/ports';
import type { Task, TestSpec } from '../../src/core/types';
import { parseDataset } from '../../src/datasets/import';
import { validateTasks } from '../../src/datasets/validate';

export async function loadValidated(
  file: string,
  exec: ExecPort,
  cacheDir: string,
  log: (s: string) => void,
  /** Only the first `limit` tasks (a --quick run validates no more than it grades). */
  limit?: number,
): Promise<Task[]> {
  const parsed = await parseDataset({
    name: file.split('/').pop()!,
    bytes: new Uint8Array(readFileSync(file)),
  });
  const cache = join(cacheDir, `validated-${parsed.id}.json`);
  const stored: Record<string, TestSpec> = existsSync(cache)
    ? (JSON.parse(readFileSync(cache, 'utf8')) as Record<string, TestSpec>)
    : {};
  const wanted = parsed.tasks.slice(0, limit);
  const todo = wanted.filter((t) => !stored[t.id]);
  if (todo.length > 0) {
    log(`validating ${todo.length} references of ${parsed.name} in Pyodide (once; cached)…`);
    const t0 = performance.now();
    const results = await validateTasks(todo, exec);
    const bad = results.filter((r) => r.valid !== true);
    if (bad.length > 0)
      throw new Error(
        `${bad.length} references failed validation: ${bad
          .slice(0, 3)
          .map((b) => `${b.taskId}: ${b.error}`)
          .join('; ')}`,
      );
    results.forEach((r, i) => (stored[todo[i]!.id] = r.tests ?? todo[i]!.tests));
    writeFileSync(cache, JSON.stringify(stored));
    log(`validated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return wanted.map((t) => ({ ...t, tests: stored[t.id]! }));
}

/** Base and plus verdicts of one graded answer, as EvalPlus defines them (base inputs, plus inputs). */
export function basePlus(
  task: Task,
  r: { setupError?: string; tests: readonly { outcome: string }[] },
): { base: boolean; plus: boolean } {
  const tests = task.tests;
  const plusFrom = tests.kind === 'io' ? (tests.plusFrom ?? tests.cases.length) : 0;
  const n = tests.kind === 'io' ? tests.cases.length : 0;
  const ok = (from: number, to: number): boolean =>
    !r.setupError &&
    r.tests.length === n &&
    r.tests.slice(from, to).every((t) => t.outcome === 'passed');
  return { base: ok(0, plusFrom), plus: ok(plusFrom, n) };
}
