"""Calibration: a baseline scenario from field data, and a check of its fit.

Inputs are plain records (dicts), as the web app passes them, or CSV files
read by the ``read_*_csv`` functions:

* timings   ``visit, store, station, event, timestamp`` - auditors' stopwatch
  marks; per (visit, station) the wait is start - arrive and the service time
  end - start (minutes).  Service times get a maximum-likelihood fit of an
  exponential, a lognormal and a gamma distribution (location fixed at 0),
  and the lowest AIC wins.
* traffic   ``day, slot_start, count`` - door-counter or till counts per
  15 minutes; the mean count per slot over days, times 4, is the Poisson
  arrival rate of that slot (time zero = the first slot = opening).
* staffing  ``hour, servers`` - servers per clock hour become shifts.
* ratings   ``wait_min, rating`` - auditors' emotion rating (1-5) against
  the wait they measured; the 2-parameter satisfaction curve is fitted to
  them by least squares.

``fit_check`` then simulates the baseline and puts its waits next to the
observed ones (quantiles and a two-sample Kolmogorov-Smirnov test).

Every problem with the input is a ``CalibrationError`` whose ``.message`` is
one line located as ``file.csv:12: timestamp: not an ISO 8601 time`` (for
records passed as dicts: ``timings[11]: timestamp: ...``).
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import math
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
from scipy import optimize, stats

from .experience import DEFAULT_MULTIPLIERS, Occupied, satisfaction_from_perceived, wait_multiplier
from .model import TRACE_COLUMNS, run_once
from .runner import replication_seeds
from .scenario import Scenario, scenario_from_dict
from .stats import nice_width

__all__ = ["calibrate", "Calibration", "CalibrationError", "fit_service_time", "fit_satisfaction",
           "fit_check", "read_timings_csv", "read_traffic_csv", "read_staffing_csv",
           "read_ratings_csv", "DEFAULT_EVENT_ROLES", "default_wait_multiplier", "Rows"]

DEFAULT_EVENT_ROLES = {
    "arrive": ("arrive", "queue_joined"),
    "start": ("start", "service_start", "order_taken"),
    "end": ("end", "service_end", "served"),
}
SLOT_MIN = 15
MIN_SERVICE_SAMPLES = 5
FEW_SERVICE_SAMPLES = 30
MIN_RATINGS = 5
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


class CalibrationError(ValueError):
    """Bad or insufficient field data; ``.message`` is one located line."""

    def __init__(self, message: str):
        message = "\\n".join(str(message).splitlines())
        super().__init__(message)
        self.message = message


class Rows(list):
    """Records read from a CSV file; remembers the file name and line of each record,
    so that problems found later (a duplicate slot, say) are still located."""

    def __init__(self, items=(), source: str = "", lines=()):
        super().__init__(items)
        self.source = source
        self.lines = list(lines)


def _where(rows, name: str, i: int) -> str:
    if isinstance(rows, Rows) and i < len(rows.lines):
        return f"{rows.source}:{rows.lines[i]}"
    return f"{name}[{i}]"


class _Bad(Exception):
    """A value problem; the caller adds file, line and column."""


# ----------------------------------------------------------------------------- values


def _text(v) -> str:
    if v is None:
        raise _Bad("missing value")
    s = str(v).strip()
    if not s:
        raise _Bad("missing value")
    return s


def _timestamp(v) -> datetime:
    if isinstance(v, datetime):
        dt = v
    else:
        s = _text(v)
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            raise _Bad("not an ISO 8601 time (like 2024-05-04T10:15:30+09:00)") from None
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise _Bad("ISO 8601 time without a UTC offset (add e.g. +09:00 or Z)")
    return dt


def _day(v) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    s = _text(v)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        raise _Bad("not a day as YYYY-MM-DD")
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise _Bad("not a valid calendar day") from None


def _slot(v) -> int:
    """Minutes after midnight of a 15-minute slot start."""
    if isinstance(v, time):
        h, m, extra = v.hour, v.minute, v.second or v.microsecond
    else:
        s = _text(v)
        mt = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", s)
        if not mt:
            raise _Bad("not a time as HH:MM")
        h, m, extra = int(mt.group(1)), int(mt.group(2)), int(mt.group(3) or 0)
        if h > 23 or m > 59 or extra > 59:
            raise _Bad("not a valid time of day")
    if m % SLOT_MIN or extra:
        raise _Bad("must start a 15-minute slot (HH:00, HH:15, HH:30 or HH:45)")
    return h * 60 + m


def _number(v, *, ge=None, le=None, what="a number") -> float:
    if isinstance(v, bool):
        raise _Bad(f"must be {what}")
    if isinstance(v, (int, float)):
        x = float(v)
    else:
        s = _text(v)
        try:
            x = float(s)
        except ValueError:
            raise _Bad(f"must be {what}") from None
    if not math.isfinite(x) or (ge is not None and x < ge) or (le is not None and x > le):
        raise _Bad(f"must be {what}")
    return x


def _integer(v, *, ge=None, le=None, what="an integer") -> int:
    x = _number(v, ge=ge, le=le, what=what)
    if x != int(x):
        raise _Bad(f"must be {what}")
    return int(x)


def _count(v):
    return _number(v, ge=0, what="a count >= 0")


def _hour(v):
    return _integer(v, ge=0, le=23, what="an hour from 0 to 23")


def _servers(v):
    return _integer(v, ge=0, what="a whole number of servers >= 0")


def _wait(v):
    return _number(v, ge=0, what="a wait in minutes >= 0")


def _rating(v):
    return _number(v, ge=1, le=5, what="a rating from 1 to 5")


# ----------------------------------------------------------------------------- CSV readers


def _read_csv(path, required, optional, parsers) -> Rows:
    """Parse a CSV file into validated dicts; every problem is located."""
    path = Path(path)
    src = path.name
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise CalibrationError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CalibrationError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise CalibrationError(f"{path}: cannot read file ({exc.strerror or type(exc).__name__})") from None
    out = Rows(source=src)
    with fh:
        reader = csv.reader(fh)
        try:
            header = None
            for raw in reader:
                if not any(c.strip() for c in raw):
                    continue           # blank lines
                if header is None:
                    header = [c.strip().lower() for c in raw]
                    seen = set()
                    for c in header:
                        if c and c in seen:
                            raise CalibrationError(f"{src}:{reader.line_num}: {c}: duplicate column")
                        seen.add(c)
                    missing = [c for c in required if c not in header]
                    if missing:
                        raise CalibrationError(
                            f"{src}:{reader.line_num}: {missing[0]}: missing column "
                            f"(need {', '.join(required)}; found {', '.join(h for h in header if h) or 'none'})")
                    continue
                line = reader.line_num
                if len(raw) > len(header) and any(c.strip() for c in raw[len(header):]):
                    raise CalibrationError(f"{src}:{line}: more values than columns "
                                           f"({len(raw)} values, {len(header)} columns)")
                rec = {}
                for col in tuple(required) + tuple(optional):
                    if col not in header:
                        continue
                    j = header.index(col)
                    val = raw[j] if j < len(raw) else None
                    try:
                        if col in required:
                            rec[col] = parsers[col](val)
                        else:
                            rec[col] = parsers[col](val) if val is not None and val.strip() else None
                    except _Bad as exc:
                        raise CalibrationError(f"{src}:{line}: {col}: {exc}") from None
                out.append(rec)
                out.lines.append(line)
        except UnicodeDecodeError:
            raise CalibrationError(f"{src}:{reader.line_num + 1}: not UTF-8 text") from None
        except csv.Error as exc:
            raise CalibrationError(f"{src}:{reader.line_num}: CSV syntax error: {exc}") from None
    if header is None:
        raise CalibrationError(f"{src}: the file is empty (need a header: {', '.join(required)})")
    if not out:
        raise CalibrationError(f"{src}: no data rows after the header")
    return out


def read_timings_csv(path) -> Rows:
    """Stopwatch records: columns visit, store, station, event, timestamp (ISO 8601 with offset)."""
    return _read_csv(path, ("visit", "store", "station", "event", "timestamp"), (),
                     {"visit": _text, "store": lambda v: "" if v is None else str(v).strip(),
                      "station": _text, "event": _text, "timestamp": _timestamp})


def read_traffic_csv(path) -> Rows:
    """Counts per 15 minutes: columns day (YYYY-MM-DD), slot_start (HH:MM), count; optional store.

    A (store, day, slot_start) that appears twice is an error at its second line.
    """
    rows = _read_csv(path, ("day", "slot_start", "count"), ("store",),
                     {"day": _day, "slot_start": _slot, "count": _count,
                      "store": lambda v: str(v).strip()})
    seen = {}
    for i, r in enumerate(rows):
        key = (r.get("store"), r["day"], r["slot_start"])
        if key in seen:
            raise CalibrationError(f"{rows.source}:{rows.lines[i]}: slot_start: {_hhmm(r['slot_start'])} "
                                   f"on {r['day']} already counted on line {seen[key]}")
        seen[key] = rows.lines[i]
        r["slot_start"] = _hhmm(r["slot_start"])
    return rows


def read_staffing_csv(path) -> Rows:
    """Servers per clock hour: columns hour (0-23), servers; optional store."""
    rows = _read_csv(path, ("hour", "servers"), ("store",),
                     {"hour": _hour, "servers": _servers, "store": lambda v: str(v).strip()})
    seen = {}
    for i, r in enumerate(rows):
        key = (r.get("store"), r["hour"])
        if key in seen:
            raise CalibrationError(f"{rows.source}:{rows.lines[i]}: hour: {r['hour']} "
                                   f"already given on line {seen[key]}")
        seen[key] = rows.lines[i]
    return rows


def read_ratings_csv(path) -> Rows:
    """Auditors' ratings: columns wait_min (>= 0), rating (1-5)."""
    return _read_csv(path, ("wait_min", "rating"), (), {"wait_min": _wait, "rating": _rating})


