"""The importance–performance matrix of the drivers, as plain SVG.

Solid dot: importance derived from customers' answers; hollow ring: the
checklist's stated importance; a thin line joins them. Positions come from
``insights.place_points`` so no marker or label hides another.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from fieldapp.reports.charts import ACCENT, BAD, INK, LINE, MUTED, _svg, _text, short
from insights import IpaPoint, place_points
from insights.ipa import y_range_of

W, H = 520, 340
BOX = (48.0, 14.0, 400.0, 300.0)


def ipa_drivers(points: list[IpaPoint], labels: dict, words: dict) -> Markup:
    """``labels``: {key: touchpoint name}; ``words``: axis and legend words in the page language."""
    if not points:
        return Markup("")
    named = [IpaPoint(p.key, short(labels.get(p.key, p.key), 16), p.importance, p.stated, p.performance)
             for p in points]
    x_max = max([p.importance for p in named] + [p.stated for p in named] + [5.0]) * 1.15
    lo, hi = y_range_of(named)
    placed = place_points(named, box=BOX, x_max=x_max, y_range=(lo, hi), radius=5, font=10)
    x0, y0, x1, y1 = BOX
    mi = sum(p.importance for p in named) / len(named)
    mp = sum(p.performance for p in named) / len(named)
    mx = x0 + (x1 - x0) * mi / x_max
    my = y1 - (y1 - y0) * (mp - lo) / (hi - lo)
    body = [f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="#fff" stroke="{LINE}"/>',
            f'<rect x="{mx:.1f}" y="{my:.1f}" width="{x1 - mx:.1f}" height="{y1 - my:.1f}" fill="#fbe9e5"/>',
            f'<line x1="{mx:.1f}" y1="{y0}" x2="{mx:.1f}" y2="{y1}" stroke="{MUTED}" stroke-dasharray="4 3"/>',
            f'<line x1="{x0}" y1="{my:.1f}" x2="{x1}" y2="{my:.1f}" stroke="{MUTED}" stroke-dasharray="4 3"/>',
            _text(x1 - 4, y1 - 6, words["fix"], 10, "end", BAD, "bold"),
            _text((x0 + x1) / 2, H - 8, words["x"], 10, "middle", MUTED),
            f'<text x="12" y="{(y0 + y1) / 2:.1f}" font-size="10" fill="{MUTED}" text-anchor="middle" '
            f'transform="rotate(-90 12 {(y0 + y1) / 2:.1f})">{escape(words["y"])}</text>']
    for v in (lo, (lo + hi) / 2, hi):
        y = y1 - (y1 - y0) * (v - lo) / (hi - lo)
        body.append(_text(x0 - 4, y + 3, f"{v:.0f}", 9, "end", MUTED))
    for v in (0, x_max / 2, x_max):
        body.append(_text(x0 + (x1 - x0) * v / x_max, y1 + 12, f"{v:.0f}%", 9, "middle", MUTED))
    for p in placed:
        body.append(f'<line x1="{p.sx:.1f}" y1="{p.sy:.1f}" x2="{p.x:.1f}" y2="{p.y:.1f}" stroke="{MUTED}" '
                    f'stroke-width="0.8"/>')
        body.append(f'<circle cx="{p.sx:.1f}" cy="{p.sy:.1f}" r="4" fill="none" stroke="{MUTED}" stroke-width="1.2"/>')
    for p in placed:
        body.append(f'<circle class="ipa-point" data-key="{escape(p.key)}" cx="{p.x:.1f}" cy="{p.y:.1f}" r="5" '
                    f'fill="{ACCENT}" stroke="#fff" stroke-width="1"/>')
        body.append(_text(p.lx, p.ly + p.lh * 0.78, p.label, 10, "start", INK))
    lx = x1 + 14
    body += [f'<circle cx="{lx}" cy="30" r="5" fill="{ACCENT}"/>', _text(lx + 9, 34, words["derived"], 9),
             f'<circle cx="{lx}" cy="50" r="4" fill="none" stroke="{MUTED}" stroke-width="1.2"/>',
             _text(lx + 9, 54, words["stated"], 9)]
    return _svg(W, H, body, words["title"])
