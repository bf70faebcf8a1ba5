"""Measures per hour and station, from one replication: what a staffing target is checked on.

The engine's run summary is for the whole day; staffing needs each hour
apart.  We run the engine's own replication with per-customer recording on
(the trace's live bookkeeping, without formatting text rows) and read each
station's busy minutes at every hour boundary.

A customer counts in the hour they arrived at the store (minute 0 = hour 0),
at every station they reached.  The scenario's warm-up is ignored: every
hour needs staff, including the first.  Customers still waiting when the run
stops count with the wait so far (a lower bound), so a queue that is never
served cannot look short.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .experience import satisfaction_from_perceived
from .model import _Ev, _Replication
from .scenario import Scenario
from .stats import mean_ci

__all__ = ["MEASURES", "run_hourly", "summarize_hourly"]

# name -> (natural lower bound, natural upper bound) for the confidence interval
MEASURES = {
    "p50_wait_min": (0.0, None),
    "p90_wait_min": (0.0, None),
    "mean_wait_min": (0.0, None),
    "abandonment": (0.0, 1.0),
    "utilisation": (0.0, 1.0),
    "satisfaction": (0.0, 100.0),
}


class _Recorder(_Replication):
    """A replication that keeps (arrival, class, outcome, waits, route position, queue, joined) per customer."""

    def __init__(self, sc: Scenario, seed: int):
        super().__init__(sc, seed, trace=[])
        self.records: list = []

    def _trace(self, c, outcome, now):
        self.live.pop(c.id, None)
        self.records.append((c.t_arr, c.cls, outcome, c.waits, c.pos, c.queued, c.t_q))


def run_hourly(scenario: Scenario, seed: int, hours: int) -> dict:
    """Per (hour, station index): the measures of one replication (None where nobody counts).

    Pure function of (scenario, seed), module-level so it ships to a process pool.
    """
    sc = dataclasses.replace(scenario, warmup_min=0.0)
    horizon = sc.horizon_min
    rep = _Recorder(sc, int(seed))
    busy = np.zeros((hours, len(sc.stations)))

    def boundary(ev):
        h = ev._value
        for si, st in enumerate(rep.stations):
            st.close_areas(rep.env._now)
            if h < hours:
                busy[h, si] = st.b_area
            st.b_area = 0.0
        if 60.0 * (h + 2) < horizon:
            _Ev(rep.env, 60.0, h + 1, boundary)

    rep.start()
    _Ev(rep.env, min(60.0, horizon), 0, boundary)
    rep.env.run(until=horizon)
    last = int(math.ceil(horizon / 60.0)) - 1
    for si, st in enumerate(rep.stations):   # the last hour: its boundary is the horizon itself
        st.close_areas(horizon)
        if 0 <= last < hours:
            busy[last, si] = st.b_area
    for c in list(rep.live.values()):
        rep.records.append((c.t_arr, c.cls, "in_system", c.waits, c.pos, c.queued, c.t_q))
    return _measures(sc, rep, busy, hours, horizon)


def _measures(sc, rep, busy, hours, horizon):
    ns = len(sc.stations)
    waits = [[[] for _ in range(ns)] for _ in range(hours)]
    sats = [[[] for _ in range(ns)] for _ in range(hours)]
    reached = np.zeros((hours, ns))
    lost = np.zeros((hours, ns))
    mults = [sc.multipliers(st) for st in sc.stations]
    params = sc.experience.satisfaction
    station_index = {id(st): i for i, st in enumerate(rep.stations)}
    for t_arr, cls, outcome, cw, pos, queued, t_q in rep.records:
        h = int(t_arr // 60.0)
        if h >= hours:
            continue
        route = sc.classes[cls].route
        for i, (_, w) in enumerate(cw):
            si = route[i]
            reached[h, si] += 1
            if outcome == "reneged" and i == len(cw) - 1:
                lost[h, si] += 1
            else:
                waits[h][si].append(w)
                sats[h][si].append(w * mults[si][0 if i == 0 else 1])
        if outcome == "balked":
            si = route[pos]
            reached[h, si] += 1
            lost[h, si] += 1
        elif outcome == "in_system" and queued is not None:
            si = station_index[id(queued)]
            reached[h, si] += 1
            waits[h][si].append(horizon - t_q)   # still waiting: at least this long
    out = {}
    for h in range(hours):
        for si, st in enumerate(sc.stations):
            a, b = 60.0 * h, min(60.0 * (h + 1), horizon)
            avail = st.staff_minutes(b) - st.staff_minutes(a) if b > a else 0.0
            w = np.asarray(waits[h][si], dtype=float)
            m = {k: None for k in MEASURES}
            if w.size:
                m["p50_wait_min"] = float(np.quantile(w, 0.5))
                m["p90_wait_min"] = float(np.quantile(w, 0.9))
                m["mean_wait_min"] = float(w.mean())
            if len(sats[h][si]):
                m["satisfaction"] = float(np.mean(satisfaction_from_perceived(np.asarray(sats[h][si]), params)))
            if reached[h, si]:
                m["abandonment"] = float(lost[h, si] / reached[h, si])
            if avail > 0:
                m["utilisation"] = float(min(busy[h, si] / avail, 1.0))
            out[(h, si)] = m
    return out


def summarize_hourly(reps: list) -> dict:
    """Mean and 95% CI over replications of each measure, per (hour, station index)."""
    out = {}
    for key in reps[0]:
        out[key] = {name: mean_ci([r[key][name] for r in reps], lower=lo, upper=hi)
                    for name, (lo, hi) in MEASURES.items()}
    return out
