"""Corrective actions' pages: a manager turns a failed item into a task for a person
of the store (a manager or store staff) with a priority and a due date; the
action has a thread of comments and photos where every edit and reassignment
is recorded; it is marked done (with a photo as evidence) and verified or
reopened by later released visits (``loop.py``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.actions import loop, workflow
from fieldapp.actions.words import FIELD_WORDS
from fieldapp.audit import photo_files
from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.reports import data as report_data
from fieldapp.storage import actions as action_store
from fieldapp.storage import checklist_store, photos, stores
from fieldapp.storage import notify as notify_store
from fieldapp.storage.db import get_db
from fieldapp.web.htmx import render
from fieldapp.web.labels import photo_error
from fieldapp.web.timefmt import today_local

bp = Blueprint("actions", __name__)

NOTE_MAX, COMMENT_MAX = 2000, 4000


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


def _item_of(db, action: dict):
    checklist = checklist_store.load_pinned(db, action["checklist_row_id"])
    return checklist.item(action["item_key"]) if action["item_key"] in {i.key for i in checklist.items()} else None


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@bp.route("/actions")
@requires("action.read")
def index():
    """The user's stores' actions, narrowed by store, owner, status, overdue and item."""
    db = get_db()
    visible = stores.visible_store_ids(db, current_user.row)
    today = today_local()
    status = request.args.get("status") if request.args.get("status") in action_store.STATUSES else None
    filters = {"store_id": _int_arg("store"), "owner_id": _int_arg("owner"), "status": status,
               "overdue": request.args.get("overdue") == "1", "item_key": request.args.get("item") or None}
    rows = action_store.filtered(db, visible, store_id=filters["store_id"], owner_id=filters["owner_id"],
                                 status=status, item_key=filters["item_key"],
                                 overdue_before=today if filters["overdue"] else None)
    for a in rows:
        a["overdue"] = report_data.is_overdue(a, today)
        a["item"] = _item_of(db, a)
    items = {}
    for a in action_store.filtered(db, visible, limit=1000):
        items.setdefault(a["item_key"], _item_of(db, a))
    context = {"actions": rows, "filters": filters, "stores": stores.stores_by_ids(db, visible),
               "owners": action_store.owners_in_stores(db, visible), "items": items,
               "statuses": action_store.STATUSES}
    return render("actions/index.html", "actions/_list.html", **context)


@bp.route("/visits/<int:visit_id>/actions/new")
@requires("action.manage")
def new(visit_id: int):
    """The form to create an action from one failed item (``?item=``)."""
    db = get_db()
    visit = capabilities.visit_or_404(db, visit_id, current_user.row)
    item = _failed_item_or_404(db, visit, request.args.get("item", ""))
    return _form(db, visit, item, {"priority": "normal", "owner_id": ""}, {})


def _form(db, visit, item, form, errors, status=200):
    return render_template("actions/new.html", visit=visit, item=item, form=form, errors=errors,
                           people=notify_store.store_people(db, visit["store_id"]),
                           priorities=action_store.PRIORITIES), status


@bp.route("/visits/<int:visit_id>/actions", methods=["POST"])
@requires("action.manage")
def create_view(visit_id: int):
    db = get_db()
    visit = capabilities.visit_or_404(db, visit_id, current_user.row)
    item = _failed_item_or_404(db, visit, request.form.get("item_key", ""))
    form = {k: (request.form.get(k) or "").strip() for k in ("owner_id", "due_date", "note", "priority")}
    errors, owner = validate(db, form, visit["store_id"])
    if errors:
        return _form(db, visit, item, form, errors, 422)
    action_id = workflow.create(db, visit=visit, item_key=item.key, owner_id=owner["id"],
                                owner_name=owner["display_name"], due_date=form["due_date"], note=form["note"],
                                priority=form["priority"], actor_id=current_user.id,
                                actor_name=current_user.row["display_name"])
    flash(_("Action created."))
    return redirect(url_for("actions.show", action_id=action_id))


def validate(db, form: dict, store_id: int, *, allow_past: bool = False) -> tuple[dict[str, str], dict | None]:
    """Messages by field name for a create or edit form (empty when fine), and the owner."""
    errors = {}
    people = {str(p["id"]): p for p in notify_store.store_people(db, store_id)}
    owner = people.get(form.get("owner_id", ""))
    if owner is None:
        errors["owner_id"] = _("Choose who will do this (a manager or staff of the store).")
    try:
        due = date.fromisoformat(form["due_date"])
    except ValueError:
        errors["due_date"] = _("Choose a due date.")
    else:
        if due.isoformat() < today_local() and not allow_past:
            errors["due_date"] = _("The due date cannot be in the past.")
    if form.get("priority") not in action_store.PRIORITIES:
        errors["priority"] = _("Choose a priority.")
    if len(form.get("note", "")) > NOTE_MAX:
        errors["note"] = _("Keep the note under %(n)s characters.", n=NOTE_MAX)
    return errors, owner


@bp.route("/actions/<int:action_id>")
@requires("action.read")
def show(action_id: int, error: str | None = None, status: int = 200, form: dict | None = None,
         errors: dict | None = None):
    db = get_db()
    action = _action_or_404(db, action_id)
    evidence = photos.get_photo(db, action["evidence_photo_id"]) if action["evidence_photo_id"] else None
    action["overdue"] = report_data.is_overdue(action, today_local())
    user = current_user.row
    return render_template(
        "actions/show.html", a=action, item=_item_of(db, action), evidence=evidence, error=error,
        thread=action_store.events_of(db, action_id), people=notify_store.store_people(db, action["store_id"]),
        priorities=action_store.PRIORITIES, form=form or {k: action[k] for k in action_store.EDITABLE},
        errors=errors or {}, field_words=FIELD_WORDS, can_edit=capabilities.has(user, "action.manage"),
        can_work=capabilities.has(user, "action.work")), status


@bp.route("/actions/<int:action_id>/edit", methods=["POST"])
@requires("action.manage")
def edit(action_id: int):
    """Change owner (reassign), priority, due date or note; the thread records it."""
    db = get_db()
    action = _action_or_404(db, action_id)
    form = {k: (request.form.get(k) or "").strip() for k in ("owner_id", "due_date", "note", "priority")}
    errors, owner = validate(db, form, action["store_id"], allow_past=form["due_date"] == action["due_date"])
    if errors:
        return show(action_id, status=422, form=form, errors=errors)
    changes = workflow.edit(db, action, actor_id=current_user.id, actor_name=current_user.row["display_name"],
                            values={"owner_id": owner["id"], "owner": owner["display_name"],
                                    "due_date": form["due_date"], "priority": form["priority"],
                                    "note": form["note"]})
    flash(_("Saved.") if changes else _("Nothing changed."))
    return redirect(url_for("actions.show", action_id=action_id))


def _stored_photo(action: dict):
    """The uploaded photo stored as files (or None); raises PhotoError on a bad file."""
    upload = request.files.get("photo")
    if not upload or not upload.filename:
        return None
    stored = photo_files.store_photo(
        upload.read(), Path(current_app.config["PHOTO_DIR"]) / str(action["visit_id"]),
        max_px=current_app.config["PHOTO_MAX_PX"], thumb_px=current_app.config["PHOTO_THUMB_PX"])
    return {"filename": f"{action['visit_id']}/{stored.filename}",
            "thumb_filename": f"{action['visit_id']}/{stored.thumb_filename}",
            "width": stored.width, "height": stored.height, "size": stored.size}


@bp.route("/actions/<int:action_id>/comments", methods=["POST"])
@requires("action.work")
def comment(action_id: int):
    """A comment, with an optional photo, in the action's thread."""
    db = get_db()
    action = _action_or_404(db, action_id)
    body = (request.form.get("body") or "").strip()
    if len(body) > COMMENT_MAX:
        return show(action_id, error=_("Keep the comment under %(n)s characters.", n=COMMENT_MAX), status=422)
    try:
        photo = _stored_photo(action)
    except photo_files.PhotoError as exc:
        return show(action_id, error=photo_error(exc), status=422)
    if not body and photo is None:
        return show(action_id, error=_("Write a comment or add a photo."), status=422)
    workflow.comment(db, action, body=body, actor_id=current_user.id, photo=photo)
    return redirect(url_for("actions.show", action_id=action_id) + "#thread")


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@requires("action.work")
def done(action_id: int):
    """Mark an open action done, with an optional photo as evidence."""
    db = get_db()
    action = _action_or_404(db, action_id)
    if action["status"] != "open":
        return show(action_id, error=_("Only an open action can be marked done."), status=409)
    try:
        photo = _stored_photo(action)
    except photo_files.PhotoError as exc:
        return show(action_id, error=photo_error(exc), status=422)
    try:
        workflow.complete(db, action, actor_id=current_user.id, actor_name=current_user.row["display_name"],
                          photo=photo, note=(request.form.get("note") or "").strip()[:COMMENT_MAX])
    except workflow.NotOpen:
        return show(action_id, error=_("Only an open action can be marked done."), status=409)
    flash(_("Marked done. The next visit will verify it."))
    return redirect(url_for("actions.show", action_id=action_id))


