#!/usr/bin/env node
/**
 * `npm start`: install dependencies when they are missing or stale, build, and serve the built
 * site on http://127.0.0.1:4173 with the cross-origin isolation headers.
 * Port: `PORT=8080 npm start` or `npm start -- --port 8080`.
 */
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

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

const { preview } = await import('vite');
const server = await preview({
  preview: { host: '127.0.0.1', port, strictPort: true, open: false },
});
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
console.log(`\nAthanor is running at ${url}\nPress Ctrl+C to stop.`);
