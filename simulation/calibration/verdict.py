"""Can the baseline be trusted?  Quantile by quantile, with bootstrap intervals, not a p-value.

A KS test with 19 observations almost never rejects, so "no evidence they
differ" read as "trust it" even when simulated waits were half the measured
ones.  Here the question is how large the gap is and how sure we are of it:
for p25, p50, p75 and p90 the relative gap (simulated - observed) / observed,
with a 95% bootstrap interval from resampling the observed waits (the
simulated sample is pooled over many replications and far larger, so its
quantiles are taken as fixed).

Verdict codes (``params`` for an app to word it in its own language):

* ``too_few`` - fewer than ``MIN_OBSERVED`` observations, or an interval so
  wide that a gap of ``MAX_GAP`` either way cannot be told apart;
* ``do_not_trust_gap`` - some quantile differs by more than ``MAX_GAP`` and
  its interval excludes 0;
* ``trust`` - enough observations and every gap within ``MAX_GAP`` (or not
  distinguishable from 0).
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_verdict", "GAP_QUANTILES", "MIN_OBSERVED", "MAX_GAP", "MAX_CI_HALF_WIDTH"]

GAP_QUANTILES = (0.25, 0.5, 0.75, 0.9)
MIN_OBSERVED = 30           # below this, quantiles of a day's waits are too unstable to trust
MAX_GAP = 0.25              # |relative gap| above this matters for a what-if
MAX_CI_HALF_WIDTH = 0.5     # an interval wider than +-50% cannot tell a 25% gap from none
FLOOR_MIN = 0.5             # minutes: gaps are relative to max(observed quantile, this)
BOOTSTRAP = 2000


def _weighted_quantile(values, weights, q):
    if weights is None:
        return float(np.quantile(values, q))
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][min(np.searchsorted(cum, q * cum[-1]), values.size - 1)])


def fit_verdict(observed, simulated, weights=None, seed: int = 1) -> dict:
    """Quantile gaps with bootstrap intervals and a verdict; pure and seeded.

    Returns ``{"quantiles": [{"q", "observed", "simulated", "gap", "gap_ci95"}],
    "verdict": {"code", "params", "text"}, "rule": {...}}``.
    """
    o = np.asarray(observed, dtype=float)
    s = np.asarray(simulated, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    rows = []
    rng = np.random.Generator(np.random.PCG64(seed))
    boots = np.quantile(o[rng.integers(0, o.size, size=(BOOTSTRAP, o.size))], GAP_QUANTILES, axis=1) \
        if o.size else None
    for i, q in enumerate(GAP_QUANTILES):
        oq = float(np.quantile(o, q)) if o.size else None
        sq = _weighted_quantile(s, w, q) if s.size and (w is None or w.sum() > 0) else None
        row = {"q": q, "observed": _r(oq), "simulated": _r(sq), "gap": None, "gap_ci95": [None, None]}
        if oq is not None and sq is not None:
            row["gap"] = _r((sq - oq) / max(oq, FLOOR_MIN))
            b = (sq - boots[i]) / np.maximum(boots[i], FLOOR_MIN)
            row["gap_ci95"] = [_r(np.quantile(b, 0.025)), _r(np.quantile(b, 0.975))]
        rows.append(row)
    return {"quantiles": rows, "verdict": _verdict(rows, int(o.size)),
            "rule": {"min_observed": MIN_OBSERVED, "max_gap": MAX_GAP, "max_ci_half_width": MAX_CI_HALF_WIDTH,
                     "floor_min": FLOOR_MIN, "bootstrap": BOOTSTRAP, "seed": int(seed)}}


def _verdict(rows, n) -> dict:
    if n < MIN_OBSERVED:
        return _say("too_few", n=n, min_observed=MIN_OBSERVED)
    if any(r["gap"] is None for r in rows):
        return _say("too_few", n=n, min_observed=MIN_OBSERVED)
    big = [r for r in rows if abs(r["gap"]) > MAX_GAP
           and (r["gap_ci95"][0] > 0 or r["gap_ci95"][1] < 0)]
    if big:
        r = max(big, key=lambda r: abs(r["gap"]))
        return _say("do_not_trust_gap", n=n, quantile=f"p{round(r['q'] * 100)}", gap=r["gap"],
                    direction="shorter" if r["gap"] < 0 else "longer", max_gap=MAX_GAP)
    wide = [r for r in rows if (r["gap_ci95"][1] - r["gap_ci95"][0]) / 2 > MAX_CI_HALF_WIDTH]
    if wide:
        r = wide[0]
        return _say("too_few", n=n, min_observed=MIN_OBSERVED, quantile=f"p{round(r['q'] * 100)}",
                    ci95=r["gap_ci95"])
    return _say("trust", n=n, max_gap=MAX_GAP)


_TEXT = {
    "too_few": "Too few observed waits ({n}) to judge the baseline: measure more visits "
               "(at least {min_observed}) before trusting what-ifs.",
    "do_not_trust_gap": "Do not trust the baseline yet: its simulated {quantile} wait is {pct:.0f}% {direction} "
                        "than measured, more than the {max_pct:.0f}% allowed; check service times, "
                        "staffing and traffic.",
    "trust": "The baseline reproduces the measured waits: every quantile from p25 to p90 is within "
             "{max_pct:.0f}% of the {n} observations (or not distinguishable from them).",
}


def _say(code, **params) -> dict:
    extra = {}
    if "gap" in params:
        extra["pct"] = abs(params["gap"]) * 100
    if "max_gap" in params:
        extra["max_pct"] = params["max_gap"] * 100
    text = _TEXT[code].format(**params, **extra)
    if code == "too_few" and "quantile" in params:
        text = (f"Too few observed waits to judge the baseline: the {params['quantile']} gap could be anything "
                f"from {params['ci95'][0] * 100:.0f}% to {params['ci95'][1] * 100:.0f}%; measure more visits.")
    return {"code": code, "params": params, "text": text}


def _r(x, nd=4):
    return None if x is None else float(round(float(x), nd))
