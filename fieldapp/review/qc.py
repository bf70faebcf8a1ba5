"""Reviewer quality control: correct an answer on a submitted visit (old and new
value, who and why are kept and shown), and rescore the visit in the same transaction.

The routes join the review blueprint; the workflow function owns the transaction.
"""

from __future__ import annotations

import json

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from checklists import AnswerError, parse_answer
from checklists.scoring import item_results, score_results
from fieldapp.audit import workflow as visit_service
from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.review.views import _page, bp
from fieldapp.storage import audit_log, checklist_store, corrections, results, visits
from fieldapp.storage.db import get_db
from fieldapp.web import labels

CORRECTABLE = ("submitted", "reviewed")  # before the store has it
NOT_CORRECTABLE_TYPES = ("photo", "signature", "note")


class CorrectionRefused(ValueError):
    """The visit is not waiting for review, or the item cannot be corrected."""


def correct_answer(db, visit_id: int, item_key: str, value, reason: str, actor_id: int) -> dict:
    """Store the reviewer's value, keep the old one with who and why, and rescore.

    :raise CorrectionRefused: the visit is not submitted/reviewed.
    :return: the correction (old, new).
    """
    with db.atomic():
        visit = visits.get_visit(db, visit_id)
        if visit["status"] not in CORRECTABLE:
            raise CorrectionRefused(visit["status"])
        checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
        old = visits.answers_of(db, visit_id).get(item_key, {}).get("value")
        corrections.correct_answer(db, visit_id=visit_id, item_key=item_key, old=old, new=value,
                                   reason=reason, actor_id=actor_id)
        answers = visit_service.scoring_answers(db, checklist, visit_id)
        items = item_results(checklist, answers, visit_start=visit["started_at"])
        result = score_results(checklist, items)
        corrections.set_score(db, visit_id, score=result.score, passed=result.passed,
                              score_json=json.dumps(visit_service._jsonable(result), ensure_ascii=False))
        results.write_visit_results(db, visit_id, stages=result.stages, touchpoints=result.touchpoints,
                                    items=items)
        audit_log.record(db, actor_id=actor_id, action="correct_answer", object_type="visit",
                         object_id=visit_id,
                         detail=f"{item_key}: {_short(old)} -> {_short(value)}; {reason}"[:200])
    return {"old": old, "new": value}


@bp.route("/review/<int:visit_id>/items/<item_key>/correct", methods=["POST"])
@requires("visit.review")
def correct(visit_id: int, item_key: str):
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    if not capabilities.can_review(db, current_user.row, row):
        abort(403)
    checklist = checklist_store.load_pinned(db, row["checklist_row_id"])
    try:
        item = checklist.item(item_key)
    except KeyError:
        abort(404)
    if item.type in NOT_CORRECTABLE_TYPES:
        abort(400)
    reason = (request.form.get("reason") or "").strip()[:1000]
    raw = request.form.get("value", "")
    errors = {}
    try:
        value = parse_answer(item, raw)
    except AnswerError as exc:
        errors["value"] = labels.answer_error(exc, item)
    if not reason:
        errors["reason"] = _("Say why the answer is corrected.")
    if not errors:
        try:
            correct_answer(db, visit_id, item.key, value, reason, current_user.id)
        except CorrectionRefused:
            return _page(db, row, error=_("This visit cannot be changed in its current state."), status=409)
        return redirect(url_for("review.show", visit_id=visit_id, _anchor=f"ans-{item.key}"))
    return _page(db, row, status=422, correction={"item": item.key, "errors": errors, "value": raw,
                                                  "reason": reason})


def _short(value) -> str:
    return json.dumps(value, ensure_ascii=False)[:40]
