/**
 * Hostile programs for the sandbox, shared by the Node suite and the browser page. Each case
 * says what verdict it must get; after each one the suite runs a probe on the same pool that
 * must be answered in time and must see a clean interpreter.
 */
import type { ExecJob, ExecResult } from '../../src/core/types';

export interface HostileCase {
  name: string;
  job: ExecJob;
  /** Returns an error message when the verdict is wrong. */
  verdict(r: ExecResult): string | undefined;
}

const T = 1000; // test timeout for runaway cases, ms

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

const failed = (r: ExecResult): string | undefined =>
  r.passed ? 'expected a failing verdict' : undefined;
const timedOut = (r: ExecResult): string | undefined =>
  r.passed
    ? 'expected a timeout'
    : r.tests.some((t) => t.outcome === 'timeout') || /timeout/.test(r.setupError ?? '')
      ? undefined
      : `expected a timeout, got ${JSON.stringify(r.tests)} ${r.setupError ?? ''}`;
const errorOf =
  (type: string) =>
  (r: ExecResult): string | undefined => {
    if (r.passed) return `expected ${type}`;
    const seen = [
      r.setupError ?? '',
      ...r.tests.map((t) => `${t.errorType ?? ''} ${t.message ?? ''}`),
    ].join(' | ');
    return seen.includes(type) ? undefined : `expected ${type}, saw: ${seen}`;
  };
const all =
  (...checks: ((r: ExecResult) => string | undefined)[]) =>
  (r: ExecResult) =>
    checks.map((c) => c(r)).find((m) => m !== undefined);

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
                if g is not None and hasattr(g, 'fetch'):
                    return 4
            except Exception:
                pass
    return 0
