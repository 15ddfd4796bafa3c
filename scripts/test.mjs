#!/usr/bin/env node
/**
 * `npm test`: build the site (the end-to-end suites test the built app), then run every Vitest
 * project — unit, integration, e2e. Extra arguments go to Vitest, e.g. `npm test -- --project unit`.
 *
 * A file whose test process died under it (Vitest: "Worker exited unexpectedly") has no verdict:
 * none of its tests failed, the process running them was gone. Such files, and only when nothing
 * else failed, are run once more on their own; the run passes only if they then pass. Any failed
 * test, or any other error, fails the run at once. The summary reporter
 * (test/support/run-summary-reporter.ts) says which files those were and why the process died.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const args = process.argv.slice(2);
const onlyNode = args.some((a, i) => a === '--project' && args[i + 1] !== 'e2e');
if (!onlyNode) {
  console.log('Building the site for the end-to-end tests…');
  execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
}

const scratch = mkdtempSync(join(tmpdir(), 'athanor-test-'));

/** One Vitest run; its exit status and what the summary reporter wrote. */
function vitest(runArgs, name) {
  const summaryFile = join(scratch, `${name}.json`);
  const result = spawnSync('npx', ['vitest', 'run', ...runArgs], {
    stdio: 'inherit',
    env: { ...process.env, ATHANOR_RUN_SUMMARY: summaryFile },
  });
  let summary;
  try {
    summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  } catch {
    summary = undefined; // Vitest itself did not get as far as the end of the run.
  }
  return { status: result.status ?? 1, summary };
}

let { status, summary } = vitest(args, 'run');
const onlyDied =
  status !== 0 &&
  summary !== undefined &&
  summary.failed.length === 0 &&
  summary.otherErrors === 0 &&
  summary.died.length > 0;
if (onlyDied) {
  const files = summary.died.map((f) => relative(root, f));
  const projects = args.flatMap((a, i) => (a === '--project' ? [a, args[i + 1]] : []));
  console.log(
    `\nThe test process died under ${files.length} file(s) with no test failed: ${files.join(', ')}.` +
      '\nRunning them once more on their own; they must pass now.\n',
  );
  ({ status } = vitest([...projects, ...files], 'rerun'));
  console.log(
    status === 0
      ? `\nRe-run passed: ${files.join(', ')}. The first run's process death is reported above.`
      : '\nRe-run failed.',
  );
}
rmSync(scratch, { recursive: true, force: true });
process.exit(status);
