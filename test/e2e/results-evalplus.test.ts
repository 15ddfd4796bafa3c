/**
 * An EvalPlus run's two pass@1 figures on the pages, in headless Chromium on the built site: a
 * run over EvalPlus-style tasks (2 base inputs, 2 plus inputs each) is made by the real runner in
 * Node (fake-indexeddb; the LLM is the scripted landscape, and the grader a scripted one that
 * fails the plus inputs of odd tasks), exported and imported through the Runs page. Results shows
 * base beside plus, and so does the Runs list.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecPort } from '../../src/core/ports';
import type { ExecResult, Task, TestVerdict } from '../../src/core/types';
import { createRunner } from '../../src/runner';
import { exportBundle } from '../../src/store/bundle';
import { AthanorDb } from '../../src/store/db';
import { pct } from '../../src/ui/format';
import { launchBrowser, openPage } from '../support/browser';
import { landscapeLlm, toyTask } from '../support/landscape';
import { optimizers, runConfig } from '../support/runner-fixture';
import { startStaticServer, type StaticServer } from '../support/server';
import { axeViolations } from './ui-helpers';

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  await browser?.close();
});

/** A toy task with EvalPlus's io tests: cases 0–1 are base inputs, 2–3 plus inputs. */
const plusTask = (i: number): Task => ({
  ...toyTask(i),
  tests: {
    kind: 'io',
    entryPoint: 'f',
    cases: [0, 1, 2, 3].map(() => ({ args: [], expected: 'ok' })),
    atol: 0,
    plusFrom: 2,
  },
});

/** Passes "ok" programs; of the others, odd tasks pass only their base inputs. */
const plusExec: ExecPort = {
  run(job) {
    const ok = job.program.includes('"ok"');
    const odd = /toy\/(\d+)/.exec(job.program)?.[1];
    const baseOnly = !ok && Number(odd ?? 0) % 2 === 1;
    const outcomes: TestVerdict['outcome'][] = ok
      ? ['passed', 'passed', 'passed', 'passed']
      : baseOnly
        ? ['passed', 'passed', 'failed', 'not-run']
        : ['failed', 'not-run', 'not-run', 'not-run'];
    const r: ExecResult = {
      passed: ok,
      soft: outcomes.filter((o) => o === 'passed').length / 4,
      tests: outcomes.map((outcome, c) => ({ name: `case ${c}`, outcome })),
      stdout: { text: '', truncated: false },
      stderr: { text: '', truncated: false },
      durationMs: 1,
    };
    return Promise.resolve(r);
  },
};

describe('an EvalPlus run on the pages', () => {
  it('shows base pass@1 beside plus on Results and in the Runs list', async () => {
    const tasks = {
      train: [0, 1, 2, 3].map(plusTask),
      validation: [],
      test: [10, 11, 12, 13, 14, 15].map(plusTask),
    };
    // The program names its task, so the grader can tell odd tasks (the landscape writes none).
    const llm = landscapeLlm();
    const naming = {
      modelId: llm.modelId,
      complete: async (req: Parameters<typeof llm.complete>[0]) => {
        const c = await llm.complete(req);
        const task = /toy\/\d+/.exec(req.messages.map((m) => m.content).join('\n'))?.[0] ?? '';
        return { ...c, text: c.text.replace('```python\n', `\`\`\`python\n# ${task}\n`) };
      },
    };
    const db = new AthanorDb('results-evalplus');
    const runner = createRunner({
      db,
      llm: () => naming,
      exec: plusExec,
      optimizer: optimizers,
      tasks: () => Promise.resolve(tasks),
      locks: null,
    });
    const id = await runner.create(
      runConfig({ name: 'EvalPlus figures', seeds: [1], evaluation: { samples: 1, k: [1] } }),
    );
    expect(await runner.start(id)).toBe('done');
    const report = (await db.runs.get(id))!.report!;
    // The starting prompt fails some tasks, and odd ones only on their plus inputs.
    expect(report.initial.base!.mean).toBeGreaterThan(report.initial.strict.mean);
    await db.tasks.bulkPut([...tasks.train, ...tasks.test].map((t) => ({ ...t, valid: true })));
    const path = join(mkdtempSync(join(tmpdir(), 'athanor-evalplus-')), 'run.json');
    writeFileSync(
      path,
      JSON.stringify(await exportBundle(db, id, { name: 'athanor', version: 'test' })),
    );
    db.close();

    const { page, errors } = await openPage(context);
    await page.goto(`${server.url}#/runs`);
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await page.locator('input[type="file"]').setInputFiles(path);
    await page.waitForFunction((runId) => location.hash === `#/runs/${runId}/results`, id);
    const summary = page.getByTestId('summary');
    await summary.waitFor();
    await expect(summary.locator('thead').textContent()).resolves.toMatch(
      /Pass@1 \(plus\)\s*Pass@1 \(base\)/,
    );
    await expect(page.getByTestId('final-base').textContent()).resolves.toBe(
      pct(report.final.base!.mean),
    );
    await expect(page.getByTestId('final-strict').textContent()).resolves.toBe(
      pct(report.final.strict.mean),
    );
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${server.url}#/runs`);
    const base = page.getByTestId('base-pass');
    await base.waitFor();
    await expect(base.textContent()).resolves.toBe(
      `(plus; base ${pct(report.initial.base!.mean)} → ${pct(report.final.base!.mean)})`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
