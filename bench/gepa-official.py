"""The official GEPA (PyPI `gepa` 0.1.4) for bench:real, through its adapter API.

The adapter does not call a model or run code itself: it asks bench:real's local service, which
generates with the same server, the same request (the candidate as system prompt, the task as
the user message, greedy, stop at the code) and grades with the same executor and tests as every
other method, counting each grading in the same budget. Reflection goes to the same model through
the service too. gepa.optimize gets the split's feedback tasks as trainset and validation tasks as
valset, `max_metric_calls` = the budget of task gradings, and its own defaults otherwise
(reflection minibatch 3, Pareto selection, its reflection prompt). The one accounting change:
each evaluation reports as its metric calls the answers graded for it (`num_metric_calls`), not
the batch size, so a (prompt, task) graded before costs gepa nothing, as it costs Athanor's
methods nothing.

Usage: python bench/gepa-official.py '{"service": URL, "seedPrompt": ..., "train": [...],
       "val": [...], "maxMetricCalls": N, "seed": S}'
Prints one JSON line: {"prompt": best system prompt, "stop": why it stopped}.
"""

import json
import sys
import urllib.request

import gepa
from gepa.core.adapter import EvaluationBatch


def post(service, path, body):
    req = urllib.request.Request(
        service + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=3600) as r:
        return json.loads(r.read())


class BudgetSpent(Exception):
    pass


class AthanorAdapter:
    """One component, `system_prompt`; score 1 when every test of the task passes, else 0."""

    def __init__(self, service, val):
        self.service = service
        self.propose_new_texts = None
        self.val = list(val)
        # The best candidate on the whole valset so far: what gepa would return if the budget
        # runs out inside a batch, where gepa itself raises.
        self.best = (-1.0, None)

    def evaluate(self, batch, candidate, capture_traces=False):
        got = post(
            self.service,
            "/evaluate",
            {"prompt": candidate["system_prompt"], "taskIds": batch},
        )
        by_id = {r["taskId"]: r for r in got["results"]}
        # A batch may name a task twice (gepa pads a minibatch larger than the trainset).
        if any(t not in by_id for t in batch):
            # The grading budget ran out inside this batch: stop as gepa's own budget would.
            raise BudgetSpent()
        outputs, scores, traces = [], [], []
        if list(batch) == self.val:
            mean = sum(1.0 for r in got["results"] if r["passed"]) / max(1, len(batch))
            if mean > self.best[0]:
                self.best = (mean, candidate["system_prompt"])
        for task_id in batch:
            r = by_id[task_id]
            outputs.append(r["answer"])
            scores.append(1.0 if r["passed"] else 0.0)
            traces.append(
                {
                    # The task statement, as the model read it in the user message: gepa's own
                    # DefaultAdapter puts the example's input here. (Until 2026-12-08 this was the
                    # task id, so gepa's reflection saw no task; the official rows ran again.)
                    "task": r.get("input", task_id),
                    "answer": r["answer"],
                    "feedback": r["feedback"],
                    "passed": r["passed"],
                }
            )
        return EvaluationBatch(
            outputs=outputs,
            scores=scores,
            trajectories=traces if capture_traces else None,
            # Count only answers graded now. gepa re-evaluates a parent on a minibatch it has
            # already scored (to get traces) and by default counts that again; Athanor's scorer
            # remembers every (prompt, task) grading, its methods pay once, and so does gepa here.
            num_metric_calls=got["fresh"],
        )

    def make_reflective_dataset(self, candidate, eval_batch, components_to_update):
        rows = [
            {
                "Inputs": t["task"],
                "Generated Outputs": t["answer"][:1500],
                "Feedback": ("All tests passed." if t["passed"] else t["feedback"]),
            }
            for t in eval_batch.trajectories
        ]
        return {c: rows for c in components_to_update}


def main(args):
    a = json.loads(args)
    service = a["service"]

    def reflection_lm(prompt):
        text = (
            prompt
            if isinstance(prompt, str)
            else "\n\n".join(m["content"] for m in prompt)
        )
        return post(service, "/reflect", {"prompt": text})["text"]

    stop = "max-metric-calls"
    adapter = AthanorAdapter(service, a["val"])
    try:
        result = gepa.optimize(
            seed_candidate={"system_prompt": a["seedPrompt"]},
            trainset=a["train"],
            valset=a["val"],
            adapter=adapter,
            reflection_lm=reflection_lm,
            max_metric_calls=a["maxMetricCalls"],
            seed=a["seed"],
            display_progress_bar=False,
            raise_on_exception=True,
        )
        best = result.best_candidate["system_prompt"]
    except BudgetSpent:
        stop = "budget (inside a batch)"
        best = adapter.best[1] or a["seedPrompt"]
    print(json.dumps({"prompt": best, "stop": stop}))


if __name__ == "__main__":
    main(sys.argv[1])
