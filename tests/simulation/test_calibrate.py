"""Calibration: recover known parameters from generated field data; located CSV errors; CLI.

Data are generated from known parameters with fixed seeds:
* service times gamma(mean 1.1, sd 0.5), a few hundred stopwatch visits;
* door counts Poisson per 15-minute slot, 60 days, a 4-level daily profile;
* ratings from a known logistic satisfaction curve (tolerance 6, steepness
  0.5 on perceived minutes) with randomised rounding to 1-5, which keeps the
  expected rating on the curve.
"""

import csv
import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulation import load_scenario, run_once, scenario_from_dict
from simulation.cli import main as cli_main
from simulation.calibrate import (Calibration, CalibrationError, calibrate, default_wait_multiplier,
                                  fit_check, fit_satisfaction, fit_service_time, read_ratings_csv,
                                  read_staffing_csv, read_timings_csv, read_traffic_csv,
                                  simulated_waits)
from simulation.experience import satisfaction_from_perceived
from simulation.runner import replication_seeds

ROOT = Path(__file__).resolve().parents[2]
TZ = dt.timezone(dt.timedelta(hours=9))
DAY0 = dt.date(2024, 3, 1)
# true arrival profile, per hour, from 08:00: blocks of (minutes, rate)
BLOCKS = [(0, 120, 40.0), (120, 300, 110.0), (300, 540, 70.0), (540, 720, 90.0)]
SHIFTS = [{"from_min": 0, "to_min": 120, "servers": 1}, {"from_min": 120, "to_min": 300, "servers": 3},
          {"from_min": 300, "to_min": 720, "servers": 2}]
TRUE = {"name": "truth", "horizon_min": 720, "warmup_min": 0, "replications": 10, "seed": 5,
        "arrivals": {"schedule": [{"from_min": a, "to_min": b, "rate_per_hour": r} for a, b, r in BLOCKS]},
        "stations": [{"name": "counter", "shifts": SHIFTS,
                      "service_min": {"dist": "gamma", "mean": 1.1, "sd": 0.5}}]}
STAFFING = [{"hour": h, "servers": 1 if h < 10 else 3 if h < 13 else 2} for h in range(8, 20)]


def gamma(rng, mean, sd, n):
    return rng.gamma((mean / sd) ** 2, sd ** 2 / mean, n)


def stamp(day, minutes):
    t = dt.datetime.combine(day, dt.time(8), TZ) + dt.timedelta(minutes=float(minutes))
    return t.isoformat()


def timing_records(arrive_min, waits, services, events=("queue_joined", "order_taken", "served")):
    recs = []
    for v, (a, w, s) in enumerate(zip(arrive_min, waits, services)):
        day = DAY0 + dt.timedelta(days=v % 60)
        for ev, t in zip(events, (a, a + w, a + w + s)):
            recs.append({"visit": f"v{v}", "store": "S1", "station": "counter", "event": ev,
                         "timestamp": stamp(day, t)})
    return recs


def poisson_traffic(rng, days=60):
    rows = []
    for d in range(days):
        day = (DAY0 + dt.timedelta(days=d)).isoformat()
        for j in range(48):
            rate = next(r for a, b, r in BLOCKS if a <= 15 * j < b)
            rows.append({"day": day, "slot_start": f"{8 + (15 * j) // 60:02d}:{(15 * j) % 60:02d}",
                         "count": int(rng.poisson(rate / 4))})
    return rows


def ratings(rng, n, T=6.0, k=0.5):
    w = rng.uniform(0, 15, n)
    x = 1 + satisfaction_from_perceived(w * default_wait_multiplier(),
                                        {"tolerance_min": T, "steepness": k}) / 25
    r = np.floor(x) + (rng.random(n) < x - np.floor(x))    # E[rating] = x exactly
    return [{"wait_min": float(a), "rating": int(min(b, 5))} for a, b in zip(w, r)]


def write_csv(path, rows, cols):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        wr = csv.DictWriter(fh, cols)
        wr.writeheader()
        wr.writerows(rows)
    return path


# ----------------------------------------------------------------------------- recovery


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(2024)
    n = 400
    svc = gamma(rng, 1.1, 0.5, n)
    waits = rng.exponential(2.0, n)
    waits[rng.random(n) < 0.3] = 0.0
    arrive = rng.uniform(0, 700, n)
    return {"timings": timing_records(arrive, waits, svc), "service": svc, "waits": waits,
            "traffic": poisson_traffic(rng), "ratings": ratings(rng, 600)}


