/**
 * `npm run bench:relaunch`: how soon a run makes progress again after the browser is killed. In
 * headless Chromium over the built app (ATHANOR_DIST, default dist; build it first with
 * `npx vite build`), a run is started, then its browser is SIGKILLed (the whole process group)
 * and relaunched on the same profile again and again; the app resumes the run when it opens
 * (Settings' "resume interrupted runs when Athanor opens"). Measured per relaunch, from spawning
 * the browser:
 *
 * - to the first new LLM call stored (the run's call log), and
 * - to the first new evaluation stored (which needs Python),
 *
 * alternately with the Python memory snapshot kept in Cache Storage (what the app does) and with
 * it deleted before the relaunch, which makes Pyodide boot cold: the anchor, measured in the same
 * run on the same machine; and, as a second anchor, Pyodide's own cold boot against a start from
 * the snapshot in Node. Each answer is a distinct program (see UNIQUE_PROGRAMS), so grading
 * needs Python. The LLM is the scripted landscape (answers after BENCH_RELAUNCH_DELAY_MS,
 * default 25 ms). Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadPyodide } from 'pyodide';
import { PRELOAD_PY } from '../src/executor/python-sources';
import { SNAPSHOT_CACHE } from '../src/executor/snapshot-cache';
import { snapshotOptions } from '../src/executor/worker-core';
import { launchKillable, type KillableChromium } from '../test/support/killable-chromium';
import { runConfig } from '../test/support/runner-fixture';
import { startStaticServer } from '../test/support/server';
import { putRun, storedState } from '../test/e2e/crash-store';
import { bundleDoubles, seedDatabase, TEST_TASKS, TRAIN_TASKS } from '../test/e2e/ui-helpers';
import { UNIQUE_PROGRAMS } from '../test/e2e/unique-programs';

const delayMs = Number(process.env.BENCH_RELAUNCH_DELAY_MS ?? 25);
const ROUNDS = Number(process.env.BENCH_RELAUNCH_ROUNDS ?? 4);
const RUN_ID = 'bench-relaunch';

const server = await startStaticServer({ isolation: 'headers' });
const doubles = await bundleDoubles({ delayMs });
const profile = mkdtempSync(join(tmpdir(), 'athanor-relaunch-'));

async function launch(): Promise<{ kb: KillableChromium; probe: Page }> {
  const kb = await launchKillable(profile);
  await kb.context.addInitScript({ content: doubles });
  await kb.context.addInitScript({ content: UNIQUE_PROGRAMS });
  // tsx keeps function names with a helper the page lacks (functions handed to page.evaluate).
  await kb.context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const probe = kb.context.pages()[0] ?? (await kb.context.newPage());
  await probe.goto(`${server.url}__probe`);
  return { kb, probe };
}

/** Polls the store from the probe tab until `pick` grows past `from`; ms since `t0`. */
async function until(
  probe: Page,
  pick: 'stored' | 'calls',
  from: number,
  t0: number,
): Promise<number> {
  for (;;) {
    const s = await storedState(probe, RUN_ID);
    if (s[pick] > from) return performance.now() - t0;
    if (s.status !== 'running') throw new Error(`the run is ${s.status}; nothing more to measure`);
    await new Promise((ok) => setTimeout(ok, 5));
  }
}

const hasSnapshot = (probe: Page): Promise<boolean> =>
  probe.evaluate(
    async (name) => (await (await caches.open(name)).keys()).length > 0,
    SNAPSHOT_CACHE,
  );

