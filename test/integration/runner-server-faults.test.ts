/**
 * A model server that cuts streamed answers short, as llama-cpp-python's server does by default
 * when requests overlap (the role chunk, then a bare [DONE]), through the whole stack a run uses:
 * the real runner and store, the completion cache, the prefetching wrapper at 4 requests at once
 * and the real OpenAI client. The server's answers come from the scripted landscape (the LLM is
 * the one seam a test may script); what is checked is what the app does with a cut answer: it is
 * asked again, never graded or cached, counted in the run's diagnostics, and a server that keeps
 * cutting pauses the run with the fault in words, to be resumed once the server is fixed.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { CachedEngine, MemoryCompletionStore } from '../../src/engines/cache';
import { serverPort } from '../../src/engines/openai';
import { createRunner } from '../../src/runner';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec } from '../support/landscape';
import { landscapeServer } from '../support/cutting-server';
import { optimizers, runConfig, runTasks } from '../support/runner-fixture';

let n = 0;
const dbs: AthanorDb[] = [];
const fresh = (): AthanorDb => {
  const db = new AthanorDb(`server-faults-test-${++n}`);
  dbs.push(db);
  return db;
};
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

function setup(fetchImpl: typeof fetch) {
  const db = fresh();
  const store = new MemoryCompletionStore();
  const runner = createRunner({
    db,
    // Built afresh for each start, as the app does for a server model.
    llm: () =>
      new CachedEngine(
        serverPort({ apiBase: 'http://127.0.0.1:9/v1', model: 'm', fetch: fetchImpl }),
        store,
      ),
    exec: landscapeExec(),
    optimizer: optimizers,
    tasks: () => Promise.resolve(runTasks),
    locks: null,
  });
  return { db, store, runner };
}

const config = runConfig({ seeds: [1], evaluation: { samples: 1, k: [1] } });

describe('a server that cuts answers short, at 4 requests at once', () => {
  it('asks each cut answer again; none is graded or cached, and the run counts them', async () => {
    // Every third request the server receives is cut (a retry right after a cut never is).
    const { server, fetchImpl } = landscapeServer((call) => call % 3 === 0);
    const { db, store, runner } = setup(fetchImpl);
    const id = await runner.create(config);
    expect(await runner.start(id)).toBe('done');
    expect(server.cuts).toBeGreaterThan(3);

    const evaluations = await db.evaluations.where('runId').equals(id).toArray();
    expect(evaluations.length).toBeGreaterThan(0);
    for (const e of evaluations) expect(e.code).toContain('def f()');
    const calls = await db.runCalls.where('runId').equals(id).toArray();
    for (const c of calls) expect(c.completion.text.trim()).not.toBe('');
    expect(calls.filter((c) => c.completion.retried).length).toBe(server.cuts);
    for (const entry of store.entries.values()) {
      expect(entry.completion.text.trim()).not.toBe('');
      expect(entry.completion.retried).toBeUndefined();
    }
    // The server sent no usage: every call's counts, and so the report's totals, are estimates.
    const cost = (await db.runs.get(id))?.report?.cost;
    expect(cost?.llmCalls).toBeGreaterThan(0);
    expect(cost?.estimatedCalls).toBe(cost?.llmCalls);
    const faults = (await db.runs.get(id))?.diagnostics?.serverFaults;
    expect(faults).toEqual({
      retried: server.cuts,
      lastReason: 'the answer ended without a finish reason',
    });
  });

  it('pauses the run when one answer is cut three times, and resumes once the server is fixed', async () => {
    // From the 20th request on the server cuts everything.
    const { server, fetchImpl } = landscapeServer((call) => call >= 20);
    const { db, store, runner } = setup(fetchImpl);
    const id = await runner.create(config);
    expect(await runner.start(id)).toBe('paused');
    const paused = await db.runs.get(id);
    expect(paused?.message).toContain('cut an answer short 3 times in a row');
    expect(paused?.message).toContain('--interrupt_requests false');
    expect(paused?.error).toBeUndefined();
    expect(paused?.diagnostics?.serverFaults?.pauses).toBe(1);
    expect(paused?.diagnostics?.serverFaults?.message).toContain('cut an answer short');
    const graded = await db.evaluations.where('runId').equals(id).count();
    for (const e of await db.evaluations.where('runId').equals(id).toArray())
      expect(e.code).toContain('def f()');
    for (const entry of store.entries.values()) expect(entry.completion.text.trim()).not.toBe('');

    server.cut = () => false;
    expect(await runner.resume(id)).toBe('done');
    expect(await db.evaluations.where('runId').equals(id).count()).toBeGreaterThan(graded);
    const done = await db.runs.get(id);
    expect(done?.diagnostics?.serverFaults?.pauses).toBe(1);
  });
});
