"""Where customers and mystery shoppers disagree about a stage.

Both sides are on 0..100: the customers' mean satisfaction and the shoppers'
stage score. A stage is a disagreement when the gap is at least ``min_gap``
points and the shopper score lies outside the customers' interval, so a
noisy handful of answers is not called a disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gap:
    key: str
    customers: float | None
    customers_low: float | None
    customers_high: float | None
    customers_n: int
    shoppers: float | None
    gap: float | None          # customers - shoppers
    verdict: str               # customers_happier | shoppers_happier | agree | unknown


def disagreements(rows, min_gap: float = 10.0) -> list[Gap]:
    """``rows``: dicts with key, customers, customers_low, customers_high, customers_n, shoppers.

    :return: one ``Gap`` per row, the largest disagreement first.
    """
    out = []
    for r in rows:
        c, s = r.get("customers"), r.get("shoppers")
        if c is None or s is None:
            out.append(Gap(r["key"], c, r.get("customers_low"), r.get("customers_high"),
                           r.get("customers_n", 0), s, None, "unknown"))
            continue
        gap = c - s
        outside = not (r["customers_low"] <= s <= r["customers_high"])
        verdict = "agree"
        if abs(gap) >= min_gap and outside:
            verdict = "customers_happier" if gap > 0 else "shoppers_happier"
        out.append(Gap(r["key"], c, r["customers_low"], r["customers_high"], r.get("customers_n", 0),
                       s, gap, verdict))
    return sorted(out, key=lambda g: (g.verdict in ("agree", "unknown"), -abs(g.gap or 0)))
