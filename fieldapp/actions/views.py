"""Corrective actions' pages: a manager turns a failed item into a task with an
owner and a due date; it is marked done (optionally with a photo as evidence)
and verified by the store's next released visit (``workflow.py``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.actions import workflow
from fieldapp.audit import photo_files
from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.reports import data as report_data
from fieldapp.storage import actions as action_store
from fieldapp.storage import checklist_store, photos, stores
from fieldapp.storage.db import get_db
from fieldapp.web.labels import photo_error
from fieldapp.web.timefmt import today_local

bp = Blueprint("actions", __name__)

OWNER_MAX, NOTE_MAX = 80, 2000


# --- routes ---------------------------------------------------------------------

def _action_or_404(db, action_id: int) -> dict:
    """The action if it belongs to one of the user's stores; 404 otherwise."""
    action = action_store.get_action(db, action_id)
    if action is None or action["store_id"] not in stores.visible_store_ids(db, current_user.row):
        abort(404)
    return action


def _failed_item_or_404(db, visit: dict, item_key: str):
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    try:
        item = checklist.item(item_key)
    except KeyError:
        abort(404)
    score = report_data.visit_report(db, visit).view.score
    if item_key not in score.get("failed_items", []):
        abort(404)
    return item


@bp.route("/actions")
@requires("action.read")
def index():
    """Every action of the user's stores: open first, overdue marked."""
    db = get_db()
    rows = action_store.actions_in_stores(db, stores.visible_store_ids(db, current_user.row))
    today = today_local()
    for a in rows:
        a["overdue"] = report_data.is_overdue(a, today)
        checklist = checklist_store.load_pinned(db, a["checklist_row_id"])
        a["item"] = checklist.item(a["item_key"]) if a["item_key"] in {i.key for i in checklist.items()} else None
    return render_template("actions/index.html", actions=rows)


@bp.route("/visits/<int:visit_id>/actions/new")
@requires("action.manage")
def new(visit_id: int):
    """The form to create an action from one failed item (``?item=``)."""
    db = get_db()
    visit = capabilities.visit_or_404(db, visit_id, current_user.row)
    item = _failed_item_or_404(db, visit, request.args.get("item", ""))
    return render_template("actions/new.html", visit=visit, item=item, form={}, errors={})


@bp.route("/visits/<int:visit_id>/actions", methods=["POST"])
@requires("action.manage")
def create_view(visit_id: int):
    db = get_db()
    visit = capabilities.visit_or_404(db, visit_id, current_user.row)
    item = _failed_item_or_404(db, visit, request.form.get("item_key", ""))
    form = {k: (request.form.get(k) or "").strip() for k in ("owner", "due_date", "note")}
    errors = validate(form)
    if errors:
        return render_template("actions/new.html", visit=visit, item=item, form=form, errors=errors), 422
    action_id = workflow.create(db, visit=visit, item_key=item.key, owner=form["owner"], due_date=form["due_date"],
                       note=form["note"], actor_id=current_user.id)
    flash(_("Action created."))
    return redirect(url_for("actions.show", action_id=action_id))


def validate(form: dict) -> dict[str, str]:
    """Messages by field name for a create form; empty when it is fine."""
    errors = {}
    if not form["owner"]:
        errors["owner"] = _("Say who will do this.")
    elif len(form["owner"]) > OWNER_MAX:
        errors["owner"] = _("Keep the owner under %(n)s characters.", n=OWNER_MAX)
    try:
        due = date.fromisoformat(form["due_date"])
    except ValueError:
        errors["due_date"] = _("Choose a due date.")
    else:
        if due.isoformat() < today_local():
            errors["due_date"] = _("The due date cannot be in the past.")
    if len(form["note"]) > NOTE_MAX:
        errors["note"] = _("Keep the note under %(n)s characters.", n=NOTE_MAX)
    return errors


@bp.route("/actions/<int:action_id>")
@requires("action.read")
def show(action_id: int, error: str | None = None, status: int = 200):
    db = get_db()
    action = _action_or_404(db, action_id)
    checklist = checklist_store.load_pinned(db, action["checklist_row_id"])
    item = checklist.item(action["item_key"]) if action["item_key"] in {i.key for i in checklist.items()} else None
    verdict, later = workflow.next_visit_verdict(db, action) if action["status"] == "done" else ("none", None)
    evidence = photos.get_photo(db, action["evidence_photo_id"]) if action["evidence_photo_id"] else None
    action["overdue"] = report_data.is_overdue(action, today_local())
    return render_template("actions/show.html", a=action, item=item, evidence=evidence, verdict=verdict,
                           later=later, error=error, can_edit=capabilities.has(current_user.row, "action.manage")), status


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@requires("action.manage")
def done(action_id: int):
    """Mark an open action done, with an optional photo as evidence."""
    db = get_db()
    action = _action_or_404(db, action_id)
    if action["status"] != "open":
        return show(action_id, error=_("Only an open action can be marked done."), status=409)
    upload = request.files.get("photo")
    stored = None
    if upload and upload.filename:
        try:
            stored = photo_files.store_photo(
                upload.read(), Path(current_app.config["PHOTO_DIR"]) / str(action["visit_id"]),
                max_px=current_app.config["PHOTO_MAX_PX"], thumb_px=current_app.config["PHOTO_THUMB_PX"])
        except photo_files.PhotoError as exc:
            return show(action_id, error=photo_error(exc), status=422)
    photo = None
    if stored is not None:
        photo = {"filename": f"{action['visit_id']}/{stored.filename}",
                 "thumb_filename": f"{action['visit_id']}/{stored.thumb_filename}",
                 "width": stored.width, "height": stored.height, "size": stored.size}
    workflow.complete(db, action, actor_id=current_user.id, photo=photo)
    flash(_("Marked done. The next visit will verify it."))
    return redirect(url_for("actions.show", action_id=action_id))


@bp.route("/actions/<int:action_id>/verify", methods=["POST"])
@requires("action.manage")
def verify_view(action_id: int):
    """Check a done action against the store's next released visit."""
    db = get_db()
    action = _action_or_404(db, action_id)
    if action["status"] != "done":
        return show(action_id, error=_("Only a done action can be verified."), status=409)
    verdict = workflow.verify(db, action, actor_id=current_user.id)
    if verdict == "none":
        return show(action_id, error=_("No visit since the action was done has checked this item yet."),
                    status=409)
    flash(_("Verified by the next visit.") if verdict == "passed"
          else _("The next visit failed this item again: the action is open again."))
    return redirect(url_for("actions.show", action_id=action_id))