@pytest.fixture(scope="module")
def calibrated(synthetic):
    return calibrate(synthetic["timings"], synthetic["traffic"], STAFFING, synthetic["ratings"],
                     replications=3, seed=2)


def test_service_time_mean_and_sd_recovered(calibrated):
    s = calibrated.report["service"]
    assert s["n"] == 400
    spec = calibrated.scenario["stations"][0]["service_min"]
    assert spec["dist"] == s["chosen"] in ("gamma", "lognormal")
    print("service: true mean 1.1 sd 0.5 -> recovered", spec)
    assert spec["mean"] == pytest.approx(1.1, rel=0.05)
    assert spec["sd"] == pytest.approx(0.5, rel=0.10)


def test_observed_waits_are_start_minus_arrive(calibrated, synthetic):
    got = np.array(calibrated.report["waits_min"])
    assert got.size == 400
    # timestamps keep microseconds here, so the waits come back to 4 decimals
    assert np.allclose(np.sort(got), np.sort(synthetic["waits"]), atol=1e-3)


def test_arrival_rates_recovered_from_60_days_of_counts(calibrated):
    a = calibrated.report["arrivals"]
    assert a["days"] == 60 and a["slots"] == 48 and a["open_time"] == "08:00"
    sched = calibrated.scenario["arrivals"]["schedule"]
    assert sched[0]["from_min"] == 0 and sched[-1]["to_min"] == 720
    assert calibrated.scenario["horizon_min"] == 720
    sc = scenario_from_dict(calibrated.scenario)
    for a0, b0, rate in BLOCKS:
        got = np.mean([sc.rate_at(t + 0.5) * 60 for t in range(a0, b0, 15)])
        print(f"block {a0}-{b0} min: true {rate}/h, recovered {got:.2f}/h")
        assert got == pytest.approx(rate, rel=0.03)
        for t in range(a0, b0, 15):
            # each slot: within 4 standard errors of a 60-day Poisson mean
            se = math.sqrt(rate / 4 / 60) * 4
            assert abs(sc.rate_at(t + 0.5) * 60 - rate) < 4 * se
    per_day = sum(r * (b - a) / 60 for a, b, r in BLOCKS)
    assert a["arrivals_per_day"] == pytest.approx(per_day, rel=0.02)


def test_schedule_pieces_merge_only_equal_adjacent_rates():
    rows = [{"day": f"2024-01-0{d}", "slot_start": s, "count": c}
            for d in (1, 2) for s, c in (("09:00", 5), ("09:15", 5), ("09:30", 6), ("10:00", 6))]
    cal = calibrate(_simple_timings(), rows, check=False)
    assert cal.scenario["arrivals"]["schedule"] == [
        {"from_min": 0, "to_min": 30, "rate_per_hour": 20.0},
        {"from_min": 30, "to_min": 45, "rate_per_hour": 24.0},
        {"from_min": 60, "to_min": 75, "rate_per_hour": 24.0},   # gap at 09:45 not bridged
    ]
    assert cal.scenario["horizon_min"] == 75


def test_staffing_becomes_merged_shifts(calibrated):
    assert calibrated.scenario["stations"][0]["shifts"] == SHIFTS
    assert calibrated.report["staffing"]["source"] == "staffing"


def test_staffing_relative_to_opening_and_clipped():
    traffic = [{"day": "2024-01-01", "slot_start": f"{h}:{m:02d}", "count": 3}
               for h in (9, 10) for m in (30, 45)] + [{"day": "2024-01-01", "slot_start": "10:00", "count": 3}]
    staffing = [{"hour": 8, "servers": 4}, {"hour": 9, "servers": 1}, {"hour": 10, "servers": 2},
                {"hour": 11, "servers": 2}]
    cal = calibrate(_simple_timings(), traffic, staffing, check=False)
    # opening 09:30, last slot 10:45 -> horizon 90; hour 8 is before opening, hour 9 -> [0, 30),
    # hour 10 -> [30, 90), hour 11 after closing
    assert cal.report["arrivals"]["open_time"] == "09:30" and cal.scenario["horizon_min"] == 90
    assert cal.scenario["stations"][0]["shifts"] == [{"from_min": 0, "to_min": 30, "servers": 1},
                                                     {"from_min": 30, "to_min": 90, "servers": 2}]


