"""Store features: thinning, classes and routes, priority, groups, slots, shifts, memory."""

import tracemalloc

import numpy as np
import pytest

from simulation import run_once, run_scenario

from .helpers import make, station


def test_thinning_catches_a_short_peak():
    # nothing all day except a 2-minute burst at 600/h: expect 20 arrivals per day
    sc = make([station(servers=50, mean=0.1)], horizon=600, reps=40, seed=2,
              arrivals={"schedule": [{"from_min": 0, "to_min": 300, "rate_per_hour": 0},
                                     {"from_min": 300, "to_min": 302, "rate_per_hour": 600},
                                     {"from_min": 302, "to_min": 600, "rate_per_hour": 0}]})
    r = run_scenario(sc, workers=1)
    counts = [p["arrived"] for p in r["per_replication"]]
    m, s = np.mean(counts), np.std(counts, ddof=1)
    half = 2.02 * s / np.sqrt(len(counts))
    assert m - half <= 20 <= m + half
    assert np.var(counts, ddof=1) == pytest.approx(20, rel=0.6)     # Poisson: variance = mean


def test_time_varying_rate_follows_the_schedule():
    sc = make([station(servers=40, mean=0.1)], horizon=600, reps=10, seed=3,
              arrivals={"schedule": [{"from_min": 0, "to_min": 60, "rate_per_hour": 120},
                                     {"from_min": 60, "to_min": 120, "rate_per_hour": 30}],
                        "cycle_min": 120})
    r = run_scenario(sc, workers=1)
    expected = 5 * (120 + 30)                                  # five 2-hour cycles
    assert abs(r["arrived"] - expected) < 4 * np.sqrt(expected / 10)


def test_members_skip_a_station():
    sc = make([station("counter", servers=3, mean=2.0), station("keys", servers=2, mean=0.5)],
              rate_per_hour=60, horizon=2000, reps=6, seed=4,
              customers={"classes": [{"name": "member", "share": 0.3, "skip": ["counter"]},
                                     {"name": "walk-in", "share": 0.7}]})
    r = run_scenario(sc, workers=1)
    share_counter = r["stations"]["counter"]["served"] / r["stations"]["keys"]["served"]
    assert share_counter == pytest.approx(0.7, abs=0.03)
    members = r["classes"]["member"]
    assert members["arrived"] / r["arrived"] == pytest.approx(0.3, abs=0.03)
    # members only queue at the fast keys station
    assert members["wait_min"]["mean"] < r["classes"]["walk-in"]["wait_min"]["mean"]
    assert members["wait_min"]["mean"] == pytest.approx(r["stations"]["keys"]["wait_min"]["mean"], abs=0.1)


def test_express_lane_with_class_specific_service():
    sc = make([station("express", servers=1, mean=0.5), station("regular", servers=2, mean=2.0)],
              rate_per_hour=60, horizon=2000, reps=4, seed=5,
              customers={"classes": [
                  {"name": "small basket", "share": 0.4, "route": ["express"]},
                  {"name": "big basket", "share": 0.6, "route": ["regular"],
                   "service_min": {"regular": {"dist": "exponential", "mean": 1.5}}}]})
    r = run_scenario(sc, workers=1)
    assert r["stations"]["express"]["served"] / r["served"] == pytest.approx(0.4, abs=0.03)
    # regular station: lambda 0.6/min, override mean 1.5 -> utilization 0.45 (not 0.6 with the default)
    assert r["stations"]["regular"]["utilization"] == pytest.approx(0.45, abs=0.03)


def test_priority_class_waits_less():
    sc = make([station(servers=1, mean=1.0)], rate_per_hour=51, horizon=3000, reps=6, seed=6,
              customers={"classes": [{"name": "vip", "share": 0.2, "priority": 0},
                                     {"name": "regular", "share": 0.8, "priority": 1}]})
    r = run_scenario(sc, workers=1)
    lam, mu = 51 / 60, 1.0
    rho, l1 = lam / mu, 0.2 * lam / mu
    w0 = rho / mu                                # mean residual work, exponential service
    # non-preemptive priority M/M/1 (Cobham): W_k = W0 / ((1 - s_{k-1})(1 - s_k))
    assert r["classes"]["vip"]["wait_min"]["mean"] == pytest.approx(w0 / (1 - l1), rel=0.15)
    assert r["classes"]["regular"]["wait_min"]["mean"] == pytest.approx(w0 / ((1 - l1) * (1 - rho)), rel=0.15)


