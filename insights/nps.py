"""Net Promoter Score with its confidence interval.

NPS = % promoters (9-10) - % detractors (0-6), in -100..100. Its variance is
that of the mean of a variable that is +1 (promoter), 0 (passive) or -1
(detractor): ``(p + d - (p - d)^2) / n``. The interval is the Wald interval
on that variable, clamped to -100..100; with fewer than ``MIN_N`` answers it
is still given but ``enough`` is False (callers say "too few answers").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
MIN_N = 30
PROMOTER_MIN, DETRACTOR_MAX = 9, 6


def is_detractor(score) -> bool:
    return score is not None and 0 <= score <= DETRACTOR_MAX


@dataclass(frozen=True)
class Nps:
    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None      # -100..100, None without answers
    low: float | None
    high: float | None

    @property
    def enough(self) -> bool:
        return self.n >= MIN_N


def nps(scores, z: float = Z95) -> Nps:
    """NPS of 0-10 answers (``None`` and out-of-range values are left out)."""
    valid = [s for s in scores if s is not None and 0 <= s <= 10]
    return nps_of_counts(len(valid), sum(1 for s in valid if s >= PROMOTER_MIN),
                         sum(1 for s in valid if s <= DETRACTOR_MAX), z)


def nps_of_counts(n: int, promoters: int, detractors: int, z: float = Z95) -> Nps:
    """NPS of ``n`` answers of which ``promoters`` and ``detractors`` (counted in SQL, say)."""
    if n == 0:
        return Nps(0, 0, 0, 0, None, None, None)
    p, d = promoters / n, detractors / n
    score = (p - d) * 100
    half = z * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n) * 100
    return Nps(n, promoters, n - promoters - detractors, detractors, score,
               max(-100.0, score - half), min(100.0, score + half))
