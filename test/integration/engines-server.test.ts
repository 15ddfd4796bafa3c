/**
 * The server engine against a real OpenAI-compatible server: test/support/openai-server.ts,
 * node-llama-cpp 3.21.1 running ../shared/models/stories260K.gguf. The engine is exercised
 * streamed and unstreamed (stop strings, max_tokens, seeds, usage, cancel), the failures a user
 * meets are provoked for real (401, a missing model, nothing listening, CORS refusal headers),
 * and a whole Prochemy run goes through the runner at c = 4, graded by the real Pyodide pool, and is
 * replayed from its log.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../../src/core/types';
import { CachedEngine, MemoryCompletionStore } from '../../src/engines/cache';
import { OpenAiEngine, probeServer, serverPort } from '../../src/engines/openai';
import { PrefetchingEngine } from '../../src/engines/prefetch';
import { ReplayEngine } from '../../src/engines/replay';
import {
  ServerAuthError,
  ServerHttpError,
  ServerUnreachableError,
} from '../../src/engines/server-errors';
import { createRunner } from '../../src/runner';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';
import { AthanorDb } from '../../src/store/db';
import { startOpenAiServer, type TestServer } from '../support/openai-server';
import { optimizers, runConfig, runTasks } from '../support/runner-fixture';

let server: TestServer;
let locked: TestServer;

beforeAll(async () => {
  server = await startOpenAiServer({ parallel: 4 });
  locked = await startOpenAiServer({
    parallel: 1,
    apiKey: 'sk-local-test',
    allowOrigins: ['http://allowed.example'],
  });
});
afterAll(async () => {
  await server?.close();
  await locked?.close();
});

const story = (over: Partial<CompletionRequest['sampling']> = {}): CompletionRequest => ({
  messages: [{ role: 'user', content: 'Tell me a story about a cat.' }],
  sampling: { temperature: 0, max_tokens: 24, ...over },
  purpose: 'generate',
});

describe('the server engine on a real model', () => {
  it('probes the server and lists its model', async () => {
    const probe = await probeServer(server.origin);
    expect(probe.apiBase).toBe(server.apiBase);
    expect(probe.models.map((m) => m.id)).toEqual([server.model]);
  });

  it('answers the same greedy request identically streamed and unstreamed, with real usage', async () => {
    const streamed = new OpenAiEngine({ apiBase: server.apiBase, model: server.model });
    const whole = new OpenAiEngine({ apiBase: server.apiBase, model: server.model, stream: false });
    const a = await streamed.complete(story());
    const b = await whole.complete(story());
    expect(a.text.length).toBeGreaterThan(10);
    expect(b.text).toBe(a.text);
    expect(a.finishReason).toBe('length');
    expect(a.usage.completionTokens).toBe(24);
    expect(a.usage.promptTokens).toBeGreaterThan(5);
    expect(a.usageEstimated).toBeUndefined();
    expect(b.usage).toEqual(a.usage);
  });

  it('stops at a stop string, and repeats a seeded sample', async () => {
    const engine = new OpenAiEngine({ apiBase: server.apiBase, model: server.model });
    const free = await engine.complete(story({ max_tokens: 40 }));
    const word = free.text.trim().split(/\s+/)[2]!;
    const stopped = await engine.complete(story({ max_tokens: 40, stop: [word] }));
    expect(stopped.finishReason).toBe('stop');
    expect(free.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.text).not.toContain(word);
    const s1 = await engine.complete(story({ temperature: 1, seed: 11, max_tokens: 30 }));
    const s2 = await engine.complete(story({ temperature: 1, seed: 11, max_tokens: 30 }));
    expect(s2.text).toBe(s1.text);
  });

  it('cancels the HTTP request: the server sees the client go and stops generating', async () => {
    const engine = new OpenAiEngine({ apiBase: server.apiBase, model: server.model });
    const before = server.stats.aborted;
    const controller = new AbortController();
    const pending = engine.complete(story({ max_tokens: 1500 }), controller.signal);
    await new Promise((r) => setTimeout(r, 150));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => server.stats.aborted, { timeout: 5000 }).toBe(before + 1);
  });

  it('keeps four requests in flight through the port', async () => {
    const port = serverPort({ apiBase: server.apiBase, model: server.model, concurrency: 4 });
    expect(port).toBeInstanceOf(PrefetchingEngine);
    const peak = server.stats.peak;
    server.stats.peak = 0;
    const scope = new AbortController();
    const reqs = [1, 2, 3, 4, 5, 6].map((seed) => story({ temperature: 0.8, seed }));
    for (const r of reqs.slice(1)) await port.prefetch!(r, scope.signal);
    const answers = [];
    for (const r of reqs) answers.push(await port.complete(r));
    scope.abort();
    expect(answers).toHaveLength(6);
    expect(server.stats.peak).toBe(4);
    server.stats.peak = Math.max(peak, 4);
  });

  it('names a wrong key, a missing model and a server that is not there', async () => {
    const noKey = new OpenAiEngine({ apiBase: locked.apiBase, model: locked.model });
    await expect(noKey.complete(story())).rejects.toBeInstanceOf(ServerAuthError);
    await expect(probeServer(locked.origin)).rejects.toMatchObject({ status: 401 });
    const withKey = new OpenAiEngine({
      apiBase: locked.apiBase,
      model: locked.model,
      apiKey: 'sk-local-test',
    });
    expect((await withKey.complete(story())).text.length).toBeGreaterThan(0);
    const missing = new OpenAiEngine({ apiBase: server.apiBase, model: 'qwen2.5-coder:7b' });
    const err = await missing.complete(story()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerHttpError);
    expect((err as ServerHttpError).kind).toBe('model-not-found');
    await expect(probeServer('http://127.0.0.1:1')).rejects.toBeInstanceOf(ServerUnreachableError);
  });

  it('sends the CORS headers a browser needs, and refuses an origin it does not allow', async () => {
    const pre = await fetch(`${server.apiBase}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:4173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
        'access-control-request-private-network': 'true',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4173');
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(pre.headers.get('access-control-allow-private-network')).toBe('true');
    const refused = await fetch(`${locked.apiBase}/models`, {
      headers: { origin: 'http://127.0.0.1:4173' },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a run through the runner on the real server at c = 4', () => {
  let pool: ExecPool;
  beforeAll(async () => {
    pool = createNodeExecPool({ size: 1, spares: 0 });
    await pool.warm();
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('finishes Prochemy with requests overlapping, and replays exactly from its log', async () => {
    const config = runConfig({
      knobs: { variants: 2, trainTasks: 4, rounds: 1, patience: 1, reasks: 1 },
      seeds: [1],
      evaluation: { samples: 2, k: [1, 2] },
      sampling: {
        generate: { temperature: 0, max_tokens: 32 },
        mutate: { temperature: 1, max_tokens: 32 },
      },
      model: { engine: 'openai', modelId: 'stories', server: server.apiBase },
    });
    const db = new AthanorDb('engines-server-run');
    const store = new MemoryCompletionStore();
    const port = new CachedEngine(
      serverPort({ apiBase: server.apiBase, model: server.model, concurrency: 4 }),
      store,
    );
    server.stats.peak = 0;
    const runner = createRunner({
      db,
      llm: () => port,
      exec: pool,
      optimizer: optimizers,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
    });
    const id = await runner.create(config);
    expect(await runner.start(id)).toBe('done');
    expect(server.stats.peak).toBeGreaterThan(1);
    const run = (await db.runs.get(id))!;
    expect(run.report!.cost.llmCalls).toBeGreaterThan(10);
    const evals = await db.evaluations.where('runId').equals(id).toArray();
    // Stories are not code.
    expect(evals.every((e) => !e.result.passed)).toBe(true);

    const calls = await db.runCalls.where('runId').equals(id).toArray();
    const replay = await ReplayEngine.fromLog(
      port.modelId,
      calls
        .sort((a, b) => a.seq - b.seq)
        .map((c) => ({
          key: c.key,
          model: port.modelId,
          request: c.request,
          completion: c.completion,
          createdAt: c.seq,
        })),
    );
    const replayDb = new AthanorDb('engines-server-replay');
    const replayRunner = createRunner({
      db: replayDb,
      llm: () => replay,
      exec: pool,
      optimizer: optimizers,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
    });
    const rid = await replayRunner.create(config);
    expect(await replayRunner.start(rid)).toBe('done');
    const texts = async (d: AthanorDb, runId: string) =>
      (await d.evaluations.where('runId').equals(runId).toArray())
        .map(
          (e) => `${e.seed}|${e.phase}|${e.promptId}|${e.taskId}|${e.sample}|${e.completion?.text}`,
        )
        .sort();
    expect(await texts(replayDb, rid)).toEqual(await texts(db, id));
    runner.close();
    replayRunner.close();
    db.close();
    replayDb.close();
  });
});
