#!/usr/bin/env node
/**
 * `npm test`: build the site when an end-to-end suite will run (they test the built app), then
 * run the Vitest projects — unit, integration, e2e. Extra arguments go to Vitest, e.g.
 * `npm test -- --project unit`.
 *
 * A file whose test process died under it (Vitest: "Worker exited unexpectedly") has no verdict:
 * none of its tests failed, the process running them was gone. When nothing else failed, such
 * files are run once more on their own, with every argument of the first run, to tell whether
 * they pass at all. The re-run is a diagnosis, not a second chance: the run passes only if the
 * re-run passes AND every death is a known runtime fault (scripts/test-deaths.mjs, each with its
 * upstream bug). The last line says how each process died, whichever way the run goes. Any
 * failed test, any other error, and any skipped test under CI (test/support/run-summary-reporter.ts)
 * fail the run at once.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needsBuild } from './test-args.mjs';
import { explainDeaths, lastWordsCollector } from './test-deaths.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const args = process.argv.slice(2);

if (needsBuild(args)) {
  console.log('Building the site for the end-to-end tests…');
  execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
}

const scratch = mkdtempSync(join(tmpdir(), 'athanor-test-'));

/**
 * One Vitest run: its exit status, what the summary reporter wrote, and the last words of any
 * process that died (read from the output as it passes through; test processes write theirs to
 * Vitest's stderr).
 */
function vitest(runArgs, name) {
  const summaryFile = join(scratch, `${name}.json`);
  const lastWords = lastWordsCollector();
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', ...runArgs], {
      stdio: ['inherit', 'pipe', 'pipe'],
      env: { ...process.env, ATHANOR_RUN_SUMMARY: summaryFile },
    });
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      let partial = '';
      from.on('data', (chunk) => {
        to.write(chunk);
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) lastWords.push(line);
      });
      from.on('end', () => partial && lastWords.push(partial));
    }
    child.on('close', (code) => {
      let summary;
      try {
        summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
      } catch {
        summary = undefined; // Vitest itself did not get as far as the end of the run.
      }
      resolve({ status: code ?? 1, summary, lastWords: lastWords.deaths() });
    });
  });
}

const first = await vitest(args, 'run');
let status = first.status;
const summary = first.summary;
const died = summary?.died ?? [];
if (died.length > 0) {
  const files = died.map((f) => relative(root, f));
  const evidence = [...first.lastWords, ...(summary.fatalReports ?? [])];
  const { known, why } = explainDeaths(files.length, evidence);
  const onlyDied =
    summary.failed.length === 0 &&
    summary.otherErrors === 0 &&
    (summary.skippedUnderCi ?? []).length === 0;
  let rerun = 'not re-run: other tests failed too';
  if (onlyDied) {
    console.log(
      `\nThe test process died under ${files.length} file(s) with no test failed: ${files.join(', ')}.` +
        '\nRunning them once more on their own, with the same arguments, to see whether they pass at all.\n',
    );
    // Every argument of the first run, plus the files: Vitest runs the files that match any of
    // the filters, so the re-run is at most the first run and at least these files.
    const again = await vitest([...args, ...died], 'rerun');
    rerun = again.status === 0 ? 'the re-run on its own passed' : 'the re-run on its own FAILED';
    status = again.status === 0 && known ? 0 : 1;
  } else {
    status = status || 1;
  }
  const verdict =
    status === 0
      ? 'the run passes: every death is a known runtime fault'
      : known
        ? 'the run fails'
        : 'the run fails: a death that is not a known runtime fault (scripts/test-deaths.mjs) is a failure';
  console.log(
    `\n${status === 0 ? '⚠' : '✗'} A test process died under ${files.join(', ')}: ${why}. ${rerun[0].toUpperCase()}${rerun.slice(1)}; ${verdict}.`,
  );
}
rmSync(scratch, { recursive: true, force: true });
process.exit(status);
