/**
 * The worker-side grader: drives one long-lived Pyodide interpreter through jobs. It runs inside
 * a worker (Node worker_threads or a Web Worker); the pool talks to it through `PythonWorkerApi`.
 *
 * Every step of a job is a call from JavaScript into a real builtin (`exec`, a generator's
 * `send`, the candidate function itself), so a step's verdict is whether JavaScript saw an
 * exception; no Python object the job can reach decides it. See docs/sandbox.md.
 */
import type { PyodideAPI } from 'pyodide';
import type { ExecJob, TestVerdict, TestSpec, TestOutcome } from '../core/types';
import { HARNESS_PY, IO_VALUES_PY } from './python-sources';
import {
  CLEANUP_STEP,
  CTRL,
  DEFAULT_TEST_TIMEOUT_MS,
  MAX_RECORDED_STEPS,
  OUTCOME_CODES,
  controlViews,
  type ControlViews,
  type WorkerInit,
  type WorkerResult,
} from './protocol';
import {
  DIGEST_OVER_CHARS,
  ioOutputMatches,
  outputMode,
  stdoutMatches,
  stickyAtols,
} from './compare';
import { installFsGuard } from './fs-guard';
import { raceFreeInterruptBuffer } from './interrupt-buffer';
import { withLine } from './line-note';

/* eslint-disable @typescript-eslint/no-explicit-any -- PyProxy calls are untyped by nature. */
type Py = any;

interface PyError {
  type?: string;
  message?: string;
}

function isPyError(e: unknown): e is PyError {
  return (
    typeof e === 'object' && e !== null && 'type' in e && e.constructor?.name === 'PythonError'
  );
}

function destroy(x: unknown): void {
  if (x && typeof x === 'object' && typeof (x as { destroy?: unknown }).destroy === 'function') {
    (x as { destroy(): void }).destroy();
  }
}

