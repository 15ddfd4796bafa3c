/**
 * Hostile programs for the sandbox, shared by the Node suite and the browser suite (the built
 * worker in Chromium), both on a pool with the product's default limits (a 2 s grace after an
 * interrupt, a 768 MiB heap). Each case states the exact verdict it must get (outcome kinds,
 * error types) and the one path the pool must take to it: the worker answers and stays, or the
 * worker is replaced once, for a stated reason (terminated when it would not stop, recycled after
 * its job); the suites check the change in `stats().replaced`. After each case the suites run a
 * correct probe program several times, with delays, on the same pool: every probe must see the
 * interpreter exactly as a fresh worker does (see PROBE_PROGRAM). docs/sandbox.md lists the
 * channels these cases try. How fast verdicts come is bench:exec's to measure, not the suites'.
 */
import type { ExecJob, ExecResult, TestOutcome } from '../../src/core/types';
import type { ExecPoolStats } from '../../src/executor/pool';
export interface HostileCase {
  name: string;
  /** The category (docs/sandbox.md). */
  category: string;
  job: ExecJob;
  /** Returns an error message when the verdict is not exactly the one stated. */
  verdict(r: ExecResult): string | undefined;
  /**
   * The path: undefined when the worker answers (interrupted or not) and stays; else the job
   * costs exactly one worker, replaced for a reason this matches (`stats().replaceReasons`).
   */
  replacedFor?: RegExp;
}

/** Test limit for runaway cases, ms. */
export const T = 1000;

/** Why a worker is replaced: each path's reason, as the pool and the worker word it. */
const TERMINATED = /^did not stop when interrupted$/;
const HARNESS_MODIFIED = /^a harness function was modified$/;
const ATEXIT = /^atexit registration$/;
/** In Node the callbacks are setImmediate / setTimeout, in a browser setTimeout / MessageChannel. */
const JS_CALLBACKS = /^the job scheduled JavaScript callbacks \(.+\); they were cancelled$/;

function asserts(program: string, tests: string[], extra: Partial<ExecJob> = {}): ExecJob {
  return {
    program,
    tests: { kind: 'asserts', setup: '', asserts: tests },
    testTimeoutMs: T,
    ...extra,
  };
}

/** The program is wrong (f(2) must be 4) and tries to get a pass anyway. */
function cheat(prefix: string, body = '    return 0\n'): ExecJob {
  return asserts(`${prefix}\ndef f(x):\n${body}`, ['assert f(2) == 4', 'assert f(3) == 6']);
}

type Check = (r: ExecResult) => string | undefined;

const show = (r: ExecResult): string =>
  JSON.stringify({
    passed: r.passed,
    setupError: r.setupError,
    tests: r.tests.map((t) => [t.outcome, t.errorType, t.message?.slice(0, 120)]),
  });

/** The tests got exactly these outcomes, in order (strict verdict follows), and no setup error. */
const outcomes =
  (...want: TestOutcome[]): Check =>
  (r) => {
    const got = r.tests.map((t) => t.outcome);
    const ok =
      JSON.stringify(got) === JSON.stringify(want) &&
      r.setupError === undefined &&
      r.passed === want.every((o) => o === 'passed');
    return ok ? undefined : `expected tests ${want.join(', ')}; got ${show(r)}`;
  };
/** Every test ended in an error of this exact type. */
const errors =
  (type: string, n = 2): Check =>
  (r) =>
    !r.passed &&
    r.tests.length === n &&
    r.tests.every((t) => t.outcome === 'error' && t.errorType === type)
      ? undefined
      : `expected ${n} tests with ${type}; got ${show(r)}`;
/** No test ran: the program failed while loading, with this exception type. */
const setup =
  (type: string): Check =>
  (r) =>
    !r.passed && r.tests.length === 0 && new RegExp(`^${type}(:| \\(line)`).test(r.setupError ?? '')
      ? undefined
      : `expected a setup error ${type}; got ${show(r)}`;
/** The program was interrupted while loading. */
const setupTimeout: Check = (r) =>
  !r.passed && r.tests.length === 0 && r.setupError === 'timeout while running the program'
    ? undefined
    : `expected a timeout while loading; got ${show(r)}`;
