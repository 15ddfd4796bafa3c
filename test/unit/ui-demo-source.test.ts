/**
 * The quick demo's model choice (ui/demo.ts pickDemoSource: this device, then the host, then the
 * hub) and the host manifest's checks (app/model-hosts.ts readManifest), on plain data.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceModel } from '../../src/app/device-models';
import { manifestUrl, readManifest, type HostModel } from '../../src/app/model-hosts';
import type { CatalogueEntry } from '../../src/engines/catalogue';
import { paramsOf, pickDemoSource } from '../../src/ui/demo';

const device = (id: string, label: string, bytes: number, chatTemplate = true): DeviceModel => ({
  id,
  engine: 'wllama',
  label,
  source: `opfs:${id}`,
  addedAt: 0,
  file: {
    name: id,
    bytes,
    sha256: '0'.repeat(64),
    from: 'disk',
    architecture: 'qwen2',
    chatTemplate,
  },
});
const host = (file: string, name: string, bytes: number): HostModel => ({
  name,
  file,
  bytes,
  sha256: 'a'.repeat(64),
  engine: 'wllama',
  url: `http://h/models/${file}`,
  manifest: 'http://h/models/models.json',
  origin: 'site',
});
const hub = { id: 'hub-model', engine: 'webllm' } as CatalogueEntry;

describe('pickDemoSource', () => {
  it('prefers a chat model on this device, code models first, then the smallest', () => {
    const pick = pickDemoSource(
      [
        device('smol.gguf', 'SmolLM2 135M', 98e6),
        device('big-coder.gguf', 'Qwen2.5 Coder 1.5B', 1.1e9),
        device('coder.gguf', 'Qwen2.5 Coder 0.5B', 4.9e8),
        device('base-coder.gguf', 'Coder base 0.1B', 1e8, false),
      ],
      [host('h.gguf', 'Host coder 0.5B', 4.9e8)],
      hub,
    );
    expect(pick?.kind).toBe('device');
    expect(pick?.entry).toMatchObject({ id: 'coder.gguf', kind: 'code', paramsB: 0.5 });
  });

  it('takes the host when the device has none, and the hub when neither has one', () => {
    const fromHost = pickDemoSource(
      [device('base.gguf', 'Base 0.1B', 1e8, false)],
      [host('smol.gguf', 'SmolLM2 135M', 98e6), host('q.gguf', 'Qwen2.5 Coder 0.5B', 4.9e8)],
      hub,
    );
    expect(fromHost?.kind).toBe('host');
    expect(fromHost?.host?.file).toBe('q.gguf');
    expect(pickDemoSource([], [], hub)).toEqual({ kind: 'hub', entry: hub });
    expect(pickDemoSource([], [], undefined)).toBeUndefined();
  });

  it('reads the parameter count from a name, else estimates it from the size', () => {
    expect(paramsOf('SmolLM2-135M-Instruct', 0)).toBeCloseTo(0.135);
    expect(paramsOf('qwen2.5-coder-1.5b-instruct', 0)).toBe(1.5);
    expect(paramsOf('mystery', 6e8)).toBe(1);
  });
});

const answer = (body: unknown, status = 200, type = 'application/json'): typeof fetch =>
  (() =>
    Promise.resolve(
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': type },
      }),
    )) as typeof fetch;

describe('readManifest', () => {
  const good = {
    format: 'athanor-models',
    models: [
      {
        name: 'Qwen',
        file: 'q.gguf',
        bytes: 10,
        sha256: 'b'.repeat(64),
        engine: 'wllama',
        family: 'Qwen2.5-Coder',
        context: 4096,
      },
    ],
  };

  it('resolves each file beside the manifest', async () => {
    const models = await readManifest('http://h:1/m/models.json', 'setting', answer(good));
    expect(models[0]).toMatchObject({ url: 'http://h:1/m/q.gguf', origin: 'setting' });
    expect(manifestUrl('http://h:1/m', 'http://x/')).toBe('http://h:1/m/models.json');
    expect(manifestUrl('http://h:1/m/list.json', 'http://x/')).toBe('http://h:1/m/list.json');
  });

  it('refuses, in words, a bad entry, a web page, a 404 and an unreachable host', async () => {
    const bad = { models: [{ ...good.models[0], sha256: 'xyz' }] };
    await expect(readManifest('http://h/models.json', 'site', answer(bad))).rejects.toThrow(
      /is not valid: at models\.0\.sha256, 64 lowercase hex digits/,
    );
    await expect(
      readManifest('http://h/models.json', 'site', answer('<html>', 200, 'text/html')),
    ).rejects.toMatchObject({
      absent: true,
      message: expect.stringMatching(/a web page, not a manifest/),
    });
    await expect(
      readManifest('http://h/models.json', 'site', answer('no', 404, 'text/plain')),
    ).rejects.toMatchObject({
      absent: true,
      message: expect.stringMatching(/no manifest .* \(404\)/),
    });
    const down = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    await expect(readManifest('http://h/models.json', 'setting', down)).rejects.toThrow(
      /Could not reach the model host .* must send Access-Control-Allow-Origin/,
    );
  });
});
