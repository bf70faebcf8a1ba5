"""What customers said: comments by stage and score (searchable), one answer,
a follow-up on a detractor, and the drivers of satisfaction."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from checklists import display_answer
from fieldapp.auth.capabilities import has, requires
from fieldapp.reports.views import parse_period
from fieldapp.storage import checklist_store, stores
from fieldapp.storage import voice as store
from fieldapp.storage.db import get_db
from fieldapp.voice import analytics, charts, parts, workflow
from fieldapp.web.i18n import current_locale, text_of

bp = Blueprint("voice_results", __name__)

BANDS = {"detractor": (0, 6), "passive": (7, 8), "promoter": (9, 10)}


def _visible(db) -> list[dict]:
    return stores.stores_by_ids(db, stores.visible_store_ids(db, current_user.row))


def _scope(db):
    visible = _visible(db)
    store_arg = request.args.get("store", "")
    chosen = [s for s in visible if str(s["id"]) == store_arg] if store_arg else visible
    if store_arg and not chosen:
        abort(404)
    return visible, chosen


@bp.route("/voice/comments")
@requires("voice.read")
def comments():
    """Comments listed by stage, then by score (detractors first); ``q`` searches them."""
    db = get_db()
    visible, chosen = _scope(db)
    start, end = parse_period(request.args, default_days=90)
    responses, checklist = analytics.responses_in(db, [s["id"] for s in chosen], start, end)
    q = (request.args.get("q") or "").strip()[:100]
    band = request.args.get("band", "")
    matches = store.comment_ids(db, [s["id"] for s in chosen], q) if q else None
    groups = []
    if checklist:
        for stage in checklist.stages:
            rows = []
            texts = [i for tp in stage.touchpoints for i in tp.items if i.type == "text"]
            for r in responses:
                score = r["answers"].get(r["nps_item"]) if r["nps_item"] else None
                if band in BANDS and (score is None or not BANDS[band][0] <= score <= BANDS[band][1]):
                    continue
                for item in texts:
                    body = r["answers"].get(item.key)
                    if body and (matches is None or item.key in matches.get(r["id"], ())):
                        rows.append({"response": r, "item": item, "body": body, "score": score})
            if rows:
                rows.sort(key=lambda x: (x["score"] if x["score"] is not None else 99, x["response"]["submitted_at"]))
                groups.append({"stage": stage, "rows": rows})
    return render_template("voice/comments.html", groups=groups, stores=visible, q=q, band=band,
                           store_arg=request.args.get("store", ""), start=start, end=end, checklist=checklist)


def _response_or_404(db, response_id: int) -> dict:
    row = store.get_response(db, response_id)
    if row is None or row["store_id"] not in stores.visible_store_ids(db, current_user.row):
        abort(404)
    return row


@bp.route("/voice/responses/<int:response_id>")
@requires("voice.read")
def response(response_id: int):
    db = get_db()
    row = _response_or_404(db, response_id)
    return _render_response(db, row, errors={}, form={})


def _render_response(db, row, errors, form, status=200):
    import json

    checklist = checklist_store.load_pinned(db, row["checklist_row_id"])
    answers = json.loads(row["answers_json"])
    shown = [{"stage": s, "items": [(i, display_answer(i, answers.get(i.key), current_locale()))
                                    for i in parts.customer_items(s) if i.key in answers]}
             for s in checklist.stages]
    followup = store.followups_by_response(db, [row["id"]]).get(row["id"])
    return render_template("voice/response.html", x=row, stages=[s for s in shown if s["items"]],
                           followup=followup, errors=errors, form=form,
                           can_follow=has(current_user.row, "voice.followup"),
                           can_flag=has(current_user.row, "voice.manage"),
                           default_due=(date.today() + timedelta(days=7)).isoformat()), status


@bp.route("/voice/responses/<int:response_id>/followup", methods=["POST"])
@requires("voice.followup")
def followup(response_id: int):
    """A detractor's answer becomes a follow-up for the store: owner, due date, note."""
    db = get_db()
    row = _response_or_404(db, response_id)
    owner = (request.form.get("owner") or "").strip()
    due = request.form.get("due_date", "")
    errors = {}
    if not owner or len(owner) > 80:
        errors["owner"] = _("Name who follows this up.")
    try:
        date.fromisoformat(due)
    except ValueError:
        errors["due_date"] = _("Dates must look like 2026-01-31.")
    if store.followups_by_response(db, [row["id"]]):
        errors["owner"] = _("This answer already has a follow-up.")
    if errors:
        return _render_response(db, row, errors, request.form, 422)
    workflow.create_followup(db, response=row, owner=owner, due_date=due,
                             note=(request.form.get("note") or "")[:2000], actor_id=current_user.id)
    return redirect(url_for("voice_results.response", response_id=response_id))


@bp.route("/voice/responses/<int:response_id>/followup/done", methods=["POST"])
@requires("voice.followup")
def followup_done(response_id: int):
    """Close the answer's follow-up (nothing to close: back to the answer)."""
    db = get_db()
    row = _response_or_404(db, response_id)
    follow = store.followups_by_response(db, [row["id"]]).get(row["id"])
    if follow and follow["status"] == "open":
        workflow.finish_followup(db, follow, actor_id=current_user.id)
    return redirect(url_for("voice_results.response", response_id=response_id))


@bp.route("/voice/drivers")
@requires("voice.read")
def drivers():
    """Which touchpoints drive the overall rating, against what the checklist states."""
    db = get_db()
    visible, chosen = _scope(db)
    start, end = parse_period(request.args, default_days=90)
    method = request.args.get("method") if request.args.get("method") in ("relative_weights", "shapley") \
        else "relative_weights"
    data = analytics.drivers(db, chosen, start, end, method=method)
    svg = None
    if data:
        labels = {r["touchpoint"].key: text_of(r["touchpoint"].title) for r in data["rows"]}
        svg = charts.ipa_drivers(data["points"], labels, {
            "fix": _("Fix first"), "x": _("Importance (share of explained satisfaction)"),
            "y": _("Performance (0-100)"), "derived": _("from customers"), "stated": _("stated in checklist"),
            "title": _("Importance and performance of each touchpoint")})
    names = {r["touchpoint"].key: text_of(r["touchpoint"].title) for r in data["rows"]} if data else {}
    return render_template("voice/drivers.html", d=data, svg=svg, stores=visible, method=method, names=names,
                           store_arg=request.args.get("store", ""), start=start, end=end)
