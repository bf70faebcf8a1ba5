"""Streaming statistics: memory stays flat however many customers pass.

Per replication we keep running sums and a log-bucketed histogram (1 %
relative resolution) instead of every wait; histograms from replications add
up, which gives pooled percentiles and a chartable histogram.  Across
replications we use the t-based 95 % confidence interval of the mean.
"""

from __future__ import annotations

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
    from scipy import stats as _sps  # imported when first needed: it costs ~2 s at start

    half = float(_sps.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    lo, hi = m - half, m + half
    if lower is not None:
        lo = max(lo, lower)
    if upper is not None:
        hi = min(hi, upper)
    return {"mean": m, "ci95": [lo, hi]}


def mean_or_none(values) -> float | None:
    x = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(x)) if x else None