def _hhmm(minutes: float) -> str:
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def _field(rows, name, i, rec, col, parse):
    if not isinstance(rec, dict):
        raise CalibrationError(f"{_where(rows, name, i)}: must be a record with keys like {col}")
    if col not in rec:
        raise CalibrationError(f"{_where(rows, name, i)}: {col}: missing")
    try:
        return parse(rec[col])
    except _Bad as exc:
        raise CalibrationError(f"{_where(rows, name, i)}: {col}: {exc}") from None


# ----------------------------------------------------------------------------- service times


def _r(x, nd=4):
    return None if x is None else float(round(float(x), nd))


def fit_service_time(samples_min) -> dict:
    """Maximum-likelihood fits (location fixed at 0) of exponential, lognormal and gamma.

    Returns ``{"n", "chosen", "spec", "reason", "mean_min", "sd_min", "candidates": [{"dist",
    "params", "loglik", "aic", "delta_aic"}]}``; ``params`` are in the scenario format (mean and
    sd in minutes) and ``spec`` is the chosen ``service_min`` entry.  Lowest AIC wins.
    """
    x = np.asarray([float(v) for v in samples_min], dtype=float)
    if x.size < MIN_SERVICE_SAMPLES:
        raise CalibrationError(f"service times: need at least {MIN_SERVICE_SAMPLES} visits with both a "
                               f"start and an end mark (got {x.size})")
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise CalibrationError("service times: every sample must be a positive number of minutes")
    if np.ptp(x) <= 1e-9 * x.mean():
        raise CalibrationError("service times: all samples are equal; cannot fit a distribution")
    cands = []
    # exponential: scale = sample mean (closed form)
    m = float(x.mean())
    ll = float(np.sum(stats.expon.logpdf(x, scale=m)))
    cands.append({"dist": "exponential", "params": {"mean": _r(m)}, "k": 1, "loglik": ll})
    # lognormal: closed form with floc=0
    s, _, scale = stats.lognorm.fit(x, floc=0)
    ll = float(np.sum(stats.lognorm.logpdf(x, s, scale=scale)))
    lmean = scale * math.exp(s * s / 2)
    lsd = lmean * math.sqrt(math.expm1(s * s))
    cands.append({"dist": "lognormal", "params": {"mean": _r(lmean), "sd": _r(lsd)}, "k": 2, "loglik": ll,
                  "scipy": {"s": float(s), "scale": float(scale)}})
    # gamma: shape by MLE, scale = mean / shape
    a, _, gscale = stats.gamma.fit(x, floc=0)
    ll = float(np.sum(stats.gamma.logpdf(x, a, scale=gscale)))
    cands.append({"dist": "gamma", "params": {"mean": _r(a * gscale), "sd": _r(math.sqrt(a) * gscale)},
                  "k": 2, "loglik": ll, "scipy": {"a": float(a), "scale": float(gscale)}})
    for c in cands:
        c["aic"] = 2 * c.pop("k") - 2 * c["loglik"]
    best = min(cands, key=lambda c: c["aic"])
    for c in cands:
        c["delta_aic"] = c["aic"] - best["aic"]
        c["loglik"], c["aic"], c["delta_aic"] = _r(c["loglik"], 3), _r(c["aic"], 3), _r(c["delta_aic"], 3)
    runner_up = sorted(cands, key=lambda c: c["aic"])[1]
    reason = (f"{best['dist']} has the lowest AIC ({best['aic']:.1f}); next is {runner_up['dist']} "
              f"(+{runner_up['delta_aic']:.1f})")
    if runner_up["delta_aic"] < 2:
        reason += "; under 2 apart, so the data hardly tell them apart"
    return {"n": int(x.size), "chosen": best["dist"], "spec": {"dist": best["dist"], **best["params"]},
            "reason": reason, "mean_min": _r(m), "sd_min": _r(float(x.std(ddof=1))), "candidates": cands}


