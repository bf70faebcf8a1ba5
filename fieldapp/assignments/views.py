"""Managers and reviewers assign a checklist to an auditor for a store and dates.

Mystery shops are blind to the store: a store-side user (manager, staff) sees
no covert assignment of their stores, cannot create one, and is not offered
mystery shoppers as auditors (that would name them).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.auth.capabilities import STORE_SIDE_ROLES, requires
from fieldapp.storage import assignments, audit_log, checklist_store, stores, users
from fieldapp.storage.db import get_db
from fieldapp.web.timefmt import today_local

bp = Blueprint("assignments", __name__)


@bp.route("/assignments", methods=["GET", "POST"])
@requires("assignment.manage")
def index():
    db = get_db()
    store_side = current_user.role in STORE_SIDE_ROLES
    visible = stores.stores_by_ids(db, stores.visible_store_ids(db, current_user.row))
    auditors = users.users_with_role(db, current_user.org_id, "auditor")
    choices = {
        "stores": visible,
        "checklists": checklist_store.latest_checklists(db),
        "auditors": [a for a in auditors if not (store_side and a["mystery_shopper"])],
    }
    errors, form = {}, request.form
    if request.method == "POST":
        errors, clean = _validate(form, choices, covert_allowed=not store_side)
        if not errors:
            with db.atomic():
                new_id = assignments.create_assignment(db, assigned_by=current_user.id, **clean)
                audit_log.record(db, actor_id=current_user.id, action="assign",
                                 object_type="assignment", object_id=new_id)
            flash(_("Assignment created."))
            return redirect(url_for("assignments.index"))
    listing = assignments.open_in_stores(db, [s["id"] for s in visible], with_covert=not store_side)
    return render_template("assignments/index.html", errors=errors, form=form, listing=listing,
                           covert_allowed=not store_side, today=today_local(),
                           **choices), (422 if errors else 200)


def _validate(form, choices, *, covert_allowed: bool) -> tuple[dict, dict]:
    """Check an assignment form; return (errors by field, clean values)."""
    errors, clean = {}, {}
    ids = {name: {row["id"] for row in rows} for name, rows in choices.items()}
    for field, pool, message in (
            ("store_id", "stores", _("Choose one of your stores.")),
            ("checklist_row_id", "checklists", _("Choose a checklist.")),
            ("auditor_id", "auditors", _("Choose an auditor."))):
        value = form.get(field, type=int)
        if value not in ids[pool]:
            errors[field] = message
        clean[field] = value
    if not errors.get("store_id") and not errors.get("checklist_row_id"):
        store = next(s for s in choices["stores"] if s["id"] == clean["store_id"])
        row = next(c for c in choices["checklists"] if c["id"] == clean["checklist_row_id"])
        if not checklist_store.meant_for(row, store["store_type"]):
            errors["checklist_row_id"] = _("This checklist is not meant for %(type)s stores.",
                                           type=store["store_type"])
    for field in ("window_start", "window_end"):
        try:
            clean[field] = date.fromisoformat(form.get(field, "")).isoformat()
        except ValueError:
            errors[field] = _("Enter a date (YYYY-MM-DD).")
    if not errors.get("window_start") and not errors.get("window_end") \
            and clean["window_end"] < clean["window_start"]:
        errors["window_end"] = _("The window must end on or after its start.")
    clean["covert"] = form.get("covert") == "1"
    if clean["covert"] and not covert_allowed:
        errors["covert"] = _("Mystery shops are planned by reviewers; a store cannot plan its own.")
    clean["note"] = (form.get("note") or "")[:1000]
    return errors, clean
