/**
 * `npm run bench:ui`: how the interface behaves during a run, in headless Chromium over the built
 * app (ATHANOR_DIST, default dist; build it first with `npx vite build`).
 *
 * 1. The longest main-thread task (PerformanceObserver 'longtask', tasks over 50 ms) while a run
 *    goes from the New-run form to done with the Live-run page open — the page a user watches. The
 *    LLM is the scripted landscape (answers after BENCH_UI_DELAY_MS, default 20 ms, so the page
 *    sees a fast stream of evaluations); code is graded by the browser's Pyodide pool.
 * 2. The app's JavaScript, gzipped: what the first page loads, and everything, excluding the
 *    engines' runtimes (web-llm, wllama, Pyodide) and models.
 *
 * Prints figures; asserts nothing (the target is no long task over 50 ms during a run).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../test/support/browser';
import { distDir } from '../test/support/paths';
import { startStaticServer } from '../test/support/server';
import { bundleDoubles, seedDatabase } from '../test/e2e/ui-helpers';

const delayMs = Number(process.env.BENCH_UI_DELAY_MS ?? 20);

/** Engine runtimes are not the app's code: recognised by name or by what they contain. */
function isEngineRuntime(name: string, text: string): boolean {
  const big = text.length > 1024 * 1024;
  return (
    /^(llm\.worker|wllama|pyodide)/.test(name) ||
    (big && (text.includes('MLCEngine') || text.includes('loadPyodide')))
  );
}

function javascriptSizes(): { entry: number; app: number; excluded: string[]; files: number } {
  const assets = join(distDir, 'assets');
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const initial = new Set(
    [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+\.js)"/g)].map((m) => m[1]),
  );
  let entry = 0;
  let app = 0;
  let files = 0;
  const excluded: string[] = [];
  for (const name of readdirSync(assets).filter((n) => n.endsWith('.js'))) {
    const bytes = readFileSync(join(assets, name));
    if (isEngineRuntime(name, bytes.toString('latin1'))) {
      excluded.push(name);
      continue;
    }
    const gz = gzipSync(bytes, { level: 9 }).length;
    app += gz;
    files++;
    if (initial.has(name)) entry += gz;
  }
  return { entry, app, excluded, files };
}

async function longestTaskDuringRun(
  watch: 'live' | 'settings',
): Promise<{ longest: number; count: number; total: number; runMs: number; evaluations: number }> {
  const server = await startStaticServer({ isolation: 'headers' });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript({ content: await bundleDoubles({ delayMs }) });
    await context.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          w.__longTasks.push(e.duration);
          if ((globalThis as { __benchVerbose?: boolean }).__benchVerbose !== false)
            console.debug(`longtask ${e.startTime.toFixed(0)} ${e.duration.toFixed(0)}`);
        }
      }).observe({ type: 'longtask', buffered: true });
    });
    const page = await context.newPage();
    if (process.env.BENCH_UI_VERBOSE)
      page.on(
        'console',
        (m) => m.text().startsWith('longtask') && console.log(m.text(), Date.now()),
      );
    await page.goto(`${server.url}#/runs`);
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await seedDatabase(page);
    await page.goto(`${server.url}#/runs/new`);
    await page.getByRole('radio', { name: /Prochemy/ }).check();
    await page.getByLabel('Task set').selectOption('toy');
    await page.getByTestId('split-counts').filter({ hasText: '10 training' }).waitFor();
    await page.getByLabel('Variants per round (N)').fill('4');
    await page.getByLabel('Real training tasks (K)').fill('8');
    await page.getByLabel('Rounds (').fill('4');
    await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill('1, 2');
    await page.getByLabel('Max LLM calls per seed').fill('0');
    await page.getByLabel('Max minutes per seed').fill('0');
    // Only tasks that start once the run does count: page load and form filling are not a run.
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
    const started = Date.now();
    if (process.env.BENCH_UI_VERBOSE)
      console.log('start', started, await page.evaluate(() => performance.now()));
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const live = page.url();
    // The baseline watches nothing of the run: what is left is the runner's own main-thread work.
    if (watch === 'settings') await page.evaluate(() => (location.hash = '#/settings'));
    const id = decodeURIComponent(new URL(live).hash.split('/')[2] ?? '');
    const status = (): Promise<string> =>
      page.evaluate(async (runId) => {
        const open = indexedDB.open('athanor');
        const idb = await new Promise<IDBDatabase>(
          (ok) => (open.onsuccess = () => ok(open.result)),
        );
        const req = idb.transaction('runs').objectStore('runs').get(runId);
        const run = await new Promise<{ status: string }>(
          (ok) => (req.onsuccess = () => ok(req.result)),
        );
        idb.close();
        return run.status;
      }, id);
    for (let s = await status(); s !== 'done'; s = await status()) {
      if (s === 'failed' || s === 'cancelled') throw new Error(`The benchmark run ended ${s}.`);
      await new Promise((ok) => setTimeout(ok, 250));
    }
    const runMs = Date.now() - started;
    if (watch === 'settings') await page.goto(live);
    await page.locator('[data-testid="live-figures"][data-ready="true"]').waitFor();
    const evaluations = Number(await page.getByTestId('evaluations').textContent());
    const tasks = await page.evaluate(
      () => (window as unknown as { __longTasks: number[] }).__longTasks,
    );
    return {
      longest: tasks.length ? Math.max(...tasks) : 0,
      count: tasks.length,
      total: tasks.reduce((s, d) => s + d, 0),
      runMs,
      evaluations,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

const sizes = javascriptSizes();
console.log(`Built app: ${distDir}`);
console.log(`JavaScript gzipped, first page (index.html's scripts): ${kb(sizes.entry)}`);
console.log(`JavaScript gzipped, whole app (${sizes.files} files): ${kb(sizes.app)}`);
console.log(`  excluded as engine runtimes: ${sizes.excluded.join(', ') || 'none'}`);
console.log(
  `Run: Prochemy, 2 seeds, N=4, K=8, 4 rounds; scripted LLM ${delayMs} ms/call; code graded by Pyodide.`,
);
console.log(
  `Machine load average before: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${cpus().length} cores (long tasks grow with contention).`,
);
for (const watch of ['live', 'settings'] as const) {
  const r = await longestTaskDuringRun(watch);
  const what = watch === 'live' ? 'Live-run page open' : 'baseline, Settings page open';
  console.log(
    `${what}: ${(r.runMs / 1000).toFixed(1)} s, ${r.evaluations} evaluations; long tasks (> 50 ms): ${r.count}, ` +
      `longest ${r.longest.toFixed(0)} ms, total ${r.total.toFixed(0)} ms`,
  );
  if (watch === 'live') {
    console.log(
      r.longest > 50 ? 'Target (no task over 50 ms) missed.' : 'Target met: no task over 50 ms.',
    );
  }
}
