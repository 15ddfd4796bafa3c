"""The executor's Python harness (src/executor/preload.py, harness.py, io_values.py) in CPython.

Drives the harness's functions the way src/executor/engine.ts does in Pyodide, for the `check`
(HumanEval) and `asserts` (MBPP) kinds: compile the tests, begin, compile and run the program in a
fresh namespace, step the check generator (or run each assert), then collect and finish. A step
that runs past the limit is interrupted with KeyboardInterrupt (SIGALRM here, the interrupt buffer
there) and is a timeout; the tests after it are not run.

Reads a JSON list of jobs ({program, tests, testTimeoutMs?}) on stdin; prints one JSON verdict
per job: {passed, setupError, tests: [[outcome, errorType], ...]}.
Usage: python test/support/harness_cpython.py src/executor < jobs.json
"""
import gc
import json
import os
import signal
import sys

SRC = sys.argv[1]


def source(name):
    with open(os.path.join(SRC, name), encoding='utf-8') as f:
        return f.read()


DEFAULT_TEST_TIMEOUT_MS = 3000  # src/executor/protocol.ts
OUTPUT_CAP = 64 * 1024


class Step:
    """Arms SIGALRM for one step; `timed_out` says whether this step's alarm fired."""

    def __init__(self, ms):
        self.ms = ms
        self.timed_out = False

    def _fire(self, *_):
        self.timed_out = True
        raise KeyboardInterrupt()

    def __enter__(self):
        self.timed_out = False
        signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.ms / 1000)
        return self

    def __exit__(self, *_):
        signal.setitimer(signal.ITIMER_REAL, 0)


def verdict(exc, step):
    tname, _message, _line = H['describe'](exc)
    if tname == 'KeyboardInterrupt' and step.timed_out:
        return ['timeout', None]
    return ['failed' if tname == 'AssertionError' else 'error', tname]


def message_of(exc):
    _t, message, line = H['describe'](exc)
    return f'{message} (line {line})' if line else message


def run(job):
    spec = job['tests']
    step = Step(job.get('testTimeoutMs') or DEFAULT_TEST_TIMEOUT_MS)
    tests, passed, setup_error = [], True, None
    try:
        if spec['kind'] == 'check':
            check_code, names, is_test = H['make_check'](spec['source'])
        else:
            assert_codes = [compile(a, '<test>', 'exec', 0, True) for a in spec['asserts']]
    except BaseException as e:  # a broken test is reported, as engine.ts does
        return {'passed': False, 'setupError': f'invalid tests: {e}', 'tests': []}

    H['begin'](OUTPUT_CAP, '')
    codes = []
    ok, code = H['compile_code'](job['program'], '<program>')
    if not ok:
        setup_error, passed = message_of(code), False
    else:
        H['note_code'](code)
        codes.append(code)
        if spec['kind'] == 'asserts' and spec['setup'].strip():
            ok, setup = H['compile_code'](spec['setup'], '<setup>')
            if not ok:
                setup_error, passed = f'invalid test setup: {message_of(setup)}', False
            else:
                codes.append(setup)
    gc.enable()
    ns = None
    if setup_error is None:
        ns = H['fresh_namespace'](False)
        for c in codes:
            with step:
                exc = H['run_code'](c, ns)
            if exc is not None:
                timed = H['describe'](exc)[0] == 'KeyboardInterrupt' and step.timed_out
                setup_error = 'timeout while running the program' if timed else message_of(exc)
                passed = False
                break
    stopped = False
    if setup_error is None and spec['kind'] == 'check':
        gen = None
        try:
            with step:
                exc = H['run_code'](check_code, ns)
            if exc is not None:
                raise RuntimeError(f'the test code failed: {message_of(exc)}')
            if spec['entryPoint'] not in ns:
                raise RuntimeError(f"NameError: name '{spec['entryPoint']}' is not defined")
            gen = ns['check'](ns[spec['entryPoint']], BaseException)
        except BaseException as e:
            setup_error, passed = str(e), False
        if gen is not None:
            finished = False
            for name, test in zip(names, is_test):
                if finished or stopped:
                    if test:
                        tests.append(['not-run', None])
                    passed = False
                    continue
                try:
                    with step:
                        value = next(gen)
                except StopIteration:
                    finished, passed = True, False
                    if test:
                        tests.append(['error', None])
                    continue
                except BaseException as e:  # the generator itself broke
                    finished, passed = True, False
                    v = verdict(e, step)
                    if test:
                        tests.append(v)
                    elif setup_error is None:
                        setup_error = f'check step failed: {v}'
                    continue
                if value is None:
                    if test:
                        tests.append(['passed', None])
                else:
                    passed = False
                    v = verdict(value, step)
                    stopped = v[0] == 'timeout'
                    if test:
                        tests.append(v)
                    elif setup_error is None:
                        setup_error = f'check step failed: {v}'
            if not finished and not stopped:
                try:
                    next(gen)
                    passed = False
                except StopIteration:
                    pass
                except BaseException:
                    passed = False
    elif setup_error is None:
        for code in assert_codes:
            if stopped:
                tests.append(['not-run', None])
                passed = False
                continue
            with step:
                exc = H['run_code'](code, ns)
            if exc is None:
                tests.append(['passed', None])
            else:
                v = verdict(exc, step)
                stopped = v[0] == 'timeout'
                tests.append(v)
                passed = False
    if ns is not None:
        ns.clear()
    H['collect']()
    H['finish']()
    return {'passed': passed and setup_error is None, 'setupError': setup_error, 'tests': tests}


# Loaded last: the harness takes its baseline of every module's dict (this one's too) now, and
# restores it after each job, so everything here must exist before.
H = {'__name__': 'athanor_harness'}
exec(compile(source('preload.py') + '\n' + source('harness.py'), 'harness.py', 'exec'), H)
exec(compile(source('io_values.py'), 'io_values.py', 'exec'), H)
jobs = json.load(sys.stdin)
out = [run(job) for job in jobs]
sys.__stdout__.write(json.dumps(out))
