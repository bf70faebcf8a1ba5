"""The fewest servers per hour and station that meet every target: Erlang first, simulation decides.

Method, hour by hour in time order (a late hour inherits the queue the
earlier ones leave, so earlier hours are fixed first):

1. Estimate each hour's servers from the closed forms (Erlang C, or Erlang A
   when customers have patience) at that hour's arrival rate and mean service.
2. For hour h, simulate the day up to the end of hour h + 1 with the chosen
   servers before h, the candidate at h and the estimates after it, and move
   the candidate down while the targets are still met, or up until they are.
   A candidate must also keep every earlier hour that met its targets meeting
   them (its queue spills into hour h).  Every candidate runs on the same
   replication seeds (common random numbers), so candidates differ only by
   their servers, not by luck.
3. Run the whole day with the answer; if an hour misses a target there (the
   hours after it now have their final servers), add a server to the first
   such hour and run again.

A target is met when the mean over replications meets it; the 95% interval
is reported with it.
"""

from __future__ import annotations

import dataclasses
import math

from . import erlang
from .hourly import run_hourly, summarize_hourly
from .runner import replication_seeds
from .scenario import Scenario, Shift
from .targets import Target, TargetError, parse_target

__all__ = ["staff_scenario", "parse_target", "Target", "TargetError", "StaffingError", "hourly_estimate"]

DEFAULT_MAX_SERVERS = 50


class StaffingError(ValueError):
    """The search cannot run; ``code``, ``params`` and a one-line ``message``."""

    def __init__(self, code: str, message: str, **params):
        self.code, self.params, self.message = code, params, message
        super().__init__(message)


def _hours(sc: Scenario) -> int:
    return int(math.ceil(sc.horizon_min / 60.0 - 1e-9))


def _station_load(sc: Scenario, si: int, h: int):
    """(arrivals per minute, service rate, patience rate, wait multiplier) at station si in hour h."""
    a, b = 60.0 * h, min(60.0 * (h + 1), sc.horizon_min)
    minutes = [a + (i + 0.5) * (b - a) / 60 for i in range(60)]
    base = sum(sc.rate_at(t) for t in minutes) / 60.0
    base *= sc.group_size.mean if sc.group_size is not None else 1.0
    total_share = sum(k.share for k in sc.classes) or 1.0
    lam, svc_sum, theta_sum, first = 0.0, 0.0, 0.0, 0.0
    appt = sc.appointments
    for ci, k in enumerate(sc.classes):
        if si not in k.route:
            continue
        rate = base * k.share / total_share
        if appt is not None and appt.customer_class == ci:
            lo, hi = max(a, appt.start_min), min(b, appt.end_min)
            if hi > lo:
                rate += appt.per_slot * (1 - appt.no_show_prob) / appt.every_min * (hi - lo) / (b - a)
        over = dict(k.service)
        mean_svc = over[si].mean if si in over else sc.stations[si].service.mean
        lam += rate
        svc_sum += rate * mean_svc
        if k.patience is not None and sc.stations[si].allow_reneging:
            theta_sum += rate / max(k.patience.mean, 1e-9)
        if k.route[0] == si:
            first += rate
    if lam <= 0:
        return 0.0, 1.0 / max(sc.stations[si].service.mean, 1e-9), 0.0, sc.multipliers(sc.stations[si])[0]
    pre, inp = sc.multipliers(sc.stations[si])
    mult = pre if first >= lam / 2 else inp
    return lam, lam / max(svc_sum, 1e-12), theta_sum / lam, mult


def _estimated(measure, c, lam, mu, theta, mult, sc):
    if measure == "satisfaction":
        return erlang.expected_satisfaction(c, lam, mu, mult, sc.experience.satisfaction)
    if theta > 0:
        m = erlang.erlang_a(c, lam, mu, theta)
        if measure in ("p50_wait_min", "p90_wait_min"):
            q = 0.5 if measure == "p50_wait_min" else 0.9
            return erlang.erlang_a_wait_quantile(c, lam, mu, theta, q, model=m)
        return {"mean_wait_min": m.mean_wait, "abandonment": m.p_abandon, "utilisation": m.utilisation}[measure]
    if measure == "p50_wait_min":
        return erlang.mmc_wait_quantile(c, lam, mu, 0.5)
    if measure == "p90_wait_min":
        return erlang.mmc_wait_quantile(c, lam, mu, 0.9)
    if measure == "mean_wait_min":
        return erlang.mmc_mean_wait(c, lam, mu)
    if measure == "abandonment":
        return 0.0 if c * mu > lam else 1.0
    return min(lam / (c * mu), 1.0) if c > 0 else 1.0   # utilisation


def hourly_estimate(sc: Scenario, targets, si: int, h: int, max_servers: int) -> int:
    """Fewest servers the closed forms say meet every target in hour h (max_servers if none)."""
    lam, mu, theta, mult = _station_load(sc, si, h)
    if lam <= 0:
        return 0
    start = max(1, int(lam / mu) if theta <= 0 else 1)
    for c in range(start, max_servers + 1):
        if all(t.met(_estimated(t.measure, c, lam, mu, theta, mult, sc)) for t in targets):
            return c
    return max_servers


