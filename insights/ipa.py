"""Importance–performance matrix: where each touchpoint goes, and what to fix first.

``place_points`` lays points and labels out in chart coordinates so that no
marker hides another (markers closer than their size are pushed apart: a
deterministic jitter that moves them as little as needed) and no label
covers another label or a marker (each label tries positions around its
point and takes the first free one). ``fix_first`` turns the matrix into
priorities: important to customers and below the average performance.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class IpaPoint:
    key: str
    label: str
    importance: float      # derived: % of explained variance
    stated: float          # the checklist's own importance, as % of the stated total
    performance: float     # 0..100


@dataclass(frozen=True)
class Placed:
    key: str
    label: str
    x: float               # derived-importance marker (possibly nudged)
    y: float
    sx: float              # stated-importance marker
    sy: float
    lx: float              # label box: top-left corner, width, height
    ly: float
    lw: float
    lh: float


def text_width(label: str, size: float) -> float:
    """Rough rendered width: East Asian wide characters count double."""
    units = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.1 for ch in label)
    return units * size * 0.55


def _overlap(a, b, pad: float = 1.0) -> bool:
    return not (a[0] + a[2] + pad <= b[0] or b[0] + b[2] + pad <= a[0]
                or a[1] + a[3] + pad <= b[1] or b[1] + b[3] + pad <= a[1])


def _spread(points: list[list[float]], min_dist: float, box) -> None:
    """Push apart markers closer than ``min_dist`` (in place), staying inside ``box``."""
    x0, y0, x1, y1 = box
    for _ in range(200):
        moved = False
        for i in range(len(points)):
            for j in range(i + 1, len(points)):
                dx, dy = points[j][0] - points[i][0], points[j][1] - points[i][1]
                d = math.hypot(dx, dy)
                if d >= min_dist:
                    continue
                if d < 1e-9:  # same spot: split along a fixed, index-dependent direction
                    angle = (i * 7 + j * 3) % 12 * math.pi / 6
                    dx, dy, d = math.cos(angle), math.sin(angle), 1.0
                push = (min_dist - d) / 2 + 0.01
                ux, uy = dx / d, dy / d
                points[i][0] -= ux * push
                points[i][1] -= uy * push
                points[j][0] += ux * push
                points[j][1] += uy * push
                moved = True
        for p in points:
            p[0] = min(max(p[0], x0), x1)
            p[1] = min(max(p[1], y0), y1)
        if not moved:
            return


def place_points(points: list[IpaPoint], *, box=(40.0, 10.0, 430.0, 290.0), x_max: float | None = None,
                 y_range: tuple[float, float] = (0.0, 100.0), radius: float = 5.0,
                 font: float = 10.0) -> list[Placed]:
    """Chart coordinates for ``points`` inside ``box`` (x0, y0, x1, y1), y growing downwards.

    Both markers of a point (derived and stated importance) take part: no
    marker covers another, and labels cover no marker and no other label.
    """
    x0, y0, x1, y1 = box
    x_max = x_max or max([p.importance for p in points] + [p.stated for p in points] + [1.0]) * 1.1
    lo, hi = y_range

    def sx(v):
        return x0 + (x1 - x0) * min(max(v, 0.0), x_max) / x_max

    def sy(v):
        return y1 - (y1 - y0) * (min(max(v, lo), hi) - lo) / (hi - lo)

    marks = [[sx(p.importance), sy(p.performance)] for p in points] + \
        [[sx(p.stated), sy(p.performance)] for p in points]
    _spread(marks, 2 * radius + 2, box)
    n = len(points)
    taken = [(m[0] - radius, m[1] - radius, 2 * radius, 2 * radius) for m in marks]
    out = {}
    for i in sorted(range(n), key=lambda i: (marks[i][1], marks[i][0])):
        p, (mx, my) = points[i], marks[i]
        w, h = text_width(p.label, font), font * 1.3
        box_at = _label_spot(mx, my, w, h, radius, taken, box)
        taken.append(box_at)
        out[i] = Placed(p.key, p.label, mx, my, marks[n + i][0], marks[n + i][1], *box_at)
    return [out[i] for i in range(n)]


def y_range_of(points: list[IpaPoint], pad: float = 10.0) -> tuple[float, float]:
    """A performance axis zoomed to the points (in steps of 10), so close points spread out."""
    if not points:
        return 0.0, 100.0
    lo = max(0.0, math.floor((min(p.performance for p in points) - pad) / 10) * 10)
    hi = min(100.0, math.ceil((max(p.performance for p in points) + pad) / 10) * 10)
    return (lo, hi) if hi > lo else (0.0, 100.0)


def _label_spot(mx, my, w, h, r, taken, box):
    x0, y0, x1, y1 = box
    for step in range(12):
        off = r + 3 + step * h
        for cx, cy in ((mx + off, my - h / 2), (mx - off - w, my - h / 2), (mx - w / 2, my - off - h),
                       (mx - w / 2, my + off), (mx + off, my - off - h / 2), (mx - off - w, my + off - h / 2),
                       (mx + off, my + off - h / 2), (mx - off - w, my - off - h / 2)):
            cand = (cx, cy, w, h)
            inside = x0 - 30 <= cx and cx + w <= x1 + 60 and y0 - 8 <= cy and cy + h <= y1 + 8
            if inside and not any(_overlap(cand, t) for t in taken):
                return cand
    return (mx + r + 3, my - h / 2, w, h)   # crowded beyond reason: fall back to the right


def fix_first(points: list[IpaPoint]) -> dict[str, list[IpaPoint]]:
    """Quadrants by the average importance and performance, most urgent first.

    ``fix``: above-average importance, below-average performance (fix these
    first, the most important and weakest first); ``keep``: important and
    good; ``low``: neither; ``overkill``: good at what matters little.
    ``underrated``: the checklist states it as less important than customers
    show it to be (derived share at least 1.5 times the stated share).
    """
    if not points:
        return {"fix": [], "keep": [], "low": [], "overkill": [], "underrated": []}
    mi = sum(p.importance for p in points) / len(points)
    mp = sum(p.performance for p in points) / len(points)
    groups: dict[str, list[IpaPoint]] = {"fix": [], "keep": [], "low": [], "overkill": []}
    for p in points:
        important, good = p.importance >= mi, p.performance >= mp
        groups["fix" if important and not good else "keep" if important else
               "overkill" if good else "low"].append(p)
    groups["fix"].sort(key=lambda p: -(p.importance * (100 - p.performance)))
    groups["keep"].sort(key=lambda p: -p.importance)
    groups["underrated"] = sorted((p for p in points if p.importance >= 1.5 * p.stated),
                                  key=lambda p: -(p.importance - p.stated))
    return groups
