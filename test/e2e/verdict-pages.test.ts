/**
 * One comparison, one verdict (issue 23): in headless Chromium on the built site, the Results page
 * of a run and the Compare page's head-to-head row word the same comparison the same way. The
 * issue's case: the exact test rejects (Compare once said "second better, beyond chance" from the
 * p alone) but the interval, widened by seeds that disagree, holds 0 (Results said "not a reliable
 * difference").
 *
 * Two finished runs are written straight into IndexedDB: run A's refined prompt is one answer on
 * every seed (4 of 20 tasks), run B's seeds find 14, 6 and 0 more tasks. Run B's initial prompt
 * answers as run A's refined one, so B's own report (refined vs initial) and the A-vs-B pair are
 * the same comparison: p = 0.0031, 95% CI [−46.8, +100] points. Run B also graded a validation
 * task while optimizing (as GEPA does with its Pareto set): its gap table must say "used for
 * selection".
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTaskLevel, verdictOf } from '../../src/core/task-stats';
import type { RunConfig } from '../../src/core/types';
import { buildReport } from '../../src/runner/report';
import type { EvaluationRecord, RunRecord } from '../../src/store/records';
import { launchBrowser, openPage } from '../support/browser';
import { startStaticServer, type StaticServer } from '../support/server';

const TASKS = Array.from({ length: 20 }, (_, i) => `toy/v${i}`);
const SEEDS = [1, 2, 3];
const a = TASKS.map((_, i) => i < 4);
const gains = [14, 6, 0];
const b = gains.map((g) => TASKS.map((_, i) => i < 4 + g));

const config = (name: string, method: string): RunConfig => ({
  name,
  method,
  knobs: {},
  model: { engine: 'scripted', modelId: 'scripted' },
  datasetId: 'toy',
  trainSplit: 'train',
  testSplit: 'test',
  seeds: SEEDS,
  budget: {},
  sampling: {
    generate: { temperature: 0, max_tokens: 64 },
    mutate: { temperature: 1, max_tokens: 64 },
  },
  initialPrompt: 'Write Python.',
  evaluation: { samples: 1, k: [1] },
});

const evaluation = (
  runId: string,
  seed: number,
  promptId: string,
  taskId: string,
  passed: boolean,
): EvaluationRecord => ({
  runId,
  seed,
  phase: 'heldout',
  promptId,
  taskId,
  sample: 0,
  completionKey: `${runId}/${seed}/${promptId}/${taskId}`,
  code: 'def f():\n    return 1\n',
  result: {
    passed,
    soft: passed ? 1 : 0,
    tests: [],
    stdout: { text: '', truncated: false },
    stderr: { text: '', truncated: false },
    durationMs: 1,
  },
  createdAt: 1,
});

function run(
  id: string,
  method: string,
  initial: (s: number) => boolean[],
  final: (s: number) => boolean[],
): { record: RunRecord; evaluations: EvaluationRecord[] } {
  const evaluations = SEEDS.flatMap((seed, s) => [
    ...TASKS.map((t, i) => evaluation(id, seed, 'I', t, initial(s)[i]!)),
    ...TASKS.map((t, i) => evaluation(id, seed, `F${seed}`, t, final(s)[i]!)),
    // Run B is a GEPA-like run: it graded its prompts on the validation task while optimizing.
    ...(id === 'run-b'
      ? (['optimize', 'validation'] as const).map((phase) => ({
          ...evaluation(id, seed, `F${seed}`, 'toy/val0', true),
          phase,
        }))
      : []),
  ]);
  const cfg = config(id, method);
  const report = buildReport({
    config: cfg,
    testTaskIds: TASKS,
    validationTaskIds: ['toy/val0'],
    prompts: SEEDS.map((seed) => ({ seed, initialId: 'I', finalId: `F${seed}` })),
    evaluations,
    calls: [],
    testSetOptimization: false,
  });
  return {
    record: {
      id,
      config: cfg,
      status: 'done',
      createdAt: 1,
      updatedAt: id === 'run-b' ? 3 : 2,
      testSetOptimization: false,
      report,
      taskIds: { train: [], validation: ['toy/val0'], test: TASKS },
    },
    evaluations,
  };
}

const runA = run(
  'run-a',
  'zero-shot',
  () => a,
  () => a,
);
const runB = run(
  'run-b',
  'gpo',
  () => a,
  (s) => b[s]!,
);

let browser: Browser;
let server: StaticServer;
beforeAll(async () => {
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
});

async function putRuns(page: Page): Promise<void> {
  await page.evaluate(
    async (runs) => {
      let idb: IDBDatabase | undefined;
      for (let i = 0; i < 300 && !idb; i++) {
        const open = indexedDB.open('athanor');
        const db = await new Promise<IDBDatabase>((ok, fail) => {
          open.onsuccess = () => ok(open.result);
          open.onerror = () => fail(open.error);
        });
        if (db.objectStoreNames.contains('runs')) idb = db;
        else {
          db.close();
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      if (!idb) throw new Error('the app never created its database');
      const tx = idb.transaction(['runs', 'evaluations'], 'readwrite');
      for (const r of runs) {
        tx.objectStore('runs').put(r.record);
        for (const e of r.evaluations) tx.objectStore('evaluations').put(e);
      }
      await new Promise<void>((ok, fail) => {
        tx.oncomplete = () => ok();
        tx.onerror = () => fail(tx.error);
      });
      idb.close();
    },
    [runA, runB],
  );
}

describe('one verdict on the Results and Compare pages', () => {
  it('words the issue’s comparison the same way on both pages', { timeout: 40_000 }, async () => {
    // The comparison itself: the test rejects, the interval holds 0 because the seeds disagree.
    const c = compareTaskLevel(
      SEEDS.map(() => a.map(Number)),
      b.map((r) => r.map(Number)),
    );
    expect(c.p).toBeLessThan(0.05);
    expect(c.ci.lo).toBeLessThan(0);
    const words = verdictOf(c).text;
    expect(words).toBe('the tasks lean one way but the seeds disagree: not a reliable difference');
    expect(runB.record.report!.taskLevel!.combined.p).toBe(c.p);

    const { page, errors } = await openPage(browser, `${server.url}#/runs`);
    await putRuns(page);
    // The records were written past Dexie, whose live queries cache what they last read (the Runs
    // page's empty list): a fresh start of the app reads them all.
    await page.goto(`${server.url}#/runs/run-b/results`);
    await page.reload();
    const results = page.getByTestId('verdict');
    await results.waitFor({ timeout: 20_000 });
    expect(await results.innerText()).toContain(`Refined vs initial: ${words}.`);
    expect(await page.getByTestId('verdict-scope').innerText()).toMatch(/^3 seeds/);
    // The gap table: run B's validation score was used for selection, on every seed.
    expect(await page.getByTestId('validation-used').count()).toBe(3);

    await page.goto(`${server.url}#/compare/run-a,run-b`);
    const pair = page.getByTestId('pair-verdict');
    await pair.waitFor({ timeout: 20_000 });
    const compareText = await pair.innerText();
    expect(compareText).toContain(`run-b (gpo) vs run-a (zero-shot): ${words}`);
    expect(compareText).not.toMatch(/beyond chance/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
