"""Baseline and what-if hour by hour: what "one more person at lunch" does at lunch.

Both scenarios run on the same replication seeds (common random numbers)
with ``simulation.hourly``; each clock hour gets wait p50/p90, queue length
(Little's law: arrivals per minute × mean wait), utilisation, staff on duty
and satisfaction, at the scenario's first station (the counter). The hours
whose staff differ are the changed hours; the predicted change of the mean
wait over those hours, per replication, is what an adoption is later
measured against.
"""

from __future__ import annotations

import math

from simulation import scenario_from_dict
from simulation.hourly import run_hourly
from simulation.runner import replication_seeds
from simulation.staffing import _station_load
from simulation.stats import mean_ci

MEASURES = ("p50_wait_min", "p90_wait_min", "queue", "utilisation", "staff", "satisfaction")


def _run(sc, seeds, hours, executor):
    if executor is not None:
        return list(executor.map(run_hourly, [sc] * len(seeds), seeds, [hours] * len(seeds)))
    return [run_hourly(sc, s, hours) for s in seeds]


def _staff(sc, h: int) -> float:
    return sum(st.staff_minutes(min(60.0 * (h + 1), sc.horizon_min)) - st.staff_minutes(60.0 * h)
               for st in sc.stations[:1]) / 60.0


def hourly_pair(base_spec: dict, changed_spec: dict, open_hour: int, replications: int = 10, seed: int = 1,
                executor=None) -> dict:
    """Per clock hour, baseline and what-if measures with 95% intervals; the changed hours; the
    predicted change of the mean wait over them."""
    sc_b = scenario_from_dict(base_spec, "baseline")
    sc_c = scenario_from_dict(changed_spec, "what-if")
    hours = int(math.ceil(sc_b.horizon_min / 60.0 - 1e-9))
    seeds = replication_seeds(int(seed), int(replications))
    reps = {"base": _run(sc_b, seeds, hours, executor), "changed": _run(sc_c, seeds, hours, executor)}
    rows = []
    for h in range(hours):
        row = {"hour": (open_hour + h) % 24}
        for side, sc in (("base", sc_b), ("changed", sc_c)):
            lam = _station_load(sc, 0, h)[0]
            per = [r[(h, 0)] for r in reps[side]]
            row[side] = {
                "p50_wait_min": mean_ci([m["p50_wait_min"] for m in per], lower=0.0),
                "p90_wait_min": mean_ci([m["p90_wait_min"] for m in per], lower=0.0),
                "queue": mean_ci([None if m["mean_wait_min"] is None else lam * m["mean_wait_min"] for m in per],
                                 lower=0.0),
                "utilisation": mean_ci([m["utilisation"] for m in per], lower=0.0, upper=1.0),
                "staff": {"mean": _staff(sc, h), "ci95": [None, None]},
                "satisfaction": mean_ci([m["satisfaction"] for m in per], lower=0.0, upper=100.0),
            }
        row["changed_hour"] = abs(row["base"]["staff"]["mean"] - row["changed"]["staff"]["mean"]) > 1e-9
        rows.append(row)
    window = [i for i, r in enumerate(rows) if r["changed_hour"]] or list(range(hours))
    diffs = []
    for rb, rc in zip(reps["base"], reps["changed"]):
        b = [rb[(h, 0)]["mean_wait_min"] for h in window if rb[(h, 0)]["mean_wait_min"] is not None]
        c = [rc[(h, 0)]["mean_wait_min"] for h in window if rc[(h, 0)]["mean_wait_min"] is not None]
        if b and c:
            diffs.append((sum(b) / len(b), sum(c) / len(c)))
    prediction = {
        "hours": [rows[i]["hour"] for i in window],
        "all_day": len(window) == hours,
        "wait_base": mean_ci([d[0] for d in diffs], lower=0.0),
        "wait_changed": mean_ci([d[1] for d in diffs], lower=0.0),
        "wait_diff": mean_ci([d[1] - d[0] for d in diffs]),
        "replications": int(replications),
    }
    return {"rows": rows, "prediction": prediction, "station": sc_b.stations[0].name}