# ----------------------------------------------------------------------------- satisfaction


def default_wait_multiplier() -> float:
    """Perceived minutes per actual minute of the calibrated baseline's only queue.

    The baseline has the default experience settings: a pre-process wait
    (the first queue of the visit), nothing to occupy the customer, and no
    wait-length information shown.  The model multiplies actual waits by this
    factor before the satisfaction curve, so the curve is fitted on the same
    perceived minutes (1.15 x 1.0 x 1.1 = 1.265 with the default multipliers).
    """
    return wait_multiplier(True, Occupied(), False, DEFAULT_MULTIPLIERS)


def _pairs(pairs, name="ratings"):
    w, r = [], []
    for i, p in enumerate(pairs):
        if isinstance(p, dict):
            w.append(_field(pairs, name, i, p, "wait_min", _wait))
            r.append(_field(pairs, name, i, p, "rating", _rating))
        else:
            try:
                a, b = p
            except (TypeError, ValueError):
                raise CalibrationError(f"{_where(pairs, name, i)}: must be (wait_min, rating)") from None
            for col, v, f in (("wait_min", a, _wait), ("rating", b, _rating)):
                try:
                    (w if col == "wait_min" else r).append(f(v))
                except _Bad as exc:
                    raise CalibrationError(f"{_where(pairs, name, i)}: {col}: {exc}") from None
    return np.asarray(w, dtype=float), np.asarray(r, dtype=float)


