"""Planner results laid out for the screen and the comparison PDF."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from fieldapp.planner import charts as planner_charts

# (metric key in simulation.compare, label, unit, higher is better)
COMPARE_ROWS = (
    ("wait_min", _l("Mean wait"), "min", False),
    ("wait_p90", _l("Wait, 90th percentile"), "min", False),
    ("perceived_wait_min", _l("Perceived wait"), "min", False),
    ("satisfaction", _l("Satisfaction (0-100)"), "", True),
    ("abandonment_rate", _l("Customers who left"), "%", False),
    ("staff_hours", _l("Staff hours"), "h", None),
)


def job_view(job: dict) -> dict:
    """What a finished job shows: rows, percentiles and charts."""
    result = job.get("result")
    if not result or job["status"] != "done":
        return {}
    if job["kind"] == "compare":
        return _compare_view(result)
    if job["kind"] == "sweep":
        points = [{"label": v["label"], "staff_hours": v["staff_hours"],
                   "satisfaction": v["satisfaction"]["mean"], "samples": v["params"]["samples"],
                   "wait": v["wait_min"]["mean"], "wait_p90": v["wait_min"].get("p90"),
                   "abandonment": v["abandonment_rate"]["mean"]} for v in result["variants"]]
        return {"points": points, "chart": planner_charts.tradeoff(points)}
    if job["kind"] == "fitcheck":
        return {"fit": result}
    return {"result": result}


def _compare_view(result: dict) -> dict:
    metrics = result["metrics"]
    rows = []
    for key, label, unit, better_up in COMPARE_ROWS:
        m = metrics.get(key)
        if m is None:
            continue
        scale = 100 if unit == "%" else 1
        rows.append({"label": label, "unit": unit, "base": _scaled(m["base"], scale),
                     "changed": _scaled(m["changed"], scale), "diff": _scaled(m["diff"], scale),
                     "ci95": [_scaled(v, scale) for v in m["ci95"]], "significant": m["significant"],
                     "good": None if better_up is None or not m["significant"]
                     else (m["diff"] > 0) == better_up})
    for key, m in metrics.items():
        if key.startswith("stations.") and key.endswith(".utilization"):
            rows.append({"label": f"{key.split('.')[1]}: " + str(_l("utilisation")), "unit": "%",
                         "base": m["base"] * 100, "changed": m["changed"] * 100, "diff": m["diff"] * 100,
                         "ci95": [v * 100 if v is not None else None for v in m["ci95"]],
                         "significant": m["significant"], "good": None})
    base, changed = result["base_result"], result["changed_result"]
    percentiles = [{"q": q, "base": base["wait_min"].get(q), "changed": changed["wait_min"].get(q)}
                   for q in ("p50", "p90", "p95")]
    chart = planner_charts.wait_histograms(base["wait_min"].get("histogram", {}),
                                           changed["wait_min"].get("histogram", {}),
                                           labels=(str(_l("baseline")), str(_l("what-if"))))
    return {"rows": rows, "percentiles": percentiles, "chart": chart, "replications": result["replications"]}


def _scaled(value, scale):
    return None if value is None else value * scale


def comparison_pdf(job: dict) -> bytes:
    from fieldapp.reports.pdf import SafeFetcher, render_pdf

    html = render_template("planner/comparison_pdf.html", job=job, view=job_view(job))
    fetcher = SafeFetcher(current_app.static_folder, current_app.config["PHOTO_DIR"], photos=[])
    return render_pdf(html, fetcher)
