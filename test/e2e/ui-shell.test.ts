/**
 * The app as a whole in headless Chromium: every page passes axe-core in light and dark themes
 * and fits a laptop and a tablet; the theme choice persists; after one visit the app starts with
 * no network (service worker cache) and stays cross-origin isolated; the manifest makes it
 * installable.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, launchPersistent, openPage } from '../support/browser';
import { startStaticServer, type StaticServer } from '../support/server';
import { axeViolations, fitsWidth, LAPTOP, shoot, TABLET } from './ui-helpers';

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

const PAGES = [
  { hash: '#/', name: 'home', heading: 'Athanor' },
  { hash: '#/models', name: 'models', heading: 'Models' },
  { hash: '#/tasks', name: 'tasks', heading: 'Tasks' },
  { hash: '#/runs', name: 'runs', heading: 'Runs' },
  { hash: '#/runs/new', name: 'new-run', heading: 'New run' },
  { hash: '#/compare', name: 'compare', heading: 'Compare runs' },
  { hash: '#/replay', name: 'replay', heading: 'Replay a run bundle' },
  { hash: '#/settings', name: 'settings', heading: 'Settings' },
];

describe('every page', () => {
  it('passes axe-core in both themes and fits a laptop and a tablet', async () => {
    const context = await browser.newContext({ viewport: LAPTOP });
    const { page, errors } = await openPage(context);
    const report: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      await page.goto(`${server.url}#/`);
      await page.evaluate((t) => localStorage.setItem('athanor:theme', t), theme);
      await page.reload();
      for (const p of PAGES) {
        await page.goto(`${server.url}${p.hash}`);
        await page.waitForFunction(
          (h) => document.querySelector('main h1')?.textContent === h,
          p.heading,
          { timeout: 30_000 },
        );
        // Let the page's own queries settle (liveQuery, capability probes).
        await page.waitForTimeout(300);
        expect(await page.getAttribute('html', 'data-theme')).toBe(theme);
        for (const v of await axeViolations(page)) {
          report.push(`${theme} ${p.name}: ${v.id} (${v.impact}) ${v.help} ${v.nodes.join(' ')}`);
        }
        await page.setViewportSize(TABLET);
        if (!(await fitsWidth(page))) report.push(`${theme} ${p.name}: wider than a tablet`);
        await page.setViewportSize(LAPTOP);
        if (theme === 'light') await shoot(page, p.name, true);
        else await shoot(page, `${p.name}-dark`);
      }
    }
    expect(report).toEqual([]);
    // The check itself can fail: an image without a text alternative is caught.
    await page.evaluate(() =>
      document.querySelector('main')?.append(document.createElement('img')),
    );
    expect((await axeViolations(page)).map((v) => v.id)).toContain('image-alt');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('settings', () => {
  it('switches the theme from the keyboard and remembers it after a reload', async () => {
    const context = await browser.newContext({ colorScheme: 'light' });
    const { page, errors } = await openPage(context, `${server.url}#/settings`);
    await page.getByRole('radio', { name: 'Dark' }).waitFor();
    expect(await page.getAttribute('html', 'data-theme')).toBeNull();
    await page.getByRole('radio', { name: 'Follow the system' }).focus();
    await page.keyboard.press('ArrowDown'); // Light
    await page.keyboard.press('ArrowDown'); // Dark
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.reload();
    await page.getByRole('radio', { name: 'Dark' }).waitFor();
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      background,
    );
    expect(background).not.toBe('rgb(247, 246, 243)');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('offline and installable', () => {
  it('starts with no network after one visit, still isolated, and is installable', async () => {
    const plain = await startStaticServer({ isolation: 'none' });
    // A persistent profile: Chromium never offers to install an app from an incognito context.
    const context = await launchPersistent();
    try {
      const { page, errors } = await openPage(context, plain.url);
      await page.waitForFunction(() => crossOriginIsolated === true, null, { timeout: 30_000 });
      await page.getByTestId('capabilities').waitFor();
      // The service worker downloads the app and Pyodide after the first visit.
      await page.goto(`${plain.url}#/settings`);
      await page.getByRole('button', { name: /the offline copy now/ }).click();
      await page.waitForFunction(
        () =>
          document
            .querySelector('[data-testid="offline-status"]')
            ?.textContent?.includes('Ready offline'),
        null,
        { timeout: 120_000, polling: 500 },
      );
      const cached = await page.evaluate(async () => {
        const names = await caches.keys();
        const urls = (await Promise.all(names.map(async (n) => (await caches.open(n)).keys())))
          .flat()
          .map((r) => new URL(r.url).pathname);
        return urls;
      });
      expect(cached).toContain('/index.html');
      const cdp = await context.newCDPSession(page);
      const installability = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: { errorId: string }[];
      };
      expect(installability.installabilityErrors.map((e) => e.errorId)).toEqual([]);

      await context.setOffline(true);
      await plain.close();
      await page.goto(`${plain.url}#/`);
      await page.getByTestId('capabilities').waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      expect(await page.locator('[data-capability="isolation"] .value').textContent()).toBe('on');
      await page.goto(`${plain.url}#/settings`);
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      expect(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'))).toEqual([]);
    } finally {
      await context.close();
      await plain.close().catch(() => undefined);
    }
  });
});