@bp.route("/actions/<int:action_id>/verify", methods=["POST"])
@requires("action.manage")
def verify_view(action_id: int):
    """Apply every released visit since the action to it (releases do this on their own)."""
    db = get_db()
    action = _action_or_404(db, action_id)
    if action["status"] == "verified":
        return show(action_id, error=_("This action is already verified."), status=409)
    outcome = loop.replay(db, action, actor_id=current_user.id, today=today_local())
    messages = {"verified": _("Verified by a later visit."),
                "reopened": _("A later visit failed this item again: the action is open again."),
                "follow_up": _("A later visit failed this item again: a follow-up action was opened.")}
    if outcome is None:
        return show(action_id, error=_("No released visit since then has answered this item."), status=409)
    flash(messages[outcome])
    return redirect(url_for("actions.show", action_id=action_id))


@bp.route("/actions/<int:action_id>/photos/<int:action_photo_id>/<any(thumb, full):size>")
@requires("action.read")
def photo(action_id: int, action_photo_id: int, size: str):
    """A photo of the action's thread, to anyone who may see the action (store staff too)."""
    from flask import send_from_directory

    db = get_db()
    _action_or_404(db, action_id)
    row = action_store.photo_of_action(db, action_id, action_photo_id)
    if row is None:
        abort(404)
    name = row["thumb_filename"] if size == "thumb" else row["filename"]
    response = send_from_directory(current_app.config["PHOTO_DIR"], name, mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
