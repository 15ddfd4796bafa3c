/**
 * Headless Chromium for end-to-end tests: the system's Chromium (Debian's package) driven by
 * playwright-core. No browser is ever downloaded.
 */
import { existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  const path = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `No Chromium at ${path}. Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium\n` +
        'or point CHROME_PATH at a Chromium or Chrome binary.',
    );
  }
  return path;
}

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
  });
}

/**
 * A persistent context (a profile on disk) for tests that need state to survive a page close,
 * such as IndexedDB across a "closed tab".
 */
export async function launchPersistent(extraArgs: string[] = []): Promise<BrowserContext> {
  const dir = mkdtempSync(join(tmpdir(), 'athanor-profile-'));
  return chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

/** A new page whose console errors and page errors are collected for assertions. */
export async function openPage(
  target: Browser | BrowserContext,
  url?: string,
): Promise<WatchedPage> {
  const page = await target.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  if (url) await page.goto(url);
  return { page, errors };
}

/** Save a screenshot under test-results/screenshots for people to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join('test-results', 'screenshots', `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
