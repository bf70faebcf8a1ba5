"""Manager reports: one visit, or a store (or region) over a period; on screen and as PDF.

The screen page and the PDF render the same body template; the PDF wraps it
in a standalone document with print CSS and goes through ``report_pdf``.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.reports import charts
from fieldapp.reports import data as report_data
from fieldapp.storage import audit_log, stores
from fieldapp.storage.db import get_db
from fieldapp.web.i18n import text_of
from fieldapp.web.labels import JOURNEY_LABELS
from fieldapp.web.timefmt import today_local

bp = Blueprint("reports", __name__)

MAX_PERIOD_DAYS = 366


# --- one visit ----------------------------------------------------------------

@bp.route("/reports/visits/<int:visit_id>")
@requires("report.read")
def visit_html(visit_id: int):
    """The visit report on screen, with a link to its PDF.

    :raise 404: the visit is not one this user may see (another store's, unreleased).
    """
    db = get_db()
    report = report_data.visit_report(db, capabilities.visit_or_404(db, visit_id, current_user.row))
    return render_template("reports/visit.html", **visit_context(report, pdf=False))


@bp.route("/reports/visits/<int:visit_id>.pdf")
@requires("report.read")
def visit_pdf(visit_id: int):
    """The visit report as a PDF download."""
    db = get_db()
    report = report_data.visit_report(db, capabilities.visit_or_404(db, visit_id, current_user.row))
    pdf = render_visit_pdf(report, full_photos=request.args.get("photos") == "full")
    with db.atomic():
        audit_log.record(db, actor_id=current_user.id, action="export_pdf", object_type="visit",
                         object_id=visit_id)
    visit = report.visit
    return _pdf_response(pdf, f"visit-{visit_id}-{visit['store_code']}-{visit['started_at'][:10]}.pdf")


def render_visit_html(report: report_data.VisitReport, full_photos: bool = False) -> str:
    """The standalone print HTML of a visit report (what the PDF is made from);
    ``full_photos`` adds every photo at full page width after the items."""
    return render_template("reports/visit_print.html", **visit_context(report, pdf=True),
                           full_photos=full_photos)


def render_visit_pdf(report: report_data.VisitReport, full_photos: bool = False) -> bytes:
    from fieldapp.reports import pdf as report_pdf

    fetcher = report_pdf.SafeFetcher(current_app.static_folder, current_app.config["PHOTO_DIR"],
                                     report.photos)
    return report_pdf.render_pdf(render_visit_html(report, full_photos), fetcher)


def visit_context(report: report_data.VisitReport, *, pdf: bool) -> dict:
    checklist = report.checklist
    journey = [{"label": text_of(p["stage"].title), "journey": p["journey"],
                "journey_label": str(JOURNEY_LABELS.get(p["journey"], p["journey"])),
                "score": p["score"], "emotion": p["emotion"]} for p in report_data.journey_points(report)]
    waits = [{"label": text_of(w["item"].title), "seconds": w["seconds"], "target": w["target"]}
             for w in report_data.visit_waits(report)]
    return {
        "r": report, "v": report.view, "pdf": pdf,
        "journey_svg": charts.journey_map(journey, checklist.pass_score),
        "waits_svg": charts.wait_bars(waits),
        "waits": waits,
        "photo_src": _photo_src(pdf),
        "face_icon": charts.face_icon,
        "generated": today_local(),
        "can_act": not pdf and current_user.role == "manager" and "actions.new" in current_app.view_functions,
    }


def _photo_src(pdf: bool):
    if pdf:
        from fieldapp.reports import pdf as report_pdf

        return report_pdf.photo_url
    from flask import url_for

    return lambda p, size="thumb": url_for("photos_views.photo", photo_id=p["id"], size=size)


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in filename)
    response.headers["Content-Disposition"] = f'inline; filename="{safe}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- a store or region over a period -----------------------------------------

class Scope:
    """Which stores a period report covers, checked against what the user may see."""

    def __init__(self, stores_: list[dict], label: str, args: dict):
        self.stores = stores_
        self.label = label
        self.args = args


def resolve_scope(db, user: dict, store_id: str | None, region: str | None) -> Scope:
    """Stores for ``?store=`` or ``?region=`` (or all visible ones).

    :raise 404: the store or region is not among the user's.
    """
    visible = stores.stores_by_ids(db, stores.visible_store_ids(db, user))
    if store_id:
        chosen = [s for s in visible if str(s["id"]) == str(store_id)]
        if not chosen:
            abort(404)
        return Scope(chosen, chosen[0]["name"], {"store": chosen[0]["id"]})
    if region:
        chosen = [s for s in visible if s["region"] == region]
        if not chosen:
            abort(404)
        return Scope(chosen, region, {"region": region})
    if not visible:
        abort(404)
    return Scope(visible, _("All my stores") if user["role"] == "manager" else _("All stores"), {})


EARLIEST_DAY, LATEST_DAY = date(1990, 1, 1), date(2099, 12, 31)  # what a filter may ask for


def parse_period(args, default_days: int = 30) -> tuple[date, date]:
    """``start``/``end`` query dates (local), defaulting to the last ``default_days`` days.

    :raise 400: a malformed date, start after end, or more than a year.
    """
    try:
        end = date.fromisoformat(args.get("end") or today_local())
        start = date.fromisoformat(args.get("start")) if args.get("start") else \
            end - timedelta(days=default_days - 1)
    except (ValueError, OverflowError):
        abort(400, _("Dates must look like 2026-01-31."))
    if not (EARLIEST_DAY <= start and end <= LATEST_DAY):  # year 1 or 9999 would overflow later
        abort(400, _("Choose dates between %(first)s and %(last)s.", first=EARLIEST_DAY.isoformat(),
                     last=LATEST_DAY.isoformat()))
    if start > end:
        abort(400, _("The start date is after the end date."))
    if (end - start).days >= MAX_PERIOD_DAYS:
        abort(400, _("Choose a period of at most a year."))
    return start, end


def _period_report(db):
    scope = resolve_scope(db, current_user.row, request.args.get("store"), request.args.get("region"))
    start, end = parse_period(request.args)
    report = report_data.period_report(db, stores=scope.stores, org_id=current_user.org_id, start=start,
                                       end=end, checklist_id=request.args.get("checklist") or None,
                                       today=today_local())
    return scope, report


@bp.route("/reports/period")
@requires("report.read")
def period_html():
    """A store's (or region's) period report on screen."""
    db = get_db()
    scope, report = _period_report(db)
    return render_template("reports/period.html", **period_context(scope, report, pdf=False))


@bp.route("/reports/period.pdf")
@requires("report.read")
def period_pdf():
    """The period report as a PDF download."""
    db = get_db()
    scope, report = _period_report(db)
    pdf = render_period_pdf(scope, report)
    with db.atomic():
        audit_log.record(db, actor_id=current_user.id, action="export_pdf", object_type="period",
                         object_id=",".join(str(i) for i in report.store_ids),
                         detail=f"{report.start}..{report.end}")
    name = scope.stores[0]["code"] if len(scope.stores) == 1 else "stores"
    return _pdf_response(pdf, f"report-{name}-{report.start}-{report.end}.pdf")


def render_period_html(scope: Scope, report: report_data.PeriodReport) -> str:
    return render_template("reports/period_print.html", **period_context(scope, report, pdf=True))


def render_period_pdf(scope: Scope, report: report_data.PeriodReport) -> bytes:
    from fieldapp.reports import pdf as report_pdf

    fetcher = report_pdf.SafeFetcher(current_app.static_folder, current_app.config["PHOTO_DIR"], [])
    return report_pdf.render_pdf(render_period_html(scope, report), fetcher)


def period_context(scope: Scope, report: report_data.PeriodReport, *, pdf: bool) -> dict:
    pass_score = report.checklist.pass_score if report.checklist else 80
    svg = {"trend": charts.trend(report.trend, pass_score, days=report.trend_days, start=report.start)}
    if report.checklist:
        svg["stages"] = charts.compare_bars(
            [{"label": text_of(r["stage"].title), "a": r["scope"], "b": r["chain"]} for r in report.stage_rows],
            a_label=charts.short(scope.label, 24), b_label=_("Chain average"))
        svg["ipa"] = charts.ipa_matrix(report.ipa, labels={
            "concentrate": _("Concentrate here"), "keep": _("Keep up the good work"),
            "low": _("Low priority"), "overkill": _("Possible overkill")})
        svg["waits"] = charts.wait_bars([{"label": text_of(w["item"].title), "seconds": w["median"],
                                          "p90": w["p90"], "target": w["target"]} for w in report.waits])
        svg["journey"] = charts.journey_map(
            [{"label": text_of(r["stage"].title), "journey": r["journey"],
              "journey_label": str(JOURNEY_LABELS.get(r["journey"], r["journey"])),
              "score": r["scope"], "emotion": _round_emotion(e["emotion"])}
             for r, e in zip(report.stage_rows, report.emotions)], pass_score)
    from fieldapp.voice import analytics as voice_analytics

    return {"r": report, "scope": scope, "pdf": pdf, "svg": svg, "pass_score": pass_score,
            "generated": today_local(), "voice": voice_analytics.period_block(scope.stores, report),
            "pdf_args": {**scope.args, "start": report.start.isoformat(), "end": report.end.isoformat()}}


def _round_emotion(value: float | None) -> int | None:
    return None if value is None else max(1, min(5, round(value)))