def test_groups_arrive_together():
    sc = make([station(servers=20, mean=0.5)], horizon=3000, reps=4, seed=7,
              arrivals={"rate_per_hour": 30, "group_size": {"dist": "empirical", "values": [1, 2, 3]}})
    r = run_scenario(sc, workers=1)
    assert r["arrived"] / 3000 == pytest.approx(0.5 * 2, rel=0.05)


def test_appointments_slots_and_no_shows():
    sc = make([station(servers=2, mean=1.0)], horizon=600, reps=10, seed=8,
              arrivals={"appointments": {"start_min": 0, "end_min": 600, "every_min": 10,
                                         "per_slot": 2, "no_show_prob": 0.25}})
    r = run_scenario(sc, workers=1)
    assert r["arrived"] == pytest.approx(60 * 2 * 0.75, rel=0.08)
    counts = {p["arrived"] for p in r["per_replication"]}
    assert len(counts) > 1                           # no-shows are random


def test_shifts_staff_hours_and_an_unstaffed_gap():
    shifts = [{"from_min": 0, "to_min": 100, "servers": 2}, {"from_min": 150, "to_min": 300, "servers": 3}]
    sc = make([{"name": "till", "shifts": shifts, "service_min": {"dist": "exponential", "mean": 1}}],
              rate_per_hour=60, horizon=300, reps=6, seed=9)
    r = run_scenario(sc, workers=1)
    assert r["stations"]["till"]["staff_hours"] == pytest.approx((2 * 100 + 3 * 150) / 60)
    assert r["staff_hours"] == r["stations"]["till"]["staff_hours"]
    # customers arriving in the gap wait until 150: about 50 people queue up
    assert r["wait_min"]["p95"] > 15
    assert r["stations"]["till"]["queue_length_mean"] > 3


def test_cyclic_shifts_repeat():
    shifts = [{"from_min": 0, "to_min": 30, "servers": 1}, {"from_min": 30, "to_min": 60, "servers": 3}]
    sc = make([{"name": "till", "shifts": shifts, "cycle_min": 60,
                "service_min": {"dist": "exponential", "mean": 1}}], rate_per_hour=30, horizon=600, reps=2)
    r = run_scenario(sc, workers=1)
    assert r["stations"]["till"]["staff_hours"] == pytest.approx(10 * (30 + 90) / 60)


def test_balk_probability():
    sc = make([station(servers=1, mean=1.0)], rate_per_hour=54, horizon=2000, reps=4, seed=10,
              customers={"balk_probability": [{"queue_length": 0, "probability": 0.5}]})
    r = run_scenario(sc, workers=1)
    # half of those who would wait leave: lost rate is between 0 and 0.5 and positive
    assert 0.1 < r["lost_rate"]["mean"] < 0.5
    assert r["reneged"] == 0


def test_no_reneging_at_stations_that_forbid_it():
    sc = make([station("order", servers=1, mean=1.0), station("pickup", servers=1, mean=0.95, allow_reneging=False)],
              rate_per_hour=54, horizon=1000, reps=3, seed=11,
              customers={"patience_min": {"dist": "exponential", "mean": 0.5}})
    r = run_scenario(sc, workers=1)
    assert r["reneged"] > 0
    assert r["stations"]["pickup"]["served"] == pytest.approx(r["stations"]["order"]["served"], abs=3)


def test_histogram_counts_all_served_waits():
    sc = make([station(servers=2, mean=1.0)], rate_per_hour=100, horizon=2000, reps=3, seed=12)
    r = run_scenario(sc, workers=1)
    h = r["wait_min"]["histogram"]
    assert sum(h["counts"]) == round(r["served"] * 3)
    assert h["zero_wait"] <= h["counts"][0]
    assert all(b > a for a, b in zip(h["edges"], h["edges"][1:]))


def test_memory_does_not_grow_with_customers():
    def peak(horizon):
        sc = make([station(servers=3, mean=1.0)], rate_per_hour=150, horizon=horizon, reps=1)
        tracemalloc.start()
        run_once(sc, 1)
        _, p = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return p
    small, big = peak(2000), peak(20000)        # 5k vs 50k customers
    assert big < small + 1_000_000              # well under 1 KB per extra customer (Ciw: ~0.76 KB)
