/**
 * Vite's dev server over the repo root, for browser tests of single modules through small test
 * pages in test/e2e/pages/ (e.g. `/test/e2e/pages/executor.html`). It sends the same COOP/COEP
 * headers as the app's own servers (vite.config.ts).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { checkSharedPins, repoRoot, sharedDir } from './paths';

export interface ViteServerOptions {
  /**
   * Extra URL prefixes served from directories, as in server.ts. `/__shared/` (../shared, with
   * the real models and datasets) is always mounted, so test pages reach them same-origin.
   */
  mounts?: Record<string, string>;
  /** Answer these paths with a status and body of our choosing (404s, broken files, ...). */
  overrides?: Record<string, { status: number; body?: string | Buffer; type?: string }>;
}

/** Serves mounts and overrides before Vite's own middleware (plain files, no transforms). */
function staticMounts(opts: ViteServerOptions): Plugin {
  const mounts: Record<string, string> = { '/__shared/': sharedDir, ...opts.mounts };
  checkSharedPins(); // pages fetch the pinned models by URL
  return {
    name: 'athanor-test-mounts',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
        const override = opts.overrides?.[path];
        if (override) {
          res.writeHead(override.status, { 'Content-Type': override.type ?? 'text/plain' });
          res.end(override.body ?? '');
          return;
        }
        const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
        if (!prefix) return next();
        const root = mounts[prefix]!;
        const file = normalize(join(root, path.slice(prefix.length)));
        if (
          !file.startsWith(root.endsWith(sep) ? root : root + sep) ||
          !existsSync(file) ||
          statSync(file).isDirectory()
        ) {
          res.writeHead(404, { 'Content-Type': 'text/plain' });
          res.end('not found');
          return;
        }
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(statSync(file).size),
        });
        createReadStream(file).pipe(res);
      });
    },
  };
}

export interface DevServer {
  url: string;
  close(): Promise<void>;
}

export async function startViteServer(opts: ViteServerOptions = {}): Promise<DevServer> {
  const server: ViteDevServer = await createServer({
    plugins: [staticMounts(opts)],
    root: repoRoot,
    configFile: `${repoRoot}/vite.config.ts`,
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false },
    // Dependency discovery would reload pages mid-test; tests name the pages up front. Dexie's
    // ESM entry wraps its CommonJS build, so it must be pre-bundled (at start, before any page);
    // so must the CommonJS @stdlib quantile that core/task-stats.ts imports.
    optimizeDeps: { noDiscovery: true, include: ['dexie', '@stdlib/stats-base-dists-t-quantile'] },
  });
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}
