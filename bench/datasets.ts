/**
 * Prints how long the task layer takes on the real datasets: parsing each file (median of 5) and
 * validating every reference through the Node Pyodide pool (one pass, after the pool is warm).
 * Run: `node --import tsx bench/datasets.ts`. Figures only; nothing is asserted.
 */
import { readFileSync } from 'node:fs';
import { parseDataset } from '../src/datasets/import';
import { starterTasks } from '../src/datasets/starter';
import { validateTasks } from '../src/datasets/validate';
import { createNodeExecPool } from '../src/executor/node';
import type { Task } from '../src/core/types';
import { requireShared } from '../test/support/paths';

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const sets: [string, Task[]][] = [['starter', starterTasks()]];
for (const name of ['HumanEval.jsonl', 'mbpp.jsonl', 'sanitized-mbpp.json']) {
  const bytes = new Uint8Array(readFileSync(requireShared('datasets', name)));
  const times: number[] = [];
  let tasks: Task[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    tasks = (await parseDataset({ name, bytes })).tasks;
    times.push(performance.now() - t0);
  }
  console.log(
    `parse ${name}: ${tasks.length} tasks, median ${median(times).toFixed(0)} ms (incl. split + near-duplicate scan)`,
  );
  sets.push([name, tasks]);
}

const pool = createNodeExecPool();
// Worker threads are unref'd; keep the process alive while jobs are in flight.
const keepAlive = setInterval(() => undefined, 1000);
try {
  const t0 = performance.now();
  await pool.warm();
  console.log(`pool warm: ${(performance.now() - t0).toFixed(0)} ms (size ${pool.size})`);
  for (const [name, tasks] of sets) {
    const t1 = performance.now();
    const results = await validateTasks(tasks, pool);
    const s = (performance.now() - t1) / 1000;
    const passed = results.filter((r) => r.valid === true).length;
    console.log(
      `validate ${name}: ${passed}/${tasks.length} pass in ${s.toFixed(2)} s (${(tasks.length / s).toFixed(0)} tasks/s)`,
    );
  }
} finally {
  clearInterval(keepAlive);
  await pool.close();
}
