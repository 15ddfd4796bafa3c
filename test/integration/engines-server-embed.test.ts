/**
 * The OpenAI-compatible embedding endpoint through EmbedPort, against a real HTTP server on
 * 127.0.0.1 that answers as llama-server / Ollama do (indices out of order, base64 floats on
 * request), and the named errors for a missing endpoint, an unreachable server and a malformed
 * answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engines/errors';
import { ServerEmbedder } from '../../src/engines/server-embed';

let server: Server;
let base = '';
const seen: { url: string; body: { model: string; input: string[] } }[] = [];

const vectorOf = (text: string): number[] => [text.length, text.split(' ').length, 1];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as { model: string; input: string[] };
      seen.push({ url: req.url ?? '', body });
      if (req.url !== '/v1/embeddings') {
        res.writeHead(404).end('not found');
        return;
      }
      if (body.model === 'broken') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list"}');
        return;
      }
      // Answered in reverse order: the port must put them back by index.
      const data = body.input
        .map((t, index) => ({ object: 'embedding', index, embedding: vectorOf(t) }))
        .reverse();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe('ServerEmbedder (POST /v1/embeddings)', () => {
  it('returns one vector per text in input order, batching long lists', async () => {
    const port = new ServerEmbedder({ baseUrl: `${base}/`, model: 'bge-small', batch: 2 });
    const texts = ['a', 'bb cc', 'ddd ee ff', 'g'];
    expect(await port.embed(texts)).toEqual(texts.map(vectorOf));
    expect(port.modelId).toBe('bge-small');
    const mine = seen.filter((s) => s.body.model === 'bge-small');
    expect(mine.map((s) => s.body.input)).toEqual([
      ['a', 'bb cc'],
      ['ddd ee ff', 'g'],
    ]);
    // A base URL that already ends in /v1 is not doubled.
    const v1 = new ServerEmbedder({ baseUrl: `${base}/v1`, model: 'bge-small' });
    expect(await v1.embed(['x'])).toEqual([vectorOf('x')]);
  });

  it('says what is wrong: no endpoint, unreachable server, malformed answer', async () => {
    const wrongPath = new ServerEmbedder({ baseUrl: `${base}/api`, model: 'm' });
    await expect(wrongPath.embed(['x'])).rejects.toThrow(/answered 404 for model "m"/);
    const down = new ServerEmbedder({ baseUrl: 'http://127.0.0.1:9', model: 'm' });
    await expect(down.embed(['x'])).rejects.toThrow(/Could not reach the embedding server/);
    const broken = new ServerEmbedder({ baseUrl: base, model: 'broken' });
    await expect(broken.embed(['x'])).rejects.toBeInstanceOf(EngineError);
    await expect(broken.embed(['x'])).rejects.toThrow(/no "data" list/);
  });
});
