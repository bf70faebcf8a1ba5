"""The auditor's phone flow: start a visit, answer stage by stage, submit.

Each answer is posted on its own (htmx) and stored at once; every response is
the re-rendered item, so what the phone shows is what the server has.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from checklists import AnswerError, parse_answer
from fieldapp.audit import clock, photo_files
from fieldapp.audit import view_models as visit_view
from fieldapp.audit import workflow as visit_service
from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.storage import assignments, checklist_store, discards, photos, stores, visits
from fieldapp.storage.db import get_db
from fieldapp.web import labels
from fieldapp.web.timefmt import today_local

bp = Blueprint("audit", __name__)


@bp.route("/assignments/<int:assignment_id>/start", methods=["POST"])
@requires("visit.start")
def start(assignment_id: int):
    db = get_db()
    assignment = assignments.get_assignment(db, assignment_id)
    if assignment is None or assignment["auditor_id"] != current_user.id:
        abort(404)
    existing = visits.visit_of_assignment(db, assignment_id)
    if existing:  # a double tap or a second phone continues the same visit
        return redirect(url_for("audit.visit", visit_id=existing))
    if assignment["status"] not in ("open", "started"):
        abort(409)
    refusal = labels.window_refusal(assignment, today_local())
    if refusal:  # before the window opens or after it closes (issue 15)
        flash(refusal)
        return redirect(url_for("home.index"), code=303)
    visit_id = visits.create_assignment_visit(  # several phones at once: one visit (UNIQUE)
        db, assignment, auditor_id=current_user.id,
        latitude=_coordinate(request.form.get("latitude"), 90),
        longitude=_coordinate(request.form.get("longitude"), 180))
    return redirect(url_for("audit.visit", visit_id=visit_id))


@bp.route("/audits/new", methods=["GET", "POST"])
@requires("visit.start")
def new_internal():
    """Staff start their own internal audit of one of their stores."""
    if current_user.mystery_shopper:
        abort(403)
    db = get_db()
    my_stores = stores.stores_by_ids(db, _member_store_ids(db))
    # the checklists meant for my stores' types first (then the rest, in their order)
    my_types = {s["store_type"] for s in my_stores}
    lists = sorted(checklist_store.latest_checklists(db),
                   key=lambda c: not (set((c.get("store_types") or "").split()) & my_types))
    errors = {}
    if request.method == "POST":
        store_id = request.form.get("store_id", type=int)
        row_id = request.form.get("checklist_row_id", type=int)
        if store_id not in {s["id"] for s in my_stores}:
            errors["store_id"] = _("Choose one of your stores.")
        if row_id not in {c["id"] for c in lists}:
            errors["checklist_row_id"] = _("Choose a checklist.")
        if not errors:  # a checklist aimed at other store types is refused (issue 14)
            store = next(s for s in my_stores if s["id"] == store_id)
            if not checklist_store.meant_for(next(c for c in lists if c["id"] == row_id),
                                             store["store_type"]):
                errors["checklist_row_id"] = _("This checklist is not meant for %(type)s stores.",
                                               type=store["store_type"])
        if not errors:
            visit_id = visits.create_visit(db, checklist_row_id=row_id, store_id=store_id,
                                           auditor_id=current_user.id, covert=False)
            return redirect(url_for("audit.visit", visit_id=visit_id))
    return render_template("audit/new.html", stores=my_stores, checklists=lists, errors=errors,
                           form=request.form), (422 if errors else 200)


@bp.route("/visits/<int:visit_id>")
@requires("visit.read")
def visit(visit_id: int):
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    if current_user.role != "auditor":
        return redirect(url_for("review.show", visit_id=visit_id))
    if row["status"] not in visits.EDITABLE:
        return redirect(url_for("audit.summary", visit_id=visit_id))
    return redirect(url_for("audit.stage", visit_id=visit_id, index=0))


@bp.route("/visits/<int:visit_id>/stage/<int:index>")
@requires("visit.answer")
def stage(visit_id: int, index: int):
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    view = visit_view.build(db, row)
    if not 0 <= index < len(view.stages):
        abort(404)
    return render_template("audit/stage.html", v=view, sv=view.stages[index], index=index,
                           editable=capabilities.can_edit(current_user.row, row),
                           discardable=index == 0 and row["status"] == "draft" and discards.is_empty(db, visit_id))


@bp.route("/visits/<int:visit_id>/items/<item_key>", methods=["POST"])
@requires("visit.answer")
def answer(visit_id: int, item_key: str):
    """Save one answer (and its note); reply with the item showing "saved" or the error."""
    db, row, item, tp_key = _editable_item(visit_id, item_key)
    raw = (" ".join(v for v in request.form.getlist("value") if v) if item.type == "multi_choice"
           else request.form.get("value", ""))  # a multi_choice posts one value per ticked box
    answers = visit_service.current_answers(db, row)  # constraints across items; skip logic
    note = request.form.get("note")
    error = None
    client_ts, _flag = _client_ts(row)
    if client_ts is False:
        return _item_fragment(db, row, item.key, error=_("The phone's time was not a time."),
                              typed=raw), 400
    try:
        value = parse_answer(item, raw, answers=answers) if "value" in request.form \
            else _current_value(db, visit_id, item)
    except AnswerError as exc:
        error, value = labels.answer_error(exc, item), None
    if error is None:
        visits.save_answer(db, visit_id=visit_id, item_key=item.key, value=value,
                           user_id=current_user.id, note=note[:2000] if note is not None else None,
                           client_id=request.form.get("client_id") or None, client_ts=client_ts)
    return _item_fragment(db, row, item.key, error=error, typed=raw if error else None,
                          saved=error is None, was_asked=visit_service.asked_keys(db, row, answers))


@bp.route("/visits/<int:visit_id>/items/<item_key>/timing", methods=["POST"])
@requires("visit.answer")
def timing(visit_id: int, item_key: str):
    db, row, item, tp_key = _editable_item(visit_id, item_key)
    if item.type != "timer":
        abort(400)
    event = request.form.get("event", "")
    at, flag = phone_time(request.form.get("at", ""), row["started_at"])
    if event not in item.timer_events or at is None:
        return _item_fragment(db, row, item.key, error=_("The stopwatch mark was not valid.")), 400
    visit_service.record_timing(db, visit_id=visit_id, item=item, touchpoint_key=tp_key,
                                event=event, at=at, user_id=current_user.id,
                                client_id=request.form.get("client_id") or None, time_flag=flag)
    return _item_fragment(db, row, item.key, saved=True)


@bp.route("/visits/<int:visit_id>/items/<item_key>/timing/reset", methods=["POST"])
@requires("visit.answer")
def timing_reset(visit_id: int, item_key: str):
    db, row, item, _tp = _editable_item(visit_id, item_key)
    with db.atomic():
        visits.clear_timings(db, visit_id=visit_id, item_key=item.key)
        visits.delete_answer(db, visit_id=visit_id, item_key=item.key)
    return _item_fragment(db, row, item.key, saved=True)


@bp.route("/visits/<int:visit_id>/items/<item_key>/photos", methods=["POST"])
@requires("visit.answer")
def upload_photo(visit_id: int, item_key: str):
    """Attach photos to an item. A refused file leaves every saved answer as it was."""
    db, row, item, _tp = _editable_item(visit_id, item_key)
    files = [f for f in request.files.getlist("photo") if f and f.filename is not None]
    if not files:
        return _item_fragment(db, row, item.key, photo_error=_("Choose a photo first."))
    folder = Path(current_app.config["PHOTO_DIR"]) / str(visit_id)
    client_id = request.form.get("client_id") or None
    taken_at, _flag = phone_time(request.form.get("taken_at", ""), row["started_at"])
    for number, upload in enumerate(files):
        try:
            stored = photo_files.store_photo(upload.read(), folder,
                                             max_px=current_app.config["PHOTO_MAX_PX"],
                                             thumb_px=current_app.config["PHOTO_THUMB_PX"])
        except photo_files.PhotoError as exc:
            return _item_fragment(db, row, item.key, photo_error=labels.photo_error(exc)), 422
        photos.add_photo(db, visit_id=visit_id, item_key=item.key,
                         filename=f"{visit_id}/{stored.filename}",
                         thumb_filename=f"{visit_id}/{stored.thumb_filename}",
                         width=stored.width, height=stored.height, size=stored.size,
                         uploaded_by=current_user.id, taken_at=taken_at,
                         # one id per file: several photos picked at once are all kept
                         client_id=f"{client_id}:{number}" if client_id and number else client_id)
    return _item_fragment(db, row, item.key, saved=True)


@bp.route("/visits/<int:visit_id>/photos/<int:photo_id>/delete", methods=["POST"])
@requires("visit.answer")
def delete_photo(visit_id: int, photo_id: int):
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    photo = photos.get_photo(db, photo_id)
    if photo is None or photo["visit_id"] != visit_id:
        abort(404)
    if not capabilities.can_edit(current_user.row, row):
        abort(409, _("This visit is submitted; its answers are frozen."))
    photos.delete_photo(db, photo_id)
    photo_files.delete_files(current_app.config["PHOTO_DIR"], photo["filename"], photo["thumb_filename"])
    return _item_fragment(db, row, photo["item_key"], saved=True)


@bp.route("/visits/<int:visit_id>/stages/<stage_key>/feeling", methods=["POST"])
@requires("visit.answer")
def feeling(visit_id: int, stage_key: str):
    """The stage's emotion (1-5 faces) and its note."""
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    if not capabilities.can_edit(current_user.row, row):
        return render_template("audit/_frozen.html"), 409
    view = visit_view.build(db, row)
    sv = next((s for s in view.stages if s.stage.key == stage_key), None)
    if sv is None:
        abort(404)
    emotion = request.form.get("emotion", type=int)
    error = None
    client_ts, _flag = _client_ts(row)
    if client_ts is False:
        return render_template("audit/_feeling.html", v=view, sv=sv, editable=True, saved=False,
                               error=_("The phone's time was not a time.")), 400
    if "emotion" in request.form and emotion not in (1, 2, 3, 4, 5):
        error, emotion = _("Choose one of the faces."), None
    if error is None:
        visits.set_stage_note(db, visit_id=visit_id, stage_key=stage_key, emotion=emotion,
                              note=(request.form.get("note") or "")[:2000]
                              if "note" in request.form else None,
                              client_ts=client_ts)
    view = visit_view.build(db, row)
    sv = next(s for s in view.stages if s.stage.key == stage_key)
    return render_template("audit/_feeling.html", v=view, sv=sv, editable=True,
                           saved=error is None, error=error)