def fit_satisfaction(pairs, *, multiplier: float | None = None) -> dict:
    """Least-squares fit of ``satisfaction_from_perceived``'s two parameters to ratings.

    ``pairs``: ``{"wait_min", "rating"}`` dicts or ``(wait_min, rating)`` tuples; actual
    waits in minutes, ratings 1-5 mapped to satisfaction ``(rating - 1) * 25``.  Waits are
    turned into perceived minutes with ``multiplier`` (default: the baseline's, see
    ``default_wait_multiplier``).  Returns ``{"n", "params": {"tolerance_min", "steepness"},
    "se", "multiplier", "bins": [{"wait_min", "observed", "fitted", "n"}], "rmse"}``.
    """
    w, r = _pairs(pairs)
    if w.size < MIN_RATINGS:
        raise CalibrationError(f"ratings: need at least {MIN_RATINGS} rated waits to fit the "
                               f"satisfaction curve (got {w.size})")
    if np.ptp(w) <= 0:
        raise CalibrationError("ratings: all waits are equal; the curve needs ratings at different waits")
    mult = float(multiplier) if multiplier is not None else default_wait_multiplier()
    if not (mult > 0 and math.isfinite(mult)):
        raise CalibrationError("ratings: multiplier must be a positive number")
    y = (r - 1.0) * 25.0
    p = w * mult

    def curve(theta):
        return satisfaction_from_perceived(p, {"tolerance_min": math.exp(theta[0]),
                                               "steepness": math.exp(theta[1])})

    def resid(theta):
        return np.atleast_1d(curve(theta)) - y

    lo, hi = np.log([1e-2, 1e-3]), np.log([1e3, 20.0])
    best = None
    pmax = float(p.max())
    for t0 in (0.25 * pmax, 0.5 * pmax, float(np.median(p)) or 0.5 * pmax, 5.0):
        for k0 in (0.2, 0.6, 2.0):
            x0 = np.clip(np.log([max(t0, 0.05), k0]), lo + 1e-9, hi - 1e-9)
            res = optimize.least_squares(resid, x0, bounds=(lo, hi), method="trf")
            if best is None or res.cost < best.cost:
                best = res
    T, k = (float(v) for v in np.exp(best.x))
    fitted = np.atleast_1d(curve(best.x))
    rmse = float(np.sqrt(np.mean((fitted - y) ** 2)))
    se = {"tolerance_min": None, "steepness": None}
    dof = w.size - 2
    if dof > 0:
        try:
            cov = np.linalg.inv(best.jac.T @ best.jac) * float(np.sum(best.fun ** 2)) / dof
            se = {"tolerance_min": _r(T * math.sqrt(cov[0, 0])), "steepness": _r(k * math.sqrt(cov[1, 1]))}
        except np.linalg.LinAlgError:
            pass
    width = nice_width(float(w.max()) / 10)
    idx = np.floor(w / width).astype(int)
    bins = []
    for b in np.unique(idx):
        sel = idx == b
        bins.append({"wait_min": _r(w[sel].mean(), 3), "observed": _r(y[sel].mean(), 2),
                     "fitted": _r(fitted[sel].mean(), 2), "n": int(sel.sum())})
    return {"n": int(w.size), "params": {"tolerance_min": _r(T), "steepness": _r(k)}, "se": se,
            "multiplier": _r(mult, 6), "bin_width_min": width, "bins": bins, "rmse": _r(rmse, 3)}


