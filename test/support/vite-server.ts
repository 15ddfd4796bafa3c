/**
 * Vite's dev server over the repo root, for browser tests of single modules through small test
 * pages in test/e2e/pages/ (e.g. `/test/e2e/pages/executor.html`). It sends the same COOP/COEP
 * headers as the app's own servers (vite.config.ts).
 */
import { createServer, type ViteDevServer } from 'vite';
import type { AddressInfo } from 'node:net';
import { repoRoot } from './paths';

export interface DevServer {
  url: string;
  close(): Promise<void>;
}

export async function startViteServer(): Promise<DevServer> {
  const server: ViteDevServer = await createServer({
    root: repoRoot,
    configFile: `${repoRoot}/vite.config.ts`,
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false },
    // Dependency discovery would reload pages mid-test; tests name the pages up front.
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}