def warned(cal, code):
    """The one warning with this code (warnings carry a code for apps to translate)."""
    found = [w for w in cal.report["warnings"] if w["code"] == code]
    assert len(found) == 1, cal.report["warnings"]
    json.dumps(found[0])  # plain JSON, as the CLI prints it
    return found[0]


def test_missing_staffing_means_one_server_with_warning():
    cal = calibrate(_simple_timings(), _simple_traffic(), check=False)
    assert cal.scenario["stations"][0]["servers"] == 1
    assert cal.report["staffing"] == {"source": "assumed", "servers": 1, "shifts": None}
    assert warned(cal, "no_staffing") == {"code": "no_staffing", "params": {},
                                          "text": "no staffing given: 1 server assumed all day"}


def test_staffing_gap_while_customers_arrive_is_warned():
    staffing = [{"hour": 9, "servers": 2}]
    traffic = [{"day": "2024-01-01", "slot_start": s, "count": 4} for s in ("09:00", "09:45", "10:00")]
    cal = calibrate(_simple_timings(), traffic, staffing, check=False)
    w = warned(cal, "uncovered_slots")
    assert w["params"] == {"n": 1, "first": "10:00"}   # the 10:00 slot has arrivals and no staff
    assert w["text"].startswith("no server on duty in 1 slots with arrivals (first at 10:00)")


def test_satisfaction_curve_recovered(calibrated):
    sat = calibrated.report["satisfaction"]
    print("satisfaction: true tolerance 6 steepness 0.5 ->", sat["params"], "se", sat["se"],
          "rmse", sat["rmse"])
    assert sat["n"] == 600
    assert sat["params"]["tolerance_min"] == pytest.approx(6.0, rel=0.05)
    assert sat["params"]["steepness"] == pytest.approx(0.5, rel=0.08)
    assert calibrated.scenario["experience"] == {"satisfaction": sat["params"]}
    assert sat["multiplier"] == pytest.approx(1.15 * 1.36 * 1.1)   # pre-process x idle (Larson 1987) x unknown
    bins = sat["bins"]
    assert sum(b["n"] for b in bins) == 600
    for b in bins:
        assert set(b) == {"wait_min", "observed", "fitted", "n"}
        assert abs(b["observed"] - b["fitted"]) < 8
    assert 0 < sat["rmse"] < 15


def test_fit_satisfaction_accepts_tuples_and_dicts_alike():
    rng = np.random.default_rng(5)
    recs = ratings(rng, 300, T=4.0, k=0.9)
    fit = fit_satisfaction([(p["wait_min"], p["rating"]) for p in recs])
    assert fit == fit_satisfaction(recs)
    print("satisfaction: true tolerance 4 steepness 0.9 ->", fit["params"])
    assert fit["params"]["tolerance_min"] == pytest.approx(4.0, rel=0.08)
    assert fit["params"]["steepness"] == pytest.approx(0.9, rel=0.15)
    # another multiplier rescales the tolerance (perceived minutes), not the data
    fit2 = fit_satisfaction(recs, multiplier=1.0)
    assert fit2["params"]["tolerance_min"] == pytest.approx(
        fit["params"]["tolerance_min"] / default_wait_multiplier(), rel=1e-3)


def test_too_few_ratings_keep_default_curve_with_warning():
    cal = calibrate(_simple_timings(), _simple_traffic(), ratings=[{"wait_min": 1, "rating": 5}], check=False)
    assert cal.report["satisfaction"] is None and "experience" not in cal.scenario
    assert warned(cal, "few_ratings")["params"] == {"n": 1}
    with pytest.raises(CalibrationError, match="at least"):
        fit_satisfaction([(1, 5), (2, 4)])


@pytest.mark.parametrize("family,make,n", [
    ("gamma", lambda r, n: gamma(r, 1.1, 0.5, n), 2000),
    ("lognormal", lambda r, n: r.lognormal(math.log(1.0) - 0.5 * math.log(1.64), math.sqrt(math.log(1.64)), n), 2000),
    ("exponential", lambda r, n: r.exponential(1.5, n), 1000),
])
def test_aic_picks_the_generating_family(family, make, n):
    # exponential is gamma with shape 1; AIC prefers the 1-parameter model unless the data
    # clearly need a shape (about 84 % of samples): the seed is fixed, not searched for luck
    fit = fit_service_time(make(np.random.default_rng(7), n))
    assert fit["chosen"] == family, fit["reason"]
    assert family in fit["reason"]
    by = {c["dist"]: c for c in fit["candidates"]}
    assert set(by) == {"exponential", "lognormal", "gamma"}
    for c in fit["candidates"]:
        k = 1 if c["dist"] == "exponential" else 2
        assert c["aic"] == pytest.approx(2 * k - 2 * c["loglik"], abs=0.01)
        assert c["delta_aic"] >= 0
    assert by[family]["delta_aic"] == 0
    assert fit["spec"]["dist"] == family
    scenario_from_dict({"arrivals": {"rate_per_hour": 1},
                        "stations": [{"name": "s", "servers": 1, "service_min": fit["spec"]}]})


