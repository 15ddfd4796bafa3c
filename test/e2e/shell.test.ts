import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot } from '../support/browser';
import { startStaticServer, type StaticServer } from '../support/server';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('app shell served with isolation headers', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await startStaticServer({ isolation: 'headers' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('loads with no console errors and reports the SwiftShader adapter and isolation', async () => {
    const { page, errors } = await openPage(browser, server.url);
    const table = page.getByTestId('capabilities');
    await table.waitFor({ timeout: 30_000 });
    const webgpu = await page.locator('[data-capability="webgpu"] .value').textContent();
    expect(webgpu?.toLowerCase()).toContain('swiftshader');
    const isolation = await page.locator('[data-capability="isolation"] .value').textContent();
    expect(isolation).toBe('on');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // SwiftShader has no shader-f16: the report must say so and explain the q4f32 fallback.
    const f16 = page.locator('[data-capability="shader-f16"]');
    expect(await f16.getAttribute('data-level')).toBe('warn');
    expect(await f16.textContent()).toContain('q4f32');
    await screenshot(page, 'home');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('navigates by keyboard alone', async () => {
    const { page, errors } = await openPage(browser, server.url);
    await page.getByTestId('capabilities').waitFor();
    const visited: string[] = [];
    // Tab from the top of the page to each nav link in turn and follow it with Enter.
    for (const label of ['Models', 'Tasks', 'Runs', 'Compare', 'Replay', 'Settings', 'Home']) {
      await page.goto(`${server.url}#/`);
      await page.getByTestId('capabilities').waitFor();
      await page.locator('body').focus();
      let focused = '';
      for (let i = 0; i < 16 && focused !== label; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
      }
      expect(focused).toBe(label);
      await page.keyboard.press('Enter');
      const headings: Record<string, string> = {
        Home: 'Athanor',
        Compare: 'Compare runs',
        Replay: 'Replay a run bundle',
      };
      const heading = headings[label] ?? label;
      await page.waitForFunction(
        ([l, h]) =>
          document.querySelector('nav a[aria-current="page"]')?.textContent === l &&
          document.querySelector('main h1')?.textContent === h,
        [label, heading],
      );
      visited.push(await page.evaluate(() => location.hash));
    }
    expect(visited).toEqual([
      '#/models',
      '#/tasks',
      '#/runs',
      '#/compare',
      '#/replay',
      '#/settings',
      '#/',
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says plainly when a page does not exist', async () => {
    const { page } = await openPage(browser, `${server.url}#/no-such-page`);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Not found');
    await page.close();
  });
});

describe('app shell on a plain static host (no isolation headers)', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await startStaticServer({ isolation: 'none' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('becomes cross-origin isolated through the service worker after one reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const navigations: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });
    await page.goto(server.url);
    await page.waitForFunction(() => crossOriginIsolated === true, null, { timeout: 30_000 });
    await page.getByTestId('capabilities').waitFor();
    expect(await page.locator('[data-capability="isolation"] .value').textContent()).toBe('on');
    // The first load had no headers, so the page must have reloaded under the service worker.
    expect(navigations.length).toBeGreaterThanOrEqual(2);
    // The plain server really sent no isolation headers.
    const res = await context.request.get(server.url);
    expect(res.headers()['cross-origin-embedder-policy']).toBeUndefined();
    expect(errors).toEqual([]);
    await context.close();
  });
});
