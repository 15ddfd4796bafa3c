/**
 * The quick demo with no internet, as a classroom would have it: the site and its models served
 * by the same server `npm start -- --models DIR` runs (scripts/serve-site.mjs) from the model
 * cache that scripts/fetch_models.py fills, in headless Chromium from a fresh profile whose DNS
 * resolves nothing but 127.0.0.1 (so Hugging Face and every CDN are unreachable).
 *
 * Home's quick demo offers the host's code model (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M) first, with
 * its size and the sha256 check it will make; with no model anywhere, it says what to do, with the
 * commands. Downloading a model from a host into the device with its sha256 checked, and keeping it
 * across a restart, is test/e2e/device-models.test.ts.
 *
 * The demo itself on Qwen, from the click to the Results page with real pass rates, is
 * `npm run bench:demo` (bench/demo.ts): wllama reads prompts at about 0.1× native speed on this
 * kind of machine (docs/results.md), so even the click to the Live page (download, sha256, load,
 * speed probe) took 456 s in a quiet clean-clone CI run, and the whole demo over 14 minutes: it
 * does not fit CI's 30-minute budget.
 *
 * Build first: `npx vite build --logLevel warn`.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types (the server npm start runs).
import { serveSite } from '../../scripts/serve-site.mjs';
import { launchBrowser, openPage } from '../support/browser';
import { devModelPath, MODELS_DIR } from '../support/models';
import { repoRoot } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import { shoot } from './ui-helpers';

interface Served {
  server: { close(): Promise<void>; resolvedUrls?: { local: string[] } };
}

/** Nothing resolves but the local servers: the hubs and CDNs are unreachable. */
const NO_INTERNET = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1';

let browser: Browser;
let site: Served;
let url: string;

beforeAll(async () => {
  devModelPath('qwen2.5-coder-0.5b');
  browser = await launchBrowser([NO_INTERNET]);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  site = (await serveSite({
    root: repoRoot,
    port,
    modelsDir: MODELS_DIR,
    log: () => undefined,
  })) as Served;
  url = site.server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
});
afterAll(async () => {
  await site?.server.close();
  await browser?.close();
});

describe('the quick demo offline, on the real code model from the site host', () => {
  let context: BrowserContext;
  afterAll(() => context?.close());

  it('offers the host’s code model first, with its size and sha256 check, while the hub is unreachable', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await openPage(context, url);
    // The hub really is out of reach from this browser.
    const hub = await page.evaluate(() =>
      fetch('https://huggingface.co/', { mode: 'no-cors' }).then(
        () => 'reached',
        () => 'unreachable',
      ),
    );
    expect(hub).toBe('unreachable');

    const demo = page.getByTestId('quick-demo');
    const model = demo.getByTestId('demo-model');
    await model.and(page.locator('[data-source="host"]')).waitFor({ timeout: 60_000 });
    expect((await model.innerText()).replace(/\s+/g, ' ')).toMatch(
      /^On this site's host: Qwen2\.5 Coder 0\.5B Instruct.* \(Q4_K_M\) \([\d.]+ MB\), downloaded once over your network and checked against its sha256\./,
    );
    // The one failed load allowed is this test's own fetch of the hub above.
    expect(errors.filter((e) => !e.includes('ERR_NAME_NOT_RESOLVED'))).toEqual([]);
  });

  it('with no model on the device or the host, says what to do, with the commands', async () => {
    // A host without models: the built site alone (its models.json lists none).
    const bare: StaticServer = await startStaticServer({ isolation: 'headers' });
    const fresh = await browser.newContext();
    try {
      const { page } = await openPage(fresh, bare.url);
      const demo = page.getByTestId('quick-demo');
      await demo.locator('[data-source="hub"]').waitFor({ timeout: 60_000 });
      await demo.getByRole('button', { name: 'Try a quick demo' }).click();
      const steps = demo.getByTestId('demo-offline');
      await steps.waitFor({ timeout: 60_000 });
      const text = (await steps.innerText()).replace(/\s+/g, ' ');
      expect(text).toContain('No model is on this device or on this site');
      expect(text).toContain('python3 scripts/fetch_models.py --only qwen2.5-coder-0.5b');
      expect(text).toContain('npm start -- --models ~/.cache/athanor/models');
      expect(text).toMatch(/Settings, under "Model host"/);
      await shoot(page, 'home-quick-demo-offline-none');
    } finally {
      await fresh.close();
      await bare.close();
    }
  });
});
