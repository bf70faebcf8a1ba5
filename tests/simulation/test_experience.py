"""Experience model: properties that must hold for any parameters a fitter may choose."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import run_scenario
from simulation.experience import (Multipliers, Occupied, SatisfactionParams, perceived_wait,
                                   satisfaction_from_perceived, wait_multiplier)

from .helpers import make, station

waits = st.floats(0, 500, allow_nan=False)
tolerance = st.floats(0.1, 60)
steep = st.floats(0.01, 5)
FAST = settings(max_examples=200, deadline=None, derandomize=True)


@FAST
@given(waits, waits, tolerance, steep)
def test_satisfaction_decreases_with_perceived_wait(a, b, t, k):
    lo, hi = sorted((a, b))
    p = {"tolerance_min": t, "steepness": k}
    s_lo, s_hi = satisfaction_from_perceived(lo, p), satisfaction_from_perceived(hi, p)
    assert 0.0 <= s_hi <= s_lo <= 100.0


@FAST
@given(tolerance, steep)
def test_satisfaction_is_100_without_wait_and_about_half_at_tolerance(t, k):
    p = SatisfactionParams(tolerance_min=t, steepness=k)
    assert satisfaction_from_perceived(0.0, p) == pytest.approx(100.0)
    at_t = satisfaction_from_perceived(t, p)
    assert 50.0 <= at_t <= 100.0
    if k * t > 5:                          # a sharp curve: close to half at the tolerance
        assert at_t == pytest.approx(50.0, abs=0.5)


@FAST
@given(waits, tolerance, st.floats(0.01, 2), st.floats(1.01, 3))
def test_more_tolerance_or_gentler_curve_never_lowers_satisfaction(w, t, k, factor):
    base = satisfaction_from_perceived(w, {"tolerance_min": t, "steepness": k})
    assert satisfaction_from_perceived(w, {"tolerance_min": t * factor, "steepness": k}) >= base - 1e-9


def test_vectorised_matches_scalar():
    xs = np.linspace(0, 30, 31)
    p = SatisfactionParams()
    vec = satisfaction_from_perceived(xs, p)
    assert vec.shape == xs.shape
    assert np.allclose(vec, [satisfaction_from_perceived(float(x), p) for x in xs])
    assert satisfaction_from_perceived(1e6, p) < 1e-9           # no overflow warning (filterwarnings=error)


occupied = st.builds(Occupied, st.booleans(), st.booleans(), st.booleans())


@FAST
@given(occupied, st.booleans(), st.booleans())
def test_default_multiplier_orderings(occ, pre, info):
    m = Multipliers()
    here = wait_multiplier(pre, occ, info, m)
    # occupied time feels no longer than unoccupied time
    assert here <= wait_multiplier(pre, Occupied(), info, m) + 1e-12
    # pre-process waits feel at least as long as in-process waits
    assert wait_multiplier(True, occ, info, m) >= wait_multiplier(False, occ, info, m)
    # unknown waits feel at least as long as known ones
    assert wait_multiplier(pre, occ, False, m) >= wait_multiplier(pre, occ, True, m)
    assert here >= m.occupied_floor * m.in_process * m.known_length - 1e-12


@FAST
@given(st.lists(st.tuples(waits, st.floats(0.1, 3)), min_size=1, max_size=5), st.integers(0, 4), st.floats(0, 10))
def test_perceived_wait_grows_with_any_actual_wait(pairs, i, extra):
    w = [a for a, _ in pairs]
    k = [b for _, b in pairs]
    i = i % len(w)
    longer = list(w)
    longer[i] += extra
    assert perceived_wait(longer, k) >= perceived_wait(w, k)
    assert perceived_wait([0] * len(w), k) == 0


def _shop(**experience):
    return make([station("order", servers=2, mean=1.5), station("pickup", servers=1, mean=0.8)],
                rate_per_hour=70, horizon=600, warmup=30, reps=8, seed=5,
                **({"experience": experience} if experience else {}))


def test_samples_and_wait_info_raise_satisfaction_without_changing_actual_waits():
    base = run_scenario(_shop(), workers=1)
    better = run_scenario(_shop(occupied={"samples": True}, wait_info_shown=True), workers=1)
    assert better["wait_min"]["mean"] == base["wait_min"]["mean"]       # same customers, same waits
    assert better["perceived_wait_min"]["mean"] < base["perceived_wait_min"]["mean"]
    assert better["satisfaction"]["mean"] > base["satisfaction"]["mean"]
    # perceived = actual * multipliers: with the defaults, bounded by the extreme factors
    m = Multipliers()
    hi = m.pre_process * m.unoccupied * m.unknown_length
    lo = m.in_process * m.unoccupied * m.unknown_length
    assert base["perceived_wait_min"]["mean"] <= hi * base["wait_min"]["mean"] + 1e-9
    assert base["perceived_wait_min"]["mean"] >= lo * base["wait_min"]["mean"] - 1e-9


def test_show_in_view_at_one_station_only_changes_that_station():
    plain = make([station("order", servers=2, mean=1.5), station("pickup", servers=1, mean=0.8)],
                 rate_per_hour=70, horizon=600, reps=4, seed=5)
    lined = make([station("order", servers=2, mean=1.5),
                  station("pickup", servers=1, mean=0.8, experience={"occupied": {"show_in_view": True}})],
                 rate_per_hour=70, horizon=600, reps=4, seed=5)
    a, b = run_scenario(plain, workers=1), run_scenario(lined, workers=1)
    m = Multipliers()
    saved = (m.unoccupied - m.show_in_view) * m.unknown_length * m.in_process * a["stations"]["pickup"]["wait_min"]["mean"]
    drop = a["perceived_wait_min"]["mean"] - b["perceived_wait_min"]["mean"]
    assert drop > 0
    # the drop is the pickup share of the perceived wait (means over different customer sets differ slightly)
    assert drop == pytest.approx(saved, rel=0.1)


def test_satisfaction_params_come_from_the_scenario():
    strict = run_scenario(_shop(satisfaction={"tolerance_min": 1, "steepness": 2}), workers=1)
    lenient = run_scenario(_shop(satisfaction={"tolerance_min": 20, "steepness": 0.2}), workers=1)
    assert strict["satisfaction"]["mean"] < lenient["satisfaction"]["mean"]
    assert math.isclose(strict["perceived_wait_min"]["mean"], lenient["perceived_wait_min"]["mean"])
