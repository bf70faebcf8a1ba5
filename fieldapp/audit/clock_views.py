"""The journey clock's routes: mark an event, correct its time, undo it.

Each reply is the clock bar, plus (out of band) the timed items of the
stage the phone shows, so a wait appears on its item the moment it closes.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.audit import journey
from fieldapp.audit import view_models as visit_view
from fieldapp.audit import workflow as visit_service
from fieldapp.audit.views import bp, phone_time
from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.storage import checklist_store, visits
from fieldapp.storage.db import get_db
from fieldapp.web.timefmt import org_tz


@bp.route("/visits/<int:visit_id>/clock", methods=["POST"])
@requires("visit.answer")
def clock_mark(visit_id: int):
    """Mark one journey event at the phone's time of the tap (kept by the outbox offline)."""
    db, row, checklist = _editable(visit_id)
    event = request.form.get("event", "")
    if event not in journey.clock_events(checklist):
        return _bar(db, row, error=_("The stopwatch mark was not valid.")), 400
    at, flag = phone_time(request.form.get("at", ""), row["started_at"])
    if at is None:
        return _bar(db, row, error=_("The stopwatch mark was not valid.")), 400
    visit_service.mark_event(db, visit_id=visit_id, event=event, at=at, user_id=current_user.id,
                             client_id=request.form.get("client_id") or None, time_flag=flag)
    return _bar(db, row)


@bp.route("/visits/<int:visit_id>/clock/<event>/correct", methods=["POST"])
@requires("visit.answer")
def clock_correct(visit_id: int, event: str):
    """Set a mark to another time of the same day (store time, HH:MM or HH:MM:SS)."""
    db, row, checklist = _editable(visit_id)
    mark = visit_view.build(db, row).clock.marks.get(event)
    if mark is None:
        abort(404)
    at = _same_day(mark["at"], request.form.get("time", ""))
    if at is None:
        return _bar(db, row, error=_("Give the time as hours, minutes and seconds (14:05:30)."),
                    error_event=event), 422
    visit_service.correct_event(db, visit_id=visit_id, event=event, at=at, user_id=current_user.id)
    return _bar(db, row)


@bp.route("/visits/<int:visit_id>/clock/<event>/undo", methods=["POST"])
@requires("visit.answer")
def clock_undo(visit_id: int, event: str):
    db, row, _checklist = _editable(visit_id)
    visit_service.undo_event(db, visit_id=visit_id, event=event, user_id=current_user.id)
    return _bar(db, row)


def _editable(visit_id: int):
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    if not capabilities.can_edit(current_user.row, row):
        abort(409, _("This visit is submitted; its answers are frozen."))
    return db, row, checklist_store.load_pinned(db, row["checklist_row_id"])


def _bar(db, row, *, error=None, error_event=None):
    view = visit_view.build(db, visits.get_visit(db, row["id"]))
    index = request.form.get("stage", type=int)
    stage = view.stages[index] if index is not None and 0 <= index < len(view.stages) else None
    timed = [iv for tv in stage.touchpoints for iv in tv.items
             if iv.item.type == "timer"] if stage else []
    return render_template("audit/_clock_reply.html", v=view, index=index, timed=timed,
                           editable=True, clock_error=error, error_event=error_event)


def _same_day(original: str, raw: str) -> str | None:
    """``14:05:30`` on the store-local day of ``original``, as UTC ISO; None if not a time."""
    try:
        parts = [int(p) for p in raw.strip().split(":")]
    except ValueError:
        return None
    if len(parts) == 2:
        parts.append(0)
    if len(parts) != 3 or not (0 <= parts[0] < 24 and 0 <= parts[1] < 60 and 0 <= parts[2] < 60):
        return None
    day = datetime.fromisoformat(original).astimezone(org_tz())
    moment = day.replace(hour=parts[0], minute=parts[1], second=parts[2], microsecond=0)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