@bp.route("/visits/<int:visit_id>/submit", methods=["GET", "POST"])
@requires("visit.answer")
def summary(visit_id: int):
    """What is missing, with links to it; submitting scores and freezes the visit."""
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    view = visit_view.build(db, row)
    missing, error = [], None
    if request.method == "POST":
        try:
            visit_service.submit(db, visit_id, current_user.id)
            return redirect(url_for("audit.summary", visit_id=visit_id, done=1))
        except visit_service.MissingItems as exc:
            missing = exc.missing
        except visits.TransitionError:
            error = _("This visit was already submitted.")
        row = visits.get_visit(db, visit_id)
        view = visit_view.build(db, row)
    elif capabilities.can_edit(current_user.row, row):
        missing = visit_service.submit_blockers(
            view.checklist, visit_service.scoring_answers(db, view.checklist, visit_id),
            photos.photo_counts(db, visit_id), row["started_at"])
    locate = {iv.item.key: (sv.index, iv.item) for sv in view.stages
              for tv in sv.touchpoints for iv in tv.items}
    status = 422 if (request.method == "POST" and missing) else (409 if error else 200)
    return render_template("audit/summary.html", v=view, missing=missing, locate=locate,
                           error=error, editable=capabilities.can_edit(current_user.row, row),
                           just_done=request.args.get("done")), status


