/**
 * Chromium launched by hand, as its own process group, on a persistent profile, so that a test can
 * kill the whole browser as an operating system or a user's `kill -9` would: SIGKILL to every
 * process of the group (browser, GPU, network and renderer processes), no chance to flush or say
 * goodbye. Playwright drives it over CDP (`connectOverCDP`); relaunching on the same profile
 * directory brings back what the browser had made durable (IndexedDB, Cache Storage).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM_FLAGS, chromiumPath } from './browser';

export interface KillableChromium {
  browser: Browser;
  context: BrowserContext;
  /** The process group id (the browser process's pid). */
  pgid: number;
  /** SIGKILL the whole process group; resolves once the browser process is gone. */
  kill(): Promise<void>;
  /** A normal close (for the end of a test). */
  close(): Promise<void>;
}

const LISTENING = /DevTools listening on (ws:\/\/\S+)/;

export async function launchKillable(
  profileDir: string,
  extraArgs: string[] = [],
): Promise<KillableChromium> {
  const child: ChildProcess = spawn(
    chromiumPath(),
    [
      ...CHROMIUM_FLAGS,
      '--headless',
      `--user-data-dir=${profileDir}`,
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      '--no-default-browser-check',
      '--hide-crash-restore-bubble',
      ...extraArgs,
      'about:blank',
    ],
    // detached: the browser leads a new process group, so -pgid reaches all its children.
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const ws = await new Promise<string>((ok, fail) => {
    let seen = '';
    const timer = setTimeout(
      () => fail(new Error(`Chromium did not open its DevTools port in 30 s:\n${seen}`)),
      30_000,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = LISTENING.exec(seen);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`Chromium exited at start (${code ?? signal}):\n${seen}`));
    });
  });
  // Keep draining stderr, or a chatty browser blocks on a full pipe.
  child.stderr!.resume();
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0]!;
  const pgid = child.pid!;
  return {
    browser,
    context,
    pgid,
    async kill() {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      // SIGKILL to a group reaches every member at once: none of them runs another instruction.
      // They linger a moment as zombies until reaped; only the browser process (ours to reap)
      // matters for the profile lock.
      await exited;
      // The connection is dead already; closing it only tidies Playwright's side.
      void browser.close().catch(() => undefined);
    },
    async close() {
      await browser.close().catch(() => undefined);
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {
        // Gone.
      }
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Gone.
      }
    },
  };
}