def _with_staff(sc: Scenario, staff: list, horizon: float) -> Scenario:
    """The scenario with servers per hour (staff[h][si]) as shifts, cut at ``horizon``."""
    stations = []
    for si, st in enumerate(sc.stations):
        shifts = []
        for h, row in enumerate(staff):
            a, b = 60.0 * h, 60.0 * (h + 1)
            if shifts and shifts[-1].servers == row[si]:
                shifts[-1] = Shift(shifts[-1].from_min, b, row[si])
            else:
                shifts.append(Shift(a, b, row[si]))
        stations.append(dataclasses.replace(st, shifts=tuple(shifts), cycle_min=None))
    return dataclasses.replace(sc, stations=tuple(stations), horizon_min=min(horizon, sc.horizon_min))


class _Search:
    def __init__(self, sc, targets, seeds, max_servers, executor):
        self.sc, self.targets, self.seeds, self.max = sc, targets, seeds, max_servers
        self.hours = _hours(sc)
        self.executor = executor
        self.runs = 0

    def evaluate(self, staff, upto_hour=None):
        horizon = self.sc.horizon_min if upto_hour is None else 60.0 * (upto_hour + 2)
        scen = _with_staff(self.sc, staff, horizon)
        n = self.hours if upto_hour is None else min(upto_hour + 1, self.hours)
        args = ([scen] * len(self.seeds), self.seeds, [n] * len(self.seeds))
        if self.executor is not None:
            reps = list(self.executor.map(run_hourly, *args))
        else:
            reps = [run_hourly(*a) for a in zip(*args)]
        self.runs += len(reps)
        return summarize_hourly(reps)

    def meets(self, summary, key) -> bool:
        return all(t.met(summary[key][t.measure]["mean"]) for t in self.targets)


def staff_scenario(scenario: Scenario, targets, *, max_servers: int = DEFAULT_MAX_SERVERS,
                   replications: int | None = None, seed: int | None = None, executor=None) -> dict:
    """Fewest servers per hour and station meeting every target (see the module docstring).

    ``targets``: Target objects or strings like ``"p90_wait_min<=3"``.  Returns
    ``{"hours": [{"hour", "station", "servers", "achieved": {measure: {"mean", "ci95"}}}],
    "staff_hours", "met", "replications", "seed", "targets"}``; ``met`` is False when some hour
    misses a target even with ``max_servers``.  ``executor``: any ``map``-able executor for the
    replications (default: this process).
    """
    targets = [t if isinstance(t, Target) else parse_target(t, where=f"targets[{i}]")
               for i, t in enumerate(targets)]
    if not targets:
        raise StaffingError("no_targets", "targets: give at least one target, like p90_wait_min<=3")
    if int(max_servers) < 1:
        raise StaffingError("max_servers", "max_servers: must be an integer >= 1", max_servers=max_servers)
    reps = int(replications if replications is not None else scenario.replications)
    s = int(seed if seed is not None else scenario.seed)
    if reps < 1:
        raise StaffingError("replications", "replications: must be >= 1", replications=reps)
    search = _Search(scenario, targets, replication_seeds(s, reps), int(max_servers), executor)
    ns, nh = len(scenario.stations), search.hours
    est = [[hourly_estimate(scenario, targets, si, h, search.max) for si in range(ns)] for h in range(nh)]
    staff = [row[:] for row in est]
    kept: set = set()            # (hour, station) pairs that met their targets when chosen
    for h in range(nh):
        for si in range(ns):
            def ok(n):
                staff[h][si] = n
                summ = search.evaluate(staff, h)
                return search.meets(summ, (h, si)) and all(search.meets(summ, k) for k in kept)
            n = est[h][si]
            if ok(n):
                while n > 0 and ok(n - 1):
                    n -= 1
                good = True
            else:
                good = False
                while n < search.max:
                    n += 1
                    if ok(n):
                        good = True
                        break
            staff[h][si] = n
            if good:
                kept.add((h, si))
    summary = search.evaluate(staff)
    for _ in range(nh * ns * 2):   # repair: later hours now have their final servers
        bad = next(((h, si) for h in range(nh) for si in range(ns)
                    if not search.meets(summary, (h, si)) and staff[h][si] < search.max), None)
        if bad is None:
            break
        staff[bad[0]][bad[1]] += 1
        summary = search.evaluate(staff)
    rows, minutes = [], 0.0
    for h in range(nh):
        length = min(60.0 * (h + 1), scenario.horizon_min) - 60.0 * h
        for si, st in enumerate(scenario.stations):
            minutes += staff[h][si] * length
            rows.append({"hour": h, "station": st.name, "servers": staff[h][si],
                         "achieved": {t.measure: _rounded(summary[(h, si)][t.measure]) for t in targets}})
    hours_total = minutes / 60.0
    return {"hours": rows,
            "staff_hours": int(round(hours_total)) if abs(hours_total - round(hours_total)) < 1e-9
            else round(hours_total, 3),
            "met": all(search.meets(summary, (h, si)) for h in range(nh) for si in range(ns)),
            "replications": reps, "seed": s, "targets": [str(t) for t in targets],
            "simulated_replications": search.runs}


def _rounded(stat: dict) -> dict:
    def r(x):
        return None if x is None else round(float(x), 4)
    return {"mean": r(stat["mean"]), "ci95": [r(stat["ci95"][0]), r(stat["ci95"][1])]}
