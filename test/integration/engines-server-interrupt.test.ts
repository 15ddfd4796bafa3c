/**
 * The test server made to behave like llama-cpp-python's server on its defaults
 * (`interruptRequests`: one request at a time, and a streamed answer ends with a bare [DONE] as
 * soon as another waits), under a whole Prochemy run at 4 requests at once: a fast, real-HTTP
 * check of the retry path that test/integration/engines-llama-cpp-python.test.ts checks on the
 * real server. Every cut answer is asked again; none is graded, logged or cached; the run counts
 * them in its diagnostics.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedEngine, MemoryCompletionStore } from '../../src/engines/cache';
import { serverPort } from '../../src/engines/openai';
import { createRunner } from '../../src/runner';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec } from '../support/landscape';
import { startOpenAiServer, type TestServer } from '../support/openai-server';
import { optimizers, runConfig, runTasks } from '../support/runner-fixture';

let server: TestServer;

beforeAll(async () => {
  server = await startOpenAiServer({ interruptRequests: true });
});
afterAll(async () => {
  await server?.close();
});

describe('a server that interrupts answers when requests overlap', () => {
  it('a Prochemy run at 4 at once grades no cut answer and counts the retries', async () => {
    const config = runConfig({
      knobs: { variants: 2, trainTasks: 4, rounds: 1, patience: 1, reasks: 1 },
      seeds: [1],
      evaluation: { samples: 1, k: [1] },
      sampling: {
        generate: { temperature: 0, max_tokens: 24 },
        mutate: { temperature: 1, max_tokens: 24 },
      },
      model: { engine: 'openai', modelId: 'stories', server: server.apiBase },
    });
    const db = new AthanorDb('engines-server-interrupt');
    const store = new MemoryCompletionStore();
    const runner = createRunner({
      db,
      llm: () =>
        new CachedEngine(
          serverPort({ apiBase: server.apiBase, model: server.model, concurrency: 4 }),
          store,
        ),
      exec: landscapeExec(),
      optimizer: optimizers,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
    });
    const id = await runner.create(config);
    expect(await runner.start(id)).toBe('done');
    expect(server.stats.interrupted).toBeGreaterThan(0);

    const calls = await db.runCalls.where('runId').equals(id).toArray();
    for (const c of calls) expect(c.completion.text.trim()).not.toBe('');
    for (const e of store.entries.values()) expect(e.completion.text.trim()).not.toBe('');
    const retried = calls.filter((c) => c.completion.retried);
    expect(retried.length).toBeGreaterThan(0);
    const run = await db.runs.get(id);
    expect(run?.diagnostics?.serverFaults?.retried).toBe(retried.length);
    expect(run?.diagnostics?.serverFaults?.pauses).toBeUndefined();
    console.info(
      `interrupting server: ${server.stats.interrupted} answers cut, ${retried.length} logged calls came whole after a retry, ${calls.length} calls`,
    );
  });
});
