"""The manager's dashboard: stores ranked, sparklines, failed-item hot spots,
recent visits, open actions; filtered by period, region, checklist and stage.

One URL serves the page and, to htmx, just the body fragment (``Vary:
HX-Request``); ``/dashboard.csv`` and ``/dashboard.json`` give the same data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import Blueprint, Response, abort, jsonify, request
from flask_login import current_user

from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.reports import charts
from fieldapp.reports import data as report_data
from fieldapp.reports.views import parse_period
from fieldapp.storage import actions as action_store
from fieldapp.storage import audit_log, checklist_store, reporting, stores
from fieldapp.storage.db import get_db
from fieldapp.web import htmx as web_htmx
from fieldapp.web.i18n import text_of
from fieldapp.web.timefmt import local_iso, today_local

bp = Blueprint("dashboard", __name__)

CSV_TABLES = ("stores", "hotspots", "visits", "actions")


@dataclass
class Filters:
    start: object
    end: object
    region: str
    checklist: str
    stage: str

    def args(self) -> dict:
        out = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for key in ("region", "checklist", "stage"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


def parse_filters(args) -> Filters:
    start, end = parse_period(args)
    return Filters(start, end, (args.get("region") or "").strip(), (args.get("checklist") or "").strip(),
                   (args.get("stage") or "").strip())


def dashboard_data(db, user: dict, f: Filters) -> dict:
    """Everything the dashboard shows, for the stores this user may see."""
    visible = stores.stores_by_ids(db, stores.visible_store_ids(db, user))
    regions = sorted({s["region"] for s in visible})
    if f.region and f.region not in regions:
        abort(404)
    shown = [s for s in visible if not f.region or s["region"] == f.region]
    ids = [s["id"] for s in shown]
    checklists = reporting.checklists_used(db, [s["id"] for s in visible])
    visits = reporting.released_visits(db, ids, f.start, f.end, f.checklist or None)
    checklist_id = f.checklist or report_data.dominant_checklist_id(visits)
    visits = [v for v in visits if v["checklist_id"] == checklist_id]
    checklist = checklist_store.load_pinned(db, visits[-1]["checklist_row_id"]) if visits else None
    stages = list(checklist.stages) if checklist else []
    if f.stage and f.stage not in {s.key for s in stages}:
        f.stage = ""
    today = today_local()
    actions = action_store.actions_in_stores(db, ids, ("open", "done"))
    for a in actions:
        a["overdue"] = report_data.is_overdue(a, today)
        a["item"] = _item(checklist, a["item_key"])
    actions.sort(key=lambda a: (not a["overdue"], a["status"] != "open", a["due_date"]))
    ranking = report_data.store_ranking(shown, visits, actions, today, f.stage or None)
    hotspots = report_data.failed_item_counts(checklist, visits, f.stage or None) if checklist else []
    recent = list(reversed(visits))[:10]
    return {"filters": f, "regions": regions, "checklists": checklists, "stages": stages,
            "checklist": checklist, "ranking": ranking, "hotspots": hotspots, "recent": recent,
            "actions": actions, "visit_count": len(visits)}


def _item(checklist, key):
    if checklist is None:
        return None
    try:
        return checklist.item(key)
    except KeyError:
        return None


@bp.route("/dashboard")
@requires("dashboard.read")
def index():
    data = dashboard_data(get_db(), current_user.row, parse_filters(request.args))
    return web_htmx.render("dashboard/index.html", "dashboard/_body.html", d=data,
                           sparkline=charts.sparkline, export_args=data["filters"].args())


# --- exports --------------------------------------------------------------------

def rows_for_export(data: dict) -> dict[str, list[dict]]:
    """The dashboard's tables as plain rows (language of the request), for CSV and JSON."""
    return {
        "stores": [{"rank": r["rank"], "code": r["store"]["code"], "store": r["store"]["name"],
                    "region": r["store"]["region"], "visits": r["visits"], "average": _round(r["average"]),
                    "pass_rate": _round(r["pass_rate"]), "open_actions": r["open_actions"],
                    "overdue_actions": r["overdue_actions"], "trend": [_round(x) for x in r["series"]]}
                   for r in data["ranking"]],
        "hotspots": [{"item_key": h["key"], "item": text_of(h["item"].title), "stage": text_of(h["stage"].title),
                      "failed": h["count"], "rate": _round(h["rate"]), "critical": h["critical"]}
                     for h in data["hotspots"]],
        "visits": [{"id": v["id"], "store": v["store_code"], "started_at": local_iso(v["started_at"]),
                    "checklist": v["checklist_id"], "score": _round(v["score"]), "passed": bool(v["passed"]),
                    "auditor": capabilities.auditor_label(current_user.role, v)}
                   for v in data["recent"]],
        "actions": [{"id": a["id"], "store": a["store_code"], "item_key": a["item_key"],
                     "item": text_of(a["item"].title) if a["item"] else a["item_key"], "owner": a["owner"],
                     "due_date": a["due_date"], "status": a["status"], "overdue": a["overdue"]}
                    for a in data["actions"]],
    }


def _round(value):
    return None if value is None else round(value, 1)


@bp.route("/dashboard.json")
@requires("dashboard.read")
def data_json():
    """The dashboard's data as JSON, same filters as the page."""
    data = dashboard_data(get_db(), current_user.row, parse_filters(request.args))
    f = data["filters"]
    audit_log.record_export(get_db(), actor_id=current_user.id, object_type="dashboard",
                            detail=f"json {request.query_string.decode()[:200]}")
    return jsonify({"filters": f.args(), "visit_count": data["visit_count"],
                    "checklist": data["checklist"].id if data["checklist"] else None,
                    **rows_for_export(data)})


@bp.route("/dashboard.csv")
@requires("dashboard.read")
def data_csv():
    """One dashboard table (``?table=stores|hotspots|visits|actions``) as CSV."""
    table = request.args.get("table", "stores")
    if table not in CSV_TABLES:
        abort(404)
    data = dashboard_data(get_db(), current_user.row, parse_filters(request.args))
    rows = rows_for_export(data)[table]
    out = io.StringIO()
    out.write("\ufeff")  # a BOM so spreadsheet apps read Hangul as UTF-8
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: " ".join(map(str, v)) if isinstance(v, list) else _cell(v)
                             for k, v in row.items()})
    f = data["filters"]
    audit_log.record_export(get_db(), actor_id=current_user.id, object_type="dashboard",
                            detail=f"{table}.csv {request.query_string.decode()[:200]}")
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="dashboard-{table}-{f.start.isoformat()}-{f.end.isoformat()}.csv"'
    return response


def _cell(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