# ----------------------------------------------------------------------------- timings


def _warn(warnings: list, code: str, text: str, **params) -> None:
    """A warning both ways: ``code`` and ``params`` for an app to translate, ``text`` to read."""
    warnings.append({"code": code, "params": params, "text": text.format(**params)})


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
        from .scenario import scenario_to_yaml
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


# ----------------------------------------------------------------------------- fit check

_I_AFTER = TRACE_COLUMNS.index("after_warmup")
_I_OUTCOME = TRACE_COLUMNS.index("outcome")
_I_WAIT = TRACE_COLUMNS.index("wait_min")
_I_ARRIVAL = TRACE_COLUMNS.index("arrival_min")


def simulated_waits(scenario: Scenario, seed: int) -> list:
    """Waits (minutes, summed over stations) of the customers one replication served after
    the warm-up, from the engine's per-customer trace.  Module-level so that it pickles."""
    rows: list = []
    run_once(scenario, seed, trace=rows)
    return [r[_I_WAIT] for r in rows if r[_I_OUTCOME] == "served" and r[_I_AFTER]]


def simulated_waits_at(scenario: Scenario, seed: int) -> list:
    """(arrival minute, wait) of the customers one replication served after the warm-up."""
    rows: list = []
    run_once(scenario, seed, trace=rows)
    return [(r[_I_ARRIVAL], r[_I_WAIT]) for r in rows if r[_I_OUTCOME] == "served" and r[_I_AFTER]]


