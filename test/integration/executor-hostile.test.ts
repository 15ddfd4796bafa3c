/**
 * The hostile suite in Node, on a pool with the product's default limits (2 s grace, 768 MiB
 * heap): each program gets exactly its stated verdict by its stated path (the change in
 * `stats().replaced`, and the reason), and then a correct probe, run several times with delays,
 * on the same pool, sees the interpreter exactly as a fresh worker does. The same cases run in
 * Chromium on the built worker (test/e2e/executor-browser.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import {
  BASELINE_JOB,
  HOSTILE_CASES,
  PROBE_DELAYS_MS,
  probeJob,
  replacementError,
  WARM_INTERRUPT_JOB,
} from './executor-hostile-cases';

let pool: ExecPool;
let baseline: Record<string, unknown>;

beforeAll(async () => {
  // The product's limits: the grace and heap cap a user's pool has.
  pool = createNodeExecPool({ size: 1, spares: 1 });
  await pool.warm();
  await pool.run(WARM_INTERRUPT_JOB);
  const r = await pool.run(BASELINE_JOB);
  baseline = JSON.parse(r.stdout.text) as Record<string, unknown>;
});
afterAll(async () => {
  await pool.close();
});

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('hostile programs (Node pool)', () => {
  it('has every category of the issue and a sane baseline', () => {
    const categories = new Set(HOSTILE_CASES.map((c) => c.category));
    for (const cat of [
      'runaway',
      'asyncio',
      'javascript timers',
      'atexit',
      'codecs',
      'copyreg',
      'imports',
      'files',
      'signals',
      'interpreter settings',
      'gc',
      'network',
      'storage',
      'processes',
      'harness',
      'frames',
      'fake verdicts',
    ])
      expect(categories).toContain(cat);
    expect(baseline).toMatchObject({
      len: 'builtin_function_or_method',
      recursion: 1000,
      int_digits: 4300,
      tmp: [],
      js_loaded: [],
      getframe: false,
      asyncio_tasks: 0,
      planted: false,
      strict: 'UnicodeDecodeError',
    });
  });

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // A replacement from an earlier case may still be loading: its time is not this case's.
    await pool.whenFull();
    const before = pool.stats();
    const r = await pool.run(c.job);
    expect(c.verdict(r), JSON.stringify({ ...r, stdout: r.stdout.text.length })).toBeUndefined();
    expect(replacementError(c, before, pool.stats())).toBeUndefined();
    for (const delay of PROBE_DELAYS_MS) {
      await sleep(delay);
      const probe = await pool.run(probeJob(baseline));
      if (!probe.passed) {
        // Say what changed, key by key (the io message is cut at 200 characters).
        const now = await pool.run(BASELINE_JOB);
        let seen: Record<string, unknown> = {};
        try {
          seen = JSON.parse(now.stdout.text) as Record<string, unknown>;
        } catch {
          seen = { error: now.setupError ?? now.stdout.text.slice(0, 300) };
        }
        const changed = Object.keys(baseline)
          .filter((k) => JSON.stringify(baseline[k]) !== JSON.stringify(seen[k]))
          .map((k) => `${k}: ${JSON.stringify(baseline[k])} -> ${JSON.stringify(seen[k])}`);
        expect.fail(
          `probe after ${delay} ms: ${probe.tests[0]?.message ?? probe.setupError}; changed: ${changed.join('; ')}`,
        );
      }
    }
  });

  it('still grades correctly after all of that', async () => {
    const ok = await pool.run({
      program: 'def add(a, b):\n    return a + b\n',
      tests: {
        kind: 'check',
        entryPoint: 'add',
        source:
          'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(0, 0) == 1\n',
      },
    });
    expect(ok.passed).toBe(false);
    expect(ok.soft).toBe(0.5);
    expect(ok.tests.map((t) => t.outcome)).toEqual(['passed', 'failed']);
    // Replacements started from the first worker's memory snapshot, not from a cold boot.
    expect(pool.stats().replaced).toBeGreaterThan(0);
    expect(pool.stats().fromSnapshot).toBeGreaterThan(0);
    console.info('replaced workers:', pool.stats().replaced, pool.stats().replaceReasons);
  });
});
