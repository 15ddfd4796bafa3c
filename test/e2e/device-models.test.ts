/**
 * Model files on this device, in headless Chromium over the built site with a profile on disk:
 * a GGUF added on Models is copied into the origin-private file system with its sha256 and what
 * its header says, appears in New run, survives a browser restart, runs a whole experiment loaded
 * from the stored copy (no other source: the page that runs it never loaded it), and deleting it
 * frees the space. Files that are not GGUF, are cut short, or name an architecture llama.cpp
 * cannot run are refused in words, and nothing else changes.
 *
 * The model is the 1 MB stories260K: the claim is about storage, not code quality.
 *
 * Build first: `npx vite build --logLevel warn`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types (the server npm start runs).
import { serveSite } from '../../scripts/serve-site.mjs';
import { CHROMIUM_FLAGS, chromiumPath, openPage } from '../support/browser';
import { repoRoot, requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';
import { shoot, storedRun } from './ui-helpers';

const MODEL = requireShared('models', 'stories260K.gguf');
const ID = 'stories260K.gguf';
const bytes = readFileSync(MODEL);
const sha = createHash('sha256').update(bytes).digest('hex');

let server: StaticServer;
let profile: string;
let files: string;
let context: BrowserContext;

const launch = (): Promise<BrowserContext> =>
  chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });

/** A GGUF v3 header with the given string keys and no tensors. */
function gguf(kv: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => Buffer.from(new Uint32Array([n]).buffer);
  const u64 = (n: number): Buffer => Buffer.from(new BigUint64Array([BigInt(n)]).buffer);
  const str = (s: string): Buffer => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
  parts.push(Buffer.from('GGUF'), u32(3), u64(0), u64(Object.keys(kv).length));
  for (const [k, v] of Object.entries(kv)) parts.push(str(k), u32(8), str(v));
  return Buffer.concat(parts);
}

