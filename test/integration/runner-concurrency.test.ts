/**
 * Concurrency must not change a run. The same run is driven with one request in flight and with
 * eight, through a scripted LLM whose answers arrive after random delays (so completion order is
 * scrambled), and everything the run stores is compared: graded answers, the call log (keys,
 * occurrences, sequence numbers, requests, answers), prompts, checkpoints, the completion cache
 * and the report. Then the run at c = 8 is crashed and resumed over and over, and replayed from
 * its log; both end identical to the run at c = 1.
 *
 * Racing (Prochemy stops scoring a variant that can no longer win), a token budget that stops
 * optimization mid-round, pass@k samples with per-sample seeds and a model that ignores seeds on
 * meta-requests are all on, since each is a place where order could leak into results.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { hashValue } from '../../src/core/hash';
import type { LlmPort } from '../../src/core/ports';
import { Rng } from '../../src/core/rng';
import type { Completion, CompletionRequest, RunConfig } from '../../src/core/types';
import { CachedEngine, MemoryCompletionStore } from '../../src/engines/cache';
import { PrefetchingEngine } from '../../src/engines/prefetch';
import { ReplayEngine } from '../../src/engines/replay';
import { createRunner } from '../../src/runner';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import {
  CrashSwitch,
  optimizers,
  runConfig,
  runTasks,
  unseededSampling,
} from '../support/runner-fixture';

let dbCount = 0;
const open: AthanorDb[] = [];
function freshDb(): AthanorDb {
  const db = new AthanorDb(`runner-concurrency-${++dbCount}`);
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** Answers after a random delay (0-12 ms), so concurrent answers complete out of order. */
function delayed(inner: LlmPort, seed: number): LlmPort & { peak: number } {
  const rng = Rng.seeded(seed);
  let inFlight = 0;
  const port = {
    modelId: inner.modelId,
    peak: 0,
    async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      inFlight++;
      port.peak = Math.max(port.peak, inFlight);
      try {
        await new Promise((r) => setTimeout(r, rng.int(0, 12)));
        signal?.throwIfAborted();
        return await inner.complete(req, signal);
      } finally {
        inFlight--;
      }
    },
  };
  return port;
}

const CONFIG: RunConfig = runConfig({
  knobs: { variants: 4, trainTasks: 6, rounds: 3, patience: 3 },
  seeds: [1, 2],
  evaluation: { samples: 3, k: [1, 3] },
});

/** Drops what legitimately differs between two drives of one run: wall times and ids of time. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (/latency|createdAt|updatedAt|durationMs|^id$|^runId$|^cached$/i.test(k)) continue;
      out[k] = strip(v);
    }
    return out;
  }
  return value;
}

const byJson = (a: unknown, b: unknown): number =>
  JSON.stringify(a).localeCompare(JSON.stringify(b));

async function stored(db: AthanorDb, runId: string, store?: MemoryCompletionStore) {
  const run = (await db.runs.get(runId))!;
  return {
    status: run.status,
    report: strip(run.report),
    evaluations: strip(await db.evaluations.where('runId').equals(runId).toArray()) as unknown[],
    calls: strip(
      (await db.runCalls.where('runId').equals(runId).toArray()).sort(
        (a, b) => a.seed - b.seed || a.seq - b.seq,
      ),
    ),
    prompts: (strip(await db.prompts.where('runId').equals(runId).toArray()) as unknown[]).sort(
      byJson,
    ),
    checkpoints: strip(await db.checkpoints.where('runId').equals(runId).toArray()),
    cache: store
      ? strip([...store.entries.values()].sort((a, b) => a.key.localeCompare(b.key)))
      : undefined,
  };
}

interface Drive {
  db: AthanorDb;
  runId: string;
  store: MemoryCompletionStore;
  peak: number;
}

/** One run at concurrency c, optionally crashing at the given call numbers and resuming. */
async function drive(c: number, config: RunConfig, crashes: number[] = []): Promise<Drive> {
  const db = freshDb();
  const store = new MemoryCompletionStore();
  const model = delayed(unseededSampling(landscapeLlm()), 1000 + c);
  const crash = new CrashSwitch(new Set(crashes));
  // The crash switch sits under the prefetcher, so crashes also hit answers fetched ahead.
  const base: LlmPort = crashes.length ? crash.llm(model) : model;
  const port = new CachedEngine(c > 1 ? new PrefetchingEngine(base, c) : base, store);
  const runnerFor = () =>
    createRunner({
      db,
      llm: () => port,
      exec: crashes.length ? crash.exec(landscapeExec()) : landscapeExec(),
      optimizer: optimizers,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
      clock: () => 0,
    });
  let runner = runnerFor();
  const runId = await runner.create(config);
  let status = await runner.start(runId);
  let resumes = 0;
  while (status === 'failed') {
    expect((await db.runs.get(runId))!.error).toMatch(/SimulatedCrash/);
    resumes++;
    runner.close();
    runner = runnerFor(); // a fresh tab: nothing in memory survives
    status = await runner.resume(runId);
  }
  expect(status).toBe('done');
  if (crashes.length) expect(resumes).toBeGreaterThan(0);
  runner.close();
  return { db, runId, store, peak: model.peak };
}

