"""The manager's dashboard: stores ranked, sparklines, failed-item hot spots,
recent visits, open actions; filtered by period, region, checklist and stage.

One URL serves the page and, to htmx, just the body fragment (``Vary:
HX-Request``); ``/dashboard.csv`` and ``/dashboard.json`` give the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_login import current_user

from fieldapp.auth.capabilities import requires
from fieldapp.reports import charts, exports
from fieldapp.reports import data as report_data
from fieldapp.reports.views import parse_period
from fieldapp.storage import actions as action_store
from fieldapp.storage import audit_log, checklist_store, reporting, results, stores
from fieldapp.storage.db import get_db
from fieldapp.voice import analytics as voice_analytics
from fieldapp.web import htmx as web_htmx
from fieldapp.web.timefmt import today_local

bp = Blueprint("dashboard", __name__)

CSV_TABLES = exports.CSV_TABLES


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


def dashboard_data(db, user: dict, f: Filters, *, series: bool = True) -> dict:
    """Everything the dashboard shows, for the stores this user may see.

    Figures are SQL aggregates over the visits' result rows; ``series=False``
    leaves the sparklines out (exports stream them).
    """
    visible = stores.stores_by_ids(db, stores.visible_store_ids(db, user))
    regions = sorted({s["region"] for s in visible})
    if f.region and f.region not in regions:
        abort(404)
    shown = [s for s in visible if not f.region or s["region"] == f.region]
    ids = [s["id"] for s in shown]
    checklists = reporting.checklists_used(db, [s["id"] for s in visible])
    _checklist_id, scope = report_data.report_scope(db, ids, f.start, f.end, f.checklist or None,
                                                    used=[c["checklist_id"] for c in checklists])
    row_id = results.latest_row_id(db, scope)
    checklist = checklist_store.load_pinned(db, row_id) if row_id else None
    stages = list(checklist.stages) if checklist else []
    if f.stage and f.stage not in {s.key for s in stages}:
        f.stage = ""
    today = today_local()
    actions = action_store.actions_in_stores(db, ids, ("open", "done"))
    for a in actions:
        a["overdue"] = report_data.is_overdue(a, today)
        a["item"] = _item(checklist, a["item_key"])
    actions.sort(key=lambda a: (not a["overdue"], a["status"] != "open", a["due_date"]))
    ranking = report_data.store_ranking(db, shown, scope, actions, today, f.stage or None, series=series)
    visit_count = sum(r["visits"] for r in ranking)
    hotspots = report_data.failed_item_counts(checklist, report_data.item_failures(db, checklist, scope),
                                              visit_count,
                                              f.stage or None) if checklist else []
    recent = list(results.visits_newest_first(db, scope, 10))
    return {"filters": f, "regions": regions, "checklists": checklists, "stages": stages,
            "checklist": checklist, "ranking": ranking, "hotspots": hotspots, "recent": recent,
            "actions": actions, "visit_count": visit_count, "scope": scope}


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
    data["voice"] = voice_analytics.dashboard_block(get_db(), data)  # customers beside the shoppers
    return web_htmx.render("dashboard/index.html", "dashboard/_body.html", d=data,
                           sparkline=charts.sparkline, export_args=data["filters"].args())


# --- exports --------------------------------------------------------------------
# Generator responses: rows go out as SQLite reads them (fieldapp/reports/exports.py).

@bp.route("/dashboard.json")
@requires("dashboard.read")
def data_json():
    """The dashboard's data as JSON, same filters as the page; every visit of the period."""
    db = get_db()
    data = dashboard_data(db, current_user.row, parse_filters(request.args), series=False)
    audit_log.record_export(db, actor_id=current_user.id, object_type="dashboard",
                            detail=f"json {request.query_string.decode()[:200]}")
    role = current_user.role
    return Response(_streamed(lambda db_: exports.json_chunks(db_, data, role)), mimetype="application/json")


@bp.route("/dashboard.csv")
@requires("dashboard.read")
def data_csv():
    """One dashboard table (``?table=stores|hotspots|visits|actions``) as CSV."""
    table = request.args.get("table", "stores")
    if table not in CSV_TABLES:
        abort(404)
    db = get_db()
    data = dashboard_data(db, current_user.row, parse_filters(request.args), series=False)
    f = data["filters"]
    audit_log.record_export(db, actor_id=current_user.id, object_type="dashboard",
                            detail=f"{table}.csv {request.query_string.decode()[:200]}")
    role = current_user.role
    response = Response(_streamed(lambda db_: exports.csv_chunks(exports.table_rows(db_, data, table, role))),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="dashboard-{table}-{f.start.isoformat()}-{f.end.isoformat()}.csv"'
    return response


def _streamed(chunks_of):
    """A body written after the view returned: the request's connection is closed
    by then, so the generator reads through the one ``get_db()`` opens for it."""
    def body():
        yield from chunks_of(get_db())
    return stream_with_context(body())
