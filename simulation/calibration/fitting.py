"""Fitting the service-time distribution and the satisfaction curve to field samples.

SciPy lives here (and in the fit check), not in the engine: ``python -m
simulation run`` must start without it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from ..experience import DEFAULT_MULTIPLIERS, Occupied, satisfaction_from_perceived, wait_multiplier
from ..stats import nice_width
from .records import CalibrationError, _Bad, _field, _r, _rating, _wait, _where

__all__ = ["fit_service_time", "fit_satisfaction", "default_wait_multiplier", "MIN_SERVICE_SAMPLES",
           "FEW_SERVICE_SAMPLES", "MIN_RATINGS"]

MIN_SERVICE_SAMPLES = 5
FEW_SERVICE_SAMPLES = 30
MIN_RATINGS = 5


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
    perceived minutes (1.15 x 1.36 x 1.1 = 1.7204 with the default multipliers).
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