`;

export const HOSTILE_CASES: HostileCase[] = [
  // --- runaway code -----------------------------------------------------------------------
  {
    name: 'infinite loop in the function',
    job: cheat('', '    while True:\n        pass\n'),
    verdict: timedOut,
  },
  {
    name: 'infinite loop at import',
    job: asserts('while True:\n    pass\n', ['assert True']),
    verdict: timedOut,
  },
  {
    name: 'infinite loop that swallows KeyboardInterrupt',
    job: cheat(
      '',
      '    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n',
    ),
    verdict: timedOut,
  },
  {
    name: 'infinite generator',
    job: cheat('def gen():\n    while True:\n        yield 1\n', '    return sum(gen())\n'),
    verdict: timedOut,
  },
  {
    name: 'infinite loop in __del__',
    job: asserts(
      'class A:\n    def __del__(self):\n        while True:\n            pass\na = A()\ndef f(x):\n    return 2 * x\n',
      ['assert f(2) == 4'],
    ),
    verdict: () => undefined, // the verdict is the program's own; what matters is the probe after it
  },
  {
    name: 'infinite loop in finally',
    job: cheat(
      '',
      '    try:\n        return 0\n    finally:\n        while True:\n            pass\n',
    ),
    verdict: timedOut,
  },
  {
    name: 'deep recursion',
    job: cheat('', '    return f(x + 1)\n'),
    verdict: errorOf('RecursionError'),
  },
  {
    name: 'deep recursion after raising the recursion limit',
    job: cheat('import sys\nsys.setrecursionlimit(10**6)\n', '    return f(x + 1)\n'),
    verdict: failed,
  },
  {
    name: 'memory bomb in one allocation',
    job: cheat('', "    return len('a' * (10 ** 11))\n"),
    verdict: failed,
  },
  {
    name: 'memory bomb growing',
    job: cheat('', '    xs = []\n    while True:\n        xs.append(bytearray(50 * 2 ** 20))\n'),
    verdict: failed,
  },
  {
    name: 'output flood',
    job: cheat('', "    while True:\n        print('x' * 1000)\n"),
    verdict: all(timedOut, (r) =>
      r.stdout.truncated && r.stdout.text.length <= 64 * 1024 ? undefined : 'stdout not capped',
    ),
  },
  {
    name: 'one huge print',
    job: asserts("print('y' * 10 ** 6)\ndef f(x):\n    return 2 * x\n", ['assert f(2) == 4']),
    verdict: (r) =>
      r.passed && r.stdout.truncated && r.stdout.text.length === 64 * 1024
        ? undefined
        : 'expected a pass with capped stdout',
  },
  // --- the way to JavaScript --------------------------------------------------------------
  { name: 'import js', job: cheat('import js'), verdict: errorOf('ModuleNotFoundError') },
  {
    name: 'import pyodide_js',
    job: cheat('import pyodide_js'),
    verdict: errorOf('ModuleNotFoundError'),
  },
  {
    name: 'from pyodide.ffi import to_js',
    job: cheat('from pyodide.ffi import to_js'),
    verdict: errorOf('ModuleNotFoundError'),
  },
  {
    name: 'from pyodide.code import run_js',
    job: cheat('from pyodide.code import run_js'),
    verdict: errorOf('ModuleNotFoundError'),
  },
  {
    name: 'import _pyodide_core',
    job: cheat('import _pyodide_core'),
    verdict: errorOf('ModuleNotFoundError'),
  },
  { name: 'import ctypes', job: cheat('import ctypes'), verdict: errorOf('ModuleNotFoundError') },
  {
    name: '__import__("js") through importlib',
    job: cheat("import importlib\nimportlib.import_module('js')"),
    verdict: errorOf('ModuleNotFoundError'),
  },
  {
    name: 'remove the import blocker, then import pyodide_js',
    job: cheat('import sys\nsys.meta_path.pop(0)\nimport pyodide_js'),
    verdict: errorOf('ModuleNotFoundError'),
  },
  {
    name: 'JS proxies found through object.__subclasses__()',
    job: asserts(ESCAPE_BY_SUBCLASSES, ['assert f(2) == 4']),
    verdict: failed,
  },
  // --- reading the tests / the harness ------------------------------------------------------
  {
    name: 'sys._getframe to read the caller',
    job: cheat('import sys', '    return sys._getframe(1).f_locals\n'),
    verdict: errorOf('AttributeError'),
  },
  {
    name: 'gc.get_objects to find the tests',
    job: cheat('import gc', '    return len(gc.get_objects())\n'),
    verdict: errorOf('AttributeError'),
  },
  {
    name: 'inspect.stack to read the caller',
    job: cheat('import inspect', '    return inspect.stack()[1]\n'),
    verdict: failed,
  },
  {
    name: 'sys.settrace to jump over a failing assert',
    job: cheat('import sys\nsys.settrace(lambda *a: None)'),
    verdict: errorOf('AttributeError'),
  },
  {
    name: 'sys.monitoring',
    job: cheat('import sys\nsys.monitoring.use_tool_id(3, "x")'),
    verdict: errorOf('AttributeError'),
  },
  // --- faking the verdict -------------------------------------------------------------------
  {
    name: 'printing fake pass markers',
    job: cheat('print(\'PASSED\'); print(\'{"passed": true, "soft": 1}\')'),
    verdict: failed,
  },
  {
    name: 'shadowing AssertionError',
    job: cheat('AssertionError = type("AssertionError", (Exception,), {})'),
    verdict: failed,
  },
  {
    name: 'patching builtins',
    job: cheat(
      'import builtins\nbuiltins.AssertionError = StopIteration\nbuiltins.print = None\nbuiltins.BaseException = int',
    ),
    verdict: failed,
  },
  {
    name: 'shadowing BaseException for the check generator',
    job: {
      program: 'BaseException = int\ndef f(x):\n    return 0\n',
      tests: {
        kind: 'check',
        entryPoint: 'f',
        source:
          'def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 6\n',
      },
      testTimeoutMs: T,
    },
    verdict: failed,
  },
  {
    name: 'replacing sys.stdout and sys.stderr',
    job: cheat('import sys\nsys.stdout = None\nsys.stderr = None'),
    verdict: failed,
  },
  {
    name: 'sys.exit at import',
    job: cheat('import sys\nsys.exit(0)'),
    verdict: errorOf('SystemExit'),
  },
  {
    name: 'raise SystemExit in the function',
    job: cheat('', '    raise SystemExit(0)\n'),
    verdict: errorOf('SystemExit'),
  },
  { name: 'os._exit at import', job: cheat('import os\nos._exit(0)'), verdict: failed },
  {
    name: 'raise KeyboardInterrupt at import',
    job: cheat('raise KeyboardInterrupt'),
    verdict: failed,
  },
  {
    name: 'io: an object equal to everything',
    job: {
      program:
        'class Eq:\n    def __eq__(self, o):\n        return True\ndef f(x):\n    return Eq()\n',
      tests: { kind: 'io', entryPoint: 'f', atol: 0, cases: [{ args: [2], expected: 4 }] },
      testTimeoutMs: T,
    },
    verdict: failed,
  },
  // --- state for the next job ---------------------------------------------------------------
  {
    name: 'threads',
    job: cheat('import threading\nthreading.Thread(target=lambda: None).start()'),
    verdict: errorOf('RuntimeError'),
  },
  {
    name: 'signal handler that ignores SIGINT, then a loop',
    job: cheat(
      'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)',
      '    while True:\n        pass\n',
    ),
    verdict: timedOut,
  },
  {
    name: 'files written for the next job',
    job: asserts(
      "open('/tmp/answers.txt', 'w').write('4')\nopen('/home/pyodide/helper.py', 'w').write('X = 1')\nimport os\nos.makedirs('/home/pyodide/pkg', exist_ok=True)\nos.chdir('/tmp')\ndef f(x):\n    return 2 * x\n",
      ['assert f(2) == 4'],
    ),
    verdict: (r) => (r.passed ? undefined : `expected a pass: ${r.setupError ?? ''}`),
  },
  {
    name: 'monkeypatching modules and sys.modules',
    job: asserts(
      "import heapq, math, collections, sys, json\nheapq.heappush = None\nmath.pi = 3\ncollections.Counter.most_common = None\nsys.modules['json'] = None\nsys.modules['string'] = math\ndef f(x):\n    return 2 * x\n",
      ['assert f(2) == 4'],
    ),
    verdict: (r) => (r.passed ? undefined : `expected a pass: ${r.setupError ?? ''}`),
  },
  {
    name: 'patching sys and gc attributes',
    job: asserts(
      'import sys, gc\nsys.maxsize = 5\nsys.athanor_leak = 1\ngc.collect = None\ndef f(x):\n    return 2 * x\n',
      ['assert f(2) == 4'],
    ),
    verdict: (r) => (r.passed ? undefined : `expected a pass: ${r.setupError ?? ''}`),
  },
  {
    name: 'interpreter settings: recursion limit, random seed, environ, decimal',
    job: asserts(
      "import sys, random, os, decimal, warnings\nsys.setrecursionlimit(60)\nrandom.seed(1)\nos.environ['EVIL'] = '1'\ndecimal.getcontext().prec = 3\nwarnings.simplefilter('error')\ndef f(x):\n    return 2 * x\n",
      ['assert f(2) == 4'],
    ),
    verdict: (r) => (r.passed ? undefined : `expected a pass: ${r.setupError ?? ''}`),
  },
];

/**
 * The probe: a fingerprint of interpreter state, compared (as plain data, io kind) with the
 * fingerprint a fresh worker gives.
 */
export const PROBE_PROGRAM = `
import sys, os, random, math, heapq, collections, decimal, builtins, json, string, warnings
def fingerprint():
    return {
        'recursion': sys.getrecursionlimit(),
        'random': random.random(),
        'cwd': os.getcwd(),
        'tmp': sorted(os.listdir('/tmp')),
        'home': sorted(os.listdir('/home/pyodide')),
        'modules': len(sys.modules),
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
        'helper': os.path.exists('/home/pyodide/helper.py'),
        'maxsize': sys.maxsize,
        'sys_extra': hasattr(sys, 'athanor_leak'),
        'gc_collect': type(__import__('gc').collect).__name__,
    }
`;

export function probeJob(expected: unknown): ExecJob {
  return {
    program: PROBE_PROGRAM,
    tests: { kind: 'io', entryPoint: 'fingerprint', atol: 0, cases: [{ args: [], expected }] },
    testTimeoutMs: 5000,
  };
}
