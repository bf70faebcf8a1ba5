"""The fit check's verdict: quantile gaps with bootstrap intervals decide, not the KS p-value."""

import numpy as np
import pytest

from simulation import scenario_from_dict
from simulation.calibration import fit_check, fit_verdict
from simulation.calibration.verdict import MAX_GAP, MIN_OBSERVED


def mm1(reps=10):
    return scenario_from_dict({"name": "M/M/1", "horizon_min": 2000, "warmup_min": 200, "replications": reps,
                               "seed": 4, "arrivals": {"rate_per_hour": 48},
                               "stations": [{"name": "counter", "servers": 1,
                                             "service_min": {"dist": "exponential", "mean": 1.0}}]})


def test_nineteen_waits_with_simulation_30_to_70_percent_short_is_not_trusted():
    """The reported case: n = 19, simulated waits 30-70% below measured -> never 'trust'."""
    rng = np.random.default_rng(19)
    sim = rng.gamma(2.0, 2.0, 20_000)                              # simulated waits, minutes
    measured = np.quantile(sim, rng.uniform(0.05, 0.95, 19)) / rng.uniform(0.3, 0.7, 19)
    out = fit_verdict(measured, sim, seed=1)
    assert out["verdict"]["code"] in ("too_few", "do_not_trust_gap")
    assert out["verdict"]["params"]["n"] == 19


def test_nineteen_waits_through_fit_check_keeps_ks_and_says_do_not_trust():
    """fit_check adds quantile_gaps and verdict next to the old keys, and the verdict is not 'trust'."""
    sc = mm1()
    probe = fit_check(sc, [1.0], replications=4, seed=2, workers=1)
    sim_p50 = next(q["simulated"] for q in probe["quantiles"] if q["q"] == 0.5)
    rng = np.random.default_rng(7)
    observed = (sim_p50 + rng.exponential(2.0, 19)) / rng.uniform(0.3, 0.7, 19)
    fc = fit_check(sc, observed.tolist(), replications=4, seed=2, workers=1)
    assert {"quantiles", "ks", "n_observed", "n_simulated", "mean", "share_waiting"} <= set(fc)
    assert fc["ks"]["statistic"] is not None
    assert [g["q"] for g in fc["quantile_gaps"]] == [0.25, 0.5, 0.75, 0.9]
    assert fc["verdict"]["code"] != "trust"


def test_large_sample_from_the_same_distribution_is_trusted():
    """400 observations drawn like the simulation: every gap small, verdict 'trust'."""
    rng = np.random.default_rng(3)
    sim = rng.gamma(2.0, 2.0, 50_000)
    out = fit_verdict(rng.gamma(2.0, 2.0, 400), sim, seed=1)
    assert out["verdict"]["code"] == "trust", out
    for g in out["quantiles"]:
        assert g["gap_ci95"][0] <= 0 <= g["gap_ci95"][1] or abs(g["gap"]) < MAX_GAP


def test_large_sample_with_a_40_percent_gap_is_do_not_trust_gap():
    """400 observations, simulation 40% shorter: do_not_trust_gap with the quantile and direction."""
    rng = np.random.default_rng(5)
    sim = rng.gamma(2.0, 2.0, 50_000) * 0.6
    out = fit_verdict(rng.gamma(2.0, 2.0, 400), sim, seed=1)
    v = out["verdict"]
    assert v["code"] == "do_not_trust_gap"
    assert v["params"]["direction"] == "shorter" and v["params"]["gap"] < -MAX_GAP
    assert v["params"]["quantile"] in ("p25", "p50", "p75", "p90")


def test_too_few_below_the_minimum_even_when_the_gaps_are_zero():
    """29 observations identical in distribution still give 'too_few'."""
    sim = np.linspace(0.1, 10, 10_000)
    obs = np.quantile(sim, np.linspace(0.02, 0.98, MIN_OBSERVED - 1))
    assert fit_verdict(obs, sim)["verdict"]["code"] == "too_few"


def test_bootstrap_is_seeded():
    """Same seed, same intervals; another seed, (slightly) other intervals."""
    rng = np.random.default_rng(1)
    obs, sim = rng.exponential(3, 60), rng.exponential(3, 5000)
    a, b, c = fit_verdict(obs, sim, seed=1), fit_verdict(obs, sim, seed=1), fit_verdict(obs, sim, seed=2)
    assert a == b
    assert a["quantiles"][1]["gap_ci95"] != c["quantiles"][1]["gap_ci95"]


@pytest.mark.parametrize("code", ["trust", "do_not_trust_gap", "too_few"])
def test_verdict_codes_are_documented(code):
    """Every verdict code appears in simulation/README.md."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "simulation" / "README.md").read_text(encoding="utf-8")
    assert f"`{code}`" in text
