"""Customer satisfaction of 1-5 ratings: mean and top-two-box share, with intervals.

CSAT is reported as the share of customers answering 4 or 5 (the usual
definition), with a Wilson interval, which stays inside 0..100 and behaves
for small groups; the mean on a 0..100 scale ((r - 1) / 4) is what lines up
with the mystery-shop score and the driver analysis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .nps import Z95

MIN_N = 10


@dataclass(frozen=True)
class Csat:
    n: int
    satisfied: int
    share: float | None       # % answering 4-5
    low: float | None
    high: float | None
    mean100: float | None     # mean rating on 0..100
    mean_low: float | None
    mean_high: float | None

    @property
    def enough(self) -> bool:
        return self.n >= MIN_N


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of k successes in n, in 0..1."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def csat(ratings, z: float = Z95) -> Csat:
    """CSAT of 1-5 ratings (others are left out)."""
    valid = [float(r) for r in ratings if r is not None and 1 <= r <= 5]
    scaled = [(r - 1) / 4 * 100 for r in valid]
    return csat_of_sums(len(valid), sum(1 for r in valid if r >= 4), sum(scaled),
                        sum(x * x for x in scaled), z)


def csat_of_sums(n: int, satisfied: int, total: float, total_sq: float, z: float = Z95) -> Csat:
    """CSAT of ``n`` ratings given by sums (counted in SQL, say): ``satisfied``
    answered 4-5; ``total`` and ``total_sq`` sum the ratings on 0..100 and their squares."""
    if n == 0:
        return Csat(0, 0, None, None, None, None, None, None)
    lo, hi = wilson(satisfied, n, z)
    m = total / n
    if n > 1:
        sd = math.sqrt(max(0.0, total_sq - n * m * m) / (n - 1))
        half = z * sd / math.sqrt(n)
    else:
        half = 100.0
    return Csat(n, satisfied, satisfied / n * 100, lo * 100, hi * 100, m, max(0.0, m - half),
                min(100.0, m + half))