beforeAll(async () => {
  server = await startStaticServer({ isolation: 'headers' });
  profile = mkdtempSync(join(tmpdir(), 'athanor-device-'));
  files = mkdtempSync(join(tmpdir(), 'athanor-bad-ggufs-'));
  writeFileSync(join(files, 'notes.gguf'), 'These are my notes, not a model.\n'.repeat(50));
  writeFileSync(join(files, 'half.gguf'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  writeFileSync(join(files, 'vision.gguf'), gguf({ 'general.architecture': 'clip' }));
  writeFileSync(join(files, 'exotic.gguf'), gguf({ 'general.architecture': 'no-such-arch' }));
  context = await launch();
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

interface Stored {
  records: { id: string; source: string; file?: Record<string, unknown> }[];
  opfs: { name: string; bytes: number }[];
  usage: number;
}

/** The models table, the OPFS models folder and the origin's usage, as the browser has them. */
function stored(page: Page): Promise<Stored> {
  return page.evaluate(async () => {
    const open = indexedDB.open('athanor');
    const idb = await new Promise<IDBDatabase>((ok) => (open.onsuccess = () => ok(open.result)));
    const req = idb.transaction('models').objectStore('models').getAll();
    const records = await new Promise<Stored['records']>(
      (ok) => (req.onsuccess = () => ok(req.result as Stored['records'])),
    );
    idb.close();
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('athanor-models', { create: true });
    const opfs: Stored['opfs'] = [];
    for await (const [name, h] of (
      dir as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }
    ).entries())
      opfs.push({ name, bytes: (await h.getFile()).size });
    const usage = (await navigator.storage.estimate()).usage ?? 0;
    return { records, opfs, usage };
  });
}

const newRunOptions = async (page: Page): Promise<string[]> => {
  await page.goto(`${server.url}#/runs/new`);
  const select = page.getByRole('combobox', { name: 'Model', exact: true });
  await select.waitFor({ timeout: 30_000 });
  return select
    .locator('option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
};

describe('a model file kept on this device', () => {
  let page: Page;
  let errors: string[];

  it('is copied in with its sha256 and header facts and appears in New run', async () => {
    ({ page, errors } = await openPage(context, `${server.url}#/models`));
    await page.getByTestId('device-empty').waitFor({ timeout: 60_000 });
    await page.getByLabel(/Add a GGUF file to this device/).setInputFiles(MODEL);
    await page
      .getByTestId('device-done')
      .filter({ hasText: 'Stored' })
      .waitFor({ timeout: 60_000 });
    const row = page.locator(`[data-device-model="${ID}"]`);
    expect((await row.getByTestId('device-facts').innerText()).replace(/\s+/g, ' ')).toMatch(
      /^llama · 2,048-token context · no chat template \(base model\) · /,
    );
    const s = await stored(page);
    const rec = s.records.find((r) => r.id === ID)!;
    expect(rec.source).toBe(`opfs:${ID}`);
    expect(rec.file).toMatchObject({
      name: ID,
      bytes: bytes.length,
      sha256: sha,
      from: 'disk',
      architecture: 'llama',
      contextLength: 2048,
      chatTemplate: false,
    });
    expect(s.opfs).toEqual([{ name: ID, bytes: bytes.length }]);
    await shoot(page, 'models-on-this-device');
    expect(await newRunOptions(page)).toContain(`wllama:${ID}`);
  });

  it.each([
    [
      'notes.gguf',
      /notes\.gguf is not a usable GGUF model \(it does not begin with the GGUF signature/,
    ],
    ['half.gguf', /half\.gguf is not a usable GGUF model \(the file is cut short/],
    [
      'vision.gguf',
      /architecture "clip" is an encoder or a vision\/audio part, not a model that writes text/,
    ],
    [
      'exotic.gguf',
      /architecture "no-such-arch" is not one the bundled llama\.cpp \(wllama\) can run/,
    ],
  ])('refuses %s in words and changes nothing', async (name, words) => {
    await page.goto(`${server.url}#/models`);
    await page.locator(`[data-device-model="${ID}"]`).waitFor({ timeout: 60_000 });
    const before = await stored(page);
    await page.getByLabel(/Add a GGUF file to this device/).setInputFiles(join(files, name));
    const alert = page.getByTestId('device-problem');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toMatch(words);
    expect(await alert.innerText()).toMatch(/Pick a \.gguf file/);
    const after = await stored(page);
    expect(after.records).toEqual(before.records);
    expect(after.opfs).toEqual(before.opfs);
    expect(await page.locator('[data-device-model]').count()).toBe(1);
  });

  it('is still there after a browser restart, runs from the stored copy, and deleting it frees the space', async () => {
    expect(errors).toEqual([]);
    await context.close();
    context = await launch();
    ({ page, errors } = await openPage(context, `${server.url}#/models`));
    await page.locator(`[data-device-model="${ID}"]`).waitFor({ timeout: 60_000 });
    expect(await newRunOptions(page)).toContain(`wllama:${ID}`);

    // A run on it in a page that never loaded it: the run loads the stored file.
    await page.getByRole('radio', { name: /Prochemy/ }).check();
    await page.getByLabel('Task set').selectOption('starter');
    await page.getByRole('combobox', { name: 'Model', exact: true }).selectOption(`wllama:${ID}`);
    await page
      .getByTestId('split-counts')
      .filter({ hasText: /[1-9]\d* training/ })
      .waitFor();
    await page.getByLabel('Variants per round (N)').fill('2');
    await page.getByLabel('Real training tasks (K)').fill('1');
    await page.getByLabel('Rounds (').fill('1');
    await page.getByLabel('Re-asks on a malformed answer').fill('0');
    await page.getByRole('textbox', { name: 'Seeds', exact: true }).fill('1');
    await page.getByLabel('Max LLM calls per seed').fill('0');
    await page.getByLabel('Max minutes per seed').fill('0');
    await page.getByLabel('Run name').fill('On the stored file');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction(() => /^#\/runs\/[\w-]{36}$/.test(location.hash));
    const runId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    await page.locator('.controls [data-status="done"]').waitFor({ timeout: 150_000 });
    const run = (await storedRun(page, runId))!;
    expect(run.status).toBe('done');
    expect(run.config.model.modelId).toBe(ID);
    expect(run.report!.cost.llmCalls).toBeGreaterThan(0);

    await page.goto(`${server.url}#/models`);
    const before = await stored(page);
    await page.getByRole('button', { name: new RegExp(`^Delete .* from this device$`) }).click();
    await page.getByTestId('device-empty').waitFor();
    expect(await page.getByTestId('device-done').innerText()).toMatch(
      /^Deleted .*: 1\.\d MB freed\.$/,
    );
    const after = await stored(page);
    expect(after.opfs).toEqual([]);
    expect(after.records.some((r) => r.id === ID)).toBe(false);
    expect(after.usage).toBeLessThan(before.usage);
    // New run no longer offers it (with no model left it says so instead of listing any).
    await page.goto(`${server.url}#/runs/new`);
    const model = page.getByRole('combobox', { name: 'Model', exact: true });
    await model
      .or(page.getByText(/No models yet/))
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await page.locator(`option[value="wllama:${ID}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('downloads from the model host named in Settings, its sha256 checked', async () => {
    // Another machine's `npm start -- --models DIR`: another origin, with CORS.
    const dir = mkdtempSync(join(tmpdir(), 'athanor-host-'));
    writeFileSync(join(dir, ID), bytes);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const other = (await serveSite({
      root: repoRoot,
      port,
      modelsDir: dir,
      log: () => undefined,
    })) as {
      server: { close(): Promise<void> };
    };
    try {
      await page.goto(`${server.url}#/settings`);
      await page.getByLabel('Model host address').fill(`http://127.0.0.1:${port}/models/`);
      await page.getByRole('button', { name: 'Check and save' }).click();
      await page
        .getByTestId('model-host-status')
        .filter({ hasText: 'Saved. The host offers 1 model.' })
        .waitFor({ timeout: 30_000 });

      await page.goto(`${server.url}#/models`);
      const offered = page.locator(`[data-host-model="${ID}"]`);
      await offered.waitFor({ timeout: 30_000 });
      expect(await offered.innerText()).toContain(`from 127.0.0.1:${port}`);
      await offered.getByRole('button', { name: /^Download .* to this device$/ }).click();
      await page
        .getByTestId('device-done')
        .filter({ hasText: 'its sha256 matches the manifest' })
        .waitFor({ timeout: 60_000 });
      await offered.getByText('on this device').waitFor();
      const rec = (await stored(page)).records.find((r) => r.id === ID)!;
      expect(rec.file).toMatchObject({
        sha256: sha,
        bytes: bytes.length,
        from: `http://127.0.0.1:${port}/models/${ID}`,
      });
      expect(errors).toEqual([]);
    } finally {
      await other.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
