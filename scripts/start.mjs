#!/usr/bin/env node
/**
 * `npm start`: install dependencies when they are missing or stale, build, and serve the built
 * site on http://127.0.0.1:4173 with the cross-origin isolation headers.
 * Port: `PORT=8080 npm start` or `npm start -- --port 8080`.
 * Models for a room: `npm start -- --models DIR` serves the .gguf files in DIR at models/ with a
 * manifest it writes (scripts/serve-site.mjs); `--host 0.0.0.0` lets other machines connect;
 * `--context N` sets the window the served models load with. See docs/models.md.
 */
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > -1 ? process.argv[i + 1] : undefined;
};
const argPort = process.argv.indexOf('--port');
const port = Number(argPort > -1 ? process.argv[argPort + 1] : (process.env.PORT ?? 4173));
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(
    `Invalid port ${process.argv[argPort + 1] ?? process.env.PORT}: give a number from 1 to 65535.`,
  );
  process.exit(2);
}

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const stale =
  !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  console.log('Installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

console.log('Building…');
execSync('npx vite build', { stdio: 'inherit' });

const context = arg('--context') === undefined ? undefined : Number(arg('--context'));
if (context !== undefined && !(Number.isInteger(context) && context >= 256)) {
  console.error(`Invalid --context ${arg('--context')}: give a number of tokens, 256 or more.`);
  process.exit(2);
}
const { serveSite } = await import('./serve-site.mjs');
let server;
try {
  ({ server } = await serveSite({
    root,
    port,
    host: arg('--host') ?? '127.0.0.1',
    modelsDir: arg('--models'),
    context,
  }));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
const urls = [...(server.resolvedUrls?.local ?? []), ...(server.resolvedUrls?.network ?? [])];
console.log(
  `\nAthanor is running at ${urls.join(' and ') || `http://127.0.0.1:${port}/`}\nPress Ctrl+C to stop.`,
);