describe('runner: concurrency changes timing, never results', () => {
  it('stores the same run at c = 1 and c = 8 with answers completing out of order', async () => {
    const one = await drive(1, CONFIG);
    const eight = await drive(8, CONFIG);
    expect(one.peak).toBe(1);
    // The test proves something only if requests really overlapped.
    expect(eight.peak).toBeGreaterThan(2);
    const a = await stored(one.db, one.runId, one.store);
    const b = await stored(eight.db, eight.runId, eight.store);
    expect(a.status).toBe('done');
    expect(a.evaluations.length).toBeGreaterThan(50);
    expect(b.evaluations).toEqual(a.evaluations);
    expect(b.calls).toEqual(a.calls);
    expect(b.prompts).toEqual(a.prompts);
    expect(b.checkpoints).toEqual(a.checkpoints);
    expect(b.cache).toEqual(a.cache);
    expect(b.report).toEqual(a.report);
    // One digest over all of it, the kind a golden test pins.
    expect(await hashValue(b)).toBe(await hashValue(a));
  });

  it('stops at a token budget at the same answer at c = 1 and c = 8', async () => {
    const budgeted = { ...CONFIG, budget: { maxTokens: 2500 } };
    const one = await stored(...(await drive(1, budgeted).then((d) => [d.db, d.runId] as const)));
    const eight = await stored(...(await drive(8, budgeted).then((d) => [d.db, d.runId] as const)));
    expect(eight.evaluations).toEqual(one.evaluations);
    expect(eight.calls).toEqual(one.calls);
    expect(eight.report).toEqual(one.report);
    // The budget really cut optimization short (else this would prove nothing).
    const optimizeCalls = (x: typeof one) =>
      (x.calls as { round: number }[]).filter((c) => c.round >= 0).length;
    const full = await drive(1, CONFIG).then((d) => stored(d.db, d.runId));
    expect(optimizeCalls(one)).toBeLessThan(optimizeCalls(full));
  });

  it('resumes after crashes at c = 8 (also inside answers fetched ahead) into the run made at c = 1', async () => {
    const one = await drive(1, CONFIG);
    const crashed = await drive(8, CONFIG, [7, 30, 61, 95, 140, 190]);
    const a = await stored(one.db, one.runId);
    const b = await stored(crashed.db, crashed.runId);
    expect(b.evaluations).toEqual(a.evaluations);
    expect(b.calls).toEqual(a.calls);
    expect(b.report).toEqual(a.report);
    // (Prompt records are not compared here: a resume re-stores the seed prompt, which then
    // overwrites a variant with the same text; that happens at c = 1 as well.)
  });

  it('replays the run made at c = 8 exactly from its call log', async () => {
    const eight = await drive(8, CONFIG);
    const calls = await eight.db.runCalls.where('runId').equals(eight.runId).toArray();
    const replay = await ReplayEngine.fromLog(
      'scripted',
      calls
        .sort((x, y) => x.seed - y.seed || x.seq - y.seq)
        .map((c) => ({
          key: c.key,
          model: 'scripted',
          request: c.request,
          completion: c.completion,
          createdAt: c.seq,
        })),
    );
    const db = freshDb();
    const runner = createRunner({
      db,
      llm: () => replay,
      exec: landscapeExec(),
      optimizer: optimizers,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
      clock: () => 0,
    });
    const id = await runner.create(CONFIG);
    expect(await runner.start(id)).toBe('done');
    const original = await stored(eight.db, eight.runId);
    const replayed = await stored(db, id);
    expect(replayed.evaluations).toEqual(original.evaluations);
    // The cost differs by design: the original's cache hits are plain answers in a replay.
    const { cost: _a, ...replayedReport } = replayed.report as Record<string, unknown>;
    const { cost: _b, ...originalReport } = original.report as Record<string, unknown>;
    expect(replayedReport).toEqual(originalReport);
  });
});

describe('PrefetchingEngine', () => {
  const req = (i: number): CompletionRequest => ({
    messages: [{ role: 'user', content: `q${i}` }],
    sampling: { temperature: 0, max_tokens: 8 },
    purpose: 'generate',
  });

  it('keeps at most c in flight, hands early answers over, and cancels the ones nobody took', async () => {
    const started: string[] = [];
    const aborted: string[] = [];
    const inner: LlmPort = {
      modelId: 'm',
      complete: (r, signal) =>
        new Promise((ok, fail) => {
          const q = r.messages[0]!.content;
          started.push(q);
          const t = setTimeout(
            () =>
              ok({
                text: `a-${q}`,
                usage: { promptTokens: 1, completionTokens: 1 },
                latencyMs: 1,
                model: 'm',
                finishReason: 'stop',
              }),
            20,
          );
          signal?.addEventListener('abort', () => {
            clearTimeout(t);
            aborted.push(q);
            fail(new Error('aborted'));
          });
        }),
    };
    const port = new PrefetchingEngine(inner, 3);
    const scope = new AbortController();
    for (let i = 1; i <= 5; i++) await port.prefetch(req(i), scope.signal);
    expect(started).toEqual(['q1', 'q2', 'q3']);
    expect((await port.complete(req(1))).text).toBe('a-q1');
    expect((await port.complete(req(2))).text).toBe('a-q2');
    expect(port.peak).toBe(3);
    scope.abort();
    await new Promise((r) => setTimeout(r, 30));
    expect(port.pending).toBe(0);
    // q3 was in flight and cancelled; q4/q5 were started once slots freed, then cancelled too,
    // or never started: either way none of them was answered to anyone.
    expect(aborted).toContain('q3');
    expect(started.length).toBeLessThanOrEqual(5);
    expect((await port.complete(req(9))).text).toBe('a-q9');
    expect(() => new PrefetchingEngine(inner, 0)).toThrow(RangeError);
  });
});
