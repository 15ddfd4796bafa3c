/**
 * Honest stops on the pages (issue 16), in headless Chromium on the built site: two finished runs
 * are made by the real runner in Node (fake-indexeddb; the LLM is scripted, the answers are graded
 * by the real Pyodide pool), exported as bundles
 * and imported through the Runs page. The Results and Live pages must say why each seed stopped,
 * with advice when the model never followed the answer format, which relevance measure GPO used,
 * and GPO's edit budget beside the measured edit distance of every candidate.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmPort } from '../../src/core/ports';
import { gpo } from '../../src/optimizers/gpo';
import type { Optimizer } from '../../src/optimizers/types';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { createRunner } from '../../src/runner';
import { exportBundle } from '../../src/store/bundle';
import { AthanorDb } from '../../src/store/db';
import { launchBrowser, openPage } from '../support/browser';
import { landscapeServer } from '../support/cutting-server';
import { serverPort } from '../../src/engines/openai';
import { optimizers, runConfig, runTasks } from '../support/runner-fixture';
import { scriptedLlm } from '../support/scripted-llm';
import { startStaticServer, type StaticServer } from '../support/server';
import { axeViolations, shoot } from './ui-helpers';

let browser: Browser;
let server: StaticServer;
let context: BrowserContext;
let pool: ExecPool;
const dir = mkdtempSync(join(tmpdir(), 'athanor-diag-'));

/** Run one config to its end in Node and write its bundle; returns the run id and the path. */
async function bundleOf(
  name: string,
  llm: LlmPort,
  over: Parameters<typeof runConfig>[0],
): Promise<{ id: string; path: string }> {
  const db = new AthanorDb(`diag-${name}`);
  const runner = createRunner({
    db,
    llm: () => llm,
    exec: pool,
    optimizer: (m) => (m === 'gpo' ? (gpo as unknown as Optimizer) : optimizers(m)),
    tasks: () => Promise.resolve(runTasks),
    locks: null,
  });
  const id = await runner.create(runConfig({ name, ...over }));
  expect(await runner.start(id)).toBe('done');
  await db.tasks.bulkPut([...runTasks.train, ...runTasks.test].map((t) => ({ ...t, valid: true })));
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify(await exportBundle(db, id, { name: 'athanor', version: 'test' })),
  );
  db.close();
  return { id, path };
}

async function importBundleFile(page: Page, id: string, path: string): Promise<void> {
  await page.goto(`${server.url}#/runs`);
  await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
  await page.locator('input[type="file"]').setInputFiles(path);
  await page.waitForFunction((runId) => location.hash === `#/runs/${runId}/results`, id);
}

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startStaticServer({ isolation: 'headers' });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  pool = createNodeExecPool({ size: 1, spares: 0 });
  await pool.warm();
});
afterAll(async () => {
  await pool?.close();
  await context?.close();
  await server?.close();
  await browser?.close();
});

describe('why a run stopped, on the Results and Live pages', () => {
  it('a model that never follows the answer format: no usable variants, with advice', async () => {
    const llm = scriptedLlm((req) =>
      req.purpose === 'generate' ? 'def f():\n    return 1' : 'A better prompt: be careful.',
    );
    const { id, path } = await bundleOf('no-format', llm, {});
    const { page, errors } = await openPage(context);
    await importBundleFile(page, id, path);
    const stops = page.getByTestId('stop-reasons');
    await stops.waitFor();
    await expect(stops.locator('li[data-reason="no-usable-variants"]').count()).resolves.toBe(2);
    await expect(stops.textContent()).resolves.toMatch(/produced no usable variant/);
    await expect(stops.getByRole('note').first().textContent()).resolves.toMatch(
      /rarely follows the answer format: try a larger optimizer model/,
    );
    await expect(stops.textContent()).resolves.not.toMatch(/Converged/);
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, 'results-no-usable-variants');

    await page.goto(`${server.url}#/runs/${encodeURIComponent(id)}`);
    await page.getByTestId('stop-reasons').waitFor();
    await expect(page.getByTestId('stop-reasons').textContent()).resolves.toMatch(
      /no usable variant/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a server that cut answers short: the retries said, and the token counts marked estimated', async () => {
    // Every third request is cut (the role chunk, then [DONE]); the server sends no usage.
    const { server: fake, fetchImpl } = landscapeServer((call) => call % 3 === 0);
    const llm = serverPort({
      apiBase: 'http://127.0.0.1:9/v1',
      model: 'm',
      concurrency: 4,
      fetch: fetchImpl,
    });
    const { id, path } = await bundleOf('server-cuts', llm, { seeds: [1] });
    expect(fake.cuts).toBeGreaterThan(0);
    const { page, errors } = await openPage(context);
    await importBundleFile(page, id, path);
    const faults = page.getByTestId('server-faults');
    await faults.waitFor();
    await expect(faults.textContent()).resolves.toMatch(
      new RegExp(
        `The model server cut ${fake.cuts} answers short \\(last: the answer ended without a finish reason\\)\\. Each was asked again, alone, and graded only once it came back whole`,
      ),
    );
    await expect(page.getByTestId('tokens-estimated').textContent()).resolves.toMatch(
      /estimated for (\d+) of \1\s+calls/,
    );
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('GPO with a paraphrasing model: variants scored, distances shown, TF-IDF said', async () => {
    let n = 0;
    const llm = scriptedLlm((req) => {
      if (req.purpose === 'generate') return 'def f():\n    return 1';
      n += 1;
      return `<START>You are a careful Python developer (${n}). Read the task twice, think about empty and huge inputs, then write clean code.<END>`;
    });
    const { id, path } = await bundleOf('gpo-paraphrase', llm, {
      method: 'gpo',
      knobs: { steps: 4, candidates: 2, trainTasks: 4, patience: 10, lMax: 10 },
      seeds: [1],
    });
    const { page, errors } = await openPage(context);
    await importBundleFile(page, id, path);
    const table = page.getByTestId('edit-distances');
    await table.waitFor();
    await expect(table.locator('tbody tr').count()).resolves.toBe(4);
    await expect(table.locator('tbody tr').first().textContent()).resolves.toMatch(
      /^\s*1\s*10\s*\d+, \d+/,
    );
    await expect(page.getByTestId('relevance').textContent()).resolves.toMatch(
      /TF-IDF word overlap, because no embedding model was loaded/,
    );
    await expect(
      page.getByTestId('stop-reasons').locator('li[data-reason="max-steps"]').count(),
    ).resolves.toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, 'results-gpo-diagnostics');
    expect(errors).toEqual([]);
    await page.close();
  });
});
