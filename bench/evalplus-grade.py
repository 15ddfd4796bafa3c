"""Grade an EvalPlus samples file with the official evalplus 0.3.1 evaluator, task by task, for
bench/real.ts. It is `evalplus.evaluate` without its "every task must be present" rule (a
`--quick` run grades a few tasks): the same dataset loader, the same ground truth (computed by
evalplus's trusted_exec, cached in ~/.cache/evalplus), the same `check_correctness` with its
default time limits. The dataset is the published file bench/real.ts read (HUMANEVAL_OVERRIDE_PATH
/ MBPP_OVERRIDE_PATH), so both sides grade the same inputs.

Usage: python bench/evalplus-grade.py humaneval|mbpp DATASET.jsonl.gz SAMPLES.jsonl
Prints one JSON object: {task_id: {"base": "pass"|"fail"|"timeout", "plus": ...}}.
"""

import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor


def main(dataset, data_path, samples_path):
    os.environ[
        "HUMANEVAL_OVERRIDE_PATH" if dataset == "humaneval" else "MBPP_OVERRIDE_PATH"
    ] = data_path
    # Imported after the override is set: the modules read it at import time.
    from evalplus.data import (
        get_human_eval_plus,
        get_human_eval_plus_hash,
        get_mbpp_plus,
        get_mbpp_plus_hash,
    )
    from evalplus.eval._special_oracle import MBPP_OUTPUT_NOT_NONE_TASKS
    from evalplus.evaluate import check_correctness, get_groundtruth
    from evalplus.data import load_solutions

    if dataset == "humaneval":
        problems = get_human_eval_plus()
        expected = get_groundtruth(problems, get_human_eval_plus_hash(), [])
    else:
        problems = get_mbpp_plus()
        expected = get_groundtruth(
            problems, get_mbpp_plus_hash(), MBPP_OUTPUT_NOT_NONE_TASKS
        )

    out = {}
    with ProcessPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) // 2)) as pool:
        futures = []
        for s in load_solutions(samples_path):
            tid = s["task_id"]
            if tid not in problems:
                raise SystemExit(f"{tid} is not in {data_path}")
            futures.append(
                pool.submit(
                    check_correctness,
                    dataset,
                    0,
                    problems[tid],
                    s["solution"],
                    expected[tid],
                    False,
                    True,
                    s["_identifier"],
                )
            )
        for f in futures:
            r = f.result()
            out[r["task_id"]] = {"base": r["base"][0], "plus": r["plus"][0]}
    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:4])