def fit_check(scenario, observed_waits_min, replications: int = 10, seed: int = 1,
              workers: int | None = None, executor=None, observed_at_min=None) -> dict:
    """Simulated vs observed waits: quantiles side by side and a two-sample KS test.

    ``observed_at_min`` (optional, one per observed wait): when each observed
    wait began, in minutes after time zero.  Auditors visit at chosen hours
    (often the peak), so the simulated customers are then weighted per hour
    of the day to match how the observations fall over the hours, and the
    comparison is like for like; the KS test uses the weighted distribution
    with Kish's effective sample size.

    Simulated waits are exact per-customer waits from the engine's trace (customers
    served before the horizon, after the warm-up; rounded to 0.0001 min by the trace),
    pooled over ``replications`` runs with the same per-replication seeds as
    ``run_scenario``.  ``workers`` as in ``run_scenario`` (None = all cores, 1 = serial);
    ``executor`` (e.g. a Dask client's) takes precedence.
    """
    if isinstance(scenario, dict):
        scenario = scenario_from_dict(scenario, source="scenario")
    obs = []
    for i, v in enumerate(observed_waits_min):
        try:
            obs.append(_wait(v))
        except _Bad as exc:
            raise CalibrationError(f"observed_waits_min[{i}]: {exc}") from None
    if not obs:
        raise CalibrationError("observed_waits_min: no observed waits to compare with")
    n = int(replications)
    if n < 1:
        raise CalibrationError("replications: must be >= 1")
    if observed_at_min is not None and len(observed_at_min) != len(obs):
        raise CalibrationError("observed_at_min: needs one time per observed wait")
    seeds = replication_seeds(int(seed), n)
    if executor is not None:
        parts = list(executor.map(simulated_waits_at, [scenario] * n, seeds))
    else:
        workers = workers or os.cpu_count() or 1
        if workers <= 1 or n <= 1:
            parts = [simulated_waits_at(scenario, s) for s in seeds]
        else:
            with cf.ProcessPoolExecutor(max_workers=min(workers, n)) as pool:
                parts = list(pool.map(simulated_waits_at, [scenario] * n, seeds))
    pairs = np.asarray([p for part in parts for p in part], dtype=float).reshape(-1, 2)
    sim, weights = pairs[:, 1], None
    o = np.asarray(obs, dtype=float)
    if observed_at_min is not None and sim.size:
        weights = _hour_weights(pairs[:, 0], np.asarray(observed_at_min, dtype=float))
    out = {"quantiles": [], "ks": {"statistic": None, "p_value": None}, "n_observed": int(o.size),
           "n_simulated": int(sim.size), "replications": n, "seed": int(seed),
           "mean": {"observed": _r(o.mean()), "simulated": _r(sim.mean()) if sim.size else None},
           "share_waiting": {"observed": _r(np.mean(o > 0), 3),
                             "simulated": _r(np.mean(sim > 0), 3) if sim.size else None},
           "source": "engine trace: every served customer's wait, pooled over replications"}
    if weights is not None:
        out["source"] += "; weighted per hour of the day like the observations"
        out["mean"]["simulated"] = _r(np.average(sim, weights=weights)) if weights.sum() else None
        out["share_waiting"]["simulated"] = _r(np.average(sim > 0, weights=weights), 3) if weights.sum() else None
    for q in QUANTILES:
        out["quantiles"].append({"q": q, "observed": _r(np.quantile(o, q)),
                                 "simulated": _r(_weighted_quantile(sim, weights, q)) if sim.size else None})
    if sim.size and weights is None:
        ks = stats.ks_2samp(o, sim)
        out["ks"] = {"statistic": _r(ks.statistic), "p_value": _r(ks.pvalue)}
    elif sim.size and weights.sum() > 0:
        out["ks"] = _weighted_ks(o, sim, weights)
    return out


def _hour_weights(sim_at: np.ndarray, obs_at: np.ndarray) -> np.ndarray:
    """Weights that give each hour of the day the share it has among the observations."""
    sim_hour, obs_hour = np.floor(sim_at / 60.0), np.floor(obs_at / 60.0)
    weights = np.zeros(sim_at.size)
    for hour in np.unique(obs_hour):
        in_hour = sim_hour == hour
        if in_hour.any():
            weights[in_hour] = np.mean(obs_hour == hour) / in_hour.sum()
    return weights


def _weighted_quantile(values: np.ndarray, weights, q: float) -> float:
    if weights is None:
        return float(np.quantile(values, q))
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    if cum[-1] <= 0:
        return float("nan")
    return float(values[order][min(np.searchsorted(cum, q * cum[-1]), values.size - 1)])


def _weighted_ks(obs: np.ndarray, sim: np.ndarray, weights: np.ndarray) -> dict:
    """Two-sample KS with a weighted simulated sample (Kish effective size for the p-value)."""
    grid = np.sort(np.concatenate([obs, sim]))
    f_obs = np.searchsorted(np.sort(obs), grid, side="right") / obs.size
    order = np.argsort(sim)
    cum = np.concatenate([[0.0], np.cumsum(weights[order])]) / weights.sum()
    f_sim = cum[np.searchsorted(sim[order], grid, side="right")]
    d = float(np.max(np.abs(f_obs - f_sim)))
    m_eff = weights.sum() ** 2 / np.sum(weights ** 2)
    n_eff = obs.size * m_eff / (obs.size + m_eff)
    return {"statistic": _r(d), "p_value": _r(float(stats.kstwobign.sf(d * math.sqrt(n_eff))))}
