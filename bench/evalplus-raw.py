"""The same work in CPython and in Pyodide, to measure Pyodide's raw speed on it: every EvalPlus
reference on every input of one (decompressed) EvalPlus JSONL file, in one interpreter, with
deepcopy and timing per call as EvalPlus's trusted_exec does, and no harness, encoding or
comparison. MBPP+ inputs are used as decoded (a call that then raises is timed all the same).
bench/datasets.ts runs it with python3 and with Pyodide in the same run. Prints one JSON line.

Usage: python bench/evalplus-raw.py path/to/file.jsonl
"""
import copy
import json
import sys
import time

sys.setrecursionlimit(10000)
if hasattr(sys, 'set_int_max_str_digits'):
    sys.set_int_max_str_digits(0)


def run(path):
    with open(path) as f:
        problems = [json.loads(line) for line in f if line.strip()]
    n = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    for p in problems:
        g = {}
        exec(p['prompt'] + p['canonical_solution'], g)
        fn = g[p['entry_point']]
        for inp in (p['base_input'] or []) + (p['plus_input'] or []):
            n += 1
            inp = copy.deepcopy(inp)
            try:
                fn(*inp)
            except Exception:
                pass
    return {'inputs': n, 'seconds': time.perf_counter() - t0, 'cpuSeconds': time.process_time() - c0}


if __name__ == '__main__':
    print(json.dumps(run(sys.argv[1])))