def test_lognormal_params_are_mean_and_sd_of_the_times():
    x = np.random.default_rng(3).lognormal(0.0, 0.5, 5000)
    fit = fit_service_time(x)
    by = {c["dist"]: c for c in fit["candidates"]}
    assert by["lognormal"]["params"]["mean"] == pytest.approx(math.exp(0.125), rel=0.02)
    assert by["lognormal"]["params"]["sd"] == pytest.approx(math.exp(0.125) * math.sqrt(math.exp(0.25) - 1), rel=0.05)


def test_fit_service_time_rejects_bad_samples():
    with pytest.raises(CalibrationError, match="at least"):
        fit_service_time([1.0, 2.0])
    with pytest.raises(CalibrationError, match="positive"):
        fit_service_time([1.0, 2.0, 0.0, 1.0, 3.0])
    with pytest.raises(CalibrationError, match="equal"):
        fit_service_time([1.0] * 10)


def test_event_roles_and_missing_roles():
    recs = timing_records([0, 10, 20, 30, 40, 50], [1, 2, 0, 1, 2, 3], [1, 1.5, 2, 1, 0.5, 1],
                          events=("in", "go", "out"))
    recs.append({"visit": "lone", "store": "S1", "station": "counter", "event": "in",
                 "timestamp": stamp(DAY0, 5)})
    recs.append({"visit": "v0", "store": "S1", "station": "counter", "event": "photo",
                 "timestamp": stamp(DAY0, 5)})   # unknown events are ignored
    with pytest.raises(CalibrationError, match="no records with a known event"):
        calibrate(recs, _simple_traffic())
    cal = calibrate(recs, _simple_traffic(), check=False,
                    event_roles={"arrive": ("in",), "start": ("go",), "end": ("out",)})
    assert cal.report["service"]["n"] == 6 and len(cal.report["waits_min"]) == 6
    assert cal.report["visits"] == 7
    drop_end = [r for r in recs if not (r["event"] == "out" and r["visit"] == "v1")]
    cal = calibrate(drop_end, _simple_traffic(), check=False,
                    event_roles={"arrive": "in", "start": "go", "end": "out"})
    assert cal.report["service"]["n"] == 5 and len(cal.report["waits_min"]) == 6


def test_calibrate_needs_traffic_and_service_times():
    with pytest.raises(CalibrationError, match="traffic: counts per 15 minutes are needed"):
        calibrate(_simple_timings())
    with pytest.raises(CalibrationError, match="need at least 5"):
        calibrate(_simple_timings()[:6], _simple_traffic())
    with pytest.raises(CalibrationError, match=r"timings\[2\]: timestamp: not an ISO 8601 time"):
        recs = _simple_timings()
        recs[2] = dict(recs[2], timestamp="yesterday")
        calibrate(recs, _simple_traffic())
    with pytest.raises(CalibrationError, match=r"timings\[0\]: timestamp: .*UTC offset"):
        recs = _simple_timings()
        recs[0] = dict(recs[0], timestamp="2024-03-01T10:00:00")
        calibrate(recs, _simple_traffic())
    with pytest.raises(CalibrationError, match=r"traffic\[1\]: count: must be a count >= 0"):
        calibrate(_simple_timings(), [{"day": "2024-01-01", "slot_start": "09:00", "count": 1},
                                      {"day": "2024-01-01", "slot_start": "09:15", "count": -1}])
    with pytest.raises(CalibrationError, match=r"traffic\[1\]: slot_start: 09:00 on 2024-01-01 is counted twice"):
        calibrate(_simple_timings(), [{"day": "2024-01-01", "slot_start": "09:00", "count": 1}] * 2)


