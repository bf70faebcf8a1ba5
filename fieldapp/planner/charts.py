"""SVG charts of the planner's results (same conventions as ``charts``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from fieldapp.reports.charts import ACCENT, INK, LINE, MUTED, _svg, _text, short

BASE_COLOUR, CHANGED_COLOUR = "#8a9bb0", ACCENT


def wait_histograms(base: dict, changed: dict, labels=("baseline", "what-if"), width: int = 640) -> Markup:
    """Share of served customers per wait bin, baseline and what-if side by side."""
    height, left, bottom, top = 220, 40, 30, 24
    edges = base.get("edges") or changed.get("edges") or [0, 1]
    bins = len(edges) - 1
    shares = []
    for hist in (base, changed):
        counts = list(hist.get("counts", []))[:bins] + [0] * max(0, bins - len(hist.get("counts", [])))
        total = sum(counts) + hist.get("zero_wait", 0) * 0 or 1
        shares.append([c / total for c in counts])
    peak = max(max(s) for s in shares) or 1
    plot_w, plot_h = width - left - 10, height - top - bottom
    bar_w = plot_w / bins / 2.4
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="{LINE}"/>']
    for i in range(bins):
        x0 = left + i * plot_w / bins
        for k, colour in enumerate((BASE_COLOUR, CHANGED_COLOUR)):
            h = shares[k][i] / peak * plot_h
            body.append(f'<rect x="{x0 + k * bar_w + 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                        f'height="{h:.1f}" fill="{colour}"/>')
        if i % max(1, bins // 8) == 0:
            body.append(_text(x0, height - 12, f"{edges[i]:g}", 9, fill=MUTED))
    body.append(_text(width - 10, height - 12, str(_l("min")), 9, "end", MUTED))
    for k, (colour, label) in enumerate(zip((BASE_COLOUR, CHANGED_COLOUR), labels)):
        body.append(f'<rect x="{left + k * 120}" y="6" width="10" height="10" fill="{colour}"/>')
        body.append(_text(left + 14 + k * 120, 15, label, 10))
    return _svg(width, height, body, "wait distribution")


def tradeoff(points: list[dict], width: int = 640, height: int = 300) -> Markup:
    """Staff hours (x) against mean satisfaction (y), one labelled point per variant."""
    left, bottom, top, right = 50, 36, 16, 16
    xs = [p["staff_hours"] for p in points if p.get("staff_hours") is not None]
    ys = [p["satisfaction"] for p in points if p.get("satisfaction") is not None]
    if not xs or not ys:
        return Markup("")
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = min(ys), max(ys)
    x_pad, y_pad = (x_hi - x_lo or 1) * 0.1, (y_hi - y_lo or 1) * 0.15
    x_lo, x_hi, y_lo, y_hi = x_lo - x_pad, x_hi + x_pad, y_lo - y_pad, y_hi + y_pad

    def px(x):
        return left + (x - x_lo) / (x_hi - x_lo) * (width - left - right)

    def py(y):
        return top + (1 - (y - y_lo) / (y_hi - y_lo)) * (height - top - bottom)

    body = [f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
            f'fill="none" stroke="{LINE}"/>',
            _text(width / 2, height - 6, str(_l("staff-hours")), 10, "middle", MUTED),
            _text(12, top + 8, str(_l("satisfaction")), 10, "start", MUTED),
            _text(left - 4, py(y_hi - y_pad) + 4, f"{y_hi - y_pad:.0f}", 9, "end", MUTED),
            _text(left - 4, py(y_lo + y_pad) + 4, f"{y_lo + y_pad:.0f}", 9, "end", MUTED),
            _text(px(x_lo + x_pad), height - bottom + 14, f"{x_lo + x_pad:.0f}", 9, "middle", MUTED),
            _text(px(x_hi - x_pad), height - bottom + 14, f"{x_hi - x_pad:.0f}", 9, "middle", MUTED)]
    for p in points:
        if p.get("staff_hours") is None or p.get("satisfaction") is None:
            continue
        colour = CHANGED_COLOUR if p.get("samples") else BASE_COLOUR
        x, y = px(p["staff_hours"]), py(p["satisfaction"])
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>')
        body.append(_text(x + 7, y - 6, short(p["label"], 16), 9, fill=INK))
    return _svg(width, height, body, "staff hours against satisfaction")


HOURLY = (  # measure, title, scale, unit
    ("p90_wait_min", _l("Wait that 9 in 10 do not exceed"), 1, _l("min")),
    ("p50_wait_min", _l("Typical wait (half wait less)"), 1, _l("min")),
    ("queue", _l("People queueing"), 1, ""),
    ("utilisation", _l("How busy the staff are"), 100, "%"),
    ("staff", _l("Staff on duty"), 1, ""),
    ("satisfaction", _l("Satisfaction with the wait (0-100)"), 1, ""),
)


def hourly_charts(hourly: dict) -> list[dict]:
    """One small chart per measure: baseline and what-if per clock hour, changed hours shaded."""
    return [{"key": key, "title": str(title), "unit": str(unit),
             "svg": hourly_line(hourly["rows"], key, scale, str(title))} for key, title, scale, unit in HOURLY]


def hourly_line(rows: list[dict], key: str, scale: float = 1, title: str = "", width: int = 320,
                height: int = 150) -> Markup:
    left, right, top, bottom = 34, 8, 10, 22
    values = [(r[side][key]["mean"] or 0) * scale for r in rows for side in ("base", "changed")
              if r[side][key]["mean"] is not None]
    peak = max(values, default=1) or 1
    n = max(len(rows), 1)
    step = (width - left - right) / n

    def px(i):
        return left + (i + 0.5) * step

    def py(v):
        return top + (1 - v / peak) * (height - top - bottom)

    body = []
    for i, r in enumerate(rows):
        if r.get("changed_hour"):
            body.append(f'<rect x="{left + i * step:.1f}" y="{top}" width="{step:.1f}" '
                        f'height="{height - top - bottom}" fill="#f6e7c8"/>')
    body.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
                f'stroke="{LINE}"/>')
    body.append(_text(left - 4, top + 8, f"{peak:.3g}", 9, "end", MUTED))
    body.append(_text(left - 4, height - bottom, "0", 9, "end", MUTED))
    for side, colour in (("base", BASE_COLOUR), ("changed", CHANGED_COLOUR)):
        points = [f"{px(i):.1f},{py((r[side][key]['mean'] or 0) * scale):.1f}" for i, r in enumerate(rows)
                  if r[side][key]["mean"] is not None]
        if points:
            body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for i, r in enumerate(rows):
        if i % 2 == 0:
            body.append(_text(px(i), height - 8, f"{r['hour']:02d}", 9, "middle", MUTED))
    return _svg(width, height, body, title)
