import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A test process that dies of a fatal V8 or Node error leaves a diagnostic report here; the
// summary reporter prints its gist, since the process's own last words scroll out of CI's tail.
const NODE_REPORT_DIR = join(tmpdir(), `athanor-node-reports-${process.pid}`);
mkdirSync(NODE_REPORT_DIR, { recursive: true });
process.env.ATHANOR_NODE_REPORT_DIR = NODE_REPORT_DIR;

export default defineConfig({
  plugins: [svelte()],
  test: {
    // The summary reporter repeats, last, what did not pass: CI keeps only the tail of the output.
    reporters: ['default', './test/support/run-summary-reporter.ts'],
    execArgv: [
      '--report-on-fatalerror',
      '--report-compact',
      `--report-directory=${NODE_REPORT_DIR}`,
    ],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Pyodide workers are heavy; two cores cannot run many suites at once.
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
