"""Review: a reviewer reads a submitted visit, comments, returns or approves it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.actions import loop
from fieldapp.audit import view_models as visit_view
from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.storage import audit_log, comments, visits
from fieldapp.storage.db import get_db
from fieldapp.web.timefmt import today_local

bp = Blueprint("review", __name__)


@bp.route("/review/<int:visit_id>")
@requires("visit.read")
def show(visit_id: int):
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    return _page(db, row)


def _page(db, row, error=None, status=200, typed="", correction=None, error_at=None):
    """The review page; ``error_at`` names the form an error belongs next to."""
    from fieldapp.review import proof

    view = visit_view.build(db, row)
    can_review = capabilities.can_review(db, current_user.row, row)
    return render_template("review/show.html", v=view, comments=comments.comments_of(db, row["id"]),
                           can_review=can_review, proof=proof.proof_of(db, view),
                           can_correct=can_review and row["status"] in ("submitted", "reviewed"),
                           correction=correction or {}, error=error, error_at=error_at,
                           typed=typed), status


@bp.route("/review/<int:visit_id>/comment", methods=["POST"])
@requires("visit.review")
def comment(visit_id: int):
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    body = (request.form.get("body") or "").strip()
    if not body:
        return _page(db, row, error=_("Write a comment first."), status=422, error_at="comment")
    audience = request.form.get("audience")
    with db.atomic():
        comments.add_comment(db, visit_id=visit_id, author_id=current_user.id, body=body[:4000],
                             item_key=request.form.get("item_key") or None,
                             audience=audience if audience in comments.AUDIENCES else "internal")
        audit_log.record(db, actor_id=current_user.id, action="comment", object_type="visit",
                         object_id=visit_id)
    return redirect(url_for("review.show", visit_id=visit_id))


@bp.route("/review/<int:visit_id>/decide", methods=["POST"])
@requires("visit.review")
def decide(visit_id: int):
    """Approve (reviewed, then released to the store) or return to the auditor."""
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    decision = request.form.get("decision")
    note = (request.form.get("comment") or "").strip()[:4000]
    try:
        if decision == "approve":
            # released: verifies or reopens the store's actions and tells the store (one transaction)
            outcome = loop.release(db, visit_id, actor_id=current_user.id, comment=note, today=today_local())
            flash(_("Approved and released to the store."))
            if outcome.get("reopened") or outcome.get("follow_up"):
                flash(_("This visit failed an item again: %(n)s corrective action(s) reopened.",
                        n=outcome.get("reopened", 0) + outcome.get("follow_up", 0)))
            if outcome.get("verified"):
                flash(_("%(n)s corrective action(s) verified by this visit.", n=outcome["verified"]))
        elif decision == "return":
            if not note:
                return _page(db, row, error=_("Say what the auditor should fix."), status=422,
                             error_at="decide")
            loop.return_visit(db, visit_id, actor_id=current_user.id, note=note)
            flash(_("Returned to the auditor."))
        else:
            abort(400)
    except visits.TransitionError:
        return _page(db, visits.get_visit(db, visit_id),
                     error=_("This visit cannot be changed in its current state."), status=409)
    return redirect(url_for("home.index"))


from fieldapp.review import qc  # noqa: E402,F401  (its routes join this blueprint)
