/**
 * `npm run bench:interrupts`: how often an interrupt is lost. A program that loops forever at
 * import is given a short step limit, N times, on a Node pool with the product's 2 s grace. Each
 * run must end by the interrupt (setup error "timeout while running the program", the worker
 * kept); an interrupt Pyodide loses is paid for with the grace and a terminated, reloaded worker.
 * Before src/executor/interrupt-buffer.ts such losses came about once per full test run.
 *
 *   BENCH_INTERRUPTS=300 npm run bench:interrupts
 */
import { createNodeExecPool } from '../src/executor/node';

const N = Number(process.env.BENCH_INTERRUPTS ?? 300);
const LIMIT_MS = 40;

const pool = createNodeExecPool({ size: 1, spares: 1 });
await pool.warm();
let interrupted = 0;
let terminated = 0;
const other: string[] = [];
const late: number[] = [];
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  await pool.whenFull();
  // A different program each time, so no compiled-code cache hides anything.
  const r = await pool.run({
    program: `i = ${i}\nwhile True:\n    i += 1\n`,
    tests: { kind: 'asserts', setup: '', asserts: ['assert True'] },
    testTimeoutMs: LIMIT_MS,
  });
  if (r.setupError === 'timeout while running the program') {
    interrupted++;
    late.push(r.durationMs - LIMIT_MS);
  } else if (/terminated/.test(r.setupError ?? '')) terminated++;
  else other.push(r.setupError ?? JSON.stringify(r.tests));
}
const s = pool.stats();
await pool.close();
late.sort((a, b) => a - b);
const q = (p: number): string => (late[Math.floor(p * (late.length - 1))] ?? NaN).toFixed(0);
console.log(
  `interrupts: ${interrupted} of ${N} landed, ${terminated} lost (worker terminated after the grace), ${other.length} other; workers replaced ${s.replaced} (${JSON.stringify(s.replaceReasons)})`,
);
console.log(
  `time past the ${LIMIT_MS} ms limit to the verdict: median ${q(0.5)} ms, 95th ${q(0.95)} ms, max ${q(1)} ms; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
);
for (const o of other.slice(0, 5)) console.log(`  other: ${o}`);
