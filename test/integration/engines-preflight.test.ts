/**
 * The quick checks before a download, against a real HTTP server in Node (fetch is the same API
 * as in the browser): 404, offline, a file of the wrong kind, and the right files.
 */
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { preflightGguf, preflightWebLlm } from '../../src/engines/preflight';
import { ModelDownloadError } from '../../src/engines/errors';
import { requireShared } from '../support/paths';
import { startStaticServer, type StaticServer } from '../support/server';

let server: StaticServer;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'athanor-preflight-'));
  mkdirSync(join(root, 'good', 'resolve', 'main'), { recursive: true });
  writeFileSync(
    join(root, 'good', 'resolve', 'main', 'mlc-chat-config.json'),
    '{"model_type":"qwen2"}',
  );
  // The smallest valid WebAssembly module: magic and version.
  writeFileSync(join(root, 'good', 'lib.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  mkdirSync(join(root, 'html', 'resolve', 'main'), { recursive: true });
  writeFileSync(
    join(root, 'html', 'resolve', 'main', 'mlc-chat-config.json'),
    '<!doctype html><p>Sign in</p>',
  );
  copyFileSync(requireShared('models', 'stories260K.gguf'), join(root, 'model.gguf'));
  writeFileSync(join(root, 'index.html'), 'not a model');
  server = await startStaticServer({
    root,
    overrides: { '/forbidden.gguf': { status: 403, body: 'no' } },
  });
});

afterAll(async () => {
  await server?.close();
});

async function failure(p: Promise<unknown>): Promise<ModelDownloadError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelDownloadError);
  return err as ModelDownloadError;
}

describe('WebLLM preflight', () => {
  test('accepts a model folder with JSON config and a wasm library', async () => {
    await expect(
      preflightWebLlm(`${server.url}good`, `${server.url}good/lib.wasm`),
    ).resolves.toBeUndefined();
    expect(server.log).toContain('GET /good/resolve/main/mlc-chat-config.json 200');
  });

  test('404 on the config names the resolve/main URL', async () => {
    const err = await failure(preflightWebLlm(`${server.url}absent`, `${server.url}good/lib.wasm`));
    expect(err.failure).toBe('not-found');
    expect(err.url).toBe(`${server.url}absent/resolve/main/mlc-chat-config.json`);
  });

  test('an HTML page instead of the config, or instead of the library, is the wrong file', async () => {
    expect(
      (await failure(preflightWebLlm(`${server.url}html`, `${server.url}good/lib.wasm`))).failure,
    ).toBe('wrong-file');
    const lib = await failure(preflightWebLlm(`${server.url}good`, `${server.url}index.html`));
    expect(lib.failure).toBe('wrong-file');
    expect(lib.url).toBe(`${server.url}index.html`);
  });

  test('a host that does not answer is offline', async () => {
    const err = await failure(preflightWebLlm('http://127.0.0.1:9/m', 'http://127.0.0.1:9/m.wasm'));
    expect(err.failure).toBe('offline');
  });
});

describe('GGUF preflight', () => {
  test('accepts a real GGUF and refuses the rest with the right failure', async () => {
    await expect(preflightGguf(`${server.url}model.gguf`)).resolves.toBeUndefined();
    expect((await failure(preflightGguf(`${server.url}missing.gguf`))).failure).toBe('not-found');
    expect((await failure(preflightGguf(`${server.url}index.html`))).failure).toBe('wrong-file');
    expect((await failure(preflightGguf(`${server.url}forbidden.gguf`))).failure).toBe('http');
  });
});
