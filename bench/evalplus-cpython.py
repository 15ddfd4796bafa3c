"""The CPython anchor of `npm run bench:datasets`: EvalPlus's own ground-truth computation
(evalplus.gen.util.trusted_exec, as evalplus.evaluate.get_groundtruth calls it) on every task of
one EvalPlus file, base and plus inputs, in one process with no isolation. Prints one JSON line:
{"tasks": n, "inputs": n, "seconds": wall s, "cpuSeconds": cpu s}. Needs the tools venv (bash scripts/python-tools.sh).

Usage: python bench/evalplus-cpython.py path/to/HumanEvalPlus.jsonl.gz
"""
import gzip
import json
import sys
import time

from evalplus.data.mbpp import mbpp_deserialize_inputs
from evalplus.eval._special_oracle import MBPP_OUTPUT_NOT_NONE_TASKS
from evalplus.gen.util import trusted_exec

sys.set_int_max_str_digits(0)
path = sys.argv[1]
opener = gzip.open if path.endswith('.gz') else open
with opener(path, 'rt') as f:
    problems = [json.loads(line) for line in f if line.strip()]
n_inputs = 0
t0 = time.perf_counter()
c0 = time.process_time()
for p in problems:
    mbpp = p['task_id'].startswith('Mbpp/')
    for field in ('base_input', 'plus_input'):
        inputs = p[field] or []
        if mbpp:
            inputs = mbpp_deserialize_inputs(p['task_id'], inputs)
        n_inputs += len(inputs)
        trusted_exec(p['prompt'] + p['canonical_solution'], inputs, p['entry_point'],
                     record_time=True,
                     output_not_none=mbpp and p['entry_point'] in MBPP_OUTPUT_NOT_NONE_TASKS)
print(json.dumps({'tasks': len(problems), 'inputs': n_inputs,
                  'seconds': time.perf_counter() - t0, 'cpuSeconds': time.process_time() - c0}))
