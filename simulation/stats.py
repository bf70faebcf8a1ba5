"""Streaming statistics: memory stays flat however many customers pass.

Per replication we keep running sums and a log-bucketed histogram (1 %
relative resolution) instead of every wait; histograms from replications add
up, which gives pooled percentiles and a chartable histogram.  Across
replications we use the t-based 95 % confidence interval of the mean.
"""

from __future__ import annotations

import functools
import math

import numpy as np

_LOW = 1e-3          # waits below this (minutes, i.e. < 0.06 s) count as "no wait"
_GROWTH = 1.01       # bucket i covers [_LOW*g^i, _LOW*g^(i+1)): 1 % resolution
_LOG_G = math.log(_GROWTH)


class LogHistogram:
    """Mergeable histogram of non-negative values with 1 % relative bins."""

    __slots__ = ("zero", "counts")

    def __init__(self, zero: int = 0, counts=None):
        self.zero = int(zero)
        self.counts = np.zeros(0, dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)

    def add_many(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=float)
        pos = values[values >= _LOW]
        self.zero += int(values.size - pos.size)
        if pos.size:
            idx = np.floor(np.log(pos / _LOW) / _LOG_G).astype(np.int64)
            top = int(idx.max()) + 1
            if top > self.counts.size:
                self.counts = np.concatenate([self.counts, np.zeros(top - self.counts.size, np.int64)])
            self.counts += np.bincount(idx, minlength=self.counts.size)

    def merge(self, other: "LogHistogram") -> None:
        n = max(self.counts.size, other.counts.size)
        a = np.zeros(n, np.int64)
        a[: self.counts.size] += self.counts
        a[: other.counts.size] += other.counts
        self.counts, self.zero = a, self.zero + other.zero

    @property
    def total(self) -> int:
        return self.zero + int(self.counts.sum())

    def _mids(self) -> np.ndarray:
        i = np.arange(self.counts.size)
        return _LOW * _GROWTH ** (i + 0.5)

    def quantile(self, q: float) -> float | None:
        n = self.total
        if n == 0:
            return None
        rank = q * n
        if rank <= self.zero:
            return 0.0
        cum = self.zero + np.cumsum(self.counts)
        i = int(np.searchsorted(cum, rank))
        return float(_LOW * _GROWTH ** (i + 0.5))

    def fraction_over(self, t: float) -> float | None:
        n = self.total
        if n == 0:
            return None
        return float(self.counts[self._mids() > t].sum() / n)

    def chart(self, max_bins: int = 30) -> dict:
        """Re-bin into equal-width bins with a 'nice' width for a bar chart."""
        n = self.total
        if n == 0:
            return {"edges": [0.0, 1.0], "counts": [0], "zero_wait": 0}
        nz = np.nonzero(self.counts)[0]
        hi = float(_LOW * _GROWTH ** (nz[-1] + 1)) if nz.size else 1.0
        width = nice_width(hi / max_bins)
        nbins = max(1, int(math.ceil(hi / width)))
        counts = np.zeros(nbins, np.int64)
        counts[0] += self.zero
        if self.counts.size:
            which = np.minimum((self._mids() / width).astype(np.int64), nbins - 1)
            counts += np.bincount(which, weights=self.counts, minlength=nbins).astype(np.int64)[:nbins]
        edges = [round(width * i, 10) for i in range(nbins + 1)]
        return {"edges": edges, "counts": counts.tolist(), "zero_wait": self.zero}

    def to_dict(self) -> dict:
        return {"zero": self.zero, "counts": self.counts.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "LogHistogram":
        return cls(d["zero"], d["counts"])


def nice_width(raw: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at least ``raw``: bin widths people can read."""
    if raw <= 0:
        return 1.0
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10 ** exp >= raw:
            return m * 10 ** exp
    return 10 ** (exp + 1)


def _t_two_sided(t: float, df: int) -> float:
    """P(|T| < t) for Student's t with integer ``df`` (Abramowitz & Stegun 26.7.3-4), exact."""
    theta = math.atan(t / math.sqrt(df))
    c2, s = math.cos(theta) ** 2, math.sin(theta)
    if df % 2:                       # odd: 2/pi (theta + sin cos (1 + 2/3 cos^2 + 2*4/(3*5) cos^4 ...))
        term, total = 1.0, 1.0 if df > 1 else 0.0
        for k in range(1, (df - 1) // 2):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        return 2 / math.pi * (theta + s * math.cos(theta) * total)
    term, total = 1.0, 1.0           # even: sin (1 + 1/2 cos^2 + 1*3/(2*4) cos^4 ...)
    for k in range(1, df // 2):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return s * total


@functools.lru_cache(maxsize=256)
def t_quantile(p: float, df: int) -> float:
    """Student's t quantile for p in (0.5, 1) and integer df >= 1, to ~1e-12.

    Our own, so a simulation run need not import SciPy (about a second of start-up).
    Above 300 degrees of freedom the Cornish-Fisher expansion (A&S 26.7.5) is as exact
    and needs no loop over df.
    """
    if not 0.5 < p < 1 or df < 1:
        raise ValueError("t_quantile needs 0.5 < p < 1 and df >= 1")
    if df > 300:
        z = _normal_quantile(p)
        g = ((z ** 3 + z) / 4, (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96,
             (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384,
             (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160)
        return z + sum(gi / df ** (i + 1) for i, gi in enumerate(g))
    target, lo, hi = 2 * p - 1, 0.0, 1.0
    while _t_two_sided(hi, df) < target:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if _t_two_sided(mid, df) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * hi:
            break
    return (lo + hi) / 2


def _normal_quantile(p: float) -> float:
    """Standard normal quantile by bisection on erf."""
    lo, hi = 0.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def mean_ci(values, lower: float | None = None, upper: float | None = None) -> dict:
    """Mean and t-based 95 % CI over replications (CI is null for one value).

    ``lower``/``upper`` are the quantity's natural range (0 for a wait, 0..1 for
    a share): the interval is cut there so a planner never reads "-2 %"."""
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if x.size == 0:
        return {"mean": None, "ci95": [None, None]}
    m = float(x.mean())
    if x.size < 2:
        return {"mean": m, "ci95": [None, None]}
    half = float(t_quantile(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    lo, hi = m - half, m + half
    if lower is not None:
        lo = max(lo, lower)
    if upper is not None:
        hi = min(hi, upper)
    return {"mean": m, "ci95": [lo, hi]}


def mean_or_none(values) -> float | None:
    x = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(x)) if x else None
