"""Replications: seeds, parallel execution, and the summary a planner reads.

Each replication gets its own seed derived from the scenario seed with
NumPy's SeedSequence, so results do not depend on how many workers ran them
or in which order they finished; results are always combined in replication
order.  Any concurrent.futures-style executor works (a process pool by
default, or e.g. ``dask.distributed.Client(...).get_executor()``).
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import os
from typing import Callable

import numpy as np

from .model import TRACE_COLUMNS, run_once
from .scenario import Scenario
from .stats import LogHistogram, mean_ci, mean_or_none

__all__ = ["run_scenario", "replication_seeds", "run_replications", "summarize"]


def replication_seeds(seed: int, n: int) -> list[int]:
    """Independent, reproducible per-replication seeds (same for base and changed: CRN)."""
    return [int(x) for x in np.random.SeedSequence(int(seed)).generate_state(n, dtype=np.uint32)]


def run_replications(jobs: list, workers: int | None = None,
                     progress: Callable[[int, int], object] | None = None,
                     executor: cf.Executor | None = None) -> list[dict]:
    """Run (scenario, seed) jobs; results in job order.  ``progress`` may raise to cancel."""
    total = len(jobs)
    results: list = [None] * total
    if executor is None:
        workers = workers or os.cpu_count() or 1
        if workers <= 1 or total <= 1:
            for i, (sc, seed) in enumerate(jobs):
                results[i] = run_once(sc, seed)
                if progress is not None:
                    progress(i + 1, total)
            return results
        with cf.ProcessPoolExecutor(max_workers=min(workers, total)) as pool:
            return _run_on(pool, jobs, results, progress, own_pool=True)
    return _run_on(executor, jobs, results, progress, own_pool=False)


def _run_on(ex, jobs, results, progress, own_pool):
    futures = {ex.submit(run_once, sc, seed): i for i, (sc, seed) in enumerate(jobs)}
    done = 0
    try:
        for fut in cf.as_completed(futures):
            results[futures[fut]] = fut.result()
            done += 1
            if progress is not None:
                progress(done, len(jobs))
    except BaseException:
        for fut in futures:
            fut.cancel()
        if own_pool:
            ex.shutdown(wait=True, cancel_futures=True)
        raise
    return results


def run_scenario(scenario: Scenario, replications: int | None = None, seed: int | None = None,
                 workers: int | None = None, progress: Callable[[int, int], object] | None = None,
                 executor: cf.Executor | None = None, trace_path=None) -> dict:
    """Run all replications and return the JSON-ready summary (see README).

    ``trace_path``: write one CSV row per customer there; this runs the
    replications one after another in this process (a trace is for looking
    at, not for speed) and memory then grows with one replication's customers.
    """
    n = int(replications if replications is not None else scenario.replications)
    s = int(seed if seed is not None else scenario.seed)
    if n < 1:
        raise ValueError("replications must be >= 1")
    seeds = replication_seeds(s, n)
    if trace_path is not None:
        reps = _run_traced(scenario, seeds, trace_path, progress)
    else:
        reps = run_replications([(scenario, x) for x in seeds], workers, progress, executor)
    return summarize(scenario, reps, s)


def _run_traced(scenario, seeds, path, progress):
    reps = []
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("replication",) + TRACE_COLUMNS)
        for i, seed in enumerate(seeds):
            rows: list = []
            reps.append(run_once(scenario, seed, trace=rows))
            rows.sort(key=lambda r: r[0])
            out.writerows((i,) + r for r in rows)
            if progress is not None:
                progress(i + 1, len(seeds))
    return reps


def _ci(reps, key, **bounds):
    return mean_ci([r[key] for r in reps], **bounds)


# Natural ranges: an interval is cut where the quantity itself stops.
SHARE = {"lower": 0.0, "upper": 1.0}     # proportions
NONNEG = {"lower": 0.0}                  # times
SCORE = {"lower": 0.0, "upper": 100.0}   # satisfaction


def summarize(sc: Scenario, reps: list[dict], seed: int) -> dict:
    """Means over replications with 95 % CIs; percentiles from the pooled histogram."""
    hist = LogHistogram()
    for r in reps:
        hist.merge(LogHistogram.from_dict(r["histogram"]))
    wait = _ci(reps, "wait_mean", **NONNEG)
    wait.update(p50=hist.quantile(0.5), p90=hist.quantile(0.9), p95=hist.quantile(0.95),
                over={t: mean_ci([r["wait_over"][t] for r in reps], **SHARE) for t in reps[0]["wait_over"]},
                histogram=hist.chart())
    stations = {}
    for name, st0 in reps[0]["stations"].items():
        rs = [r["stations"][name] for r in reps]
        stations[name] = {
            "wait_min": mean_ci([x["wait_mean"] for x in rs], **NONNEG),
            "utilization": mean_or_none([x["utilization"] for x in rs]),
            "queue_length_mean": mean_or_none([x["queue_length_mean"] for x in rs]),
            "served": mean_or_none([x["served"] for x in rs]),
            "staff_hours": st0["staff_hours"],
        }
    classes = {}
    for name in reps[0]["classes"]:
        rs = [r["classes"][name] for r in reps]
        classes[name] = {
            **{k: mean_or_none([x[k] for x in rs]) for k in ("arrived", "served", "balked", "reneged")},
            "wait_min": mean_ci([x["wait_mean"] for x in rs], **NONNEG),
            "perceived_wait_min": mean_ci([x["perceived_wait_mean"] for x in rs], **NONNEG),
            "satisfaction": mean_ci([x["satisfaction_mean"] for x in rs], **SCORE),
        }
    scalar = ("seed", "arrived", "served", "balked", "reneged", "in_system_at_end", "wait_mean",
              "wait_p50", "wait_p90", "wait_p95", "time_in_system_mean", "abandonment_rate",
              "perceived_wait_mean", "satisfaction_mean")
    return {
        "scenario": sc.name,
        "replications": len(reps),
        "seed": seed,
        "horizon_min": sc.horizon_min,
        "warmup_min": sc.warmup_min,
        **{k: mean_or_none([r[k] for r in reps])
           for k in ("arrived", "served", "balked", "reneged", "in_system_at_end")},
        "wait_min": wait,
        "time_in_system_min": _ci(reps, "time_in_system_mean", **NONNEG),
        "abandonment_rate": _ci(reps, "abandonment_rate", **SHARE),
        "lost_rate": _ci(reps, "lost_rate", **SHARE),
        "perceived_wait_min": _ci(reps, "perceived_wait_mean", **NONNEG),
        "satisfaction": _ci(reps, "satisfaction_mean", **SCORE),
        "stations": stations,
        "classes": classes,
        "staff_hours": reps[0]["staff_hours"],
        "per_replication": [{k: r[k] for k in scalar} for r in reps],
    }
