"""Estimating how much each factor shortens the felt wait, from auditors' ratings."""

import numpy as np
import pytest

from simulation.wait_feeling import WaitFeelingError, estimate_wait_factors

TRUE = {"samples_offered": 0.8, "production_in_view": 0.9, "entertainment": 0.7}


def generated(n, seed=42, slope=-0.3):
    """Ratings falling linearly with felt minutes = wait x product of the present factors' multipliers."""
    rng = np.random.default_rng(seed)
    recs = []
    for _ in range(n):
        wait = rng.uniform(0, 9)
        present = {k: bool(rng.random() < 0.4) for k in TRUE}
        felt = wait * (1 + sum((m - 1) for k, m in TRUE.items() if present[k]))
        rating = 4.6 + slope * felt + rng.normal(0, 0.3)
        recs.append({"wait_min": wait, "rating": float(np.clip(rating, 1, 5)), **present})
    return recs


def test_known_effects_are_recovered_within_their_intervals():
    """3,000 generated records: each true multiplier lies in its 95% interval, and the data suffice."""
    out = estimate_wait_factors(generated(3000), seed=1)
    assert out["n"] == 3000
    assert out["slope_per_min"]["ci95"][1] < 0
    for key, true in TRUE.items():
        f = out["factors"][key]
        lo, hi = f["ci95"]
        assert lo <= true <= hi, (key, f)
        assert hi - lo < 0.2
        assert f["enough"] and f["reason"] == "enough"


def test_few_records_do_not_replace_the_assumption():
    """40 records: at most a handful with each factor, so 'few_with' and not enough."""
    out = estimate_wait_factors(generated(40, seed=3), seed=1)
    for f in out["factors"].values():
        assert not f["enough"]
        assert f["reason"] in ("few_with", "few_without", "wide")


def test_ratings_that_do_not_fall_with_the_wait_are_no_slope():
    """When ratings ignore the wait, no multiplier can be read from them."""
    rng = np.random.default_rng(9)
    recs = [{"wait_min": rng.uniform(0, 9), "rating": float(rng.integers(1, 6)),
             **{k: bool(rng.random() < 0.5) for k in TRUE}} for _ in range(600)]
    out = estimate_wait_factors(recs, seed=1)
    assert all(not f["enough"] for f in out["factors"].values())
    assert {f["reason"] for f in out["factors"].values()} <= {"no_slope", "wide"}


def test_bad_record_is_located():
    """A rating of 7 names its record."""
    with pytest.raises(WaitFeelingError) as info:
        estimate_wait_factors([{"wait_min": 1, "rating": 4}, {"wait_min": 2, "rating": 7}])
    assert info.value.message.startswith("records[1]: ")
