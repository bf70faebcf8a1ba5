"""Does the baseline reproduce what auditors measured?  Simulated vs observed waits."""

from __future__ import annotations

import concurrent.futures as cf
import math
import os

import numpy as np
from scipy import stats

from ..model import TRACE_COLUMNS, run_once
from ..runner import replication_seeds
from ..scenario import Scenario, scenario_from_dict
from .records import CalibrationError, _Bad, _r, _wait
from .verdict import fit_verdict

__all__ = ["fit_check", "simulated_waits", "simulated_waits_at", "QUANTILES"]

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95)

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
    """Simulated vs observed waits: quantiles side by side, gaps with a verdict, and a KS test.

    ``verdict`` (``trust``, ``do_not_trust_gap``, ``too_few``; see ``verdict.py``) is what
    to act on; the KS test is kept for compatibility, it rarely rejects with few waits.

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
    gaps = fit_verdict(o, sim, weights, seed=int(seed))
    out["quantile_gaps"], out["verdict"], out["verdict_rule"] = gaps["quantiles"], gaps["verdict"], gaps["rule"]
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
