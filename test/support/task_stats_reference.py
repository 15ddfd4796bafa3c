"""Independent reference for src/core/task-stats.ts, used by test/unit/task-stats.test.ts.

Reads a JSON list of cases {first, second} (S x n 0/1 matrices) on stdin, prints one result per
case. Nothing is shared with the TypeScript: the relabelling p-value enumerates every relabelling
(itertools, exact fractions) instead of convolving, the seed mean squares come from statsmodels' anova_lm, the
quantiles from scipy.stats.
"""

import itertools
import json
import sys
from fractions import Fraction

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.anova import anova_lm


def draws(m):
    """'one' when every seed's row is the same (one answer reused), else 'per-seed'."""
    return "one" if all((row == m[0]).all() for row in m) else "per-seed"


def relabelling_p(A, B, how_a, how_b):
    """Exact two-sided p by enumerating which draws of each task carry the second arm's label."""
    S, n = A.shape
    a_rows = A[:1] if how_a == "one" else A
    b_rows = B[:1] if how_b == "one" else B
    per_task = []
    observed = Fraction(0)
    for i in range(n):
        pool = list(a_rows[:, i]) + list(b_rows[:, i])
        mb = len(b_rows)
        ma = len(a_rows)
        observed += Fraction(int(b_rows[:, i].sum()), mb) - Fraction(
            int(a_rows[:, i].sum()), ma
        )
        outcomes = {}
        combos = list(itertools.combinations(range(ma + mb), mb))
        for c in combos:
            kb = int(sum(pool[j] for j in c))
            v = Fraction(kb, mb) - Fraction(int(sum(pool)) - kb, ma)
            outcomes[v] = outcomes.get(v, 0) + Fraction(1, len(combos))
        per_task.append(outcomes)
    dist = {Fraction(0): Fraction(1)}
    for o in per_task:
        nxt = {}
        for x, px in dist.items():
            for y, py in o.items():
                nxt[x + y] = nxt.get(x + y, 0) + px * py
        dist = nxt
    # Exact rational arithmetic: no tolerance decides which sums count as extreme.
    lower = sum(p for x, p in dist.items() if x <= observed)
    upper = sum(p for x, p in dist.items() if x >= observed)
    null_var = sum(p * x * x for x, p in dist.items()) / n**2
    # Critical sums: the most moderate ones whose two-sided p is still below 0.05.
    crit = []
    for side in (1, -1):
        xs = sorted((x for x in dist if side * x > 0), key=lambda x: -side * x)
        acc, c = Fraction(0), None
        for x in xs:
            acc += dist[x]
            if 2 * acc < Fraction(5, 100):
                c = x
            else:
                break
        crit.append(c)
    crit = [abs(float(c)) / n for c in crit if c is not None]
    return float(min(1, 2 * min(lower, upper))), float(null_var), crit


def seed_ms(m):
    S, n = m.shape
    long = pd.DataFrame(
        [(s, i, m[s, i]) for s in range(S) for i in range(n)],
        columns=["seed", "task", "y"],
    )
    a = anova_lm(smf.ols("y ~ C(task) + C(seed)", data=long).fit())
    return (
        a.loc["C(seed)", "mean_sq"],
        a.loc["Residual", "mean_sq"],
        a.loc["C(seed)", "df"],
    )


def compare(first, second):
    A = np.array(first, float)
    B = np.array(second, float)
    S, n = A.shape
    how_a, how_b = draws(A), draws(B)
    d = B.mean(axis=0) - A.mean(axis=0)
    p, null_var, crit = relabelling_p(A, B, how_a, how_b)
    base = max(d.var(ddof=1) / n, null_var)
    var, denom, seeds_disagree = base, base**2 / (n - 1), False
    for m, how in ((A, how_a), (B, how_b)):
        if how == "one" or S < 2:
            continue
        ms_s, ms_e, df_s = seed_ms(m)
        c = ms_s / (n * S)
        var += c
        denom += c**2 / df_s
        seeds_disagree = seeds_disagree or ms_s > ms_e * (1 + 1e-9) + 1e-15
    if var == base:
        df = n - 1
    else:
        df = min(var**2 / denom, (S - 1) / ((var - base) / var), n * S - 1)
    se = np.sqrt(var)
    half = stats.t.ppf(0.975, df) * se if se > 0 else 0.0
    # Smallest detectable difference: the test's critical value plus z_0.8 null standard
    # deviations, or the interval's (t_0.975 + t_0.8) se, whichever is larger; None when the test
    # cannot reach 0.05 at all.
    mdd = None
    if crit and np.any(d != 0):
        mdd = max(
            max(crit) + stats.norm.ppf(0.8) * np.sqrt(null_var),
            (stats.t.ppf(0.975, df) + stats.t.ppf(0.8, df)) * se,
        )
    return {
        "mdd": None if mdd is None else float(mdd),
        "zPower80": float(stats.norm.ppf(0.8)),
        "draws": [how_a, how_b],
        "p": float(p),
        "se": float(se),
        "df": float(df),
        "lo": float(max(-1, d.mean() - half)),
        "hi": float(min(1, d.mean() + half)),
        "seFrom": "seeds" if seeds_disagree else "tasks",
    }


if __name__ == "__main__":
    print(json.dumps([compare(c["first"], c["second"]) for c in json.load(sys.stdin)]))