let { kb, probe } = await launch();
const app = await kb.context.newPage();
await app.goto(`${server.url}#/runs`);
await app.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
await seedDatabase(app);
const now = Date.now();
await putRun(app, {
  id: RUN_ID,
  config: runConfig({
    name: 'Relaunch bench',
    knobs: { variants: 3, trainTasks: 10, rounds: 8, patience: 8 },
    // Long enough that every relaunch finds work left.
    seeds: Array.from({ length: 12 }, (_, i) => i + 1),
  }),
  status: 'created',
  createdAt: now,
  updatedAt: now,
  testSetOptimization: false,
  taskIds: {
    train: TRAIN_TASKS.map((t) => t.id),
    validation: [],
    test: TEST_TASKS.map((t) => t.id),
  },
});
await app.evaluate(async () => {
  const open = indexedDB.open('athanor');
  const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
  const tx = idb.transaction('settings', 'readwrite');
  tx.objectStore('settings').put({ key: 'ui:resume-interrupted-on-open', value: true });
  await new Promise((ok) => (tx.oncomplete = ok));
  idb.close();
});
await app.goto(`${server.url}#/runs/${RUN_ID}`);
await app.locator('.controls button.primary', { hasText: 'Start' }).click();
await until(probe, 'stored', 3, performance.now());
for (let i = 0; i < 400 && !(await hasSnapshot(probe)); i++) {
  await new Promise((ok) => setTimeout(ok, 50));
}

const results: Record<'kept' | 'cold', { open: number[]; call: number[]; evaluation: number[] }> = {
  kept: { open: [], call: [], evaluation: [] },
  cold: { open: [], call: [], evaluation: [] },
};
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of ['kept', 'cold'] as const) {
    await kb.kill();
    const t0 = performance.now();
    ({ kb, probe } = await launch());
    if (mode === 'cold') await probe.evaluate((name) => caches.delete(name), SNAPSHOT_CACHE);
    const before = await storedState(probe, RUN_ID);
    const page = await kb.context.newPage();
    await page.goto(`${server.url}#/`);
    await page.locator('main h1').waitFor();
    results[mode].open.push(performance.now() - t0);
    const call = until(probe, 'calls', before.calls, t0);
    const evaluation = until(probe, 'stored', before.stored, t0);
    results[mode].call.push(await call);
    results[mode].evaluation.push(await evaluation);
    // Let the cold boot store its new snapshot before the next kill.
    for (let i = 0; i < 200 && !(await hasSnapshot(probe)); i++) {
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
}
await kb.close();
await server.close();
rmSync(profile, { recursive: true, force: true });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number): string => `${Math.round(x)} ms`;
console.log(
  `bench:relaunch — ${ROUNDS} relaunches each; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}; LLM answers after ${delayMs} ms`,
);
for (const mode of ['kept', 'cold'] as const) {
  const r = results[mode];
  console.log(
    `  ${mode === 'kept' ? 'snapshot kept (app)' : 'snapshot deleted (cold Pyodide boot, anchor)'}: ` +
      `relaunch → app open ${ms(median(r.open))}, → first new LLM call ${ms(median(r.call))}, → first new evaluation ${ms(median(r.evaluation))} ` +
      `(median; all: ${r.evaluation.map(ms).join(', ')})`,
  );
}
// The anchor outside the browser, on the same machine now: Pyodide booted cold (and the harness
// loaded) against Pyodide started from that memory snapshot, in Node.
let t = performance.now();
const cold = await loadPyodide(snapshotOptions({ makeSnapshot: true }) as never);
cold.runPython(PRELOAD_PY);
const bytes = (cold as unknown as { makeMemorySnapshot(): Uint8Array }).makeMemorySnapshot();
const coldMs = performance.now() - t;
t = performance.now();
const warm = await loadPyodide(snapshotOptions({ snapshot: bytes }) as never);
warm.runPython('1 + 1');
const snapMs = performance.now() - t;
console.log(
  `  Pyodide in Node (anchor): cold boot + harness ${ms(coldMs)}, from the ${(bytes.length / 1e6).toFixed(1)} MB snapshot ${ms(snapMs)} (${(snapMs / coldMs).toFixed(2)}×)`,
);
const afterOpen = (m: 'kept' | 'cold'): number =>
  median(results[m].evaluation.map((e, i) => e - results[m].open[i]!));
console.log(
  `  app open → first new evaluation: kept ${ms(afterOpen('kept'))}, cold ${ms(afterOpen('cold'))} ` +
    `(${(afterOpen('kept') / afterOpen('cold')).toFixed(2)}×)`,
);
const ratio = median(results.kept.evaluation) / median(results.cold.evaluation);
console.log(
  `  relaunch → first new evaluation with the kept snapshot is ${ratio.toFixed(2)}× the cold-boot anchor ` +
    `(${ms(median(results.cold.evaluation) - median(results.kept.evaluation))} sooner)`,
);
