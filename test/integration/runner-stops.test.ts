/**
 * Honest stop reasons (issue 16) through the real runner and store: each seed's stop is written
 * on the run (`diagnostics.stops`), a model that never produced a usable variant is never
 * "converged", time limit and budget are told apart, a cancel is recorded, and the bundle keeps
 * all of it. GPO's relevance measure is recorded too.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbedPort, LlmPort } from '../../src/core/ports';
import { gpo } from '../../src/optimizers/gpo';
import type { Optimizer } from '../../src/optimizers/types';
import { createRunner } from '../../src/runner';
import { exportBundle, importBundle } from '../../src/store/bundle';
import { AthanorDb } from '../../src/store/db';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import { optimizers, runConfig, runTasks, storeRunTasks } from '../support/runner-fixture';
import { scriptedLlm } from '../support/scripted-llm';

let n = 0;
const dbs: AthanorDb[] = [];
const fresh = (): AthanorDb => {
  const db = new AthanorDb(`stops-test-${++n}`);
  dbs.push(db);
  return db;
};
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
});

const withGpo = (method: string): Optimizer =>
  method === 'gpo' ? (gpo as unknown as Optimizer) : optimizers(method);

async function run(
  db: AthanorDb,
  llm: LlmPort,
  over: Parameters<typeof runConfig>[0] = {},
  extra: { clock?: () => number; embed?: EmbedPort } = {},
) {
  const runner = createRunner({
    db,
    llm: () => llm,
    exec: landscapeExec(),
    optimizer: withGpo,
    tasks: () => Promise.resolve(runTasks),
    locks: null,
    ...(extra.clock ? { clock: extra.clock } : {}),
    ...(extra.embed ? { embed: () => extra.embed } : {}),
  });
  const id = await runner.create(runConfig(over));
  const status = await runner.start(id);
  return { runner, id, status, record: await db.runs.get(id) };
}

describe('stop reasons on the run', () => {
  it('a model that never follows the answer format: no-usable-variants, never converged', async () => {
    const llm = scriptedLlm((req) =>
      req.purpose === 'generate'
        ? 'def f():\n    return 1'
        : 'A better prompt would be: be careful.',
    );
    const { status, record } = await run(fresh(), llm);
    expect(status).toBe('done');
    const stops = record?.diagnostics?.stops ?? [];
    expect(stops.map((s) => s.seed)).toEqual([1, 2]);
    for (const s of stops) {
      expect(s.reason).toBe('no-usable-variants');
      expect(s.methodReason).toBe('no-usable-variants');
      expect(s.variants?.scored).toBe(0);
      expect(s.variants?.refused).toBeGreaterThan(0);
    }
  });

  it('a model that writes variants: converged, with the variants tallied', async () => {
    const { record } = await run(fresh(), landscapeLlm());
    const stops = record?.diagnostics?.stops ?? [];
    // The scripted landscape is deterministic: both seeds reach its top and stop there.
    expect(stops.map((s) => [s.seed, s.reason])).toEqual([
      [1, 'converged'],
      [2, 'converged'],
    ]);
    const tally = { refused: 0, scored: 9, scoredSinceGain: 6 };
    expect(stops.map((s) => s.variants)).toEqual([tally, tally]);
  });

  it('tells the time limit from the call budget', async () => {
    let t = 0;
    // Ten simulated minutes pass at every clock reading: the 1-minute limit is hit at once.
    const clock = (): number => (t += 600_000);
    const timed = await run(fresh(), landscapeLlm(), { budget: { maxMinutes: 1 } }, { clock });
    expect(timed.record?.diagnostics?.stops?.map((s) => s.reason)).toEqual([
      'time-limit',
      'time-limit',
    ]);
    const calls = await run(fresh(), landscapeLlm(), { budget: { maxLlmCalls: 8 } });
    expect(calls.record?.diagnostics?.stops?.[0]?.reason).toBe('budget');
  });

  it('records a cancel, and the bundle carries the stops', async () => {
    const db = fresh();
    let id = '';
    let calls = 0;
    const base = landscapeLlm();
    const llm: LlmPort = {
      modelId: base.modelId,
      async complete(req, signal) {
        calls += 1;
        if (calls === 12) void runner.cancel(id);
        return base.complete(req, signal);
      },
    };
    const runner = createRunner({
      db,
      llm: () => llm,
      exec: landscapeExec(),
      optimizer: withGpo,
      tasks: () => Promise.resolve(runTasks),
      locks: null,
    });
    id = await runner.create(runConfig());
    expect(await runner.start(id)).toBe('cancelled');
    const record = await db.runs.get(id);
    expect(record?.diagnostics?.stops).toEqual([
      expect.objectContaining({ seed: 1, reason: 'cancelled' }),
    ]);

    const done = await run(db, landscapeLlm());
    await storeRunTasks(db);
    const bundle = await exportBundle(db, done.id, { name: 'athanor', version: 'test' });
    const other = fresh();
    const imported = await importBundle(other, JSON.stringify(bundle));
    expect((await other.runs.get(imported))?.diagnostics).toEqual(done.record?.diagnostics);
  });

  it('GPO records its relevance measure: TF-IDF without an embedding model, else the model', async () => {
    const gpoConfig = {
      method: 'gpo',
      knobs: { steps: 2, candidates: 2, trainTasks: 4 },
      seeds: [1],
    };
    const tfidf = await run(fresh(), landscapeLlm(), gpoConfig);
    expect(tfidf.record?.diagnostics?.relevance).toEqual({ measure: 'tf-idf' });
    let embedded = 0;
    const embed: EmbedPort = {
      modelId: 'test-embedder',
      embed: (texts) => {
        embedded += texts.length;
        return Promise.resolve(texts.map((t) => [t.length, 1]));
      },
    };
    const withEmbed = await run(fresh(), landscapeLlm(), gpoConfig, { embed });
    expect(withEmbed.record?.diagnostics?.relevance).toEqual({
      measure: 'embeddings',
      modelId: 'test-embedder',
    });
    expect(embedded).toBeGreaterThan(0);
  });
});
