"""Planner results laid out for the screen and the comparison PDF."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from fieldapp.planner import charts as planner_charts
from fieldapp.planner import words

# (metric key in simulation.compare, label, unit, higher is better)
COMPARE_ROWS = (
    ("wait_min", _l("Mean wait"), _l("min"), False),
    ("wait_p90", _l("Wait that 9 in 10 customers do not exceed"), _l("min"), False),
    ("perceived_wait_min", _l("How long the wait feels"), _l("min"), False),
    ("satisfaction", _l("Satisfaction (0-100)"), "", True),
    ("abandonment_rate", _l("Customers who left"), "%", False),
    ("staff_hours", _l("Staff-hours (people × hours)"), "", None),
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
        return {"fit": result, "gaps": result.get("quantile_gaps") or [],
                "verdict": result.get("verdict") or {"code": "too_few", "params": {"n": result.get("n_observed")}}}
    if job["kind"] == "staff":
        return _staff_view(job)
    return {"result": result}


def side_by_side(jobs: list[dict]) -> list[dict]:
    """Finished comparisons of one baseline as columns: what changed, in words, and the results."""
    columns = []
    for job in jobs:
        view = _compare_view(job["result"])
        columns.append({"job": job, "changes": words.describe(job["input"].get("changes", {}),
                                                             job["input"].get("rota")),
                        "rows": {r["key"]: r for r in view["rows"]}})
    return columns


def _staff_view(job: dict) -> dict:
    """The staffing answer as a rota grid beside the current rota, with the staff-hours difference."""
    from fieldapp.planner import whatif

    payload, result = job["input"], job["result"]
    open_time = payload.get("open_time", "08:00")
    open_hour = int(open_time[:2])
    baseline = payload["baseline"]
    stations = [st["name"] for st in baseline["stations"]]
    current = {st: dict(whatif.servers_per_hour(baseline, open_time, st)) for st in stations}
    grid: dict[int, dict] = {}
    for h in result["hours"]:
        clock = (open_hour + h["hour"]) % 24
        grid.setdefault(clock, {})[h["station"]] = {
            "now": current[h["station"]].get(clock, 0), "proposed": h["servers"],
            "achieved": h["achieved"]}
    horizon = float(baseline.get("horizon_min", 600))
    now_hours = sum(min(60.0, horizon - 60.0 * i) * n for st in stations
                    for i, n in enumerate(current[st].values())) / 60.0
    return {"stations": stations, "grid": sorted(grid.items()), "now_hours": round(now_hours, 1),
            "proposed_hours": result["staff_hours"], "diff_hours": round(result["staff_hours"] - now_hours, 1),
            "met": result.get("met", True), "targets": result.get("targets", [])}


def _compare_view(result: dict) -> dict:
    metrics = result["metrics"]
    rows = []
    for key, label, unit, better_up in COMPARE_ROWS:
        m = metrics.get(key)
        if m is None:
            continue
        scale = 100 if unit == "%" else 1
        rows.append({"key": key, "label": label, "unit": unit, "base": _scaled(m["base"], scale),
                     "changed": _scaled(m["changed"], scale), "diff": _scaled(m["diff"], scale),
                     "ci95": [_scaled(v, scale) for v in m["ci95"]], "significant": m["significant"],
                     "good": None if better_up is None or not m["significant"]
                     else (m["diff"] > 0) == better_up})
    for key, m in metrics.items():
        if key.startswith("stations.") and key.endswith(".utilization"):
            rows.append({"key": key, "label": str(_l("How busy the staff are")) + ": "
                         + words.station_name(key.split(".")[1]), "unit": "%",
                         "base": m["base"] * 100, "changed": m["changed"] * 100, "diff": m["diff"] * 100,
                         "ci95": [v * 100 if v is not None else None for v in m["ci95"]],
                         "significant": m["significant"], "good": None})
    base, changed = result["base_result"], result["changed_result"]
    percentiles = [{"q": q, "base": base["wait_min"].get(q), "changed": changed["wait_min"].get(q)}
                   for q in ("p50", "p90", "p95")]
    chart = planner_charts.wait_histograms(base["wait_min"].get("histogram", {}),
                                           changed["wait_min"].get("histogram", {}),
                                           labels=(str(_l("baseline")), str(_l("what-if"))))
    hourly = result.get("hourly")
    return {"rows": rows, "percentiles": percentiles, "chart": chart, "replications": result["replications"],
            "hourly": hourly, "hourly_charts": planner_charts.hourly_charts(hourly) if hourly else []}


def _scaled(value, scale):
    return None if value is None else value * scale


def comparison_pdf(job: dict) -> bytes:
    from fieldapp.reports.pdf import SafeFetcher, render_pdf

    html = render_template("planner/comparison_pdf.html", job=job, view=job_view(job))
    fetcher = SafeFetcher(current_app.static_folder, current_app.config["PHOTO_DIR"], photos=[])
    return render_pdf(html, fetcher)