/** The worker ignored the interrupt and was terminated: a timeout, then tests not run. */
const killed: Check = (r) =>
  !r.passed &&
  r.tests[0]?.outcome === 'timeout' &&
  r.tests[0]?.message === 'timed out; the worker was terminated' &&
  r.tests.slice(1).every((t) => t.outcome === 'not-run')
    ? undefined
    : `expected a timeout (terminated) then not-run; got ${show(r)}`;
const all =
  (...checks: Check[]): Check =>
  (r) =>
    checks.map((c) => c(r)).find((m) => m !== undefined);
const capped =
  (stream: 'stdout' | 'stderr'): Check =>
  (r) =>
    r[stream].truncated && r[stream].text.length === 64 * 1024
      ? undefined
      : `${stream} not capped at 64 KiB (${r[stream].text.length}, ${String(r[stream].truncated)})`;
const PASSED = outcomes('passed', 'passed');
/** The interrupt stopped the test: a timeout, the rest not run, the worker kept. */
const TIMEOUT: Check = (r) =>
  outcomes('timeout', 'not-run')(r) ??
  (r.tests[0]?.message === 'timed out' ? undefined : `expected an interrupt; got ${show(r)}`);
const FAILED = outcomes('failed', 'failed');

/**
 * Poisons the interpreter for whoever runs next: len() answers 0 and math.pi is 3, so any
 * probe after a leak fails. Bound through defaults: the job's namespace is gone by then.
 */
const POISON = `
import builtins as _b, math as _m
def _poison(*_a, b=_b, m=_m, **_k):
    b.len = lambda *a: 0
    m.pi = 3
`;
/** A correct answer after the channel's setup: the job itself passes. */
function leak(setupCode: string): ExecJob {
  return asserts(`${POISON}\n${setupCode}\ndef f(x):\n    return 2 * x\n`, [
    'assert f(2) == 4',
    'assert f(3) == 6',
  ]);
}

/** Walks every reachable class for a JS proxy and tries to reach JavaScript's global scope. */
const ESCAPE_BY_SUBCLASSES = `
def f(x):
    seen, stack, proxies = set(), [object], []
    while stack:
        c = stack.pop()
        try:
            subs = type.__subclasses__(c)
        except Exception:
            continue
        for s in subs:
            if s not in seen:
                seen.add(s)
                stack.append(s)
                for v in list(vars(s).values()):
                    g = getattr(v, '__globals__', None)
                    if isinstance(g, dict):
                        for o in list(g.values()):
                            if 'Js' in type(o).__name__:
                                proxies.append(o)
    for p in proxies:
        for path in (('constructor', 'constructor'), ('constructor',)):
            try:
                o = p
                for a in path:
                    o = getattr(o, a)
                g = o('return globalThis')()
            except Exception:
                continue
            # Reached the global scope: try the network and the page's storage.
            for use in (lambda: g.fetch('/athanor-escape'),
                        lambda: g.indexedDB.open('athanor-escape'),
                        lambda: g.caches.open('athanor-escape'),
                        lambda: g.postMessage('PASSED')):
                try:
                    use()
                    return 4
                except Exception:
                    pass
    return 0
`;

/** Walks the frames beneath the job (through a traceback) looking for the harness's state. */
const FRAMES_WALK = `
def f(x):
    try:
        1 / 0
    except ZeroDivisionError as e:
        fr = e.__traceback__.tb_frame
    found = []
    while fr is not None:
        found += [k for k in fr.f_globals if k in ('_S', 'collect', 'finish', 'begin')]
        found += [k for k in fr.f_locals if k in ('_S', 'collect', 'finish')]
        fr = fr.f_back
    return 4 if found else 0
`;

/** Imports of big stdlib packages (urllib, multiprocessing) can take a second on a loaded machine. */
const roomy = (job: ExecJob): ExecJob => ({ ...job, testTimeoutMs: 30 * T });

/**
 * A runaway whose program obeys the interrupt keeps its worker, every time. Workers used to miss
 * the 2 s grace now and then (about once per full run): Pyodide's poll of the interrupt buffer
 * could wipe out an interrupt written between its read and its clear. src/executor/
 * interrupt-buffer.ts closes that race; `npm run bench:interrupts` counts lost interrupts.
 */
