/** The pool's queueing, cancellation and closing, with stand-in workers (no Pyodide). */
import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import type { ExecJob, ExecResult } from '../../src/core/types';
import {
  createExecPool,
  ExecAbortedError,
  ExecPoolClosedError,
  type SpawnedWorker,
} from '../../src/executor/pool';
import type { PythonWorkerApi, WorkerResult } from '../../src/executor/protocol';

function result(program: string): WorkerResult {
  return {
    passed: program === 'ok',
    soft: 1,
    tests: [],
    stdout: { text: program, truncated: false },
    stderr: { text: '', truncated: false },
    durationMs: 1,
  };
}

/** A worker that answers each job after `delay` ms, recording the order it saw them in. */
function fakeSpawner(order: string[], delay = 5, recycleOn?: string) {
  let spawned = 0;
  const spawn = (): SpawnedWorker => {
    spawned++;
    const api = {
      init: async () => ({ startMs: 1, pyodideVersion: 'fake' }),
      run: async (job: ExecJob) => {
        order.push(job.program);
        await new Promise((r) => setTimeout(r, delay));
        const res = result(job.program);
        return job.program === recycleOn ? { ...res, recycle: 'asked to' } : res;
      },
    } as unknown as Remote<PythonWorkerApi>;
    return { api, terminate: () => undefined };
  };
  return { spawn, count: () => spawned };
}

const job = (program: string): ExecJob => ({
  program,
  tests: { kind: 'asserts', setup: '', asserts: [] },
});

describe('exec pool', () => {
  it('sizes itself max(1, cores - 1) by default', () => {
    const { spawn } = fakeSpawner([]);
    expect(createExecPool(spawn, { cores: 8, sharedMemory: false }).size).toBe(7);
    expect(createExecPool(spawn, { cores: 1, sharedMemory: false }).size).toBe(1);
    expect(createExecPool(spawn, { cores: 8, sharedMemory: false, size: 3 }).size).toBe(3);
  });

  it('runs jobs first in, first out, and answers each with its own result', async () => {
    const order: string[] = [];
    const pool = createExecPool(fakeSpawner(order).spawn, {
      cores: 2,
      sharedMemory: false,
      spares: 0,
    });
    const names = ['a', 'b', 'c', 'd', 'e'];
    const results: ExecResult[] = await Promise.all(names.map((n) => pool.run(job(n))));
    expect(order).toEqual(names);
    expect(results.map((r) => r.stdout.text)).toEqual(names);
    expect(pool.stats().jobs).toBe(5);
    await pool.close();
  });

  it('keeps FIFO order when each worker gets its next job ahead (shared memory)', async () => {
    const order: string[] = [];
    const pool = createExecPool(fakeSpawner(order).spawn, {
      cores: 3,
      sharedMemory: true,
      spares: 0,
    });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const results = await Promise.all(names.map((n) => pool.run(job(n))));
    expect(results.map((r) => r.stdout.text)).toEqual(names);
    expect(order.slice(0, 2).sort()).toEqual(['a', 'b']);
    await pool.close();
  });

  it('re-queues the job sent ahead when its worker is recycled', async () => {
    const order: string[] = [];
    const spawner = fakeSpawner(order, 5, 'dirty');
    const pool = createExecPool(spawner.spawn, { cores: 2, sharedMemory: true, spares: 1 });
    await pool.warm();
    const [dirty, next] = await Promise.all([pool.run(job('dirty')), pool.run(job('ok'))]);
    expect(dirty.stdout.text).toBe('dirty');
    expect(next.passed).toBe(true);
    expect(pool.stats().replaced).toBe(1);
    // 'ok' went to the dirty worker ahead of time; its answer from there was dropped and it ran again.
    expect(order.filter((n) => n === 'ok')).toHaveLength(2);
    await pool.close();
  });

  it('cancels a queued job with an AbortError and skips it', async () => {
    const order: string[] = [];
    const pool = createExecPool(fakeSpawner(order, 20).spawn, {
      cores: 2,
      sharedMemory: false,
      spares: 0,
    });
    const ctrl = new AbortController();
    const first = pool.run(job('first'));
    const second = pool.run(job('second'), ctrl.signal);
    const third = pool.run(job('third'));
    ctrl.abort();
    await expect(second).rejects.toBeInstanceOf(ExecAbortedError);
    await Promise.all([first, third]);
    expect(order).toEqual(['first', 'third']);
    await expect(pool.run(job('x'), ctrl.signal)).rejects.toBeInstanceOf(ExecAbortedError);
    await pool.close();
  });

  it('replaces a worker that asks to be recycled, from the warm spare', async () => {
    const order: string[] = [];
    const spawner = fakeSpawner(order, 1, 'dirty');
    const pool = createExecPool(spawner.spawn, { cores: 2, sharedMemory: false, spares: 1 });
    await pool.warm();
    expect(spawner.count()).toBe(2);
    await pool.run(job('dirty'));
    expect((await pool.run(job('ok'))).passed).toBe(true);
    expect(pool.stats().replaced).toBe(1);
    expect(pool.stats().replaceReasons).toEqual(['asked to']);
    expect(spawner.count()).toBe(3);
    await pool.close();
  });

  it('rejects queued and new jobs once closed', async () => {
    const pool = createExecPool(fakeSpawner([], 50).spawn, {
      cores: 2,
      sharedMemory: false,
      spares: 0,
    });
    const running = pool.run(job('a'));
    const queued = pool.run(job('b'));
    await pool.close();
    await expect(queued).rejects.toBeInstanceOf(ExecPoolClosedError);
    await expect(running).rejects.toBeInstanceOf(ExecPoolClosedError);
    await expect(pool.run(job('c'))).rejects.toBeInstanceOf(ExecPoolClosedError);
  });
});