def test_calibration_is_frozen_and_json_ready(calibrated):
    assert isinstance(calibrated, Calibration)
    with pytest.raises(Exception):
        calibrated.scenario = {}
    json.dumps(calibrated.report, allow_nan=False)
    rep = calibrated.report
    assert set(rep) >= {"service", "waits_min", "arrivals", "staffing", "satisfaction", "warnings", "fit_check"}
    assert set(rep["service"]) >= {"n", "chosen", "candidates", "mean_min"}
    assert set(rep["arrivals"]) >= {"slots", "days", "schedule"}
    for c in rep["service"]["candidates"]:
        assert set(c) >= {"dist", "params", "loglik", "aic"}
    sc = scenario_from_dict(calibrated.scenario)
    assert [s.name for s in sc.stations] == ["counter"] and sc.replications == 3 and sc.seed == 2


# ----------------------------------------------------------------------------- fit check


SMALL = {"name": "small", "horizon_min": 480, "warmup_min": 30, "replications": 4, "seed": 3,
         "arrivals": {"rate_per_hour": 70},
         "stations": [{"name": "counter", "servers": 2, "service_min": {"dist": "gamma", "mean": 1.3, "sd": 0.6}}]}


def observed_from(spec, n, seeds=range(900, 920)):
    # auditors' visits are spread over many days, so sample across 20 simulated days
    sc = scenario_from_dict(spec)
    pool = np.concatenate([simulated_waits(sc, s) for s in seeds])
    return np.random.default_rng(1).choice(pool, n, replace=False).tolist()