const c = (
  category: string,
  name: string,
  job: ExecJob,
  verdict: Check,
  replacedFor?: RegExp,
): HostileCase => ({
  category,
  name,
  job,
  verdict,
  ...(replacedFor ? { replacedFor } : {}),
});

const io = (program: string, expected: unknown): ExecJob => ({
  program,
  tests: { kind: 'io', entryPoint: 'f', atol: 0, cases: [{ args: [2], expected }] },
  testTimeoutMs: T,
});

export const HOSTILE_CASES: HostileCase[] = [
  // --- runaway code: one time limit, then the rest is not run --------------------------------
  c(
    'runaway',
    'infinite loop in the function',
    cheat('', '    while True:\n        pass\n'),
    TIMEOUT,
  ),
  c(
    'runaway',
    'infinite loop at import',
    asserts('while True:\n    pass\n', ['assert True']),
    setupTimeout,
  ),
  c(
    'runaway',
    'infinite loop that swallows KeyboardInterrupt',
    cheat(
      '',
      '    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n',
    ),
    killed,
    TERMINATED,
  ),
  c(
    'runaway',
    'infinite generator',
    cheat('def gen():\n    while True:\n        yield 1\n', '    return sum(gen())\n'),
    TIMEOUT,
  ),
  c(
    'runaway',
    'infinite loop in __del__ (runs in the watched cleanup)',
    asserts(
      'class A:\n    def __del__(self):\n        while True:\n            pass\na = A()\ndef f(x):\n    return 2 * x\n',
      ['assert f(2) == 4'],
    ),
    outcomes('passed'),
  ),
  c(
    'runaway',
    'infinite loop in finally',
    cheat('', '    try:\n        return 0\n    finally:\n        while True:\n            pass\n'),
    TIMEOUT,
  ),
  c(
    'runaway',
    'time.sleep beyond the limit',
    cheat('import time', '    time.sleep(30)\n    return 2 * x\n'),
    TIMEOUT,
  ),
  c('runaway', 'deep recursion', cheat('', '    return f(x + 1)\n'), errors('RecursionError')),
  c(
    'runaway',
    'memory bomb in one allocation',
    cheat('', "    return len('a' * (10 ** 11))\n"),
    errors('OverflowError'),
  ),
  c(
    'runaway',
    'memory bomb growing',
    // A roomy limit: the heap's end (wasm32's 2 GiB and up) comes first, not the time limit while
    // a big allocation holds off the interrupt. The worker answers, then is recycled: its heap is
    // past the 768 MiB cap.
    roomy(cheat('', '    xs = []\n    while True:\n        xs.append(bytearray(50 * 2 ** 20))\n')),
    errors('MemoryError'),
    /^heap grew to \d+ bytes$/,
  ),
  c(
    'runaway',
    'output flood',
    cheat('', "    while True:\n        print('x' * 1000)\n"),
    all(TIMEOUT, capped('stdout')),
  ),
  c(
    'runaway',
    'stderr flood',
    cheat('import sys', "    while True:\n        sys.stderr.write('e' * 1000)\n"),
    all(TIMEOUT, capped('stderr')),
  ),
  c(
    'runaway',
    'one huge print',
    asserts("print('y' * 10 ** 6)\ndef f(x):\n    return 2 * x\n", ['assert f(2) == 4']),
    all(outcomes('passed'), capped('stdout')),
  ),
  c(
    'runaway',
    'io: a huge return value',
    io("def f(x):\n    return 'x' * (10 ** 7 + 1)\n", 4),
    (r) =>
      outcomes('failed')(r) ??
      (/too large to compare/.test(r.tests[0]?.message ?? '') ? undefined : show(r)),
  ),
  // --- the way to JavaScript, the network and the page's storage --------------------------------
  c('javascript', 'import js', cheat('import js'), setup('ModuleNotFoundError')),
  c('javascript', 'import pyodide_js', cheat('import pyodide_js'), setup('ModuleNotFoundError')),
  c(
    'javascript',
    'from pyodide.ffi import to_js',
    cheat('from pyodide.ffi import to_js'),
    setup('ModuleNotFoundError'),
  ),
  c(
    'javascript',
    'from pyodide.code import run_js',
    cheat('from pyodide.code import run_js'),
    setup('ModuleNotFoundError'),
  ),
  c(
    'javascript',
    'import _pyodide_core',
    cheat('import _pyodide_core'),
    setup('ModuleNotFoundError'),
  ),
  c('javascript', 'import ctypes', cheat('import ctypes'), setup('ModuleNotFoundError')),
  c(
    'javascript',
    '__import__("js") through importlib',
    cheat("import importlib\nimportlib.import_module('js')"),
    setup('ModuleNotFoundError'),
  ),
  c(
    'javascript',
    'remove the import blocker, then import pyodide_js',
    cheat('import sys\nsys.meta_path.pop(0)\nimport pyodide_js'),
    setup('ModuleNotFoundError'),
  ),
  c(
    'javascript',
    'JS proxies found through object.__subclasses__()',
    // Walking every class takes a while on a loaded machine: a roomy limit keeps the verdict
    // the program's own (failed), not a timeout.
    roomy(asserts(ESCAPE_BY_SUBCLASSES, ['assert f(2) == 4', 'assert f(3) == 6'])),
    FAILED,
  ),
  c(
    'network',
    'pyodide.http.pyfetch',
    roomy(cheat("from pyodide.http import pyfetch\npyfetch('/x')")),
    setup('ModuleNotFoundError'),
  ),
  c(
    'network',
    'pyodide.http.open_url',
    roomy(cheat("from pyodide.http import open_url\nopen_url('/x')")),
    setup('ModuleNotFoundError'),
  ),
  c(
    'network',
    'js.fetch',
    roomy(cheat("import js\njs.fetch('/athanor-probe')")),
    setup('ModuleNotFoundError'),
  ),
  c(
    'network',
    'js.XMLHttpRequest',
    roomy(cheat("from js import XMLHttpRequest\nXMLHttpRequest.new().open('GET', '/x')")),
    setup('ModuleNotFoundError'),
  ),
  c(
    'network',
    'js.WebSocket',
    roomy(cheat("from js import WebSocket\nWebSocket.new('ws://127.0.0.1:9/')")),
    setup('ModuleNotFoundError'),
  ),
  c(
    'network',
    'socket',
    cheat("import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=1)"),
    setup('PermissionError'),
  ),
  c(
    'network',
    'urllib',
    roomy(cheat("import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/', timeout=1)")),
    setup('URLError'),
  ),
  c(
    'storage',
    'IndexedDB through js',
    roomy(cheat("import js\njs.indexedDB.open('athanor-leak')")),
    setup('ModuleNotFoundError'),
  ),
  c(
    'storage',
    'the Cache API through js',
    roomy(cheat("import js\njs.caches.open('athanor-leak')")),
    setup('ModuleNotFoundError'),
  ),
  c(
    'storage',
    'postMessage through js',
    roomy(cheat("import js\njs.postMessage('PASSED')")),
    setup('ModuleNotFoundError'),
  ),
  // --- processes ---------------------------------------------------------------------------------
  c('processes', 'os.fork', roomy(cheat('import os\nos.fork()')), setup('OSError')),
  c(
    'processes',
    'subprocess',
    roomy(cheat("import subprocess\nsubprocess.run(['ls'])")),
    setup('OSError'),
  ),
  c(
    'processes',
    'multiprocessing',
    roomy(cheat('import multiprocessing\nmultiprocessing.Process(target=print).start()')),
    setup('ModuleNotFoundError'),
    ATEXIT, // importing multiprocessing registers an atexit hook
  ),
  c(
    'processes',
    'os.system (a real shell in Node)',
    roomy(cheat("import os\nos.system('ls')")),
    setup('AttributeError'),
  ),
  c(
    'processes',
    'threads',
    roomy(cheat('import threading\nthreading.Thread(target=lambda: None).start()')),
    setup('RuntimeError'),
  ),
  // --- reading the tests / the harness -----------------------------------------------------------
  c(
    'frames',
    'sys._getframe to read the caller',
    cheat('import sys', '    return sys._getframe(1).f_locals\n'),
    errors('AttributeError'),
  ),
  c(
    'frames',
    'gc.get_objects to find the tests',
    cheat('import gc', '    return len(gc.get_objects())\n'),
    errors('AttributeError'),
  ),
  c(
    'frames',
    'gc.get_referrers to find the harness',
    cheat('import gc', '    return len(gc.get_referrers(f))\n'),
    errors('AttributeError'),
  ),
  c(
    'frames',
    'tb_frame.f_back to the harness',
    asserts(FRAMES_WALK, ['assert f(2) == 4', 'assert f(3) == 6']),
    FAILED,
  ),
  c(
    'frames',
    'inspect.stack to read the caller',
    cheat('import inspect', '    return inspect.stack()[1]\n'),
    errors('AttributeError'),
  ),
  c(
    'frames',
    'sys.settrace to jump over a failing assert',
    cheat('import sys\nsys.settrace(lambda *a: None)'),
    setup('AttributeError'),
  ),
  c(
    'frames',
    'sys.monitoring',
    cheat('import sys\nsys.monitoring.use_tool_id(3, "x")'),
    setup('AttributeError'),
  ),
  // --- rewriting the harness's own helpers --------------------------------------------------------
  c(
    'harness',
    "the capture class's write",
    cheat('import sys\ntype(sys.stdout).write = lambda self, s: 0'),
    FAILED,
    /^capture class modified$/,
  ),
  c(
    'harness',
    "the capture's code object",
    cheat("import sys\ntype(sys.stdout).text.__code__ = (lambda self: 'PASSED').__code__"),
    FAILED,
    HARNESS_MODIFIED,
  ),
  c(
    'harness',
    "the import blocker's code",
    cheat(
      'import sys\nsys.meta_path[0].find_spec.__code__ = (lambda name, path=None, target=None: None).__code__\nimport pyodide_js',
    ),
    setup('ModuleNotFoundError'),
    HARNESS_MODIFIED,
  ),
  c(
    'harness',
    "time.sleep's defaults",
    cheat('import time\ntime.sleep.__globals__.clear()'),
    FAILED,
  ),
  // --- faking the verdict --------------------------------------------------------------------------
  c(
    'fake verdicts',
    'printing fake pass markers',
    cheat('print(\'PASSED\'); print(\'{"passed": true, "soft": 1}\')'),
    FAILED,
  ),
  c(
    'fake verdicts',
    'os.write to fd 1 and 2, and stderr',
    cheat(
      "import os, sys\nos.write(1, b'{\"passed\": true}\\n')\nos.write(2, b'PASSED\\n')\nsys.stderr.write('PASSED')",
    ),
    FAILED,
  ),
  c(
    'fake verdicts',
    'shadowing AssertionError',
    cheat('AssertionError = type("AssertionError", (Exception,), {})'),
    FAILED,
  ),
  c(
    'fake verdicts',
    'patching builtins',
    cheat(
      'import builtins\nbuiltins.AssertionError = StopIteration\nbuiltins.print = None\nbuiltins.BaseException = int',
    ),
    FAILED,
  ),
  c(
    'fake verdicts',
    'shadowing BaseException for the check generator',
    {
      program: 'BaseException = int\ndef f(x):\n    return 0\n',
      tests: {
        kind: 'check',
        entryPoint: 'f',
        source:
          'def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 6\n',
      },
      testTimeoutMs: T,
    },
    FAILED,
  ),
  c(
    'fake verdicts',
    'replacing sys.stdout and sys.stderr',
    cheat('import sys\nsys.stdout = None\nsys.stderr = None'),
    FAILED,
  ),
  c('fake verdicts', 'sys.exit at import', cheat('import sys\nsys.exit(0)'), setup('SystemExit')),
  c(
    'fake verdicts',
    'raise SystemExit in the function',
    cheat('', '    raise SystemExit(0)\n'),
    errors('SystemExit'),
  ),
  c(
    'fake verdicts',
    'raise KeyboardInterrupt at import',
    cheat('raise KeyboardInterrupt'),
    setup('KeyboardInterrupt'),
  ),
  c(
    'fake verdicts',
    'io: an object equal to everything',
    io('class Eq:\n    def __eq__(self, o):\n        return True\ndef f(x):\n    return Eq()\n', 4),
    outcomes('failed'),
  ),
  // --- channels to the next job: each job passes, then poisons len() and math.pi later ------------
  c(
    'asyncio',
    'asyncio callbacks that re-arm themselves (call_soon, call_later)',
    leak(`import asyncio
def _arm(loop=asyncio.get_event_loop(), p=_poison):
    def tick():
        p()
        loop.call_later(0.02, tick)
    loop.call_soon(tick)
    loop.call_later(0.2, tick)
_arm()`),
    PASSED,
    JS_CALLBACKS,
  ),
  c(
    'asyncio',
    'an asyncio task that sleeps, then poisons',
    leak(`import asyncio
async def _later(p=_poison, sleep=asyncio.sleep):
    await sleep(0.05)
    p()
asyncio.get_event_loop().create_task(_later())`),
    PASSED,
    JS_CALLBACKS,
  ),
  c(
    'asyncio',
    'a future with a done callback, resolved later',
    leak(`import asyncio
_loop = asyncio.get_event_loop()
_fut = _loop.create_future()
_fut.add_done_callback(_poison)
_loop.call_later(0.05, _fut.set_result, 1)`),
    PASSED,
    JS_CALLBACKS,
  ),
  c(
    'javascript timers',
    "Pyodide's scheduleCallback (a JS timer) reached through webloop's globals",
    leak(`import asyncio
_g = type(asyncio.get_event_loop()).call_later.__globals__
_g['scheduleCallback'](_g['create_once_callable'](_poison), 30)
_g['scheduleCallback'](_g['create_once_callable'](_poison), 0)`),
    PASSED,
    JS_CALLBACKS,
  ),
  c('atexit', 'atexit.register', leak('import atexit\natexit.register(_poison)'), PASSED, ATEXIT),
  c(
    'codecs',
    'codecs.register and register_error',
    leak(`import codecs
def _search(name, p=_poison, lookup=codecs.lookup):
    if name == 'athanor_x':
        p()
        return lookup('utf-8')
    return None
codecs.register(_search)
codecs.register_error('strict', lambda e, p=_poison: (p(), ('', e.end))[1])
'x'.encode('athanor_x')`),
    PASSED,
  ),
  c(
    'copyreg',
    'copyreg.pickle for complex',
    leak(
      'import copyreg\ncopyreg.pickle(complex, lambda z, p=_poison: (p(), (complex, (0, 0)))[1])',
    ),
    PASSED,
  ),
  c(
    'imports',
    'sys.path, sys.meta_path, path_hooks and a planted module',
    leak(`import sys, os
open('/tmp/athanor_mod.py', 'w').write('X = 1')
open('/home/pyodide/csv.py', 'w').write('raise ImportError("planted")')
os.makedirs('/lib/python3.14/site-packages/athanor_pkg', exist_ok=True)
open('/lib/python3.14/site-packages/athanor_pkg/__init__.py', 'w').write('X = 1')
sys.path.insert(0, '/tmp')
class _Finder:
    @staticmethod
    def find_spec(name, path=None, target=None, p=_poison):
        p()
        return None
sys.meta_path.append(_Finder)
sys.path_hooks.insert(0, lambda path, p=_poison: p())
sys.path_importer_cache.clear()`),
    PASSED,
  ),
  c(
    'files',
    'files written for the next job, a stdlib file overwritten, cwd changed',
    leak(`import os
open('/tmp/answers.txt', 'w').write('4')
os.makedirs('/home/pyodide/pkg/sub', exist_ok=True)
open('/home/pyodide/pkg/sub/helper.py', 'w').write('X = 1')
open('/lib/python3.14/lib-dynload/athanor.py', 'w').write('X = 1')
with open('/lib/python314.zip', 'r+b') as z:
    z.seek(0)
    z.write(z.read(4))
os.chdir('/tmp')`),
    PASSED,
    /^the job changed files that existed before it: \/lib\/python314\.zip$/,
  ),
  c(
    'signals',
    'signal handlers (SIGINT poisons) and setitimer',
    leak(`import signal
signal.signal(signal.SIGINT, _poison)
signal.signal(signal.SIGUSR1, _poison)
signal.signal(signal.SIGALRM, _poison)`),
    PASSED,
  ),
  c(
    'signals',
    'signal.setitimer does not exist in Pyodide',
    cheat('import signal\nsignal.setitimer(signal.ITIMER_REAL, 0.01)'),
    setup('AttributeError'),
  ),
  c(
    'interpreter settings',
    'switch interval, int digits, recursion limit, random, environ, decimal, warnings, umask',
    leak(`import sys, random, os, decimal, warnings
sys.setswitchinterval(1e-6)
sys.set_int_max_str_digits(640)
sys.setrecursionlimit(60)
random.seed(1)
os.environ['EVIL'] = '1'
os.umask(0o777)
decimal.getcontext().prec = 3
warnings.simplefilter('error')`),
    PASSED,
  ),
  c(
    'gc',
    'gc.callbacks and thresholds',
    leak('import gc\ngc.callbacks.append(_poison)\ngc.set_threshold(1, 1, 1)'),
    PASSED,
  ),
  c(
    'gc',
    'weakref finalizers, weakref callbacks and __del__ on cyclic garbage',
    leak(`import weakref
class _Cyc:
    def __del__(self, p=_poison):
        p()
def _make(p=_poison):
    a, b = _Cyc(), _Cyc()
    a.other, b.other = b, a
    weakref.finalize(a, p)
    keep = weakref.ref(b, p)
    b.keep = keep
_make()`),
    PASSED,
    ATEXIT, // weakref.finalize registers its atexit hook on first use
  ),
  c(
    'gc',
    'a finalizer that poisons while the job is cleaned up',
    leak(`import sys
class _Late:
    def __del__(self, p=_poison):
        p()
sys.modules['athanor_late'] = _Late()`),
    PASSED,
  ),
  c(
    'modules',
    'monkeypatching modules and sys.modules',
    leak(`import heapq, math, collections, sys, json
heapq.heappush = None
math.pi = 3
collections.Counter.most_common = None
sys.modules['json'] = None
sys.modules['string'] = math`),
    PASSED,
  ),
  c(
    'modules',
    'patching sys and gc attributes',
    leak('import sys, gc\nsys.maxsize = 5\nsys.athanor_leak = 1\ngc.collect = None'),
    PASSED,
  ),
];

