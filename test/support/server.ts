/**
 * A plain static file server for end-to-end tests: it serves the built site exactly as a static
 * host would. With `isolation: 'none'` it sends no COOP/COEP headers at all, which is how we prove
 * the service worker supplies cross-origin isolation by itself.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { checkSharedPins, distDir, sharedDir } from './paths';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.zip': 'application/zip',
  '.gguf': 'application/octet-stream',
  '.jsonl': 'application/x-ndjson',
};

export interface StaticServerOptions {
  /** Directory served at `/`; defaults to the built site. */
  root?: string;
  /** `headers` sends COOP/COEP like our preview server; `none` sends neither, like a plain host. */
  isolation?: 'headers' | 'none';
  port?: number;
  /** Extra URL prefixes mapped to directories, e.g. `{ '/__shared/': sharedDir }`. */
  mounts?: Record<string, string>;
  /** Answer these paths with a status of our choosing (to simulate 404s, broken files, ...). */
  overrides?: Record<string, { status: number; body?: string | Buffer; type?: string }>;
}

export interface StaticServer {
  url: string;
  /** Requests served so far, as `METHOD path status`. */
  log: string[];
  close(): Promise<void>;
}

function safeJoin(root: string, urlPath: string): string | undefined {
  const decoded = decodeURIComponent(urlPath);
  const full = normalize(join(root, decoded));
  const rootWithSep = root.endsWith(sep) ? root : root + sep;
  return full === root || full.startsWith(rootWithSep) ? full : undefined;
}

export async function startStaticServer(opts: StaticServerOptions = {}): Promise<StaticServer> {
  const root = resolve(opts.root ?? distDir);
  if (!existsSync(join(root, 'index.html')) && !opts.root) {
    throw new Error(`No built site at ${root}: run \`npm run build\` first (npm test does).`);
  }
  const mounts = { '/__shared/': sharedDir, ...opts.mounts };
  checkSharedPins(); // pages fetch the pinned models by URL
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const headers: Record<string, string> = { 'Cache-Control': 'no-cache' };
    if (opts.isolation !== 'none') {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'credentialless';
    }
    const override = opts.overrides?.[path];
    if (override) {
      log.push(`${req.method} ${path} ${override.status}`);
      res.writeHead(override.status, { ...headers, 'Content-Type': override.type ?? 'text/plain' });
      res.end(override.body ?? '');
      return;
    }
    let base = root;
    let rel = path;
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (path.startsWith(prefix)) {
        base = dir;
        rel = path.slice(prefix.length - 1);
      }
    }
    let file = safeJoin(base, rel);
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file || !existsSync(file)) {
      log.push(`${req.method} ${path} 404`);
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const size = statSync(file).size;
    log.push(`${req.method} ${path} 200`);
    res.writeHead(200, {
      ...headers,
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(size),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(opts.port ?? 0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
