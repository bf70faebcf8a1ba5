"""How much samples, a production line in view and entertainment shorten the felt wait, from audits.

The experience model's factors (``Multipliers.samples``, ``show_in_view``,
``entertainment``) are assumptions until field data say otherwise.  Auditors
record, per wait, the minutes measured, how it felt (rating 1-5) and which
of the three were present.  If a factor multiplies the felt wait by m, then
with ratings falling linearly in felt minutes

    rating = a + b * wait * (1 + sum_f (m_f - 1) * x_f) = a + b*wait + sum_f c_f * wait * x_f

so ``m_f = 1 + c_f / b``: an ordinary least-squares fit with wait-by-factor
interactions, and a bootstrap (seeded, resampling records) for the 95%
interval of each ``m_f``.  No main effects of the factors: at zero wait a
factor has nothing to shorten, and fewer parameters keep small samples usable.

The data suffice to replace the assumed factor when (``RULE``) at least
``min_with`` waits had the factor and ``min_without`` did not, the ratings
clearly fall with the wait (the interval of b excludes 0), and the interval
of m_f is no wider than +-``max_half_width``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["estimate_wait_factors", "FACTORS", "RULE"]

# record key -> the experience model's multiplier it estimates
FACTORS = {"samples_offered": "samples", "production_in_view": "show_in_view", "entertainment": "entertainment"}
RULE = {"min_with": 30, "min_without": 30, "max_half_width": 0.15}
BOOTSTRAP = 1000


class WaitFeelingError(ValueError):
    """A bad record; ``message`` is one located line."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _design(records):
    w, y, x = [], [], []
    for i, r in enumerate(records):
        try:
            wait, rating = float(r["wait_min"]), float(r["rating"])
        except (KeyError, TypeError, ValueError):
            raise WaitFeelingError(f"records[{i}]: needs wait_min and rating as numbers") from None
        if not (wait >= 0 and 1 <= rating <= 5):
            raise WaitFeelingError(f"records[{i}]: wait_min must be >= 0 and rating from 1 to 5")
        w.append(wait)
        y.append(rating)
        x.append([bool(r.get(k, False)) for k in FACTORS])
    return np.asarray(w), np.asarray(y), np.asarray(x, dtype=float).reshape(len(w), len(FACTORS))


def _fit(w, y, x):
    a = np.column_stack([np.ones_like(w), w, w[:, None] * x])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    b = coef[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        m = 1 + coef[2:] / b
    return b, m


def estimate_wait_factors(records, seed: int = 1, rule: dict | None = None) -> dict:
    """Per factor: multiplier of the felt wait with a 95% bootstrap interval, sample sizes, and a verdict.

    ``records``: dicts with ``wait_min``, ``rating`` (1-5) and booleans ``samples_offered``,
    ``production_in_view``, ``entertainment``.  Returns ``{"n", "slope_per_min": {"estimate",
    "ci95"}, "factors": {key: {"model_key", "multiplier", "ci95", "n_with", "n_without",
    "enough", "reason"}}, "rule"}``; ``reason`` is ``enough``, ``few_with``, ``few_without``,
    ``no_slope`` (ratings do not clearly fall with the wait) or ``wide``.
    """
    rule = {**RULE, **(rule or {})}
    w, y, x = _design(records)
    n = int(w.size)
    out = {"n": n, "slope_per_min": {"estimate": None, "ci95": [None, None]}, "factors": {}, "rule": rule}
    fit_ok = n >= len(FACTORS) + 3 and np.ptp(w) > 0
    if fit_ok:
        b, m = _fit(w, y, x)
        rng = np.random.Generator(np.random.PCG64(seed))
        bs, ms = [], []
        for _ in range(BOOTSTRAP):
            idx = rng.integers(0, n, n)
            bb, mm = _fit(w[idx], y[idx], x[idx])
            bs.append(bb)
            ms.append(mm)
        bs, ms = np.asarray(bs), np.asarray(ms)
        b_ci = [float(np.quantile(bs, 0.025)), float(np.quantile(bs, 0.975))]
        out["slope_per_min"] = {"estimate": float(b), "ci95": b_ci}
    for j, (key, model_key) in enumerate(FACTORS.items()):
        n_with = int(x[:, j].sum()) if n else 0
        row = {"model_key": model_key, "multiplier": None, "ci95": [None, None], "n_with": n_with,
               "n_without": n - n_with, "enough": False}
        if fit_ok and n_with > 0:
            col = ms[:, j][np.isfinite(ms[:, j])]
            row["multiplier"] = float(m[j]) if np.isfinite(m[j]) else None
            if col.size:
                row["ci95"] = [float(np.quantile(col, 0.025)), float(np.quantile(col, 0.975))]
        if n_with < rule["min_with"]:
            row["reason"] = "few_with"
        elif n - n_with < rule["min_without"]:
            row["reason"] = "few_without"
        elif not fit_ok or not out["slope_per_min"]["ci95"][1] < 0:
            row["reason"] = "no_slope"
        elif row["ci95"][0] is None or (row["ci95"][1] - row["ci95"][0]) / 2 > rule["max_half_width"]:
            row["reason"] = "wide"
        else:
            row["reason"], row["enough"] = "enough", True
        out["factors"][key] = row
    return out