def test_fit_check_on_a_self_consistent_baseline_has_small_ks():
    obs = observed_from(SMALL, 300)
    fc = fit_check(SMALL, obs, replications=6, seed=4, workers=1)
    print("self-consistent fit check:", fc["ks"], fc["quantiles"])
    assert fc["n_observed"] == 300 and fc["n_simulated"] > 3000
    assert [q["q"] for q in fc["quantiles"]] == [0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
    assert fc["ks"]["statistic"] < 0.08 and fc["ks"]["p_value"] > 0.05
    for q in fc["quantiles"][3:]:
        assert q["simulated"] == pytest.approx(q["observed"], rel=0.35, abs=0.1)


def test_fit_check_flags_a_wrong_baseline():
    wrong = json.loads(json.dumps(SMALL))
    wrong["stations"][0]["service_min"]["mean"] = 1.6      # utilisation 0.76 -> 0.93
    fc = fit_check(scenario_from_dict(wrong), observed_from(SMALL, 300), replications=4, seed=4, workers=1)
    assert fc["ks"]["statistic"] > 0.2 and fc["ks"]["p_value"] < 1e-4


def test_fit_check_parallel_equals_serial_and_rejects_bad_waits():
    obs = observed_from(SMALL, 50)
    a = fit_check(SMALL, obs, replications=3, seed=9, workers=1)
    b = fit_check(SMALL, obs, replications=3, seed=9, workers=2)
    assert a == b
    with pytest.raises(CalibrationError, match=r"observed_waits_min\[1\]"):
        fit_check(SMALL, [1.0, -2.0], replications=1)
    with pytest.raises(CalibrationError, match="no observed waits"):
        fit_check(SMALL, [], replications=1)


def test_end_to_end_from_simulated_field_data():
    """60 simulated days of a known store: counts from every arrival, stopwatch marks of 400
    served customers; the calibrated baseline should look like the true store."""
    sc = scenario_from_dict(TRUE)
    rng = np.random.default_rng(11)
    traffic, pool = [], []
    for i, s in enumerate(replication_seeds(123, 60)):
        rows = []
        run_once(sc, s, trace=rows)
        day = DAY0 + dt.timedelta(days=i)
        counts = np.bincount((np.array([r[2] for r in rows]) // 15).astype(int), minlength=48)
        traffic += [{"day": day.isoformat(), "slot_start": f"{8 + j * 15 // 60:02d}:{j * 15 % 60:02d}",
                     "count": int(counts[j])} for j in range(48)]
        pool += [(day, r) for r in rows if r[4] == "served"]
    timings = []
    for v, k in enumerate(rng.choice(len(pool), 400, replace=False)):
        day, r = pool[k]
        for ev, t in (("queue_joined", r[2]), ("order_taken", r[2] + r[5]), ("served", r[2] + r[6])):
            ts = dt.datetime.combine(day, dt.time(8), TZ) + dt.timedelta(minutes=t)
            timings.append({"visit": v, "store": "S1", "station": "counter", "event": ev,
                            "timestamp": ts.replace(microsecond=0).isoformat()})   # whole seconds, as the app stores
    cal = calibrate(timings, traffic, STAFFING, replications=10, seed=1)
    got = scenario_from_dict(cal.scenario)
    print("end to end: service", cal.report["service"]["spec"], "fit check", cal.report["fit_check"]["ks"])
    assert cal.report["service"]["spec"]["mean"] == pytest.approx(1.1, rel=0.06)
    for a0, b0, rate in BLOCKS:
        assert np.mean([got.rate_at(t + 0.5) * 60 for t in range(a0, b0, 15)]) == pytest.approx(rate, rel=0.03)
    assert cal.scenario["stations"][0]["shifts"] == SHIFTS
    fc = cal.report["fit_check"]
    assert fc["n_observed"] == 400
    # queue waits amplify the few-percent error of the service mean; still the same shape
    assert fc["ks"]["statistic"] < 0.15


# ----------------------------------------------------------------------------- CSV errors


def _simple_timings():
    return timing_records([10 * i for i in range(8)], [0.5, 1, 0, 2, 1.5, 0, 1, 3],
                          [1.0, 1.2, 0.8, 1.5, 0.9, 1.1, 1.3, 0.7])


def _simple_traffic():
    return [{"day": f"2024-01-0{d}", "slot_start": s, "count": c}
            for d in (1, 2) for s, c in (("09:00", 5), ("09:15", 7), ("09:30", 6))]


TIMING_COLS = ["visit", "store", "station", "event", "timestamp"]


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


T_OK = ("visit,store,station,event,timestamp\n"
        "1,S1,counter,queue_joined,2024-03-01T10:00:00+09:00\n")


@pytest.mark.parametrize("reader,name,text,expected", [
    (read_timings_csv, "t.csv", T_OK + "2,S1,counter,arrive,10 o'clock\n",
     "t.csv:3: timestamp: not an ISO 8601 time"),
    (read_timings_csv, "t.csv", T_OK + "2,S1,counter,arrive,2024-03-01T10:00:00\n",
     "t.csv:3: timestamp: ISO 8601 time without a UTC offset"),
    (read_timings_csv, "t.csv", T_OK + "\n\n,S1,counter,arrive,2024-03-01T10:00:00Z\n",
     "t.csv:5: visit: missing value"),                       # blank lines still count
    (read_timings_csv, "t.csv", T_OK + "2,S1,counter,arrive\n", "t.csv:3: timestamp: missing value"),
    (read_timings_csv, "t.csv", T_OK + "2,S1,counter,arrive,2024-03-01T10:00:00Z,x\n",
     "t.csv:3: more values than columns"),
    (read_timings_csv, "t.csv", "visit,store,station,event\n1,S1,c,arrive\n", "t.csv:1: timestamp: missing column"),
    (read_timings_csv, "t.csv", "visit,visit,store,station,event,timestamp\n", "t.csv:1: visit: duplicate column"),
    (read_timings_csv, "t.csv", "", "t.csv: the file is empty"),
    (read_timings_csv, "t.csv", "visit,store,station,event,timestamp\n", "t.csv: no data rows"),
    (read_traffic_csv, "tr.csv", "day,slot_start,count\n2024-01-01,09:00,3\n2024-01-32,09:15,3\n",
     "tr.csv:3: day: not a valid calendar day"),
    (read_traffic_csv, "tr.csv", "day,slot_start,count\n01/02/2024,09:00,3\n", "tr.csv:2: day: not a day as YYYY-MM-DD"),
    (read_traffic_csv, "tr.csv", "day,slot_start,count\n2024-01-01,9h,3\n", "tr.csv:2: slot_start: not a time as HH:MM"),
    (read_traffic_csv, "tr.csv", "day,slot_start,count\n2024-01-01,09:10,3\n",
     "tr.csv:2: slot_start: must start a 15-minute slot"),
    (read_traffic_csv, "tr.csv", "day,slot_start,count\n2024-01-01,25:00,3\n", "tr.csv:2: slot_start: not a valid time"),
    (read_traffic_csv, "tr.csv", "day,slot_start,count\n2024-01-01,09:00,-3\n", "tr.csv:2: count: must be a count >= 0"),
    (read_traffic_csv, "tr.csv", "day,slot_start,count\n2024-01-01,09:00,many\n", "tr.csv:2: count: must be a count"),
    (read_traffic_csv, "tr.csv", "day,slot_start,count\n2024-01-01,09:00,3\n2024-01-01,09:00,4\n",
     "tr.csv:3: slot_start: 09:00 on 2024-01-01 already counted on line 2"),
    (read_traffic_csv, "tr.csv", "day,count\n2024-01-01,3\n", "tr.csv:1: slot_start: missing column"),
    (read_staffing_csv, "s.csv", "hour,servers\n9,2\n24,2\n", "s.csv:3: hour: must be an hour from 0 to 23"),
    (read_staffing_csv, "s.csv", "hour,servers\n9,1.5\n", "s.csv:2: servers: must be a whole number"),
    (read_staffing_csv, "s.csv", "hour,servers\n9,-1\n", "s.csv:2: servers: must be a whole number"),
    (read_staffing_csv, "s.csv", "hour,servers\n9,2\n9,3\n", "s.csv:3: hour: 9 already given on line 2"),
    (read_ratings_csv, "r.csv", "wait_min,rating\n2,3\n3,6\n", "r.csv:3: rating: must be a rating from 1 to 5"),
    (read_ratings_csv, "r.csv", "wait_min,rating\n-1,3\n", "r.csv:2: wait_min: must be a wait in minutes >= 0"),
    (read_ratings_csv, "r.csv", "wait_min,rating\nnan,3\n", "r.csv:2: wait_min: must be a wait"),
    (read_ratings_csv, "r.csv", "wait_min,rating\n\"2,3\n", "r.csv:"),     # unterminated quote
])
def test_csv_errors_are_located_on_one_line(tmp_path, reader, name, text, expected):
    p = _write(tmp_path, name, text)
    with pytest.raises(CalibrationError) as ei:
        reader(p)
    msg = ei.value.message
    assert msg.startswith(expected), msg
    assert "\n" not in msg and str(ei.value) == msg
    assert isinstance(ei.value, ValueError)


def test_missing_file_and_bad_encoding(tmp_path):
    with pytest.raises(CalibrationError, match=r"nope\.csv: file not found"):
        read_timings_csv(tmp_path / "nope.csv")
    p = tmp_path / "latin.csv"
    p.write_bytes(b"wait_min,rating\n1,3\n2,4\xff\n")
    with pytest.raises(CalibrationError, match=r"latin\.csv:\d+: not UTF-8"):
        read_ratings_csv(p)
    with pytest.raises(CalibrationError, match="is a directory"):
        read_ratings_csv(tmp_path)


def test_readers_accept_bom_case_spaces_and_optional_store(tmp_path):
    p = tmp_path / "tr.csv"
    p.write_bytes("\ufeffDay , Slot_Start,COUNT,store\n2024-01-01, 09:00 ,3,A\n2024-01-01,09:00,4,B\n"
                  .encode("utf-8"))
    rows = read_traffic_csv(p)
    assert [(r["day"], r["slot_start"], r["count"], r["store"]) for r in rows] == [
        (dt.date(2024, 1, 1), "09:00", 3.0, "A"), (dt.date(2024, 1, 1), "09:00", 4.0, "B")]
    # two stores in one file: calibrate wants one (the caller filters); located at the second row
    with pytest.raises(CalibrationError, match=r"tr\.csv:3: slot_start: 09:00 on 2024-01-01 is counted twice"):
        calibrate(_simple_timings(), rows)
    t = read_timings_csv(_write(tmp_path, "t.csv", T_OK.replace("+09:00", "Z")))
    assert t[0]["timestamp"] == dt.datetime(2024, 3, 1, 10, tzinfo=dt.timezone.utc)
    assert t.lines == [2] and t.source == "t.csv"


# ----------------------------------------------------------------------------- CLI


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture
def field_csvs(tmp_path, synthetic):
    write_csv(tmp_path / "timings.csv", synthetic["timings"], TIMING_COLS)
    write_csv(tmp_path / "traffic.csv", synthetic["traffic"], ["day", "slot_start", "count"])
    write_csv(tmp_path / "staffing.csv", STAFFING, ["hour", "servers"])
    write_csv(tmp_path / "ratings.csv", synthetic["ratings"], ["wait_min", "rating"])
    return tmp_path


def test_cli_calibrate_writes_a_loadable_baseline(field_csvs):
    d = field_csvs
    r = cli("calibrate", d / "timings.csv", "--traffic", d / "traffic.csv", "--staffing", d / "staffing.csv",
            "--ratings", d / "ratings.csv", "--out", d / "base.yaml", "--replications", "3", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    sc = load_scenario(d / "base.yaml")
    assert sc.spec == scenario_from_dict(out["scenario"]).spec
    assert out["report"]["service"]["chosen"] == sc.stations[0].service.to_spec()["dist"]
    assert out["report"]["fit_check"]["n_observed"] == 400
    assert (d / "base.yaml").read_text().startswith("# Calibrated from timings.csv")
    r = cli("run", d / "base.yaml", "--replications", "2", "--workers", "1", "--json")
    assert r.returncode == 0, r.stderr


def test_cli_calibrate_readable_report(field_csvs, capsys):
    d = field_csvs
    assert cli_main(["calibrate", str(d / "timings.csv"), "--traffic", str(d / "traffic.csv"),
                     "--ratings", str(d / "ratings.csv"), "--out", str(d / "b2.yaml"),
                     "--replications", "2"]) == 0
    out = capsys.readouterr().out
    for text in ("<- chosen", "1 server assumed", "Satisfaction curve (600 ratings", "KS D =", "Warnings:"):
        assert text in out
    assert load_scenario(d / "b2.yaml").stations[0].shifts[0].servers == 1


def test_cli_calibrate_bad_input_exit_2_one_line(field_csvs):
    d = field_csvs
    lines = (d / "traffic.csv").read_text().splitlines()
    lines[7] = "2024-03-01,08:30,lots"
    (d / "bad.csv").write_text("\n".join(lines) + "\n")
    r = cli("calibrate", d / "timings.csv", "--traffic", d / "bad.csv", "--out", d / "x.yaml")
    assert r.returncode == 2
    assert r.stderr.strip() == "bad.csv:8: count: must be a count >= 0"
    assert not (d / "x.yaml").exists()
    r = cli("calibrate", d / "timings.csv", "--out", d / "x.yaml")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "--traffic" in r.stderr


def test_cli_calibrate_more_exit_2_paths(field_csvs, capsys):
    d = field_csvs
    assert cli_main(["calibrate", str(d / "missing.csv"), "--traffic", str(d / "traffic.csv"),
                     "--out", str(d / "x.yaml")]) == 2
    assert capsys.readouterr().err.strip().endswith("missing.csv: file not found")
    assert cli_main(["calibrate", str(d / "timings.csv"), "--traffic", str(d / "traffic.csv"),
                     "--out", str(d / "no-such-dir" / "x.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "x.yaml" in err
    with pytest.raises(SystemExit) as ei:       # argparse: no --out
        cli_main(["calibrate", str(d / "timings.csv"), "--traffic", str(d / "traffic.csv")])
    assert ei.value.code == 2 and "--out" in capsys.readouterr().err


def test_fit_check_compares_like_for_like_when_told_when_waits_began():
    """Auditors who come at the peak see longer waits than the day's average; told
    when each observed wait began, the fit check weighs the simulated day the same way."""
    from simulation.calibrate import simulated_waits_at
    peak_day = {
        "name": "peak", "horizon_min": 360, "warmup_min": 0, "replications": 4, "seed": 2,
        "arrivals": {"schedule": [{"from_min": 0, "to_min": 120, "rate_per_hour": 40},
                                  {"from_min": 120, "to_min": 240, "rate_per_hour": 110},
                                  {"from_min": 240, "to_min": 360, "rate_per_hour": 40}]},
        "stations": [{"name": "counter", "servers": 2,
                      "service_min": {"dist": "exponential", "mean": 1.0}}]}
    scenario = scenario_from_dict(peak_day)
    # "observed": like auditors, a few peak-hour customers on each of many days
    rng = np.random.default_rng(5)
    seen = []
    for seed in range(100, 140):
        peak = [(a, w) for a, w in simulated_waits_at(scenario, seed) if 120 <= a < 240]
        seen += [peak[i] for i in rng.choice(len(peak), size=4, replace=False)]
    waits, began = [w for _, w in seen], [a for a, _ in seen]
    pooled = fit_check(scenario, waits, replications=6, seed=4, workers=1)
    matched = fit_check(scenario, waits, replications=6, seed=4, workers=1, observed_at_min=began)
    assert matched["ks"]["statistic"] < pooled["ks"]["statistic"]
    assert matched["ks"]["p_value"] > 0.01 > pooled["ks"]["p_value"]
    assert matched["mean"]["simulated"] > pooled["mean"]["simulated"]
    assert "weighted per hour" in matched["source"]


def test_fit_check_needs_one_time_per_wait():
    with pytest.raises(CalibrationError, match="observed_at_min"):
        fit_check(SMALL, [1.0, 2.0], replications=1, workers=1, observed_at_min=[5.0])
