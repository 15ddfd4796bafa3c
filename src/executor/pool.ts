/**
 * A pool of Python workers behind ExecPort: a fair FIFO queue, per-test and per-job time limits
 * enforced from outside the worker (interrupt buffer first, terminate-and-replace when that is
 * not possible or not obeyed), a warm spare so a replacement is instant, and cancellation.
 * Environment-neutral: node.ts and browser.ts supply how a worker is spawned.
 */
import type { Remote } from 'comlink';
import type { ExecPort } from '../core/ports';
import type { ExecJob, ExecResult, TestVerdict } from '../core/types';
import {
  CONTROL_BYTES,
  CTRL,
  DEFAULT_OUTPUT_CAP,
  DEFAULT_TEST_TIMEOUT_MS,
  OUTCOME_CODES,
  CLEANUP_STEP,
  controlViews,
  type ControlViews,
  type PythonWorkerApi,
  type WorkerResult,
} from './protocol';
import { jobLimits } from './time-limits';

export interface SpawnedWorker {
  api: Remote<PythonWorkerApi>;
  terminate(): void;
}

export interface ExecPoolOptions {
  /** Workers grading at once; default max(1, cores − 1). */
  size?: number;
  /** The machine's cores (what useAllCores grows to); default: what the platform reports. */
  cores?: number;
  /** Default limit for one test when a job does not say; 3000 ms. */
  testTimeoutMs?: number;
  /** Extra workers kept loaded to replace a killed one at once; default 1. */
  spares?: number;
  /** Cap on captured stdout / stderr, in characters; default 64 KiB. */
  outputCap?: number;
  /**
   * After an interrupt, how long a worker may take to stop before it is terminated; 2000 ms. A
   * worker on a busy machine (a model generating on the same cores, a build beside the tests)
   * took over 500 ms to unwind an obeyed interrupt often enough to kill and reload healthy
   * workers (0.3–2.8 s each); only code that ignores the interrupt pays the longer grace. (Some
   * of those misses were interrupts Pyodide lost outright, since fixed: interrupt-buffer.ts.)
   */
  interruptGraceMs?: number;
  /** A worker whose WebAssembly heap grows past this is replaced after its job; 768 MiB. */
  maxHeapBytes?: number;
  /** Use the interrupt buffer when SharedArrayBuffer is usable; default true. */
  useInterrupts?: boolean;
  /**
   * Start later workers from a memory snapshot the first worker takes (about 0.25 s instead of
   * about 2 s); default true.
   */
  snapshot?: boolean;
  /**
   * A memory snapshot kept from an earlier session (see snapshot-cache.ts): the first workers
   * start from it instead of booting Python. One that fails to load is dropped (and
   * `onSnapshotRejected` called); its worker is replaced by a cold one.
   */
  snapshotBytes?: Uint8Array;
  /** Called with the snapshot the first worker made, so that it can be kept for next time. */
  onSnapshot?: (bytes: Uint8Array) => void;
  onSnapshotRejected?: () => void;
}

export interface ExecPoolStats {
  /** Jobs answered (including timeouts and kills). */
  jobs: number;
  /** Workers terminated and replaced (timeouts that interrupts could not stop, recycles). */
  replaced: number;
  /** Why workers were replaced, most recent last (bounded). */
  replaceReasons: string[];
  /** Workers loaded and able to take a job now, or busy with one. */
  ready: number;
  /** Warm spares loaded and waiting. */
  sparesReady: number;
  /** Spare workers, loaded or still loading (one more while a job nears a deadline that kills). */
  spares: number;
  queued: number;
  running: number;
  /** Whether timeouts are enforced with the interrupt buffer (else: terminate only). */
  interrupts: boolean;
  /** Cold start of the last worker that finished loading, ms. */
  lastStartMs: number;
  /** Workers started from the memory snapshot. */
  fromSnapshot: number;
}

export interface ExecPool extends ExecPort {
  readonly size: number;
  stats(): ExecPoolStats;
  /** Start all workers (and spares) now instead of on the first job; resolves when ready. */
  warm(): Promise<void>;
  /** Grade on every core (one worker per core) until released; see ExecPort. */
  useAllCores(): () => void;
  /** Resolves when every slot (and spare) holds a loaded worker. */
  whenFull(): Promise<void>;
  close(): Promise<void>;
}

