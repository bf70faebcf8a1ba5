"""Schedules for programme coordinators (admin, reviewer) and the job board for auditors.

Store managers hold neither capability: no schedule, slot or open covert visit
is ever rendered for them.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.auth.capabilities import requires
from fieldapp.schedules import planning
from fieldapp.storage import assignments, audit_log, checklist_store, stores
from fieldapp.storage import schedules as store
from fieldapp.storage.db import get_db
from fieldapp.web import labels
from fieldapp.web.timefmt import today_local

bp = Blueprint("schedules", __name__)

WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


@bp.route("/schedules", methods=["GET", "POST"])
@requires("schedule.manage")
def index():
    db = get_db()
    org = current_user.org_id
    choices = {"checklists": checklist_store.latest_checklists(db),
               "regions": stores.regions(db, org), "store_types": stores.store_types(db, org),
               "stores": stores.org_stores(db, org)}
    errors, form = {}, request.form
    if request.method == "POST":
        errors, values = _validate(form, choices)
        if not errors:
            with db.atomic():
                schedule_id = store.create_schedule(db, org_id=org, created_by=current_user.id,
                                                    values=values)
                audit_log.record(db, actor_id=current_user.id, action="schedule_create",
                                 object_type="schedule", object_id=schedule_id)
                result = planning.run_schedule(db, store.get_schedule(db, schedule_id),
                                               date.fromisoformat(today_local()))
            flash(_("Schedule created: %(n)s visits planned, %(a)s assigned.",
                    n=result.slots, a=result.assigned))
            return redirect(url_for("schedules.show", schedule_id=schedule_id))
    else:
        form = {"start_date": today_local(), "window_days": "7", "interval_days": "14",
                "month_day": "1", "horizon_days": "28", "claim_limit": "2", "covert": "1",
                "frequency": "weekly", "assign_mode": "rotate", "store_mode": "region",
                "weekdays": [str(date.fromisoformat(today_local()).weekday())]}
    return render_template("schedules/index.html", schedules=store.org_schedules(db, org),
                           errors=errors, form=form, weekdays=WEEKDAYS, **choices), \
        (422 if errors else 200)


def _validate(form, choices) -> tuple[dict, dict]:
    """A schedule form -> (errors by field, clean values)."""
    errors, values = {}, {}
    values["name"] = (form.get("name") or "").strip()[:120]
    if not values["name"]:
        errors["name"] = _("Give the schedule a name.")
    values["checklist_row_id"] = form.get("checklist_row_id", type=int)
    if values["checklist_row_id"] not in {c["id"] for c in choices["checklists"]}:
        errors["checklist_row_id"] = _("Choose a checklist.")
    mode = form.get("store_mode")
    values["store_mode"] = mode
    if mode == "region":
        values["store_value"] = form.get("region", "")
        if values["store_value"] not in choices["regions"]:
            errors["region"] = _("Choose a region.")
    elif mode == "store_type":
        values["store_value"] = form.get("store_type", "")
        if values["store_value"] not in choices["store_types"]:
            errors["store_type"] = _("Choose a store type.")
    elif mode == "list":
        codes = [c for c in form.getlist("store_codes") if c in {s["code"] for s in choices["stores"]}]
        values["store_value"] = json.dumps(codes)
        if not codes:
            errors["store_codes"] = _("Choose at least one store.")
    else:
        errors["store_mode"] = _("Choose which stores.")
    values["frequency"] = form.get("frequency")
    if values["frequency"] not in ("every_n_days", "weekly", "monthly"):
        errors["frequency"] = _("Choose how often.")
    days = sorted({int(d) for d in form.getlist("weekdays") if d in {str(w) for w in WEEKDAYS}})
    values["weekdays"] = ",".join(map(str, days))
    if values["frequency"] == "weekly" and not days:
        errors["weekdays"] = _("Choose at least one day of the week.")
    for field, low, high in (("interval_days", 1, 365), ("month_day", 1, 31), ("window_days", 1, 62),
                             ("horizon_days", 1, 180), ("claim_limit", 1, 50)):
        number = form.get(field, type=int)
        if number is None or not low <= number <= high:
            errors[field] = _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
        values[field] = number
    try:
        values["start_date"] = date.fromisoformat(form.get("start_date", "")).isoformat()
    except ValueError:
        errors["start_date"] = _("Enter a date (YYYY-MM-DD).")
    values["covert"] = int(form.get("covert") == "1")
    values["assign_mode"] = "board" if form.get("assign_mode") == "board" else "rotate"
    return errors, values


def _schedule_or_404(db, schedule_id: int) -> dict:
    schedule = store.get_schedule(db, schedule_id)
    if schedule is None or schedule["org_id"] != current_user.org_id:
        abort(404)
    return schedule


@bp.route("/schedules/<int:schedule_id>")
@requires("schedule.manage")
def show(schedule_id: int):
    db = get_db()
    schedule = _schedule_or_404(db, schedule_id)
    return render_template("schedules/show.html", s=schedule,
                           slots=store.slots_of(db, schedule_id, today_local()),
                           targets=store.stores_for(db, schedule), today=today_local())


@bp.route("/schedules/<int:schedule_id>/run", methods=["POST"])
@requires("schedule.manage")
def run(schedule_id: int):
    db = get_db()
    schedule = _schedule_or_404(db, schedule_id)
    result = planning.run_schedule(db, schedule, date.fromisoformat(today_local()))
    flash(_("%(n)s visits planned, %(a)s assigned.", n=result.slots, a=result.assigned))
    return redirect(url_for("schedules.show", schedule_id=schedule_id))


@bp.route("/schedules/<int:schedule_id>/active", methods=["POST"])
@requires("schedule.manage")
def set_active(schedule_id: int):
    db = get_db()
    schedule = _schedule_or_404(db, schedule_id)
    active = request.form.get("active") == "1"
    with db.atomic():
        store.set_active(db, schedule_id, active)
        audit_log.record(db, actor_id=current_user.id, action="schedule_resume" if active
                         else "schedule_pause", object_type="schedule", object_id=schedule["id"])
    return redirect(url_for("schedules.show", schedule_id=schedule_id))


@bp.route("/schedules/assignments/<int:assignment_id>/window", methods=["POST"])
@requires("schedule.manage")
def extend(assignment_id: int):
    """The coordinator moves a visit window's end later (never earlier than it starts)."""
    db = get_db()
    row = assignments.get_assignment(db, assignment_id)
    store_row = stores.get_store(db, row["store_id"]) if row else None
    if row is None or store_row is None or store_row["org_id"] != current_user.org_id:
        abort(404)
    try:
        new_end = date.fromisoformat(request.form.get("window_end", ""))
    except ValueError:
        new_end = None
    if new_end is None or new_end.isoformat() < row["window_start"] or new_end > \
            date.fromisoformat(row["window_start"]) + timedelta(days=366):
        flash(_("Enter a date on or after the window's start."))
    else:
        with db.atomic():
            store.extend_window(db, assignment_id, new_end.isoformat())
            audit_log.record(db, actor_id=current_user.id, action="window_extend",
                             object_type="assignment", object_id=assignment_id,
                             detail=f"until={new_end.isoformat()}")
        flash(_("Window now ends on %(date)s.", date=new_end.isoformat()))
    back = request.form.get("schedule_id", type=int)
    return redirect(url_for("schedules.show", schedule_id=back) if back else url_for("schedules.index"))


@bp.route("/jobs")
@requires("job.claim")
def board():
    """Open scheduled visits of the auditor's region that they may claim."""
    db = get_db()
    user = current_user.row
    slots = store.job_board(db, user["org_id"], today_local(), region=user.get("region") or "",
                            mystery_shopper=bool(user["mystery_shopper"]))
    return render_template("schedules/board.html", slots=slots)


@bp.route("/jobs/<int:slot_id>/claim", methods=["POST"])
@requires("job.claim")
def claim(slot_id: int):
    db = get_db()
    try:
        planning.claim(db, current_user.row, slot_id, date.fromisoformat(today_local()))
    except planning.ClaimRefused as exc:
        flash(labels.claim_refusal(exc))
        return redirect(url_for("schedules.board"))
    flash(_("The visit is yours: it is now in your assignments."))
    return redirect(url_for("home.index"))