/** `Type: message` from a PythonError's formatted traceback (its last line). */
function lastLine(message: string | undefined): string {
  const lines = (message ?? '').trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

function lineFromTraceback(message: string | undefined): number | undefined {
  let line: number | undefined;
  for (const m of (message ?? '').matchAll(/File "<program>", line (\d+)/g)) line = Number(m[1]);
  return line;
}

interface CompiledCheck {
  code: Py;
  names: string[];
  isTest: boolean[];
}

/** Small LRU of compiled test code: the same task is graded many times in a run. */
class CodeCache<V> {
  private map = new Map<string, V>();
  constructor(
    private readonly max: number,
    private readonly dispose: (v: V) => void,
  ) {}
  get(key: string, make: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const v = make();
    this.map.set(key, v);
    if (this.map.size > this.max) {
      const [oldKey, old] = this.map.entries().next().value as [string, V];
      this.map.delete(oldKey);
      this.dispose(old);
    }
    return v;
  }
}

export interface Engine {
  run(job: ExecJob, seq: number): WorkerResult;
}

/** Make what generated code could use to reach JavaScript's global scope unusable. */
function hardenRealm(): void {
  const protos = [
    Function.prototype,
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ] as object[];
  for (const proto of protos) {
    Object.defineProperty(proto, 'constructor', {
      value: undefined,
      writable: false,
      configurable: false,
    });
  }
}

/**
 * No sockets, ever: in Node, Pyodide's sockets are real TCP connections (socket, urllib,
 * http.client reach the host's network), and in a browser they would be WebSockets. Every socket
 * is created through SOCKFS.createSocket, which now fails with EACCES (PermissionError).
 */
function refuseSockets(py: PyodideAPI): void {
  const mod = (py as unknown as { _module?: Record<string, any> })._module;
  const sockfs = mod?.SOCKFS as Record<string, unknown> | undefined;
  const ErrnoError = (py as unknown as { FS: { ErrnoError: new (errno: number) => Error } }).FS
    .ErrnoError;
  if (!sockfs) throw new Error('Pyodide has no SOCKFS to lock: check the pinned version');
  const EACCES = 2;
  sockfs.createSocket = () => {
    throw new ErrnoError(EACCES);
  };
}

/**
 * Milliseconds spent per phase, summed over jobs (bench/exec.ts prints them). `step` is the
 * check generator's steps: the program's own test work.
 */
export type EngineProfile = Record<string, number>;

export function createEngine(py: PyodideAPI, init: WorkerInit, profile?: EngineProfile): Engine {
  const control: ControlViews | undefined = init.control ? controlViews(init.control) : undefined;
  if (init.control)
    py.setInterruptBuffer(raceFreeInterruptBuffer(new Int32Array(init.control), CTRL.INTERRUPT));
  const builtins: Py = py.pyimport('builtins');
  const compileFn: Py = builtins.compile;
  const BaseExc: Py = builtins.BaseException;
  const dictFn: Py = builtins.dict;
  const gc: Py = py.pyimport('gc');
  const gcEnable: Py = gc.enable;
  const H: Py = dictFn();
  py.runPython(HARNESS_PY, { globals: H });
  py.runPython(IO_VALUES_PY, { globals: H });
  const h = {
    begin: H.get('begin'),
    noteCode: H.get('note_code'),
    mayFinalize: H.get('may_finalize'),
    newStdin: H.get('new_stdin'),
    caseOutput: H.get('case_output'),
    freshNs: H.get('fresh_namespace'),
    makeCheck: H.get('make_check'),
    describe: H.get('describe'),
    runCode: H.get('run_code'),
    callFn: H.get('call_fn'),
    compileCode: H.get('compile_code'),
    collect: H.get('collect'),
    finish: H.get('finish'),
    encodeValue: H.get('encode_value'),
    encodeBoxed: H.get('encode_boxed'),
    decodeArgs: H.get('decode_args'),
    callIo: H.get('call_io'),
    collectAll: H.get('collect_all'),
    outputBoxed: H.get('output_boxed'),
  };
  // The originals, to notice a job that rewrote a harness function's code or defaults. Checked
  // with C builtins only (all(map(is_, map(attrgetter(a), fns), originals))), which no job can patch.
  const operator: Py = py.pyimport('operator');
  const fnTuple: Py = H.get('_guarded')();
  const allFn: Py = builtins.all;
  const mapFn: Py = builtins.map;
  const isFn: Py = operator.is_;
  const tupleFn: Py = builtins.tuple;
  const guardedAttrs = ['__code__', '__defaults__', '__kwdefaults__'].map((a) => {
    const get: Py = operator.attrgetter(a);
    return { get, originals: tupleFn(mapFn(get, fnTuple)) as Py };
  });
  const harnessIntact = (): boolean =>
    guardedAttrs.every(({ get, originals }) => {
      const now = mapFn(get, fnTuple);
      const same = mapFn(isFn, now, originals);
      const ok = allFn(same) as boolean;
      destroy(same);
      destroy(now);
      return ok;
    });
  // Bytes a job writes to the raw file descriptors 1 and 2 (os.write) go nowhere: they are not
  // the job's captured output and must not reach the host's console.
  py.setStdout({ write: (buf: Uint8Array) => buf.length });
  py.setStderr({ write: (buf: Uint8Array) => buf.length });
  const fsGuard = installFsGuard((py as unknown as { FS: Record<string, unknown> }).FS);
  refuseSockets(py);
  const gcCollectRaw: Py = gc.collect;
  const gcCollect = (): number => {
    if (!profile) return gcCollectRaw() as number;
    const t = performance.now();
    try {
      return gcCollectRaw() as number;
    } finally {
      profile.gc = (profile.gc ?? 0) + performance.now() - t;
    }
  };
  hardenRealm();
  if (profile) {
    // Wrap after the originals' code objects were recorded above; only when profiling.
    for (const k of Object.keys(h) as (keyof typeof h)[]) {
      const f = h[k];
      h[k] = (...a: unknown[]): unknown => {
        const t = performance.now();
        try {
          return f(...a);
        } finally {
          profile[k] = (profile[k] ?? 0) + performance.now() - t;
        }
      };
    }
  }

  // Step tokens are unique per worker for a long time (see CTRL.TOKEN).
  let nextToken = 0;
  let token = 0;
  const checkCache = new CodeCache<CompiledCheck>(256, (c) => destroy(c.code));
  const assertCache = new CodeCache<Py>(4096, destroy);

  function compileOrThrow(src: string, filename: string): Py {
    return compileFn(src, filename, 'exec', 0, true);
  }

  /** Compile the job's code; a SyntaxError comes back as `Type: message (line n)`. */
  function compileJobCode(src: string, filename: string): { code?: Py; error?: string } {
    const r = h.compileCode(src, filename);
    const ok = r.get(0) as boolean;
    const v: Py = r.get(1);
    r.destroy();
    if (ok) return { code: v };
    const [, message, line] = describeExc(v);
    destroy(v);
    return { error: withLine(message, line) };
  }

  function describeExc(exc: Py): [string, string, number] {
    const d = h.describe(exc);
    const out = d.toJs() as [string, string, number];
    d.destroy();
    return out;
  }

  /** exec(code, ns) in the harness's empty-globals runner: undefined, or the exception. */
  function runCode(code: Py, ns: Py): Py {
    return h.runCode(code, ns);
  }

  function heapBytes(): number {
    const mod = (py as unknown as { _module?: { HEAP8?: Int8Array } })._module;
    return mod?.HEAP8?.buffer.byteLength ?? 0;
  }

  return {
    run(job: ExecJob, seq: number): WorkerResult {
      const t0 = performance.now();
      const testTimeout = job.testTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
      void testTimeout;
      const tests: TestVerdict[] = [];
      let passed = true;
      let setupError: string | undefined;
      let recycle = '';
      let step = 0;
      let trash: Py;
      let ns: Py;

      const ints = control?.ints;
      const expired = (): boolean => (ints ? Atomics.load(ints, CTRL.JOB_EXPIRED) !== 0 : false);
      /** End the current step's token; swallow an interrupt the pool claimed for it late. */
      const closeStep = (): void => {
        if (!ints || token === 0) return;
        const prev = Atomics.compareExchange(ints, CTRL.TOKEN, token, 0);
        if (prev === -token) {
          // The pool writes the interrupt right after claiming; wait for it, then drop it.
          Atomics.wait(ints, CTRL.CLAIM_WRITTEN, 0, 200);
          Atomics.store(ints, CTRL.INTERRUPT, 0);
          Atomics.store(ints, CTRL.CLAIM_WRITTEN, 0);
          Atomics.store(ints, CTRL.TOKEN, 0);
        }
        token = 0;
      };
      const startStep = (): void => {
        if (!control || !ints) return;
        closeStep();
        nextToken = nextToken >= 0x3fffffff ? 1 : nextToken + 1;
        token = nextToken;
        control.stepStart[0] = Date.now();
        Atomics.store(ints, CTRL.STEP, step);
        Atomics.store(ints, CTRL.TOKEN, token);
      };
      const endStep = (outcome: TestOutcome): void => {
        if (outcome === 'timeout') stopped = true;
        if (control && ints && step < MAX_RECORDED_STEPS) {
          control.outcomes[step] = OUTCOME_CODES.indexOf(outcome);
          Atomics.store(ints, CTRL.DONE, step + 1);
        }
        step++;
      };
      /** Was the exception our own interrupt (a timeout) rather than the program's? */
      const wasTimeout = (type: string | undefined): boolean =>
        type === 'KeyboardInterrupt' &&
        !!ints &&
        ((token !== 0 && Atomics.load(ints, CTRL.TOKEN) === -token) || expired());
      const verdictFromPyError = (name: string, e: PyError): TestVerdict => {
        if (wasTimeout(e.type)) return { name, outcome: 'timeout', message: 'timed out' };
        const msg = lastLine(e.message);
        const line = lineFromTraceback(e.message);
        const v: TestVerdict = {
          name,
          outcome: e.type === 'AssertionError' ? 'failed' : 'error',
          message: msg,
          errorType: e.type ?? 'Error',
        };
        if (line !== undefined) v.line = line;
        return v;
      };
      const verdictFromExc = (name: string, exc: Py): TestVerdict => {
        const [type, message, line] = describeExc(exc);
        if (wasTimeout(type)) return { name, outcome: 'timeout', message: 'timed out' };
        const v: TestVerdict = {
          name,
          outcome: type === 'AssertionError' ? 'failed' : 'error',
          message,
          errorType: type,
        };
        if (line) v.line = line;
        return v;
      };
      // A runaway answer costs one time limit: after the first timeout, the tests left are not
      // run (soft credit counts them as failed; the strict verdict is already false).
      let stopped = false;
      const halted = (): boolean => stopped || expired();
      const skipped = (name: string): TestVerdict => ({
        name,
        outcome: 'not-run',
        message: expired()
          ? 'not run: the job ran out of time'
          : 'not run: an earlier test timed out',
      });

      if (ints) {
        Atomics.store(ints, CTRL.JOB_EXPIRED, 0);
        Atomics.store(ints, CTRL.DONE, 0);
        Atomics.store(ints, CTRL.TOKEN, 0);
        Atomics.store(ints, CTRL.CLAIM_WRITTEN, 0);
        Atomics.store(ints, CTRL.INTERRUPT, 0);
        control!.stepStart[0] = Date.now();
        control!.jobStart[0] = Date.now();
        Atomics.store(ints, CTRL.STEP, 0);
        Atomics.store(ints, CTRL.JOB, seq);
      }

      const spec: TestSpec = job.tests;
      // Compile trusted test code before the job's code can touch anything.
      let check: CompiledCheck | undefined;
      let assertCodes: Py[] = [];
      let caseArgs: Py;
      try {
        if (spec.kind === 'check') {
          check = checkCache.get(spec.source, () => {
            const r = h.makeCheck(spec.source);
            const [code, names, isTest] = [r.get(0), r.get(1).toJs(), r.get(2).toJs()];
            r.destroy();
            return { code, names, isTest } as CompiledCheck;
          });
        } else if (spec.kind === 'asserts') {
          assertCodes = spec.asserts.map((a) =>
            assertCache.get(a, () => compileOrThrow(a, '<test>')),
          );
        } else if (spec.kind === 'io') {
          // Decoded before the program runs, so nothing it patches takes part in decoding.
          caseArgs = h.decodeArgs(JSON.stringify(spec.cases.map((c) => c.args)));
        }
      } catch (e) {
        // A broken test is the task's fault, not the program's: say so plainly.
        const msg = isPyError(e) ? lastLine(e.message) : String(e);
        return {
          passed: false,
          soft: 0,
          tests: [],
          setupError: `invalid tests: ${msg}`,
          stdout: { text: '', truncated: false },
          stderr: { text: '', truncated: false },
          durationMs: performance.now() - t0,
        };
      }

      fsGuard.begin();
      h.begin(init.outputCap, spec.kind === 'stdio' ? (spec.cases[0]?.stdin ?? '') : '');
      let programCode: Py;
      const compiled = compileJobCode(job.program, '<program>');
      if (compiled.error !== undefined) {
        setupError = compiled.error;
        passed = false;
      } else {
        programCode = compiled.code;
        h.noteCode(programCode);
        if (spec.kind === 'asserts' && spec.setup.trim()) {
          // Setup is trusted but runs in the job's namespace, after the program.
          const setup = compileJobCode(spec.setup, '<setup>');
          if (setup.error !== undefined) {
            setupError = `invalid test setup: ${setup.error}`;
            passed = false;
          } else {
            programCode = [programCode, setup.code];
          }
        }
      }

      gcEnable();
      try {
        if (!setupError && spec.kind !== 'stdio') {
          ns = h.freshNs(false);
          startStep();
          for (const code of Array.isArray(programCode) ? programCode : [programCode]) {
            const exc = runCode(code, ns);
            if (exc === undefined) continue;
            const [type, message, line] = describeExc(exc);
            destroy(exc);
            setupError = wasTimeout(type)
              ? 'timeout while running the program'
              : withLine(message, line);
            passed = false;
            break;
          }
        }
        if (!setupError) {
          if (spec.kind === 'check' && check) {
            const { code, names, isTest } = check;
            let gen: Py;
            try {
              startStep();
              const exc = runCode(code, ns);
              if (exc !== undefined) {
                const [, message] = describeExc(exc);
                destroy(exc);
                throw new Error(`the test code failed: ${message}`);
              }
              const checkFn = ns.get('check');
              const candidate = ns.get(spec.entryPoint);
              if (candidate === undefined) {
                throw new Error(`NameError: name '${spec.entryPoint}' is not defined`);
              }
              gen = checkFn(candidate, BaseExc);
              destroy(checkFn);
            } catch (e) {
              setupError = isPyError(e)
                ? lastLine(e.message)
                : e instanceof Error
                  ? e.message
                  : String(e);
              passed = false;
            }
            if (gen) {
              let finished = false;
              for (let i = 0; i < names.length; i++) {
                const name = names[i] ?? `step ${i}`;
                if (finished || halted()) {
                  if (isTest[i]) tests.push(skipped(name));
                  passed = false;
                  continue;
                }
                startStep();
                let r: { done?: boolean; value?: unknown };
                const stepStart = profile ? performance.now() : 0;
                try {
                  r = gen.next();
                  if (profile) profile.step = (profile.step ?? 0) + performance.now() - stepStart;
                } catch (e) {
                  // The generator itself broke (e.g. the program shadowed BaseException).
                  if (!isPyError(e)) throw e;
                  finished = true;
                  passed = false;
                  const v = verdictFromPyError(name, e);
                  if (isTest[i]) tests.push(v);
                  else setupError ??= `check step failed: ${v.message ?? v.outcome}`;
                  endStep(v.outcome);
                  continue;
                }
                if (r.done) {
                  finished = true;
                  passed = false;
                  if (isTest[i])
                    tests.push({ name, outcome: 'error', message: 'check ended early' });
                  continue;
                }
                if (r.value === undefined) {
                  if (isTest[i]) tests.push({ name, outcome: 'passed' });
                  endStep('passed');
                } else {
                  passed = false;
                  const v = verdictFromExc(name, r.value);
                  destroy(r.value);
                  if (isTest[i]) tests.push(v);
                  else setupError ??= `check step failed: ${v.message ?? v.outcome}`;
                  endStep(v.outcome);
                }
              }
              if (!finished && !halted()) {
                try {
                  const r = gen.next();
                  if (!r.done) passed = false;
                } catch (e) {
                  if (!isPyError(e)) throw e;
                  passed = false;
                }
              }
              destroy(gen);
            }
          } else if (spec.kind === 'asserts') {
            spec.asserts.forEach((a, i) => {
              const name = a.trim().slice(0, 200);
              if (halted()) {
                tests.push(skipped(name));
                passed = false;
                return;
              }
              startStep();
              const exc = runCode(assertCodes[i], ns);
              if (exc === undefined) {
                tests.push({ name, outcome: 'passed' });
                endStep('passed');
              } else {
                const v = verdictFromExc(name, exc);
                destroy(exc);
                tests.push(v);
                passed = false;
                endStep(v.outcome);
              }
            });
          } else if (spec.kind === 'io') {
            const fn = ns.get(spec.entryPoint);
            const atols = stickyAtols(spec);
            // Validation: the (trusted) reference on every input in one Python call, as one step.
            const batch = job.collect && fn !== undefined && spec.cases.length > 0;
            if (batch) {
              startStep();
              const r = h.collectAll(
                fn,
                caseArgs,
                spec.atol,
                spec.plusFrom ?? -1,
                DIGEST_OVER_CHARS,
                spec.oracle === 'not_none',
              );
              const values = JSON.parse(r.get(0) as string) as unknown[];
              const times = r.get(1).toJs() as number[];
              const failedAt = r.get(2) as number;
              const exc: Py = r.get(3);
              r.destroy();
              values.forEach((value, i) => {
                tests.push({ name: `case ${i}`, outcome: 'passed', actual: value, ms: times[i] });
                endStep('passed');
              });
              if (failedAt >= 0) {
                passed = false;
                const [type] = describeExc(exc);
                const v = verdictFromExc(`case ${failedAt}`, exc);
                if (!wasTimeout(type) && (type === 'TypeError' || type === 'ValueError'))
                  v.message = `${v.message ?? ''} (or the result is not plain data)`;
                destroy(exc);
                tests.push(v);
                endStep(v.outcome);
                for (let i = failedAt + 1; i < spec.cases.length; i++)
                  tests.push(skipped(`case ${i}`));
              }
            }
            spec.cases.forEach((c, i) => {
              if (batch) return;
              const name = `case ${i}`;
              if (halted()) {
                tests.push(skipped(name));
                passed = false;
                return;
              }
              if (fn === undefined) {
                tests.push({
                  name,
                  outcome: 'error',
                  errorType: 'NameError',
                  message: `NameError: name '${spec.entryPoint}' is not defined`,
                });
                passed = false;
                return;
              }
              startStep();
              try {
                const r = h.callIo(fn, caseArgs.get(i));
                const ok = r.get(0) as boolean;
                const out: Py = r.get(1);
                const callMs = r.get(2) as number;
                r.destroy();
                if (!ok) {
                  const v = verdictFromExc(name, out);
                  destroy(out);
                  tests.push(v);
                  passed = false;
                  endStep(v.outcome);
                  return;
                }
                const atol = atols.at(i, c.expected);
                let value: unknown;
                try {
                  const mode = outputMode(spec, c.expected, atol, job.collect === true);
                  const enc = h.outputBoxed(out, mode, DIGEST_OVER_CHARS);
                  const plain = enc.get(0) as boolean;
                  const text: unknown = enc.get(1);
                  enc.destroy();
                  if (!plain) {
                    const [, why] = describeExc(text);
                    destroy(text);
                    throw new Error(why);
                  }
                  value = JSON.parse(text as string);
                } finally {
                  destroy(out);
                }
                if (job.collect) atols.saw(value);
                const v: TestVerdict =
                  c.expected === undefined
                    ? job.collect
                      ? { name, outcome: 'passed' }
                      : {
                          name,
                          outcome: 'error',
                          errorType: 'MissingExpectedOutput',
                          message:
                            'this case has no expected output yet: validate the task (run its reference) first',
                        }
                    : ioOutputMatches(value, c.expected, atol, spec.oracle, c.args)
                      ? { name, outcome: 'passed' }
                      : {
                          name,
                          outcome: 'failed',
                          message: `expected ${short(c.expected)}, got ${short(value)}`,
                        };
                if (job.collect) {
                  v.actual = value;
                  v.ms = callMs;
                }
                if (v.outcome !== 'passed') passed = false;
                tests.push(v);
                endStep(v.outcome);
              } catch (e) {
                passed = false;
                const v: TestVerdict = isPyError(e)
                  ? e.type === 'TypeError' || e.type === 'ValueError'
                    ? {
                        name,
                        outcome: 'failed',
                        message: `result is not plain data: ${lastLine(e.message).slice(0, 200)}`,
                      }
                    : verdictFromPyError(name, e)
                  : {
                      name,
                      outcome: 'failed',
                      message: `result is not plain data: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`,
                    };
                tests.push(v);
                endStep(v.outcome);
              }
            });
            destroy(fn);
          } else if (spec.kind === 'stdio') {
            spec.cases.forEach((c, i) => {
              const name = `case ${i}`;
              if (halted()) {
                tests.push(skipped(name));
                passed = false;
                return;
              }
              if (i > 0) h.newStdin(c.stdin);
              const caseNs = h.freshNs(true);
              startStep();
              let v: TestVerdict | undefined;
              const exc = runCode(programCode, caseNs);
              if (exc !== undefined) {
                // exit() / sys.exit(0) at the end of a stdio program is a normal end.
                const isExit = describeExc(exc)[0] === 'SystemExit';
                const code: unknown = isExit ? exc.code : 'not an exit';
                const exitOk = isExit && (code === undefined || code === 0);
                if (!exitOk) v = verdictFromExc(name, exc);
                destroy(exc);
              }
              const out: string = h.caseOutput();
              caseNs.clear();
              destroy(caseNs);
              if (!v) {
                v = stdoutMatches(out, c.stdout, spec.compare)
                  ? { name, outcome: 'passed' }
                  : {
                      name,
                      outcome: 'failed',
                      message: `expected ${short(c.stdout)}, got ${short(out)}`,
                    };
              }
              if (v.outcome !== 'passed') passed = false;
              tests.push(v);
              endStep(v.outcome);
            });
          }
        }
      } catch (e) {
        // A JS-level failure (fatal Pyodide error, RangeError from a blown stack, ...): the
        // interpreter cannot be trusted any more.
        recycle = `interpreter failure: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`;
        passed = false;
        setupError ??= recycle;
      }

      // Cleanup runs finalizers the job left behind, so it is a watched step too.
      step = CLEANUP_STEP;
      startStep();
      let restored = '';
      let stdout = { text: '', truncated: false };
      let stderr = { text: '', truncated: false };
      if (!recycle) {
        try {
          if (ns) {
            ns.clear();
            destroy(ns);
          }
          destroy(caseArgs);
          // Restore, drop what the job left (its finalizers run now, with no harness frame beneath
          // them), collect its cyclic garbage (so no finalizer of this job can run during a later
          // one), and restore again while finalizers keep changing things.
          let dropped = 0;
          // A full collection only when the job could have left finalizers of its own (a class,
          // a generator function, weakref, reflection): it costs about as much as a small job.
          const fullGc = h.mayFinalize() as boolean;
          for (let round = 0; ; round++) {
            trash = h.collect();
            dropped = trash.length as number;
            trash.clear();
            destroy(trash);
            const found = fullGc ? gcCollect() : 0;
            if (!dropped && !found) break;
            if (round === 3) {
              recycle = "the job's finalizers kept changing the interpreter";
              break;
            }
          }
          const fin = h.finish();
          const [oText, oTrunc, eText, eTrunc, dirty, restoredNames] = fin.toJs() as [
            string,
            boolean,
            string,
            boolean,
            string,
            string,
          ];
          restored = restoredNames;
          fin.destroy();
          stdout = { text: oText, truncated: oTrunc };
          stderr = { text: eText, truncated: eTrunc };
          if (dirty && !recycle) recycle = dirty;
          if (!harnessIntact()) recycle = 'a harness function was modified';
          if (heapBytes() > init.maxHeapBytes) recycle = `heap grew to ${heapBytes()} bytes`;
        } catch (e) {
          recycle = `cleanup failed: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`;
        }
      }
      const fsWhy = fsGuard.end();
      if (fsWhy && !recycle) recycle = fsWhy;
      closeStep();
      if (ints) Atomics.store(ints, CTRL.JOB, 0);
      // Steps a job never reached are not credited; strict pass needs every step.
      const nPassed = tests.filter((t) => t.outcome === 'passed').length;
      const soft = tests.length ? nPassed / tests.length : 0;
      if (!tests.length && spec.kind !== 'check') passed = passed && !setupError;
      const result: WorkerResult = {
        passed: passed && !setupError,
        soft: setupError && !tests.length ? 0 : soft,
        tests,
        stdout,
        stderr,
        durationMs: performance.now() - t0,
      };
      if (setupError) result.setupError = setupError;
      if (recycle) result.recycle = recycle;
      if (restored) result.restored = restored;
      return result;
    },
  };
}

function short(v: unknown): string {
  let s: string;
  try {
    s =
      typeof v === 'string'
        ? JSON.stringify(v)
        : JSON.stringify(v, (_k, x: unknown) =>
            typeof x === 'bigint'
              ? x.toString()
              : x instanceof Map
                ? Object.fromEntries(x)
                : x instanceof Set
                  ? [...x]
                  : x,
          );
  } catch {
    s = String(v);
  }
  return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
