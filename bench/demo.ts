/**
 * `npm run bench:demo`: the quick demo offline, as a classroom has it. The built site (build it
 * first: `npx vite build`) and the model cache of scripts/fetch_models.py are served by the server
 * `npm start -- --models DIR` runs (scripts/serve-site.mjs); headless Chromium starts from a fresh
 * profile whose DNS resolves nothing but 127.0.0.1 (no hub, no CDN), opens Home and clicks "Try a
 * quick demo". The demo takes the host's Qwen2.5-Coder-0.5B (downloaded onto the device, sha256
 * checked), measures its speed, runs Prochemy on the starter set through wllama, and opens Results.
 *
 * Prints one line: wall time from the click to the Results page, the initial and refined prompts'
 * held-out pass@1, and the demo's projected time before the click (a typical speed) and after the
 * speed probe (the measured one, as Home shows it next time). `--shot FILE` saves a screenshot of
 * the Results page. Asserts nothing; timings on a shared machine are noisy.
 */
import { resolve } from 'node:path';
import { launchBrowser } from '../test/support/browser';
import { DEV_MODELS, devModelPath, MODELS_DIR } from '../test/support/models';
import { repoRoot } from '../test/support/paths';
// @ts-expect-error: a plain ES module without types (the server npm start runs).
import { serveSite } from '../scripts/serve-site.mjs';

const shotArg = process.argv.indexOf('--shot');
const shot = shotArg > -1 ? resolve(process.argv[shotArg + 1] ?? 'demo-results.png') : undefined;
const QWEN = DEV_MODELS['qwen2.5-coder-0.5b'];

devModelPath('qwen2.5-coder-0.5b');
const port = 20_000 + Math.floor(Math.random() * 20_000);
const { server } = (await serveSite({
  root: repoRoot,
  port,
  modelsDir: MODELS_DIR,
  log: () => undefined,
})) as { server: { close(): Promise<void> } };
const url = `http://127.0.0.1:${port}/`;
let t0 = Date.now();
let ticker: ReturnType<typeof setInterval> | undefined;
const browser = await launchBrowser(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(url);
  const demo = page.getByTestId('quick-demo');
  // Progress lines while it runs (the bench takes minutes).
  ticker = setInterval(() => {
    void demo
      .getByTestId('demo-status')
      .innerText({ timeout: 1000 })
      .then(
        (t) => t.trim() && console.log(`  ${Math.round((Date.now() - t0) / 1000)} s: ${t.trim()}`),
        () => undefined,
      );
  }, 30_000);
  await demo.locator('[data-source="host"]').waitFor({ timeout: 60_000 });
  const before = (await demo.getByTestId('demo-time').innerText()).trim();
  t0 = Date.now();
  await demo.getByRole('button', { name: 'Try a quick demo' }).click();
  const alert = demo.getByRole('alert');
  await Promise.race([
    page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash), null, {
      timeout: 3_600_000,
    }),
    alert.waitFor({ timeout: 3_600_000 }).then(async () => {
      throw new Error(`The demo stopped: ${await alert.innerText()}`);
    }),
  ]);
  console.log(`  ${Math.round((Date.now() - t0) / 1000)} s: the run starts`);
  const tLive = Date.now();
  const runId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
  await page.waitForFunction((id) => location.hash === `#/runs/${id}/results`, runId, {
    timeout: 3_600_000,
  });
  const t1 = Date.now();
  clearInterval(ticker);
  ticker = undefined;
  await page.getByTestId('summary').waitFor();
  if (shot) await page.screenshot({ path: shot, fullPage: true });
  // tsx (esbuild keepNames) wraps named functions in __name(), which the page does not have.
  await page.evaluate('globalThis.__name = (f) => f');
  const { report, threads, heldout } = await page.evaluate(
    async ({ id, model }) => {
      const open = indexedDB.open('athanor');
      const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
      const get = <T>(store: string, key: string): Promise<T> =>
        new Promise((ok) => {
          const req = idb.transaction(store).objectStore(store).get(key);
          req.onsuccess = () => ok(req.result as T);
        });
      const run = await get<{
        report: { initial: { strict: { mean: number } }; final: { strict: { mean: number } } };
        taskIds?: { test: string[] };
      }>('runs', id);
      const rec = await get<{ speed?: { threads?: number } }>('models', model);
      idb.close();
      return {
        report: run.report,
        threads: rec.speed?.threads ?? 1,
        heldout: run.taskIds?.test.length,
      };
    },
    { id: runId, model: QWEN.file },
  );
  // Home sizes the demo again from the speed the probe stored.
  await page.goto(url);
  await demo.locator('[data-source="device"]').waitFor({ timeout: 60_000 });
  const after = (await demo.getByTestId('demo-time').innerText()).trim();
  const s = Math.round((t1 - t0) / 1000);
  const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
  console.log(
    `quick demo offline (Qwen2.5-Coder-0.5B, wllama, ${threads} threads): ${Math.floor(s / 60)} min ${s % 60} s to Results; ` +
      `initial ${pct(report.initial.strict.mean)}, refined ${pct(report.final.strict.mean)} on ${heldout ?? '?'} held-out tasks; ` +
      `projected ${before} before and ${after} after the speed probe`,
  );
  console.log(
    `  (of which ${Math.round((tLive - t0) / 1000)} s from the click to the Live page: download from the host, sha256, load, speed probe)`,
  );
} finally {
  clearInterval(ticker);
  await browser.close();
  await server.close();
}
