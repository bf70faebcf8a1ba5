"""What drives the overall rating: each touchpoint's share of R².

Touchpoint ratings are collinear (a good store is good at everything), so
raw regression coefficients swing and even turn negative. Two decompositions
of R² that stay meaningful under collinearity:

- ``relative_weights``: Johnson's (2000) relative weights, through the
  orthogonal counterpart of the predictors (eigen-decomposition of their
  correlation matrix);
- ``shapley_r2``: the Shapley value of each predictor in R² (average gain in
  R² over every order of adding predictors; LMG), exact over all subsets.

Both sum to the model's R² and are non-negative. ``key_drivers`` adds
percentile bootstrap intervals (seeded, so the same data give the same
intervals) and the sample size. Functions named ``*_from_corr`` take the
correlations directly, which is how tests get the true (population) values.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial

import numpy as np

MAX_SHAPLEY = 12   # 2^12 subsets; more predictors would make the exact sum slow
MIN_N = 30


def relative_weights_from_corr(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Johnson's relative weights (sum = R²) from predictor and predictor-outcome correlations."""
    values, vectors = np.linalg.eigh(rxx)
    values = np.clip(values, 0.0, None)
    lam = vectors @ np.diag(np.sqrt(values)) @ vectors.T     # rxx^(1/2), symmetric
    beta = np.linalg.pinv(lam) @ rxy
    return (lam ** 2) @ (beta ** 2)


def _r2_of_subsets(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    k = len(rxy)
    r2 = np.zeros(1 << k)
    for mask in range(1, 1 << k):
        idx = [j for j in range(k) if mask >> j & 1]
        r = rxy[idx]
        r2[mask] = float(r @ np.linalg.pinv(rxx[np.ix_(idx, idx)]) @ r)
    return r2


def shapley_from_corr(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Shapley decomposition of R² (exact, over all subsets of predictors)."""
    k = len(rxy)
    if k > MAX_SHAPLEY:
        raise ValueError(f"Shapley decomposition needs at most {MAX_SHAPLEY} predictors, got {k}")
    r2 = _r2_of_subsets(rxx, rxy)
    weight = [factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)]
    out = np.zeros(k)
    for j in range(k):
        bit = 1 << j
        for mask in range(1 << k):
            if not mask & bit:
                out[j] += weight[bin(mask).count("1")] * (r2[mask | bit] - r2[mask])
    return out


def _correlations(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    data = np.column_stack([x, y])
    sd = data.std(axis=0)
    sd[sd == 0] = 1.0  # a constant column correlates with nothing
    z = (data - data.mean(axis=0)) / sd
    corr = z.T @ z / len(z)
    return corr[:-1, :-1], corr[:-1, -1]


def relative_weights(x, y) -> np.ndarray:
    """Relative weights of the columns of ``x`` (n × k) for outcome ``y`` (n)."""
    return relative_weights_from_corr(*_correlations(np.asarray(x, float), np.asarray(y, float)))


def shapley_r2(x, y) -> np.ndarray:
    """Shapley values of R² for the columns of ``x``."""
    return shapley_from_corr(*_correlations(np.asarray(x, float), np.asarray(y, float)))


METHODS = {"relative_weights": relative_weights, "shapley": shapley_r2}


@dataclass(frozen=True)
class DriverResult:
    name: str
    weight: float       # share of the overall rating's variance it explains (sums to R²)
    share: float        # % of R² (sums to 100)
    low: float          # bootstrap interval of ``share``
    high: float
    mean: float         # mean of the predictor (its performance, on the caller's scale)


@dataclass(frozen=True)
class Drivers:
    method: str
    n: int              # complete answers used
    dropped: int        # rows left out for a missing value
    r2: float
    level: float
    n_boot: int
    results: tuple[DriverResult, ...]

    @property
    def enough(self) -> bool:
        return self.n >= MIN_N


def key_drivers(rows, names, outcome: str, *, method: str = "relative_weights", n_boot: int = 300,
                seed: int = 0, level: float = 0.95) -> Drivers:
    """Importance of each of ``names`` for ``outcome`` in ``rows`` (dicts), with bootstrap intervals.

    Rows missing the outcome or any predictor are left out (complete cases).
    """
    decompose = METHODS[method]
    complete = [r for r in rows if r.get(outcome) is not None and all(r.get(n) is not None for n in names)]
    dropped = len(rows) - len(complete)
    k = len(names)
    if len(complete) < k + 2:
        return Drivers(method, len(complete), dropped, 0.0, level, 0, tuple(
            DriverResult(n, 0.0, 0.0, 0.0, 0.0, float("nan")) for n in names))
    x = np.array([[r[n] for n in names] for r in complete], float)
    y = np.array([r[outcome] for r in complete], float)
    weights = decompose(x, y)
    r2 = float(weights.sum())
    rng = np.random.default_rng(seed)
    shares = []
    for _ in range(n_boot):
        pick = rng.integers(0, len(y), len(y))
        w = decompose(x[pick], y[pick])
        total = w.sum()
        if total > 0:
            shares.append(w / total * 100)
    shares = np.array(shares) if shares else np.zeros((1, k))
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(shares, tail, axis=0), np.percentile(shares, 100 - tail, axis=0)
    share = weights / r2 * 100 if r2 > 0 else np.zeros(k)
    means = x.mean(axis=0)
    return Drivers(method, len(y), dropped, r2, level, len(shares), tuple(
        DriverResult(n, float(weights[j]), float(share[j]), float(low[j]), float(high[j]), float(means[j]))
        for j, n in enumerate(names)))