/**
 * The probe: a fingerprint of interpreter state, compared (as plain data, io kind) with the
 * fingerprint a fresh worker gives. It looks at everything a case above tries to leave behind.
 */
export const PROBE_PROGRAM = `
import sys, os, random, math, heapq, collections, decimal, builtins, json, string, warnings
import signal, gc, atexit, weakref, copyreg, codecs, asyncio, importlib.machinery
# Only modules every worker has loaded already: the probe runs hundreds of times.
def fingerprint():
    find = importlib.machinery.PathFinder.find_spec
    loop = asyncio.get_event_loop()
    try:
        b'\\xff'.decode('ascii')
        strict = 'no error'
    except UnicodeDecodeError:
        strict = 'UnicodeDecodeError'
    try:
        codecs.lookup('athanor_x')
        athanor_codec = True
    except LookupError:
        athanor_codec = False
    csv = find('csv', sys.path)
    umask = os.umask(0o22)
    os.umask(umask)
    return {
        'len': type(len).__name__,
        'len_value': len([1, 2, 3]),
        'recursion': sys.getrecursionlimit(),
        'int_digits': sys.get_int_max_str_digits(),
        'switch': sys.getswitchinterval(),
        'random': random.random(),
        'cwd': os.getcwd(),
        'tmp': sorted(os.listdir('/tmp')),
        'home': sorted(os.listdir('/home/pyodide')),
        'site': sorted(os.listdir('/lib/python3.14/site-packages')),
        'dynload': sorted(os.listdir('/lib/python3.14/lib-dynload')),
        'modules': len(sys.modules),
        'path': list(sys.path),
        'meta_path': [getattr(f, '__name__', type(f).__name__) for f in sys.meta_path],
        'path_hooks': len(sys.path_hooks),
        'signals': sorted(str(int(s)) + ':' + repr(signal.getsignal(s)) for s in signal.valid_signals()
                          if signal.getsignal(s) not in (signal.SIG_DFL, None)),
        'asyncio_tasks': len(asyncio.all_tasks(loop)),
        'loop_closed': loop.is_closed(),
        'atexit': atexit._ncallbacks(),
        'gc_callbacks': len(gc.callbacks),
        'gc_threshold': list(gc.get_threshold()),
        'finalizers': len(weakref.finalize._registry),
        'copyreg': len(copyreg.dispatch_table),
        'copyreg_complex': complex in copyreg.dispatch_table,
        'strict': strict,
        'athanor_codec': athanor_codec,
        'planted': find('athanor_mod', sys.path) is not None,
        'planted_pkg': find('athanor_pkg', sys.path) is not None,
        'csv': csv.origin if csv else None,
        'umask': umask,
        'pi': math.pi,
        'heappush': type(heapq.heappush).__name__,
        'most_common': type(collections.Counter.most_common).__name__,
        'json': json.dumps([1]),
        'string': string.digits,
        'prec': decimal.getcontext().prec,
        'evil': os.environ.get('EVIL', ''),
        'builtins': len(vars(builtins)),
        'print': type(print).__name__,
        'assertion': AssertionError.__module__,
        'stdout': type(sys.stdout).__name__,
        'filters': len(warnings.filters),
        'js_loaded': [m for m in sys.modules if m.split('.')[0] in ('js', 'pyodide_js')],
        'getframe': hasattr(sys, '_getframe'),
        'maxsize': sys.maxsize,
        'sys_extra': hasattr(sys, 'athanor_leak'),
        'gc_collect': type(gc.collect).__name__,
    }
`;

