#!/usr/bin/env node
/**
 * `npm test`: build the site (the end-to-end suites test the built app), then run every Vitest
 * project — unit, integration, e2e. Extra arguments go to Vitest, e.g. `npm test -- --project unit`.
 */
import { execSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const args = process.argv.slice(2);
const onlyNode = args.some((a, i) => a === '--project' && args[i + 1] !== 'e2e');
if (!onlyNode) {
  console.log('Building the site for the end-to-end tests…');
  execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
}
const result = spawnSync('npx', ['vitest', 'run', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
