"""The manager's dashboard: stores ranked, sparklines, failed-item hot spots,
recent visits, open actions; filtered by period, region, checklist and stage.

One URL serves the page and, to htmx, just the body fragment (``Vary:
HX-Request``); ``/dashboard.csv`` and ``/dashboard.json`` give the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_babel import gettext as _
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


RANKING_PAGE = 50     # stores per page of the ranking; the CSV has them all
ACTIONS_SHOWN = 50    # most urgent actions on the page; the CSV has them all


class Dashboard:
    """What the dashboard shows, for the stores this user may see and the filters.

    Every figure is an SQL aggregate over the visits' result rows, read the first
    time a part is asked for: the page reads them all, an export only its table
    (so its first byte leaves before the other tables are computed).
    """

    def __init__(self, db, user: dict, f: Filters):
        self.db = db
        visible = stores.stores_by_ids(db, stores.visible_store_ids(db, user))
        self.filters = f
        self.regions = sorted({s["region"] for s in visible})
        if f.region and f.region not in self.regions:
            abort(404)
        self.shown = [s for s in visible if not f.region or s["region"] == f.region]
        self.store_ids = [s["id"] for s in self.shown]
        self.checklists = reporting.checklists_used(db, [s["id"] for s in visible])
        _checklist_id, self.scope = report_data.report_scope(
            db, self.store_ids, f.start, f.end, f.checklist or None,
            used=[c["checklist_id"] for c in self.checklists])
        row_id = results.latest_row_id(db, self.scope)
        self.checklist = checklist_store.load_pinned(db, row_id) if row_id else None
        self.stages = list(self.checklist.stages) if self.checklist else []
        if f.stage and f.stage not in {s.key for s in self.stages}:
            f.stage = ""
        self.today = today_local()

    def reading_from(self, db) -> Dashboard:
        """The same dashboard reading through ``db`` (a streamed export's own connection)."""
        self.db = db
        return self

    @cached_property
    def ranking(self) -> list[dict]:
        return report_data.store_ranking(self.db, self.shown, self.scope, self.today, self.filters.stage or None)

    @cached_property
    def visit_count(self) -> int:
        if "ranking" in self.__dict__:
            return sum(r["visits"] for r in self.ranking)
        return results.summary(self.db, self.scope)["visits"]

    @cached_property
    def hotspots(self) -> list[dict]:
        if self.checklist is None:
            return []
        return report_data.failed_item_counts(
            self.checklist, report_data.item_failures(self.db, self.checklist, self.scope), self.visit_count,
            self.filters.stage or None)

    def actions_iter(self, limit: int | None = ACTIONS_SHOWN):
        """Open and done actions of the shown stores, overdue first, then by due date."""
        rows = action_store.actions_in_stores(self.db, self.store_ids, ("open", "done"), limit=limit)
        for a in rows:
            a["overdue"] = report_data.is_overdue(a, self.today)
            a["item"] = _item(self.checklist, a["item_key"])
            yield a

    @cached_property
    def actions(self) -> list[dict]:
        out = list(self.actions_iter())
        out.sort(key=lambda a: (not a["overdue"], a["status"] != "open", a["due_date"]))
        return out

    @property
    def actions_cut(self) -> bool:
        """More actions exist than the page shows."""
        return len(self.actions) >= ACTIONS_SHOWN

    @cached_property
    def recent(self) -> list[dict]:
        return list(results.visits_newest_first(self.db, self.scope, 10))

    def page(self, number: int) -> dict:
        """One page of the ranking: its rows, number, count of pages and the store range."""
        pages = max(1, -(-len(self.ranking) // RANKING_PAGE))
        number = min(max(1, number), pages)
        first = (number - 1) * RANKING_PAGE
        rows = list(report_data.with_series(self.db, self.scope, self.ranking[first:first + RANKING_PAGE],
                                            self.filters.stage or None))
        return {"rows": rows, "number": number, "pages": pages, "first": first + 1 if rows else 0,
                "last": first + len(rows), "total": len(self.ranking)}


def _item(checklist, key):
    if checklist is None:
        return None
    try:
        return checklist.item(key)
    except KeyError:
        return None


def parse_page(args) -> int:
    """The ranking page asked for; a page that is not a number is a bad request."""
    raw = args.get("page", "1")
    if not raw.isdigit():
        abort(400, _("The page must be a whole number."))
    return int(raw)


@bp.route("/dashboard")
@requires("dashboard.read")
def index():
    data = Dashboard(get_db(), current_user.row, parse_filters(request.args))
    page = data.page(parse_page(request.args))
    return web_htmx.render("dashboard/index.html", "dashboard/_body.html", d=data, ranking_page=page,
                           sparkline=charts.sparkline, export_args=data.filters.args())


@bp.route("/dashboard/customers")
@requires("dashboard.read")
def customers():
    """The dashboard's customer section, same filters: the page asks for it once it is
    shown, so the shoppers' figures do not wait for a chain's customer answers."""
    data = Dashboard(get_db(), current_user.row, parse_filters(request.args))
    voice = voice_analytics.dashboard_block(get_db(), data)  # customers beside the shoppers
    return web_htmx.render("dashboard/customers.html", "dashboard/_customers.html", d=data, voice=voice, pdf=False,
                           export_args=data.filters.args())


# --- exports --------------------------------------------------------------------
# Generator responses: rows go out as SQLite reads them (fieldapp/reports/exports.py).

@bp.route("/dashboard.json")
@requires("dashboard.read")
def data_json():
    """The dashboard's data as JSON, same filters as the page; every visit of the period."""
    db = get_db()
    data = Dashboard(db, current_user.row, parse_filters(request.args))
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
    data = Dashboard(db, current_user.row, parse_filters(request.args))
    f = data.filters
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