describe('exec pool: a memory snapshot kept from an earlier session', () => {
  /** Workers whose init fails on the snapshot `bad`, and make one when asked. */
  function snapshotSpawner(bad?: Uint8Array) {
    const inits: { snapshot?: number[]; makeSnapshot?: boolean }[] = [];
    const spawn = (): SpawnedWorker => {
      const api = {
        init: async (opts: { snapshot?: Uint8Array; makeSnapshot?: boolean }) => {
          inits.push({
            ...(opts.snapshot ? { snapshot: [...opts.snapshot] } : {}),
            ...(opts.makeSnapshot ? { makeSnapshot: true } : {}),
          });
          if (bad && opts.snapshot && opts.snapshot[0] === bad[0]) {
            throw new Error('snapshot from another Pyodide');
          }
          return {
            startMs: 1,
            pyodideVersion: 'fake',
            fromSnapshot: !!opts.snapshot,
            ...(opts.makeSnapshot ? { snapshot: new Uint8Array([9, 9]) } : {}),
          };
        },
        run: async (j: ExecJob) => result(j.program),
      } as unknown as Remote<PythonWorkerApi>;
      return { api, terminate: () => undefined };
    };
    return { spawn, inits };
  }

  it('starts the first worker from it, and makes none of its own', async () => {
    const { spawn, inits } = snapshotSpawner();
    const made: number[][] = [];
    const pool = createExecPool(spawn, {
      cores: 2,
      sharedMemory: false,
      spares: 0,
      snapshotBytes: new Uint8Array([7]),
      onSnapshot: (b) => made.push([...b]),
    });
    expect((await pool.run(job('ok'))).passed).toBe(true);
    expect(inits).toEqual([{ snapshot: [7] }]);
    expect(pool.stats().fromSnapshot).toBe(1);
    expect(made).toEqual([]);
    await pool.close();
  });

  it('drops one that does not load, boots cold, and hands back the new snapshot', async () => {
    const { spawn, inits } = snapshotSpawner(new Uint8Array([7]));
    const made: number[][] = [];
    let rejected = 0;
    const pool = createExecPool(spawn, {
      cores: 2,
      sharedMemory: false,
      spares: 0,
      snapshotBytes: new Uint8Array([7]),
      onSnapshot: (b) => made.push([...b]),
      onSnapshotRejected: () => rejected++,
    });
    expect((await pool.run(job('ok'))).passed).toBe(true);
    expect(inits).toEqual([{ snapshot: [7] }, { makeSnapshot: true }]);
    expect(rejected).toBe(1);
    expect(made).toEqual([[9, 9]]);
    await pool.close();
  });
});
