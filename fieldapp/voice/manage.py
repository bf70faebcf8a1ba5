"""The coordinator's pages: survey rounds, store links and QR posters, panel
invitations, closing a round, and the moderation flag on an answer."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.auth.capabilities import requires
from fieldapp.storage import audit_log, checklist_store, stores
from fieldapp.storage import voice as store
from fieldapp.storage.db import get_db
from fieldapp.voice import poster, workflow
from fieldapp.web.timefmt import today_local

bp = Blueprint("voice_admin", __name__)


def round_or_404(db, round_id: int) -> dict:
    row = store.get_round(db, round_id)
    if row is None or row["org_id"] != current_user.org_id:
        abort(404)
    return row


def _survey_checklists(db) -> list[dict]:
    return [c for c in checklist_store.latest_checklists(db) if c["kind"] == "customer_voice"]


@bp.route("/voice/rounds", methods=["GET", "POST"])
@requires("voice.manage")
def rounds():
    db = get_db()
    org_stores = stores.org_stores(db, current_user.org_id)
    lists = _survey_checklists(db)
    errors, form = {}, request.form
    if request.method == "POST":
        values, errors = _parse_round(form, lists, org_stores)
        if not errors:
            checklist = checklist_store.load_pinned(db, values["checklist_row_id"])
            round_id = workflow.create_round(db, org_id=current_user.org_id, checklist=checklist,
                                             actor_id=current_user.id, **values)
            return redirect(url_for("voice_admin.show", round_id=round_id))
    else:
        today = date.fromisoformat(today_local())
        form = {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat(),
                "retention_days": "90"}
    return render_template("voice/rounds.html", rounds=store.rounds_of_org(db, current_user.org_id),
                           checklists=lists, stores=org_stores, form=form, errors=errors,
                           chosen=set(request.form.getlist("store_ids")) if request.method == "POST"
                           else {str(s["id"]) for s in org_stores}), (422 if errors else 200)


def _parse_round(form, lists, org_stores) -> tuple[dict, dict]:
    errors = {}
    title = (form.get("title") or "").strip()
    if not title or len(title) > 120:
        errors["title"] = _("Give the round a name (at most 120 characters).")
    row_id = form.get("checklist_row_id", type=int)
    if row_id not in {c["id"] for c in lists}:
        errors["checklist_row_id"] = _("Choose a customer survey checklist.")
    try:
        start, end = date.fromisoformat(form.get("starts_on", "")), date.fromisoformat(form.get("ends_on", ""))
        if end < start:
            errors["ends_on"] = _("The end is before the start.")
    except ValueError:
        errors["ends_on"] = _("Dates must look like 2026-01-31.")
        start = end = None
    retention = form.get("retention_days", type=int)
    if retention is None or not 1 <= retention <= 3650:
        errors["retention_days"] = _("Keep contact details between 1 and 3650 days.")
    ids = {s["id"] for s in org_stores}
    store_ids = [int(x) for x in form.getlist("store_ids") if x.isdigit() and int(x) in ids]
    if not store_ids:
        errors["store_ids"] = _("Choose at least one store.")
    return {"checklist_row_id": row_id, "title": title, "starts_on": start and start.isoformat(),
            "ends_on": end and end.isoformat(), "retention_days": retention, "store_ids": store_ids}, errors


@bp.route("/voice/rounds/<int:round_id>")
@requires("voice.manage")
def show(round_id: int):
    db = get_db()
    row = round_or_404(db, round_id)
    links = store.links_of_round(db, round_id)
    for link in links:
        link["url"] = poster.public_url(link["token"])
    recent = list(reversed(store.submitted_responses(db, [link["store_id"] for link in links],
                                                     round_id=round_id, include_flagged=True)))[:50]
    return render_template("voice/round.html", r=row, store_links=[x for x in links if x["kind"] == "store"],
                           panel_links=[x for x in links if x["kind"] == "panel"], recent=recent,
                           errors={}, form={})


@bp.route("/voice/rounds/<int:round_id>/invites", methods=["POST"])
@requires("voice.manage")
def invite(round_id: int):
    db = get_db()
    row = round_or_404(db, round_id)
    store_ids = {x["store_id"] for x in store.links_of_round(db, round_id, "store")}
    store_id = request.form.get("store_id", type=int)
    labels = [line.strip() for line in (request.form.get("labels") or "").splitlines() if line.strip()]
    if store_id in store_ids and 1 <= len(labels) <= 200 and row["status"] == "open":
        workflow.invite_panel(db, round_id=round_id, store_id=store_id, labels=labels, actor_id=current_user.id)
        return redirect(url_for("voice_admin.show", round_id=round_id) + "#panel")
    links = store.links_of_round(db, round_id)
    for link in links:
        link["url"] = poster.public_url(link["token"])
    error = _("This round is closed.") if row["status"] != "open" else \
        _("Choose a store of this round.") if store_id not in store_ids else _("Write one name per line (at most 200).")
    return render_template("voice/round.html", r=row, store_links=[x for x in links if x["kind"] == "store"],
                           panel_links=[x for x in links if x["kind"] == "panel"], recent=[],
                           errors={"labels": error}, form=request.form), 422


@bp.route("/voice/rounds/<int:round_id>/close", methods=["POST"])
@requires("voice.manage")
def close(round_id: int):
    db = get_db()
    round_or_404(db, round_id)
    workflow.close_round(db, round_id, current_user.id)
    return redirect(url_for("voice_admin.show", round_id=round_id))


@bp.route("/voice/rounds/<int:round_id>/poster/<int:store_id>.pdf")
@requires("voice.manage")
def poster_pdf(round_id: int, store_id: int):
    """The store's A5 QR table tent (Korean and English) as a PDF."""
    db = get_db()
    round_or_404(db, round_id)
    link = next((x for x in store.links_of_round(db, round_id, "store") if x["store_id"] == store_id), None)
    if link is None:
        abort(404)
    pdf = poster.poster_pdf(link, poster.public_url(link["token"]))
    audit_log.record_export(db, actor_id=current_user.id, object_type="voice_poster", object_id=link["id"])
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="qr-{link["store_code"]}-round{round_id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/voice/responses/<int:response_id>/flag", methods=["POST"])
@requires("voice.manage")
def flag(response_id: int):
    """Set or clear the moderation flag: a flagged answer leaves every number."""
    db = get_db()
    response = store.get_response(db, response_id)
    if response is None or response["org_id"] != current_user.org_id:
        abort(404)
    flagged = request.form.get("flagged") == "1"
    workflow.set_flag(db, response_id, flagged=flagged, note=request.form.get("note", ""), actor_id=current_user.id)
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/voice/")
                    else url_for("voice_admin.show", round_id=response["round_id"]))