@bp.app_errorhandler(visits.Frozen)
def frozen(_exc):
    """A change that reached a visit after it was submitted: 409, the phone keeps it in its outbox."""
    from werkzeug.exceptions import Conflict

    from fieldapp.web.errors import error_response

    return error_response(Conflict(_("This visit is submitted; its answers are frozen.")))


# -- helpers -----------------------------------------------------------------

def _editable_item(visit_id: int, item_key: str):
    """(db, visit, item, touchpoint key) for an item the current user may change."""
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    checklist = checklist_store.load_pinned(db, row["checklist_row_id"])
    try:
        item = checklist.item(item_key)
    except KeyError:
        abort(404)
    if not capabilities.can_edit(current_user.row, row):
        abort(409, _("This visit is submitted; its answers are frozen."))
    return db, row, item, checklist.touchpoint_of(item_key).key


def _current_value(db, visit_id: int, item):
    stored = visits.answers_of(db, visit_id).get(item.key)
    return stored["value"] if stored else None


def _item_fragment(db, row, item_key, *, error=None, typed=None, saved=False, photo_error=None,
                   was_asked=None):
    """The item as stored; with ``was_asked`` (the relevant keys before the answer), also
    every item that skip logic now shows or hides, swapped out of band."""
    view = visit_view.build(db, visits.get_visit(db, row["id"]))
    every = [iv for sv in view.stages for tv in sv.touchpoints for iv in tv.items]
    iv = next(iv for iv in every if iv.item.key == item_key)
    html = render_template("audit/_item.html", v=view, iv=iv, editable=True, error=error,
                           typed=typed, saved=saved, photo_error=photo_error)
    if was_asked is not None:
        html += "".join(render_template("audit/_item.html", v=view, iv=other, editable=True,
                                        oob=True) for other in every
                        if other.item.key != item_key
                        and other.relevant != (other.item.key in was_asked))
    return html


def _member_store_ids(db) -> list[int]:
    from fieldapp.storage import users

    return users.store_ids_of(db, current_user.id)


def _coordinate(raw: str | None, bound: float) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return round(value, 5) if -bound <= value <= bound else None


def _client_ts(row) -> tuple[str | None | bool, str | None]:
    """The form's ``client_ts`` checked (clamped if far off); False when it is not a time."""
    raw = request.form.get("client_ts")
    if not raw:
        return None, None
    at, flag = phone_time(raw, row["started_at"])
    return (False, flag) if at is None else (at, flag)


def phone_time(raw: str, started_at: str | None = None) -> tuple[str | None, str | None]:
    """A phone's tap time as (UTC ISO, flag), checked against the server's clock.

    None when it is not a time; a far-off time is clamped with a flag (audit/clock.py).
    """
    return clock.check_client_time(raw, datetime.now(UTC), not_before=started_at)


from fieldapp.audit import clock_views, discard_views  # noqa: E402,F401  (their routes join this blueprint)
