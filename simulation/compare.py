"""Base vs changed scenario with common random numbers (CRN).

Both scenarios run replication i with the same seed, and the model draws
each kind of randomness (arrival gaps, service at each station, patience...)
from its own stream, so the two runs see the same customers.  The difference
per replication is then mostly the effect of the change, and the paired CI
is much narrower than comparing two independent sets of runs.
"""

from __future__ import annotations

from typing import Callable

from .runner import replication_seeds, run_replications, summarize
from .scenario import Scenario
from .stats import mean_ci

__all__ = ["compare_scenarios", "flat_metrics"]


def flat_metrics(rep: dict) -> dict:
    """One replication's comparable numbers under dotted names."""
    out = {
        "arrived": rep["arrived"], "served": rep["served"], "balked": rep["balked"],
        "reneged": rep["reneged"], "wait_min": rep["wait_mean"], "wait_p90": rep["wait_p90"],
        "time_in_system_min": rep["time_in_system_mean"], "abandonment_rate": rep["abandonment_rate"],
        "lost_rate": rep["lost_rate"], "perceived_wait_min": rep["perceived_wait_mean"],
        "satisfaction": rep["satisfaction_mean"], "staff_hours": rep["staff_hours"],
    }
    for t, v in rep["wait_over"].items():
        out[f"wait_over.{t}"] = v
    for name, st in rep["stations"].items():
        out[f"stations.{name}.wait_min"] = st["wait_mean"]
        out[f"stations.{name}.utilization"] = st["utilization"]
        out[f"stations.{name}.queue_length_mean"] = st["queue_length_mean"]
        out[f"stations.{name}.staff_hours"] = st["staff_hours"]
    for name, k in rep["classes"].items():
        out[f"classes.{name}.wait_min"] = k["wait_mean"]
        out[f"classes.{name}.satisfaction"] = k["satisfaction_mean"]
    return out


def compare_scenarios(base: Scenario, changed: Scenario, replications: int | None = None,
                      seed: int | None = None, workers: int | None = None,
                      progress: Callable[[int, int], object] | None = None, executor=None) -> dict:
    """Paired differences (changed - base) of every shared metric, with 95 % CI."""
    n = int(replications if replications is not None else base.replications)
    s = int(seed if seed is not None else base.seed)
    seeds = replication_seeds(s, n)
    jobs = [(base, x) for x in seeds] + [(changed, x) for x in seeds]
    reps = run_replications(jobs, workers, progress, executor)
    b_reps, c_reps = reps[:n], reps[n:]
    metrics = {}
    fb = [flat_metrics(r) for r in b_reps]
    fc = [flat_metrics(r) for r in c_reps]
    for key in fb[0]:
        if key not in fc[0]:
            continue
        pairs = [(b[key], c[key]) for b, c in zip(fb, fc) if b[key] is not None and c[key] is not None]
        diff = mean_ci([c - b for b, c in pairs])
        lo, hi = diff["ci95"]
        metrics[key] = {
            "base": mean_ci([b for b, _ in pairs])["mean"],
            "changed": mean_ci([c for _, c in pairs])["mean"],
            "diff": diff["mean"],
            "ci95": [lo, hi],
            "significant": bool(lo is not None and (lo > 0 or hi < 0)),
        }
    return {
        "base": base.name, "changed": changed.name, "replications": n, "seed": s,
        "common_random_numbers": True,
        "metrics": metrics,
        "base_result": summarize(base, b_reps, s),
        "changed_result": summarize(changed, c_reps, s),
    }
