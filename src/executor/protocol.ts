/**
 * What the pool and its workers share: the layout of the control SharedArrayBuffer, the worker
 * API exposed with Comlink, and limits. Plain data only.
 */
import type { ExecJob, ExecResult, TestOutcome } from '../core/types';

/** Int32 slots of the control buffer. Slot 0 is Pyodide's interrupt buffer (2 = SIGINT). */
export const CTRL = {
  INTERRUPT: 0,
  /** Sequence number of the job the worker is running (0 = idle). */
  JOB: 1,
  /** Index of the step running now. */
  STEP: 2,
  /**
   * A token for the step running now (> 0), 0 between steps. The pool claims a step for an
   * interrupt by swapping its token for −token (compare-and-exchange), so an interrupt meant for
   * one step can never land on the next one: the worker sees the claim when it closes the step
   * and swallows the late interrupt.
   */
  TOKEN: 3,
  /** Set by the pool: the whole job ran out of time; skip the steps left. */
  JOB_EXPIRED: 4,
  /** Steps finished so far (their outcomes are in the outcome bytes). */
  DONE: 5,
  /** Set by the pool after it wrote the interrupt for a claimed step. */
  CLAIM_WRITTEN: 6,
} as const;
const INT_SLOTS = 8;
/** Float64 slot: Date.now() when the current step started. */
const F64_OFFSET = INT_SLOTS * 4;
export const MAX_RECORDED_STEPS = 4096;
/** The STEP value while the worker cleans up after a job (finalizers of the job's objects run). */
export const CLEANUP_STEP = -1;
/** Float64 slot: Date.now() when the current job started in the worker. */
const JOB_START_OFFSET = F64_OFFSET + 8;
const OUTCOME_OFFSET = JOB_START_OFFSET + 8;
export const CONTROL_BYTES = OUTCOME_OFFSET + MAX_RECORDED_STEPS;

export const OUTCOME_CODES: TestOutcome[] = ['passed', 'failed', 'error', 'timeout', 'not-run'];

export interface ControlViews {
  ints: Int32Array;
  stepStart: Float64Array;
  jobStart: Float64Array;
  outcomes: Uint8Array;
}

export function controlViews(buffer: SharedArrayBuffer): ControlViews {
  return {
    ints: new Int32Array(buffer, 0, INT_SLOTS),
    stepStart: new Float64Array(buffer, F64_OFFSET, 1),
    jobStart: new Float64Array(buffer, JOB_START_OFFSET, 1),
    outcomes: new Uint8Array(buffer, OUTCOME_OFFSET, MAX_RECORDED_STEPS),
  };
}

export interface WorkerInit {
  /** Present when SharedArrayBuffer is usable: interrupt + step progress. */
  control?: SharedArrayBuffer;
  /** Where Pyodide's files are (browser: a URL on our own origin). */
  indexURL?: string;
  /** Cap of captured stdout / stderr, in characters. */
  outputCap: number;
  /** Replace the worker when the WebAssembly heap grows beyond this many bytes. */
  maxHeapBytes: number;
  /** Take a memory snapshot right after loading (before the harness) and return it. */
  makeSnapshot?: boolean;
  /** Start from this memory snapshot instead of booting Python (~0.25 s instead of ~2 s). */
  snapshot?: Uint8Array;
}

export interface WorkerInfo {
  /** ms spent in loadPyodide + harness setup. */
  startMs: number;
  pyodideVersion: string;
  /** Present when `makeSnapshot` was asked for. */
  snapshot?: Uint8Array;
  fromSnapshot: boolean;
}

/** A result plus the worker's own opinion about whether it can go on. */
export interface WorkerResult extends ExecResult {
  /** Non-empty when the interpreter is no longer trustworthy and must be replaced. */
  recycle?: string;
  /** Modules / classes whose dicts the job changed and the harness put back (comma-separated). */
  restored?: string;
}

export interface PythonWorkerApi {
  init(opts: WorkerInit): Promise<WorkerInfo>;
  run(job: ExecJob, seq: number): Promise<WorkerResult>;
}

export const DEFAULT_TEST_TIMEOUT_MS = 3000;
export const DEFAULT_OUTPUT_CAP = 64 * 1024;
