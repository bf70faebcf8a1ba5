"""A baseline scenario built from field observations: timings, traffic, staffing, ratings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import scenario_from_dict
from .fitcheck import fit_check
from .fitting import FEW_SERVICE_SAMPLES, MIN_RATINGS, MIN_SERVICE_SAMPLES, _pairs, fit_satisfaction, \
    fit_service_time
from .records import (SLOT_MIN, CalibrationError, _Bad, _count, _day, _field, _hhmm, _hour, _r, _servers,
                      _slot, _text, _timestamp, _warn, _where)

__all__ = ["calibrate", "Calibration", "DEFAULT_EVENT_ROLES"]

DEFAULT_EVENT_ROLES = {
    "arrive": ("arrive", "queue_joined"),
    "start": ("start", "service_start", "order_taken"),
    "end": ("end", "service_end", "served"),
}


def _timing_pairs(timings, event_roles, warnings):
    roles = {}
    for role, names in (event_roles or DEFAULT_EVENT_ROLES).items():
        if role not in ("arrive", "start", "end"):
            raise CalibrationError(f"event_roles: unknown role '{role}' (use arrive, start, end)")
        if isinstance(names, str):
            names = (names,)
        for n in names:
            roles[str(n).strip().lower()] = role
    marks: dict = {}
    stores, stations, dups = set(), set(), 0
    for i, rec in enumerate(timings):
        visit = _field(timings, "timings", i, rec, "visit", _text)
        station = _field(timings, "timings", i, rec, "station", _text)
        event = _field(timings, "timings", i, rec, "event", _text)
        ts = _field(timings, "timings", i, rec, "timestamp", _timestamp)
        stores.add(str(rec.get("store", "") or "").strip())
        role = roles.get(event.lower())
        if role is None:
            continue
        stations.add(station)
        m = marks.setdefault((visit, station), {})
        if role in m:
            dups += 1
            # the first arrival / start mark, the last end mark
            m[role] = max(m[role], ts) if role == "end" else min(m[role], ts)
        else:
            m[role] = ts
    if not marks:
        names = ", ".join(sorted(roles))
        raise CalibrationError(f"timings: no records with a known event (known: {names})")
    if len(stores - {""}) > 1:
        named = sorted(stores - {""})
        _warn(warnings, "pooled_stores", "timings from {n} stores are pooled ({names}); "
              "filter by store for a per-store baseline", n=len(named), names=", ".join(named[:5]))
    if len(stations) > 1:
        _warn(warnings, "pooled_stations", "timings from {n} stations are pooled into one ({names})",
              n=len(stations), names=", ".join(sorted(stations)[:5]))
    if dups:
        _warn(warnings, "repeated_marks",
              "{n} repeated marks: the first arrival/start and the last end mark were used", n=dups)
    waits, service, bad_w, bad_s, zero_s = [], [], 0, 0, 0
    for m in marks.values():
        if "arrive" in m and "start" in m:
            d = (m["start"] - m["arrive"]).total_seconds() / 60
            if d < 0:
                bad_w += 1
            else:
                waits.append(d)
        if "start" in m and "end" in m:
            d = (m["end"] - m["start"]).total_seconds() / 60
            if d < 0:
                bad_s += 1
            elif d == 0:
                zero_s += 1
            else:
                service.append(d)
    if bad_w:
        _warn(warnings, "start_before_arrival",
              "{n} visits with the start mark before the arrival mark were left out of the waits", n=bad_w)
    if bad_s:
        _warn(warnings, "end_before_start",
              "{n} visits with the end mark before the start mark were left out of the service times", n=bad_s)
    if zero_s:
        _warn(warnings, "zero_service",
              "{n} service times of zero (same start and end mark) were left out", n=zero_s)
    return waits, service, len(marks)


# ----------------------------------------------------------------------------- traffic & staffing


def _arrivals(traffic, open_min, warnings):
    if traffic is None or len(traffic) == 0:
        raise CalibrationError("traffic: counts per 15 minutes are needed for the arrival schedule "
                               "(auditors' visits are a sample, not every arrival)")
    per_slot: dict = {}
    seen: dict = {}
    days = set()
    for i, rec in enumerate(traffic):
        d = _field(traffic, "traffic", i, rec, "day", _day)
        s = _field(traffic, "traffic", i, rec, "slot_start", _slot)
        c = _field(traffic, "traffic", i, rec, "count", _count)
        if (d, s) in seen:
            raise CalibrationError(f"{_where(traffic, 'traffic', i)}: slot_start: {_hhmm(s)} on {d} is "
                                   f"counted twice (also {seen[(d, s)]}); give one store, or sum the stores first")
        seen[(d, s)] = _where(traffic, "traffic", i)
        days.add(d)
        per_slot.setdefault(s, []).append(c)
    slots = sorted(per_slot)
    if open_min is None:
        open_min = slots[0]
    early = [s for s in slots if s < open_min]
    if early:
        _warn(warnings, "before_opening", "{n} traffic slots before opening ({open}) were ignored",
              n=len(early), open=_hhmm(open_min))
        slots = [s for s in slots if s >= open_min]
        if not slots:
            raise CalibrationError(f"traffic: no counts at or after opening time {_hhmm(open_min)}")
    ndays = len(days)
    thin = [s for s in slots if len(per_slot[s]) < ndays]
    if thin:
        _warn(warnings, "missing_slots", "{n} slots are missing on some days (e.g. {slot}: "
              "{counted} of {days} days); their mean uses the days counted",
              n=len(thin), slot=_hhmm(thin[0]), counted=len(per_slot[thin[0]]), days=ndays)
    if ndays < 5:
        _warn(warnings, "few_days", "traffic covers only {days} day(s); rates per slot are rough", days=ndays)
    pieces, table = [], []
    for s in slots:
        mean = float(np.mean(per_slot[s]))
        rate = _r(mean * 60 / SLOT_MIN)
        a, b = s - open_min, s - open_min + SLOT_MIN
        table.append({"slot_start": _hhmm(s), "mean_count": _r(mean), "days": len(per_slot[s])})
        if pieces and pieces[-1]["to_min"] == a and pieces[-1]["rate_per_hour"] == rate:
            pieces[-1]["to_min"] = b
        else:
            pieces.append({"from_min": a, "to_min": b, "rate_per_hour": rate})
    horizon = pieces[-1]["to_min"]
    if all(p["rate_per_hour"] == 0 for p in pieces):
        raise CalibrationError("traffic: every count is zero; no customers to simulate")
    return {"open_time": _hhmm(open_min), "horizon_min": horizon, "slots": len(slots), "days": ndays,
            "per_slot": table, "schedule": pieces,
            "arrivals_per_day": _r(sum(np.mean(per_slot[s]) for s in slots), 2)}, open_min, horizon


def _staffing(staffing, open_min, horizon, schedule, warnings):
    if staffing is None or len(staffing) == 0:
        _warn(warnings, "no_staffing", "no staffing given: 1 server assumed all day")
        return {"source": "assumed", "servers": 1, "shifts": None}, None
    hours = {}
    for i, rec in enumerate(staffing):
        h = _field(staffing, "staffing", i, rec, "hour", _hour)
        n = _field(staffing, "staffing", i, rec, "servers", _servers)
        if h in hours:
            raise CalibrationError(f"{_where(staffing, 'staffing', i)}: hour: {h} given twice "
                                   f"(also {hours[h][1]}); give one store, or sum the stores first")
        hours[h] = (n, _where(staffing, "staffing", i))
    shifts = []
    for h in sorted(hours):
        a, b = max(h * 60 - open_min, 0), min((h + 1) * 60 - open_min, horizon)
        if b <= a:
            continue
        n = hours[h][0]
        if shifts and shifts[-1]["to_min"] == a and shifts[-1]["servers"] == n:
            shifts[-1]["to_min"] = b
        else:
            shifts.append({"from_min": a, "to_min": b, "servers": n})
    if not shifts:
        raise CalibrationError(f"staffing: no hour overlaps the opening hours {_hhmm(open_min)}-"
                               f"{_hhmm(open_min + horizon)}")
    # customers arriving while nobody serves: say so, the queue will only grow
    uncovered = []
    for p in schedule:
        if p["rate_per_hour"] <= 0:
            continue
        t = p["from_min"]
        while t < p["to_min"]:
            if not any(s["from_min"] <= t < s["to_min"] and s["servers"] > 0 for s in shifts):
                uncovered.append(t)
            t += SLOT_MIN
    if uncovered:
        _warn(warnings, "uncovered_slots", "no server on duty in {n} slots with arrivals (first at "
              "{first}); staffing has no or 0 servers for that hour",
              n=len(uncovered), first=_hhmm(open_min + uncovered[0]))
    return {"source": "staffing", "hours": {str(h): hours[h][0] for h in sorted(hours)},
            "shifts": shifts}, shifts


def _parse_open(open_time):
    if open_time is None:
        return None
    try:
        return _slot(open_time)
    except _Bad as exc:
        raise CalibrationError(f"open_time: {exc}") from None


# ----------------------------------------------------------------------------- calibrate


@dataclass(frozen=True)
class Calibration:
    """``scenario``: a dict valid for ``scenario_from_dict``; ``report``: JSON-ready."""

    scenario: dict
    report: dict

    def scenario_yaml(self) -> str:
        from ..scenario import scenario_to_yaml
        return scenario_to_yaml(scenario_from_dict(self.scenario, source="calibration"))


def calibrate(timings, traffic=None, staffing=None, ratings=None, *, event_roles=None,
              name: str = "Baseline from field data", station: str = "counter", open_time=None,
              replications: int = 20, seed: int = 1, check: bool = True) -> Calibration:
    """Build a baseline scenario (one station) from field records; see the module docstring.

    ``open_time`` ("HH:MM") is time zero; by default the first traffic slot.  Traffic is
    required (a CalibrationError says so without it).  With ``check`` (default) the report
    also has ``fit_check``: the baseline's simulated waits against the observed ones
    (``replications`` runs from ``seed``, serial in this process), or None without waits.
    """
    warnings: list = []
    if timings is None or len(timings) == 0:
        raise CalibrationError("timings: no records")
    if not isinstance(station, str) or not station.strip():
        raise CalibrationError("station: must be a non-empty name")
    open_min = _parse_open(open_time)
    waits, service, nvisits = _timing_pairs(timings, event_roles, warnings)
    if len(service) < MIN_SERVICE_SAMPLES:
        raise CalibrationError(f"timings: need at least {MIN_SERVICE_SAMPLES} visits with both a start and an "
                               f"end mark to fit service times (got {len(service)})")
    svc = fit_service_time(service)
    if svc["n"] < FEW_SERVICE_SAMPLES:
        _warn(warnings, "few_service_times", "only {n} service times; the fitted distribution is rough",
              n=svc["n"])
    if not waits:
        _warn(warnings, "no_waits",
              "no visit has both an arrival and a start mark: no observed waits to check against")
    arrivals, open_min, horizon = _arrivals(traffic, open_min, warnings)
    staff, shifts = _staffing(staffing, open_min, horizon, arrivals["schedule"], warnings)

    sat = None
    if ratings is not None and len(ratings) > 0:
        if len(ratings) < MIN_RATINGS:
            _pairs(ratings)   # still report bad values
            _warn(warnings, "few_ratings", "only {n} ratings: the default satisfaction curve was kept",
                  n=len(ratings))
        else:
            sat = fit_satisfaction(ratings)
    st = {"name": station, "service_min": dict(svc["spec"])}
    if shifts is None:
        st["servers"] = 1
    else:
        st["shifts"] = shifts
    scenario = {
        "name": name,
        "horizon_min": horizon,
        "warmup_min": 0,
        "replications": int(replications),
        "seed": int(seed),
        "arrivals": {"schedule": arrivals["schedule"]},
        "stations": [st],
    }
    if sat is not None:
        scenario["experience"] = {"satisfaction": dict(sat["params"])}
    try:
        sc = scenario_from_dict(scenario, source="calibration")
    except ValueError as exc:   # ScenarioError: a bug here rather than bad data, but say it in one line
        raise CalibrationError(f"calibration produced an invalid scenario: {getattr(exc, 'message', exc)}") from None
    report = {
        "visits": nvisits,
        "service": {k: svc[k] for k in ("n", "chosen", "spec", "reason", "mean_min", "sd_min", "candidates")},
        "waits_min": [_r(w) for w in waits],
        "waits": _summary(waits),
        "arrivals": arrivals,
        "staffing": staff,
        "satisfaction": sat,
        "fit_check": None,
        "warnings": warnings,
    }
    if check and waits:
        report["fit_check"] = fit_check(sc, waits, replications=replications, seed=seed, workers=1)
    return Calibration(scenario=scenario, report=report)


def _summary(x):
    if not x:
        return {"n": 0, "mean": None, "p50": None, "p90": None}
    a = np.asarray(x, dtype=float)
    return {"n": int(a.size), "mean": _r(a.mean()), "p50": _r(np.quantile(a, 0.5)),
            "p90": _r(np.quantile(a, 0.9))}
