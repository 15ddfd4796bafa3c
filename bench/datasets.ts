/**
 * Prints how long the task layer takes on the real datasets: parsing each file (median of 5) and
 * validating every reference through the Node Pyodide pool (one pass, after the pool is warm).
 * For the EvalPlus files (HumanEval+, MBPP+) it also runs EvalPlus's own ground-truth computation
 * in native CPython on the same references and inputs, in the same run, and prints
 * `validation vs CPython: X×` (wall clock, and CPU time, which the other load of a shared machine
 * disturbs less). Needs the tools venv for that (bash scripts/python-tools.sh).
 * Run: `node --import tsx bench/datasets.ts [--evalplus-only] [--file=MbppPlus.jsonl.gz]`. Figures
 * only; nothing is asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadPyodide } from 'pyodide';
import { parseDataset } from '../src/datasets/import';
import { starterTasks } from '../src/datasets/starter';
import { validateTasks } from '../src/datasets/validate';
import { createNodeExecPool } from '../src/executor/node';
import type { Task } from '../src/core/types';
import { requireShared } from '../test/support/paths';
import { toolsPython } from '../test/support/python';

const evalplusOnly = process.argv.includes('--evalplus-only');
const rawScript = new URL('./evalplus-raw.py', import.meta.url).pathname;

/** CPU seconds of bench/evalplus-raw.py on one file in python3 and in Pyodide (in this process). */
async function rawRatio(gzPath: string): Promise<{ pyodide: number; cpython: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'athanor-raw-'));
  try {
    const jsonl = join(dir, 'data.jsonl');
    writeFileSync(jsonl, gunzipSync(readFileSync(gzPath)));
    const cp = JSON.parse(execFileSync('python3', [rawScript, jsonl], { encoding: 'utf8' })) as {
      cpuSeconds: number;
    };
    const py = await loadPyodide();
    py.FS.writeFile('/tmp/data.jsonl', readFileSync(jsonl));
    py.runPython(readFileSync(rawScript, 'utf8').replace(/if __name__ == '__main__':[\s\S]*$/, ''));
    const c0 = process.cpuUsage();
    py.runPython("run('/tmp/data.jsonl')");
    const c = process.cpuUsage(c0);
    return { pyodide: (c.user + c.system) / 1e6, cpython: cp.cpuSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const sets: [string, Task[]][] = evalplusOnly ? [] : [['starter', starterTasks()]];
const plainFiles = evalplusOnly ? [] : ['HumanEval.jsonl', 'mbpp.jsonl', 'sanitized-mbpp.json'];
for (const name of plainFiles) {
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
  const only = process.argv.find((a) => a.startsWith('--file='))?.slice('--file='.length);
  for (const name of ['HumanEvalPlus.jsonl.gz', 'MbppPlus.jsonl.gz'].filter(
    (n) => !only || n === only,
  )) {
    const path = requireShared('datasets', name);
    const t0p = performance.now();
    const parsed = await parseDataset({ name, bytes: new Uint8Array(readFileSync(path)) });
    const parseS = (performance.now() - t0p) / 1000;
    const cases = parsed.tasks.reduce(
      (n, t) => n + (t.tests.kind === 'io' ? t.tests.cases.length : 0),
      0,
    );
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    const results = await validateTasks(parsed.tasks, pool);
    const s = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const passed = results.filter((r) => r.valid === true).length;
    const failed = results.filter((r) => r.valid === false);
    console.log(
      `validate ${name}: ${passed}/${parsed.tasks.length} pass (${cases} inputs, parse ${parseS.toFixed(1)} s) in ${s.toFixed(1)} s, CPU ${cpuS.toFixed(1)} s (pool size ${pool.size}; validation uses one worker per core: ${availableParallelism()})`,
    );
    for (const f of failed.slice(0, 10)) console.log(`  FAILED ${f.taskId}: ${f.error}`);
    // One task's inputs run in order in one worker: the longest task bounds the wall time.
    const longest = results.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
    console.log(
      `  longest task: ${longest.taskId.split('/').slice(1).join('/')} ${(longest.durationMs / 1000).toFixed(1)} s in one worker`,
    );
    const cp = JSON.parse(
      execFileSync(
        toolsPython,
        [new URL('./evalplus-cpython.py', import.meta.url).pathname, path],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      ),
    ) as { inputs: number; seconds: number; cpuSeconds: number };
    console.log(
      `  CPython (evalplus trusted_exec, one process): ${cp.inputs} inputs in ${cp.seconds.toFixed(1)} s, CPU ${cp.cpuSeconds.toFixed(1)} s`,
    );
    console.log(
      `  ${name} validation vs CPython: ${(s / cp.seconds).toFixed(2)}× (wall), ${(cpuS / cp.cpuSeconds).toFixed(2)}× (CPU)`,
    );
    // The physical limit: the bare reference loop in Pyodide against the same loop in CPython.
    const raw = await rawRatio(path);
    console.log(
      `  ${name} raw reference loop, Pyodide vs CPython (no harness): ${raw.pyodide.toFixed(1)} s vs ${raw.cpython.toFixed(1)} s CPU = ${(raw.pyodide / raw.cpython).toFixed(2)}×`,
    );
    // The floor for validation's wall time here: Pyodide's bare loop spread perfectly over the
    // workers validation uses (one per core), against the same CPython figure as above.
    const cores = availableParallelism();
    console.log(
      `  ${name} floor on ${cores} cores (raw Pyodide loop / ${cores}, vs CPython): ${(raw.pyodide / cores / cp.seconds).toFixed(2)}×; validation is ${(s / (raw.pyodide / cores)).toFixed(2)}× that floor`,
    );
  }
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
