"""Disputes' pages: a store manager disputes a released visit's failed item with a
reason; a reviewer accepts (item N/A, score recomputed) or rejects with a reply."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from fieldapp.actions import disputes as dispute_flow
from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.storage import checklist_store, disputes, stores
from fieldapp.storage.db import get_db

bp = Blueprint("disputes", __name__)

REASON_MAX = 2000
ERRORS = {"not_released": _l("Only a released visit can be disputed."),
          "not_failed": _l("Only a failed item can be disputed."),
          "already_open": _l("This item already has an open dispute."),
          "reply_required": _l("Write a reply that says why the dispute is rejected."),
          "decided": _l("This dispute is already decided.")}


def _item(db, visit: dict, item_key: str):
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    try:
        return checklist.item(item_key)
    except KeyError:
        abort(404)


def _pair(item) -> dict:
    return {"ko": item.title.ko, "en": item.title.en}


@bp.route("/visits/<int:visit_id>/disputes/new", methods=["GET", "POST"])
@requires("visit.dispute")
def new(visit_id: int):
    """The manager's form: which item (``?item=``) and why."""
    db = get_db()
    visit = capabilities.visit_or_404(db, visit_id, current_user.row)
    item = _item(db, visit, request.values.get("item", ""))
    reason = (request.form.get("reason") or "").strip()
    error = None
    if request.method == "POST":
        if not reason or len(reason) > REASON_MAX:
            error = _("Say why, in under %(n)s characters.", n=REASON_MAX)
        else:
            try:
                dispute_id = dispute_flow.raise_dispute(db, visit, item_key=item.key, reason=reason,
                                                        actor_id=current_user.id, item_title=_pair(item),
                                                        actor_name=current_user.row["display_name"])
            except dispute_flow.DisputeError as exc:
                error = str(ERRORS[exc.code])
            else:
                flash(_("Dispute sent to the reviewer."))
                return redirect(url_for("disputes.show", dispute_id=dispute_id))
    return render_template("actions/dispute_new.html", visit=visit, item=item, reason=reason,
                           error=error), (422 if error else 200)


@bp.route("/disputes")
@requires("dispute.read")
def index():
    db = get_db()
    rows = disputes.open_in_stores(db, stores.visible_store_ids(db, current_user.row))
    return render_template("actions/disputes.html", disputes=rows)


def _dispute_or_404(db, dispute_id: int) -> dict:
    row = disputes.get_dispute(db, dispute_id)
    if row is None or row["store_id"] not in stores.visible_store_ids(db, current_user.row):
        abort(404)
    return row


@bp.route("/disputes/<int:dispute_id>")
@requires("dispute.read")
def show(dispute_id: int, error: str | None = None, status: int = 200, reply: str = ""):
    db = get_db()
    row = _dispute_or_404(db, dispute_id)
    visit = {"checklist_row_id": row["checklist_row_id"]}
    return render_template("actions/dispute.html", d=row, item=_item(db, visit, row["item_key"]), error=error,
                           reply=reply, can_decide=capabilities.has(current_user.row, "dispute.decide")), status


@bp.route("/disputes/<int:dispute_id>/decide", methods=["POST"])
@requires("dispute.decide")
def decide(dispute_id: int):
    db = get_db()
    row = _dispute_or_404(db, dispute_id)
    accept = request.form.get("decision") == "accept"
    reply = (request.form.get("reply") or "").strip()[:REASON_MAX]
    if request.form.get("decision") not in ("accept", "reject"):
        return show(dispute_id, error=_("Choose accept or reject."), status=400, reply=reply)
    item = _item(db, {"checklist_row_id": row["checklist_row_id"]}, row["item_key"])
    try:
        dispute_flow.decide(db, row, accept=accept, reply=reply, actor_id=current_user.id, item_title=_pair(item))
    except dispute_flow.DisputeError as exc:
        return show(dispute_id, error=str(ERRORS[exc.code]), status=409 if exc.code == "decided" else 422,
                    reply=reply)
    flash(_("Accepted: the item is N/A and the score was recomputed.") if accept else _("Rejected."))
    return redirect(url_for("disputes.show", dispute_id=dispute_id))
