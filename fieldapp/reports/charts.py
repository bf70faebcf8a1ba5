"""Server-side SVG charts for reports and dashboards.

Plain SVG with presentation attributes only (no ``style`` attribute, no
``<style>``, no script), so the same markup passes the screen's strict CSP and
prints sharp in WeasyPrint. Every function takes plain numbers and short
labels and returns ``Markup``; callers escape nothing themselves.
"""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import Markup, escape

from fieldapp.web.timefmt import mmss

FONT = 'font-family="NanumGothic, sans-serif"'
INK, MUTED, LINE = "#2b2118", "#7a6d60", "#e4ddd3"
GOOD, BAD, WARN, ACCENT = "#2f7d4f", "#b3261e", "#c98a00", "#b5402a"
FACE_FILL = ("#f2b8b0", "#f6cfa6", "#f3e1a0", "#cfe6b8", "#a9dbb9")


def _svg(width: float, height: float, body: list[str], label: str, css_class: str = "chart") -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="{escape(label)}" {FONT}>'
        + "".join(body) + "</svg>")


def _text(x, y, text, size=10, anchor="start", fill=INK, weight="normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>')


def short(text: str, limit: int = 14) -> str:
    """Cut a label to ``limit`` characters with an ellipsis."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def score_colour(score: float | None, pass_score: float = 80) -> str:
    if score is None:
        return MUTED
    if score >= pass_score:
        return GOOD
    return WARN if score >= pass_score - 15 else BAD


def face(cx: float, cy: float, r: float, emotion: int) -> str:
    """A drawn face for an emotion 1 (unhappy) .. 5 (delighted): no emoji needed."""
    emotion = max(1, min(5, int(emotion)))
    curve = (emotion - 3) * r * 0.28  # mouth bends up when happy, down when not
    mouth_y = cy + r * 0.35
    return (f'<g class="face-{emotion}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" '
            f'fill="{FACE_FILL[emotion - 1]}" stroke="{INK}" stroke-width="1"/>'
            f'<circle cx="{cx - r * .35:.1f}" cy="{cy - r * .2:.1f}" r="{r * .1:.1f}" fill="{INK}"/>'
            f'<circle cx="{cx + r * .35:.1f}" cy="{cy - r * .2:.1f}" r="{r * .1:.1f}" fill="{INK}"/>'
            f'<path d="M{cx - r * .45:.1f},{mouth_y:.1f} Q{cx:.1f},{mouth_y + curve:.1f} '
            f'{cx + r * .45:.1f},{mouth_y:.1f}" fill="none" stroke="{INK}" stroke-width="1.2" '
            f'stroke-linecap="round"/></g>')


def face_icon(emotion: int, size: int = 16) -> Markup:
    """A small standalone face, for inline use next to a rating."""
    r = size / 2 - 1
    return _svg(size, size, [face(size / 2, size / 2, r, emotion)], f"{emotion}/5", "face-icon")


def journey_map(stages: list[dict], pass_score: float = 80, width: int = 680) -> Markup:
    """Stages left to right: journey-stage tag, emotion curve with faces, score bars.

    :param stages: dicts with ``label``, ``journey`` (tag), ``emotion`` (1-5 or
        None) and ``score`` (0-100 or None), in visit order.
    """
    n = max(1, len(stages))
    left, top = 34, 8
    col = (width - left - 6) / n
    curve_top, curve_h = top + 34, 96
    bar_top, bar_h = curve_top + curve_h + 30, 60
    height = bar_top + bar_h + 34
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>']
    # emotion band guide lines (1..5)
    for level in range(1, 6):
        y = curve_top + curve_h - (level - 1) / 4 * curve_h
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 6}" y2="{y:.1f}" stroke="{LINE}" '
                    f'stroke-dasharray="{"0" if level == 3 else "2,3"}"/>')
        body.append(_text(left - 6, y + 3, str(level), 8, "end", MUTED))
    previous_tag = None
    points = []
    for i, s in enumerate(stages):
        x0 = left + i * col
        cx = x0 + col / 2
        if s.get("journey") != previous_tag:
            body.append(f'<rect x="{x0 + 1:.1f}" y="{top}" width="{col - 2:.1f}" height="18" rx="4" '
                        f'fill="#f3ece2"/>')
            body.append(_text(x0 + 5, top + 13, short(s.get("journey_label") or s.get("journey") or "", 16),
                              9, "start", MUTED))
            previous_tag = s.get("journey")
        if i:
            body.append(f'<line x1="{x0:.1f}" y1="{top + 22}" x2="{x0:.1f}" y2="{bar_top + bar_h}" '
                        f'stroke="{LINE}"/>')
        if s.get("emotion"):
            y = curve_top + curve_h - (s["emotion"] - 1) / 4 * curve_h
            points.append((cx, y, s["emotion"]))
        score = s.get("score")
        if score is not None:
            h = bar_h * max(0.0, min(100.0, score)) / 100
            body.append(f'<rect x="{cx - col * .22:.1f}" y="{bar_top + bar_h - h:.1f}" '
                        f'width="{col * .44:.1f}" height="{h:.1f}" fill="{score_colour(score, pass_score)}" '
                        f'rx="2"/>')
            body.append(_text(cx, bar_top + bar_h - h - 3, f"{score:.0f}", 9, "middle", INK, "bold"))
        else:
            body.append(_text(cx, bar_top + bar_h - 3, "–", 9, "middle", MUTED))
        body.append(_text(cx, bar_top + bar_h + 13, short(s.get("label", ""), int(col / 6.5) or 4),
                          9, "middle"))
    pass_y = bar_top + bar_h - bar_h * pass_score / 100
    body.append(f'<line x1="{left}" y1="{pass_y:.1f}" x2="{width - 6}" y2="{pass_y:.1f}" '
                f'stroke="{ACCENT}" stroke-dasharray="4,3" stroke-width="1"/>')
    body.append(_text(left - 6, pass_y + 3, f"{pass_score:.0f}", 8, "end", ACCENT))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="2.2" '
                    f'stroke-linejoin="round"/>')
    for x, y, e in points:
        body.append(face(x, y, 9, e))
    return _svg(width, height, body, "journey map")


def wait_bars(waits: list[dict], width: int = 680) -> Markup:
    """Horizontal bars of measured waits with the target marked, values in a right column.

    :param waits: dicts with ``label``, ``seconds`` and ``target`` (seconds or None);
        optional ``p90`` draws a whisker.
    """
    if not waits:
        return Markup("")
    label_w, row_h = 190, 24
    height = row_h * len(waits) + 20
    scale_max = max(max((w.get("p90") or w["seconds"]) for w in waits),
                    max((w.get("target") or 0) for w in waits)) * 1.1 or 1
    plot_w = width - label_w - 70
    body = []
    for i, w in enumerate(waits):
        y = 6 + i * row_h
        over = w.get("target") and w["seconds"] > w["target"]
        bar = plot_w * w["seconds"] / scale_max
        body.append(_text(label_w - 6, y + 13, short(w["label"], 26), 9, "end"))
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="13" rx="2" '
                    f'fill="{BAD if over else GOOD}"/>')
        if w.get("p90"):
            px = label_w + plot_w * w["p90"] / scale_max
            body.append(f'<line x1="{label_w + bar:.1f}" y1="{y + 9.5}" x2="{px:.1f}" y2="{y + 9.5}" '
                        f'stroke="{INK}" stroke-width="1"/><line x1="{px:.1f}" y1="{y + 4}" '
                        f'x2="{px:.1f}" y2="{y + 15}" stroke="{INK}"/>')
        if w.get("target"):
            tx = label_w + plot_w * w["target"] / scale_max
            body.append(f'<line x1="{tx:.1f}" y1="{y}" x2="{tx:.1f}" y2="{y + 19}" stroke="{INK}" '
                        f'stroke-width="2" stroke-dasharray="3,2"/>')
        # values sit in their own column at the right, clear of bars and target lines
        body.append(_text(label_w + plot_w + 6, y + 13, mmss(w["seconds"]) + (
            f" / {mmss(w['target'])}" if w.get("target") else ""), 9, "start", MUTED))
    return _svg(width, height, body, "waits against targets")


def trend(points: list[tuple], pass_score: float = 80, width: int = 680, height: int = 170, *,
          days: int = 0, start=None) -> Markup:
    """Score over time, as ``results.trend`` gives it.

    ``days == 0``: one dot per visit, ``(iso date, score)``, and a line through the
    average of the last five. Else one dot per ``days`` from ``start`` (a date),
    ``(day offset, visits, mean, lowest, highest)``: the dot is the mean, a thin bar
    spans lowest to highest, the line joins the means.
    """
    left, right, top, bottom = 30, 8, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>']
    for level in (0, 50, 100):
        y = top + plot_h * (1 - level / 100)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{LINE}"/>')
        body.append(_text(left - 4, y + 3, str(level), 8, "end", MUTED))
    py = top + plot_h * (1 - pass_score / 100)
    body.append(f'<line x1="{left}" y1="{py:.1f}" x2="{width - right}" y2="{py:.1f}" stroke="{ACCENT}" '
                f'stroke-dasharray="4,3"/>')
    if not points:
        return _svg(width, height, body, "score trend")
    if days:
        ords = [start.toordinal() + p[0] for p in points]
        means, labels = [p[2] for p in points], (start + timedelta(days=points[0][0]),
                                                 start + timedelta(days=points[-1][0] + days - 1))
    else:
        ords = [date.fromisoformat(d[:10]).toordinal() for d, _ in points]
        means, labels = [p[1] for p in points], (points[0][0][:10], points[-1][0][:10])
    first, span = min(ords), max(1, max(ords) - min(ords))

    def x_of(day):
        return left + plot_w * (day - first) / span

    def y_of(score):
        return top + plot_h * (1 - max(0, min(100, score)) / 100)

    if days:
        line = [(x_of(day), y_of(mean)) for day, mean in zip(ords, means)]
        for day, p in zip(ords, points):
            body.append(f'<line x1="{x_of(day):.1f}" y1="{y_of(p[3]):.1f}" x2="{x_of(day):.1f}" '
                        f'y2="{y_of(p[4]):.1f}" stroke="{LINE}" stroke-width="2"/>')
    else:
        window, line = [], []
        for day, score in zip(ords, means):
            window = (window + [score])[-5:]
            line.append((x_of(day), y_of(sum(window) / len(window))))
    if len(line) > 1:
        body.append('<polyline points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
                    + f'" fill="none" stroke="{INK}" stroke-width="1.8"/>')
    for day, score in zip(ords, means):
        body.append(f'<circle cx="{x_of(day):.1f}" cy="{y_of(score):.1f}" r="2.6" '
                    f'fill="{score_colour(score, pass_score)}"/>')
    body.append(_text(left, height - 6, str(labels[0]), 8, "start", MUTED))
    body.append(_text(width - right, height - 6, str(labels[1]), 8, "end", MUTED))
    return _svg(width, height, body, "score trend")


def compare_bars(rows: list[dict], width: int = 680, a_label: str = "", b_label: str = "") -> Markup:
    """Pairs of bars per row: ``a`` (this scope) against ``b`` (the chain)."""
    label_w, row_h = 170, 26
    height = row_h * len(rows) + 26
    plot_w = width - label_w - 40
    body = [f'<rect x="{label_w}" y="2" width="10" height="8" fill="{ACCENT}"/>',
            _text(label_w + 14, 10, a_label, 9),
            f'<rect x="{label_w + 160}" y="2" width="10" height="8" fill="#c9bba8"/>',
            _text(label_w + 174, 10, b_label, 9)]
    for i, r in enumerate(rows):
        y = 18 + i * row_h
        body.append(_text(label_w - 6, y + 13, short(r["label"], 22), 9, "end"))
        for j, (key, colour) in enumerate((("a", ACCENT), ("b", "#c9bba8"))):
            value = r.get(key)
            if value is None:
                continue
            w = plot_w * max(0, min(100, value)) / 100
            body.append(f'<rect x="{label_w}" y="{y + 2 + j * 10}" width="{w:.1f}" height="9" '
                        f'fill="{colour}"/>')
            body.append(_text(label_w + w + 4, y + 10 + j * 10, f"{value:.0f}", 8, "start", MUTED))
    return _svg(width, height, body, "stage scores compared with the chain")


def ipa_matrix(points: list[dict], width: int = 400, height: int = 300, labels: dict | None = None) -> Markup:
    """Importance-performance grid: importance (1-5) up, performance (0-100) right.

    Points are numbered; the crosshair sits at the means, as in Hilton-style IPA.
    :param labels: quadrant captions ``concentrate``, ``keep``, ``low``, ``overkill``.
    """
    labels = labels or {}
    left, right, top, bottom = 30, 8, 8, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    body = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="{LINE}"/>']
    valid = [p for p in points if p.get("performance") is not None]
    if valid:
        mean_i = sum(p["importance"] for p in valid) / len(valid)
        mean_p = sum(p["performance"] for p in valid) / len(valid)
    else:
        mean_i, mean_p = 3, 50

    # Zoom the performance axis onto the data (scores cluster high), in steps of 10.
    low = min([p["performance"] for p in valid] + [100.0])
    x_min = max(0.0, min(50.0, (low - 5) // 10 * 10))

    def xy(imp, perf):
        return left + plot_w * (perf - x_min) / (100 - x_min), top + plot_h * (1 - (imp - 0.5) / 5)

    cx, cy = xy(mean_i, mean_p)
    body.append(f'<rect x="{left}" y="{top}" width="{cx - left:.1f}" height="{cy - top:.1f}" fill="#fbe6e2"/>')
    body.append(f'<line x1="{cx:.1f}" y1="{top}" x2="{cx:.1f}" y2="{top + plot_h}" stroke="{MUTED}" '
                f'stroke-dasharray="3,3"/>')
    body.append(f'<line x1="{left}" y1="{cy:.1f}" x2="{left + plot_w}" y2="{cy:.1f}" stroke="{MUTED}" '
                f'stroke-dasharray="3,3"/>')
    body.append(_text(left + 4, top + 12, labels.get("concentrate", ""), 9, "start", BAD, "bold"))
    body.append(_text(left + plot_w - 4, top + 12, labels.get("keep", ""), 9, "end", GOOD, "bold"))
    body.append(_text(left + 4, top + plot_h - 5, labels.get("low", ""), 9, "start", MUTED))
    body.append(_text(left + plot_w - 4, top + plot_h - 5, labels.get("overkill", ""), 9, "end", MUTED))
    for level in range(1, 6):
        _, y = xy(level, 0)
        body.append(_text(left - 5, y + 3, str(level), 8, "end", MUTED))
    for level in (x_min, (x_min + 100) / 2, 100):
        x, _ = xy(1, level)
        body.append(_text(x, top + plot_h + 12, f"{level:.0f}", 8, "middle", MUTED))
    for p in valid:
        x, y = xy(p["importance"], p["performance"])
        concentrate = p["importance"] >= mean_i and p["performance"] < mean_p
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="{BAD if concentrate else ACCENT}" '
                    f'fill-opacity="0.85"/>')
        body.append(_text(x, y + 3.5, str(p["number"]), 9, "middle", "#fff", "bold"))
    return _svg(width, height, body, "importance-performance matrix")


def sparkline(values: list[float], width: int = 110, height: int = 26, pass_score: float = 80) -> Markup:
    """A tiny score line (0-100) for a ranking table."""
    body = []
    py = height - 2 - (height - 4) * pass_score / 100
    body.append(f'<line x1="0" y1="{py:.1f}" x2="{width}" y2="{py:.1f}" stroke="{LINE}"/>')
    if values:
        step = (width - 4) / max(1, len(values) - 1)
        pts = [(2 + i * step, height - 2 - (height - 4) * max(0, min(100, v)) / 100)
               for i, v in enumerate(values)]
        if len(pts) > 1:
            body.append('<polyline points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                        + f'" fill="none" stroke="{ACCENT}" stroke-width="1.5"/>')
        x, y = pts[-1]
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{score_colour(values[-1], pass_score)}"/>')
    return _svg(width, height, body, "trend", "sparkline")
