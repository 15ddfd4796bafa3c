/**
 * Shared pieces of the UI's end-to-end tests: an axe-core accessibility check run inside the page,
 * and screenshots at the two sizes the issue asks for (a laptop and a tablet).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { Task } from '../../src/core/types';
import { toyTask } from '../support/landscape';
import { repoRoot } from '../support/paths';
import { screenshot } from '../support/browser';

export const AXE_PATH = join(repoRoot, 'node_modules/axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Run axe-core (WCAG 2 A/AA rules) on the page as it is now; returns the violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown,
          ) => Promise<{
            violations: {
              id: string;
              impact: string | null;
              help: string;
              nodes: { target: unknown[] }[];
            }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  });
}

export const LAPTOP = { width: 1280, height: 800 };
export const TABLET = { width: 768, height: 1024 };

/** Screenshots at laptop size (`<name>.png`) and, when asked, tablet size (`<name>-tablet.png`). */
export async function shoot(page: Page, name: string, tablet = false): Promise<void> {
  await page.setViewportSize(LAPTOP);
  await screenshot(page, name);
  if (tablet) {
    await page.setViewportSize(TABLET);
    await screenshot(page, `${name}-tablet`);
    await page.setViewportSize(LAPTOP);
  }
}

/** True when nothing on the page is wider than the viewport (no sideways scrolling). */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

/** test/e2e/ui-doubles.ts bundled into one script for addInitScript: the scripted LLM (answers
 * after `delayMs`). */
export async function bundleDoubles(options: { delayMs: number }): Promise<string> {
  const bundled = await build({
    entryPoints: [join(repoRoot, 'test/e2e/ui-doubles.ts')],
    bundle: true,
    format: 'iife',
    write: false,
    platform: 'browser',
    define: { ATHANOR_TEST_OPTIONS: JSON.stringify(options) },
  });
  return bundled.outputFiles[0]!.text;
}

export const TRAIN_TASKS = Array.from({ length: 10 }, (_, i) => toyTask(i));
export const TEST_TASKS = [10, 11, 12, 13, 14, 15].map((i) => toyTask(i));

/** The New-run form, filled for a Prochemy run on the seeded toy set (the page is on #/runs/new). */
export async function fillProchemyOnToy(
  page: Page,
  o: {
    variants: number;
    tasks: number;
    rounds: number;
    seeds: string;
    maxCalls: number;
    name: string;
  },
): Promise<void> {
  await page.getByRole('radio', { name: /Prochemy/ }).check();
  // The starter set is seeded on first start too; the run is on the seeded toy set.
  await page.getByLabel('Task set').selectOption('toy');
  await page.getByTestId('split-counts').filter({ hasText: '10 training' }).waitFor();
  await page.getByLabel('Variants per round (N)').fill(String(o.variants));
  await page.getByLabel('Real training tasks (K)').fill(String(o.tasks));
  await page.getByLabel('Rounds (').fill(String(o.rounds));
  await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill(o.seeds);
  await page.getByLabel('Max LLM calls per seed').fill(String(o.maxCalls));
  await page.getByLabel('Max minutes per seed').fill('0');
  await page.getByLabel('Run name').fill(o.name);
}

/** Puts a task set with its split and the scripted model into the app's database (raw IndexedDB). */
export async function seedDatabase(
  page: Page,
  tasks: { train: readonly Task[]; test: readonly Task[] } = {
    train: TRAIN_TASKS,
    test: TEST_TASKS,
  },
): Promise<void> {
  await page.evaluate(async ({ train, test }) => {
    // The app creates the database as it starts; wait for its tables rather than race it.
    let idb: IDBDatabase | undefined;
    for (let i = 0; i < 300 && !idb; i++) {
      const open = indexedDB.open('athanor');
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      if (db.objectStoreNames.contains('tasks')) idb = db;
      else {
        db.close();
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (!idb) throw new Error('the app never created its database');
    const tx = idb.transaction(['datasets', 'tasks', 'models'], 'readwrite');
    for (const t of [...train, ...test]) tx.objectStore('tasks').put({ ...t, valid: true });
    tx.objectStore('datasets').put({
      id: 'toy',
      name: 'Toy tasks',
      format: 'athanor',
      license: 'MIT',
      createdAt: Date.now(),
      taskCount: train.length + test.length,
      split: {
        method: 'explicit',
        ids: { train: train.map((t) => t.id), validation: [], test: test.map((t) => t.id) },
      },
      validation: { state: 'done', passed: train.length + test.length, failed: 0 },
    });
    tx.objectStore('models').put({
      id: 'scripted',
      engine: 'scripted',
      label: 'Scripted landscape (test double)',
      source: 'test',
      addedAt: Date.now(),
    });
    await new Promise<void>((ok, fail) => {
      tx.oncomplete = () => ok();
      tx.onerror = () => fail(tx.error);
    });
    idb.close();
  }, tasks);
}

/** A run record as the tests read it straight from the app's IndexedDB. */
export interface StoredRun {
  status: string;
  error?: string;
  config: { name: string; model: { engine: string; modelId: string } };
  report?: {
    initial: { strict: { mean: number } };
    final: { strict: { mean: number } };
    prompts: { seed: number; initialId: string; finalId: string }[];
    cost: { llmCalls: number };
  };
}

export function storedRun(page: Page, id: string): Promise<StoredRun | undefined> {
  return page.evaluate(async (runId) => {
    const open = indexedDB.open('athanor');
    const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
    const req = idb.transaction('runs').objectStore('runs').get(runId);
    const run = await new Promise<unknown>((ok) => (req.onsuccess = () => ok(req.result)));
    idb.close();
    return run as never;
  }, id);
}

/**
 * On the Runs page: delete the run through its confirm button, check it is gone from the store,
 * then import its bundle and wait for the Results page the import opens.
 */
export async function deleteAndReimport(
  page: Page,
  runId: string,
  bundlePath: string,
): Promise<void> {
  const row = page.locator(`tr[data-run-id="${runId}"]`);
  await row.getByRole('button', { name: /Delete run/ }).click();
  await row.getByRole('button', { name: /Delete “/ }).click();
  await row.waitFor({ state: 'detached' });
  if ((await storedRun(page, runId)) !== undefined) throw new Error(`run ${runId} survived delete`);
  await page.locator('input[type="file"]').setInputFiles(bundlePath);
  await page.waitForFunction((id) => location.hash === `#/runs/${id}/results`, runId);
  await page.getByTestId('summary').waitFor();
}
