/**
 * scripts/test.mjs (`npm test`) on fixture files of its own (test/fixtures/test-script): a file
 * whose test process dies once fails the run even though its re-run passes, and the last line
 * says how the process died; a passing file passes. Also the pieces it decides with
 * (scripts/test-deaths.mjs): reading last words from the output, and the allow-list.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needsBuild } from '../../scripts/test-args.mjs';
import { explainDeaths, lastWordsCollector } from '../../scripts/test-deaths.mjs';
import { repoRoot } from '../support/paths';

const scratch = mkdtempSync(join(tmpdir(), 'athanor-test-script-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * `npm test` on the fixture project, outside this Vitest run: none of its variables leak in (the
 * outer run's summary file and fatal-report directory among them).
 */
function npmTest(filter: string, env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('VITEST') && !k.startsWith('ATHANOR_') && k !== 'NODE_ENV',
    ),
  );
  const r = spawnSync(
    process.execPath,
    [
      'scripts/test.mjs',
      '--config',
      'test/fixtures/test-script/vitest.config.ts',
      '--project',
      'fixture',
      filter,
    ],
    { cwd: repoRoot, env: { ...clean, ...env }, encoding: 'utf8', timeout: 120_000 },
  );
  const lines = r.stdout.trim().split('\n');
  return { status: r.status, lastLine: lines.at(-1) ?? '', out: r.stdout + r.stderr };
}

/** V8's last words when it hits unreachable code (Node 20, as seen here before b7a19cd). */
const V8_UNREACHABLE = `#
# Fatal error in , line 0
# unreachable code
#
#
#
#FailureMessage Object: 0x7ffd5c4a2f40
----- Native stack trace -----

 1: 0xcbd4a1  [node]
 2: 0x1c1c0a1 V8_Fatal(char const*, ...) [node]
 3: 0x10a58a6 v8::internal::Deoptimizer::DoComputeBuiltinContinuation(v8::internal::TranslatedFrame*, int, v8::internal::BuiltinContinuationMode) [node]`;

describe('npm test on a file whose test process dies once', () => {
  it('fails the run when the process died silently, though the re-run passes', () => {
    const r = npmTest('dies-once', { ATHANOR_DIES_ONCE_MARKER: join(scratch, 'silent') });
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('Running them once more on their own');
    expect(r.lastLine).toBe(
      '✗ A test process died under test/fixtures/test-script/dies-once.fixture.ts: no last words ' +
        'on stderr and no fatal-error report: killed from outside (a signal, the out-of-memory ' +
        'killer) or exited on its own. The re-run on its own passed; the run fails: a death that ' +
        'is not a known runtime fault (scripts/test-deaths.mjs) is a failure.',
    );
  }, 120_000);

  it('fails the run when its last words are not a known runtime fault, and prints them', () => {
    const r = npmTest('dies-once', {
      ATHANOR_DIES_ONCE_MARKER: join(scratch, 'words'),
      ATHANOR_DIES_ONCE_WORDS:
        '#\n# Fatal error in ../src/athanor.cc, line 7\n# a fault nobody knows',
    });
    expect(r.status, r.out).toBe(1);
    expect(r.lastLine).toBe(
      '✗ A test process died under test/fixtures/test-script/dies-once.fixture.ts: Fatal error ' +
        'in ../src/athanor.cc, line 7 / a fault nobody knows (unknown). The re-run on its own ' +
        'passed; the run fails: a death that is not a known runtime fault ' +
        '(scripts/test-deaths.mjs) is a failure.',
    );
  }, 120_000);

  it('passes a file that passes, with no word of a death', () => {
    const r = npmTest('passes', { CI: 'true' });
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toContain('died');
    expect(r.out).not.toContain('skipped under CI');
  }, 120_000);
});

describe('npm test under CI', () => {
  it('fails a run in which a test skipped itself, and names it', () => {
    const r = npmTest('skips', { CI: 'true' });
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('1 test(s) skipped under CI (CI must never skip):');
    expect(r.out).toContain(
      'skipped: [fixture] test/fixtures/test-script/skips.fixture.ts > skips itself',
    );
  }, 120_000);
});

describe('the allow-list of known deaths', () => {
  const known = [
    {
      name: 'V8 deopt of an inlined JS-to-Wasm call',
      upstream: 'https://example.org/bug/1',
      patterns: [/unreachable code/, /DoComputeBuiltinContinuation/],
    },
  ];
  const collect = (text: string) => {
    const c = lastWordsCollector();
    for (const l of `vitest says hello\n${text}\n ✓ later output`.split('\n')) c.push(l);
    return c.deaths();
  };

  it("reads V8's last words out of the output, native stack included", () => {
    const deaths = collect(V8_UNREACHABLE);
    expect(deaths).toHaveLength(1);
    expect(deaths[0]).toContain('# unreachable code');
    expect(deaths[0]).toContain('DoComputeBuiltinContinuation');
    expect(deaths[0]).not.toContain('vitest says hello');
  });

  it('passes a death only when every death is matched by an entry', () => {
    const deaths = collect(V8_UNREACHABLE);
    expect(explainDeaths(1, deaths, known)).toEqual({
      known: true,
      why: 'V8 deopt of an inlined JS-to-Wasm call (known runtime fault, https://example.org/bug/1)',
    });
    // Two files died, one set of last words: the silent one is unexplained.
    expect(explainDeaths(2, deaths, known).known).toBe(false);
    // An entry's patterns must all match.
    expect(
      explainDeaths(1, collect('# Fatal error in , line 0\n# unreachable code'), known),
    ).toEqual({
      known: false,
      why: 'Fatal error in , line 0 / unreachable code (unknown)',
    });
    expect(explainDeaths(1, [], known).known).toBe(false);
  });

  it('ships empty: the one fault seen so far is worked around in the product, with no upstream bug to cite', () => {
    expect(explainDeaths(1, collect(V8_UNREACHABLE))).toEqual({
      known: false,
      why: 'Fatal error in , line 0 / unreachable code / ----- Native stack trace ----- (unknown)',
    });
  });
});

describe('whether npm test builds the site first', () => {
  it('builds whenever the e2e suite runs, however the projects are named', () => {
    expect(needsBuild([])).toBe(true);
    expect(needsBuild(['test/unit/foo.test.ts'])).toBe(true);
    expect(needsBuild(['--project', 'unit', '--project', 'e2e'])).toBe(true);
    expect(needsBuild(['--project=e2e'])).toBe(true);
    expect(needsBuild(['--project', 'unit'])).toBe(false);
    expect(needsBuild(['--project', 'unit', '--project=integration'])).toBe(false);
  });
});