/**
 * Whether the pool took the case's path between the two stats: an error message, or undefined.
 * `before` is taken when every slot and spare is loaded, so no earlier replacement is counted.
 */
export function replacementError(
  c: HostileCase,
  before: Pick<ExecPoolStats, 'replaced' | 'replaceReasons'>,
  after: Pick<ExecPoolStats, 'replaced' | 'replaceReasons'>,
): string | undefined {
  const n = after.replaced - before.replaced;
  const reason = n > 0 ? after.replaceReasons.at(-1) : undefined;
  const want = c.replacedFor ? `1 replacement (${String(c.replacedFor)})` : 'no replacement';
  const ok = c.replacedFor ? n === 1 && c.replacedFor.test(reason ?? '') : n === 0;
  return ok ? undefined : `expected ${want}; got ${n} (last reason: ${reason ?? 'none'})`;
}

export function probeJob(expected: unknown): ExecJob {
  return {
    program: PROBE_PROGRAM,
    tests: { kind: 'io', entryPoint: 'fingerprint', atol: 0, cases: [{ args: [], expected }] },
    testTimeoutMs: 5000,
  };
}

/** A stdio job that prints the fingerprint: the baseline, taken on a fresh worker. */
export const BASELINE_JOB: ExecJob = {
  program: `${PROBE_PROGRAM}\nimport json\nprint(json.dumps(fingerprint()))\n`,
  tests: { kind: 'stdio', compare: 'exact', cases: [{ stdin: '', stdout: '' }] },
};

/**
 * Run once before the cases, on a fresh pool. With a build running beside the suite on 2 cores,
 * the first case's worker was once terminated instead of interrupted here (the only such miss in
 * four runs at the former 500 ms grace); later interrupts landed in time. The likely cause is the first
 * interrupt a process serves: V8 compiles Pyodide's code for raising KeyboardInterrupt out of a
 * running loop then. Each case's path is about its program, not about a cold start; the grace is
 * the product's, and bench:exec measures it.
 */
export const WARM_INTERRUPT_JOB: ExecJob = {
  program: 'while True:\n    pass\n',
  tests: { kind: 'asserts', setup: '', asserts: ['assert True'] },
  testTimeoutMs: 200,
};

/** Delays before the probes that follow each case: callbacks armed for later must show up. */
export const PROBE_DELAYS_MS = [0, 80, 250];