export class ExecPoolClosedError extends Error {
  override name = 'ExecPoolClosedError';
  constructor() {
    super('The Python pool was closed; create a new pool to run more jobs.');
  }
}

export class ExecAbortedError extends Error {
  override name = 'AbortError';
  constructor() {
    super('The job was cancelled before it finished.');
  }
}

export class PythonWorkerStartError extends Error {
  override name = 'PythonWorkerStartError';
  constructor(cause: unknown) {
    super(
      `A Python worker failed to start three times in a row (${cause instanceof Error ? cause.message : String(cause)}). ` +
        "Check that Pyodide's files are reachable (indexURL) and that the page can start workers.",
    );
  }
}

interface Pending {
  job: ExecJob;
  resolve(r: ExecResult): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Worker {
  spawned: SpawnedWorker;
  ready: Promise<void>;
  loaded: boolean;
  control?: ControlViews;
  controlBuffer?: SharedArrayBuffer;
}

interface Running {
  pending: Pending;
  seq: number;
  startedAt: number;
  testTimeout: number;
  /** Per-step limits (EvalPlus: from the reference's times), overriding `testTimeout`. */
  perStep?: number[];
  jobTimeout: number;
  /** True once the worker has started this job (its job limit counts from then). */
  began?: boolean;
  interruptedAt?: number;
  /** The (claimed, negative) token of the step that was interrupted. */
  interruptedToken?: number;
  /** A spare was started ahead of this job's deadline (terminate path), to take its worker's place. */
  anticipated?: boolean;
  expiredAt?: number;
  settled: boolean;
}

interface Slot {
  worker?: Worker;
  /** Lent by useAllCores: goes away when every borrower has released and its jobs are done. */
  extra?: boolean;
  retiring?: boolean;
  /** Jobs sent to the worker and not answered yet, in order; the first one is running. */
  inflight: Running[];
}

const WATCH_MS = 10;
/**
 * Without the interrupt buffer a job still running at its deadline costs its worker. A spare
 * takes 0.5–1 s to load, so a replacement spare starts this long before the deadline (but not
 * before half the job's time is used: most jobs end well within it, and each early start of a
 * job that then finishes costs a worker's load): the pool is whole again at, or soon after, the
 * verdict. A job that finishes in time gives the extra spare back.
 */
const ANTICIPATE_MS = 1000;

/** The product's grace after an interrupt (see ExecPoolOptions.interruptGraceMs). */
export const DEFAULT_INTERRUPT_GRACE_MS = 2000;

export function createExecPool(
  spawn: (onCrash: (err: unknown) => void) => SpawnedWorker,
  opts: ExecPoolOptions & {
    cores: number;
    sharedMemory: boolean;
    indexURL?: string;
  },
): ExecPool {
  const size = Math.max(1, opts.size ?? Math.max(1, opts.cores - 1));
  const spares = Math.max(0, opts.spares ?? 1);
  const defaultTestTimeout = opts.testTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
  const grace = opts.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS;
  const outputCap = opts.outputCap ?? DEFAULT_OUTPUT_CAP;
  const maxHeapBytes = opts.maxHeapBytes ?? 768 * 1024 * 1024;
  const interrupts = (opts.useInterrupts ?? true) && opts.sharedMemory;

  const slots: Slot[] = Array.from({ length: size }, () => ({ inflight: [] as Running[] }));
  let borrowers = 0;
  // With the interrupt buffer a worker gets its next job while it runs the current one, which
  // hides the message round trip; the token protocol keeps interrupts on the right step.
  const depth = interrupts ? 2 : 1;
  const spareList: Worker[] = [];
  const queue: Pending[] = [];
  let seq = 0;
  let closed = false;
  let started = false;
  let startFailures = 0;
  let watchTimer: ReturnType<typeof setInterval> | undefined;
  const st = {
    jobs: 0,
    replaced: 0,
    replaceReasons: [] as string[],
    lastStartMs: 0,
    fromSnapshot: 0,
  };
  const useSnapshot = opts.snapshot ?? true;
  let snapshot: Uint8Array | undefined = useSnapshot ? opts.snapshotBytes : undefined;
  /** The snapshot came from outside (an earlier session), not from a worker of this pool. */
  let inherited = snapshot !== undefined;
  let snapshotAsked = false;

  function newWorker(): Worker {
    let crash: (err: unknown) => void = () => undefined;
    const crashed = new Promise<never>((_ok, fail) => {
      crash = fail;
    });
    crashed.catch(() => undefined);
    const spawned = spawn((err) => {
      crash(err);
      // A crash mid-job: answer the job and replace the worker.
      const slot = slots.find((s) => s.worker === w);
      if (slot?.inflight.length && w.loaded)
        kill(slot, `worker crashed: ${err instanceof Error ? err.message : String(err)}`);
    });
    const w: Worker = { spawned, loaded: false, ready: Promise.resolve() };
    const makeSnapshot = useSnapshot && !snapshot && !snapshotAsked;
    const fromInherited = inherited && snapshot !== undefined;
    if (makeSnapshot) snapshotAsked = true;
    if (interrupts) {
      w.controlBuffer = new SharedArrayBuffer(CONTROL_BYTES);
      w.control = controlViews(w.controlBuffer);
    }
    w.ready = Promise.race([
      crashed,
      spawned.api.init({
        ...(w.controlBuffer ? { control: w.controlBuffer } : {}),
        ...(opts.indexURL ? { indexURL: opts.indexURL } : {}),
        outputCap,
        maxHeapBytes,
        ...(snapshot ? { snapshot } : {}),
        ...(makeSnapshot ? { makeSnapshot } : {}),
      }),
    ])
      .then((info) => {
        w.loaded = true;
        startFailures = 0;
        st.lastStartMs = info.startMs;
        if (info.snapshot) {
          snapshot = info.snapshot;
          opts.onSnapshot?.(info.snapshot);
        }
        if (info.fromSnapshot) st.fromSnapshot++;
        pump();
      })
      .catch((e: unknown) => {
        spawned.terminate();
        if (makeSnapshot) snapshotAsked = false;
        if (fromInherited && inherited) {
          // A kept snapshot that does not load (another Pyodide, a damaged copy): boot cold.
          inherited = false;
          snapshot = undefined;
          opts.onSnapshotRejected?.();
        }
        if (closed) return;
        startFailures++;
        if (startFailures >= 3) {
          const err = new PythonWorkerStartError(e);
          for (const p of queue.splice(0)) p.reject(err);
        }
        replaceWorker(w, `start failed: ${e instanceof Error ? e.message : String(e)}`, false);
      });
    return w;
  }

  function start(): void {
    if (started || closed) return;
    started = true;
    for (const s of slots) s.worker = newWorker();
    for (let i = 0; i < spares; i++) spareList.push(newWorker());
  }

  /** Put a fresh worker where `dead` was: the first loaded spare, else a new one. */
  function replaceWorker(dead: Worker, reason: string, count = true, refill = true): void {
    if (count) {
      st.replaced++;
      st.replaceReasons.push(reason);
      if (st.replaceReasons.length > 20) st.replaceReasons.shift();
    }
    if (closed) return;
    const spareIdx = spareList.indexOf(dead);
    if (spareIdx >= 0) {
      spareList.splice(spareIdx, 1);
      spareList.push(newWorker());
      return;
    }
    const slot = slots.find((s) => s.worker === dead);
    if (!slot) return;
    // Jobs the dead worker had not started go back to the head of the queue, in order.
    const unstarted = slot.inflight.filter((r) => !r.settled);
    slot.inflight = [];
    queue.unshift(...unstarted.map((r) => r.pending));
    if (slot.retiring) {
      slots.splice(slots.indexOf(slot), 1);
      pump();
      return;
    }
    const loadedSpare = spareList.findIndex((w) => w.loaded);
    if (loadedSpare >= 0) {
      slot.worker = spareList.splice(loadedSpare, 1)[0];
      if (refill) spareList.push(newWorker());
    } else {
      // No spare loaded yet: the one started ahead of the deadline (still loading) is closest.
      slot.worker = !refill && spareList.length > 0 ? spareList.pop() : newWorker();
    }
    pump();
  }

  function finish(slot: Slot, r: Running, result: ExecResult): void {
    if (r.settled) return;
    r.settled = true;
    st.jobs++;
    r.pending.signal?.removeEventListener('abort', r.pending.onAbort!);
    r.pending.resolve(result);
  }

  /** The verdict for a job whose worker had to be terminated. */
  function killedResult(w: Worker, r: Running): ExecResult {
    const tests: TestVerdict[] = [];
    const c = w.control;
    const done = c ? Atomics.load(c.ints, CTRL.DONE) : 0;
    for (let i = 0; i < done; i++) {
      const outcome = OUTCOME_CODES[c!.outcomes[i] ?? 0] ?? 'error';
      tests.push({ name: `test ${i}`, outcome });
    }
    const n = countTests(r.pending.job);
    const total = Math.max(n, done + 1);
    for (let i = done; i < total; i++) {
      tests.push(
        i === done
          ? {
              name: `test ${i}`,
              outcome: 'timeout',
              message: 'timed out; the worker was terminated',
            }
          : {
              name: `test ${i}`,
              outcome: 'not-run',
              message: 'not run: the worker was terminated',
            },
      );
    }
    const passedN = tests.filter((t) => t.outcome === 'passed').length;
    // Killed while cleaning up after every test had passed (a finalizer that would not stop):
    // the tests' verdict stands, as in the official harness, where finalizers never run. Only
    // where one recorded step is one test (not `check`, whose steps include plain statements).
    const cleaning = c ? Atomics.load(c.ints, CTRL.STEP) === CLEANUP_STEP : false;
    if (cleaning && r.pending.job.tests.kind !== 'check' && n > 0 && done === n && passedN === n) {
      return {
        passed: true,
        soft: 1,
        tests: tests.slice(0, n),
        stdout: { text: '', truncated: false },
        stderr: { text: '', truncated: false },
        durationMs: performance.now() - r.startedAt,
      };
    }
    return {
      passed: false,
      soft: n ? Math.min(passedN, n) / n : 0,
      tests: tests.slice(0, Math.max(n, 1)),
      ...(done === 0
        ? { setupError: 'timeout: the program did not finish; the worker was terminated' }
        : {}),
      stdout: { text: '', truncated: false },
      stderr: { text: '', truncated: false },
      durationMs: performance.now() - r.startedAt,
    };
  }

  /** The job the worker is running now (the oldest one sent). */
  function current(slot: Slot): Running | undefined {
    return slot.inflight[0];
  }

  function kill(slot: Slot, reason: string): void {
    const w = slot.worker!;
    const r = slot.inflight.shift();
    w.spawned.terminate();
    if (r) finish(slot, r, killedResult(w, r));
    // The spare started ahead of the deadline is the refill.
    const anticipated = r?.anticipated === true;
    if (anticipated) r!.anticipated = false;
    replaceWorker(w, reason, true, !anticipated);
  }

  /** Start the spare that will replace this job's worker if it is still running at its deadline. */
  function anticipate(r: Running): void {
    r.anticipated = true;
    spareList.push(newWorker());
  }

  /** The job finished in time: the spare started for it is one too many. */
  function giveBackAnticipated(r: Running): void {
    if (!r.anticipated) return;
    r.anticipated = false;
    const extra = spareList.length - spares;
    if (extra <= 0) return;
    // The newest one: the least likely to be loaded.
    spareList.pop()!.spawned.terminate();
  }

  /**
   * Interrupt the step running now, if it still is: claim its token (token → −token) so the
   * interrupt cannot land on a later step. With `expire`, the job's remaining steps are skipped.
   */
  function interrupt(w: Worker, r: Running, expire: boolean): void {
    const c = w.control!;
    if (expire) Atomics.store(c.ints, CTRL.JOB_EXPIRED, 1);
    const token = Atomics.load(c.ints, CTRL.TOKEN);
    if (token <= 0) {
      // Between steps: an expired job stops before its next step. Count the grace from now so a
      // worker that never gets there is still replaced.
      if (expire && r.interruptedAt === undefined) {
        r.interruptedAt = performance.now();
        r.interruptedToken = token;
      }
      return;
    }
    if (Atomics.compareExchange(c.ints, CTRL.TOKEN, token, -token) !== token) return;
    Atomics.store(c.ints, CTRL.INTERRUPT, 2);
    Atomics.store(c.ints, CTRL.CLAIM_WRITTEN, 1);
    Atomics.notify(c.ints, CTRL.CLAIM_WRITTEN);
    r.interruptedAt = performance.now();
    r.interruptedToken = -token;
  }

  function watch(): void {
    const now = performance.now();
    let busy = false;
    for (const slot of slots) {
      const r = current(slot);
      const w = slot.worker;
      // A cancelled (settled) job is still watched until its worker stops it or is replaced.
      if (!r || !w) continue;
      busy = true;
      if (interrupts && w.control && Atomics.load(w.control.ints, CTRL.JOB) === r.seq && !r.began) {
        // The worker started it just now (it may have waited behind the previous job).
        r.began = true;
        r.startedAt = now - (Date.now() - (w.control.jobStart[0] ?? Date.now()));
      }
      const jobOver = (!interrupts || r.began === true) && now - r.startedAt > r.jobTimeout;
      if (!interrupts || !w.control) {
        if (jobOver) kill(slot, 'job timeout (no interrupt buffer)');
        else if (
          !r.anticipated &&
          !r.settled &&
          now - r.startedAt > Math.max(r.jobTimeout - ANTICIPATE_MS, r.jobTimeout / 2)
        )
          anticipate(r);
        continue;
      }
      const c = w.control;
      if (Atomics.load(c.ints, CTRL.JOB) !== r.seq) continue; // not started yet, or done
      const token = Atomics.load(c.ints, CTRL.TOKEN);
      const cleaning = Atomics.load(c.ints, CTRL.STEP) === CLEANUP_STEP;
      if (r.interruptedAt !== undefined) {
        if (token !== r.interruptedToken) {
          r.interruptedAt = undefined; // it obeyed and moved on
          r.interruptedToken = undefined;
        } else if (now - r.interruptedAt > grace) {
          kill(slot, 'did not stop when interrupted');
          continue;
        } else {
          continue;
        }
      }
      if (jobOver && !cleaning) {
        // Skip what is left; a step running now is interrupted.
        interrupt(w, r, true);
        continue;
      }
      const stepStartEpoch = c.stepStart[0] ?? 0;
      const limit = r.perStep?.[Atomics.load(c.ints, CTRL.STEP)] ?? r.testTimeout;
      if (token > 0 && Date.now() - stepStartEpoch > limit) interrupt(w, r, false);
    }
    if (!busy && watchTimer !== undefined) {
      clearInterval(watchTimer);
      watchTimer = undefined;
    }
  }

  function pump(): void {
    if (closed) return;
    // Idle workers first, then one job ahead for each busy one: no worker idles while another
    // holds a job in reserve.
    for (let ahead = 1; ahead <= depth; ahead++) {
      for (const slot of slots) {
        if (!queue.length) return;
        const w = slot.worker;
        if (w?.loaded && !slot.retiring && slot.inflight.length < ahead)
          dispatch(slot, w, queue.shift()!);
      }
    }
  }

  function dispatch(slot: Slot, w: Worker, pending: Pending): void {
    const { testTimeout, perStep, jobTimeout } = jobLimits(pending.job, defaultTestTimeout);
    const r: Running = {
      pending,
      seq: ++seq,
      startedAt: performance.now(),
      testTimeout,
      ...(perStep ? { perStep } : {}),
      jobTimeout,
      settled: false,
    };
    slot.inflight.push(r);
    watchTimer ??= setInterval(watch, WATCH_MS);
    // Without the interrupt buffer the job limit is the only deadline: meet it to the
    // millisecond rather than at the next 10 ms tick.
    if (!interrupts) {
      const deadline = setTimeout(watch, r.jobTimeout + 1) as { unref?: () => void };
      deadline.unref?.(); // never keeps a Node process alive
    }
    const job = { ...pending.job, testTimeoutMs: testTimeout };
    w.spawned.api.run(job, r.seq).then(
      (res: WorkerResult) => {
        if (slot.worker !== w) return; // killed meanwhile
        slot.inflight = slot.inflight.filter((x) => x !== r);
        const { recycle, ...result } = res;
        finish(slot, r, result);
        giveBackAnticipated(r);
        if (recycle) {
          w.spawned.terminate();
          replaceWorker(w, recycle);
        } else if (slot.retiring && slot.inflight.length === 0) {
          retire(slot);
        }
        pump();
      },
      (e: unknown) => {
        if (slot.worker !== w) return;
        const reason = `worker crashed: ${e instanceof Error ? e.message : String(e)}`;
        kill(slot, reason);
      },
    );
  }

  function countTests(job: ExecJob): number {
    const t = job.tests;
    switch (t.kind) {
      case 'asserts':
        return t.asserts.length;
      case 'io':
      case 'stdio':
        return t.cases.length;
      case 'check':
        return Math.max(1, (t.source.match(/^\s*assert\b/gm) ?? []).length);
    }
  }

  /** Close a lent slot whose borrowers are gone (its jobs are done). */
  function retire(slot: Slot): void {
    const i = slots.indexOf(slot);
    if (i < 0) return;
    slots.splice(i, 1);
    slot.worker?.spawned.terminate();
  }

  const allWorkers = (): Worker[] => [
    ...slots.map((s) => s.worker).filter((w): w is Worker => !!w),
    ...spareList,
  ];

  return {
    size,
    run(job: ExecJob, signal?: AbortSignal): Promise<ExecResult> {
      if (closed) return Promise.reject(new ExecPoolClosedError());
      if (signal?.aborted) return Promise.reject(new ExecAbortedError());
      start();
      return new Promise<ExecResult>((resolve, reject) => {
        const pending: Pending = { job, resolve, reject };
        if (signal) {
          pending.signal = signal;
          pending.onAbort = () => {
            const qi = queue.indexOf(pending);
            if (qi >= 0) {
              queue.splice(qi, 1);
              reject(new ExecAbortedError());
              return;
            }
            const slot = slots.find((s) => s.inflight.some((r) => r.pending === pending));
            const r = slot?.inflight.find((x) => x.pending === pending);
            if (!slot || !r || r.settled) return;
            r.settled = true;
            reject(new ExecAbortedError());
            // Stop the abandoned job: it expires at once (the watchdog interrupts it when it
            // runs, and kills the worker if it will not stop).
            r.jobTimeout = 0;
            const w = slot.worker!;
            if (interrupts && w.control) {
              if (current(slot) === r) interrupt(w, r, true);
            } else {
              kill(slot, 'cancelled');
            }
          };
          signal.addEventListener('abort', pending.onAbort, { once: true });
        }
        queue.push(pending);
        pump();
      });
    },
    useAllCores(): () => void {
      borrowers++;
      if (!closed) {
        start();
        for (const s of slots) if (s.extra) s.retiring = false;
        const lent = slots.filter((s) => s.extra).length;
        for (let i = size + lent; i < opts.cores; i++) {
          slots.push({ inflight: [], extra: true, worker: newWorker() });
        }
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        borrowers--;
        if (borrowers > 0 || closed) return;
        for (const s of slots.filter((x) => x.extra)) {
          s.retiring = true;
          if (s.inflight.length === 0) retire(s);
        }
      };
    },
    stats(): ExecPoolStats {
      return {
        jobs: st.jobs,
        replaced: st.replaced,
        replaceReasons: [...st.replaceReasons],
        ready: slots.filter((s) => s.worker?.loaded).length,
        sparesReady: spareList.filter((w) => w.loaded).length,
        spares: spareList.length,
        queued: queue.length,
        running: slots.filter((s) => s.inflight.length > 0).length,
        interrupts,
        lastStartMs: st.lastStartMs,
        fromSnapshot: st.fromSnapshot,
      };
    },
    async warm(): Promise<void> {
      start();
      await this.whenFull();
    },
    async whenFull(): Promise<void> {
      for (;;) {
        if (closed || !started) return;
        const ws = allWorkers();
        if (ws.length === slots.length + spares && ws.every((w) => w.loaded)) return;
        await Promise.all(ws.map((w) => w.ready));
        if (ws.every((w) => w.loaded) && allWorkers().every((w) => ws.includes(w))) return;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (watchTimer !== undefined) clearInterval(watchTimer);
      const err = new ExecPoolClosedError();
      for (const p of queue.splice(0)) p.reject(err);
      for (const s of slots) {
        for (const r of s.inflight) {
          if (r.settled) continue;
          r.settled = true;
          r.pending.reject(err);
        }
      }
      for (const w of allWorkers()) w.spawned.terminate();
    },
  };
}
