"""Store disputes (mystery-shopping practice): a store manager disputes one item of
a released visit with a reason; a reviewer accepts it (the item becomes N/A for
that visit, the score is recomputed and stored, the change is recorded) or
rejects it with a reply. Both outcomes notify; each step is one transaction.
"""

from __future__ import annotations

import json
from dataclasses import replace

from checklists import Checklist
from checklists.scoring import item_results, score_results
from fieldapp.audit import workflow as visit_service
from fieldapp.notify import workflow as notify
from fieldapp.storage import (
    audit_log,
    checklist_store,
    disputes,
    results,
    stores,
    visits,
)
from fieldapp.storage import notify as notify_store

NOT_ASKED = "1 = 0"  # a relevance that is never true: the item leaves scoring like a skipped one


class DisputeError(ValueError):
    """A dispute that cannot be raised or decided; ``code`` is looked up for the page."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def without_items(checklist: Checklist, keys: set[str]) -> Checklist:
    """The checklist with ``keys`` never asked (N/A), everything else unchanged."""
    if not keys:
        return checklist
    stages = tuple(replace(stage, touchpoints=tuple(
        replace(tp, items=tuple(replace(i, relevant=NOT_ASKED) if i.key in keys else i for i in tp.items))
        for tp in stage.touchpoints)) for stage in checklist.stages)
    return replace(checklist, stages=stages)


def rescore(db, visit: dict):
    """Score the visit again with its accepted disputes' items as N/A, and store it."""
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    answers = visit_service.scoring_answers(db, checklist, visit["id"])
    judged = without_items(checklist, disputes.accepted_items(db, visit["id"]))
    items = item_results(judged, answers, visit_start=visit.get("started_at"))
    result = score_results(judged, items)
    data = visit_service._jsonable(result)
    with db.atomic():  # the record and the result rows reports add up change together
        disputes.set_visit_score(db, visit["id"], score=result.score, passed=result.passed,
                                  score_json=json.dumps(data, ensure_ascii=False))
        results.write_visit_results(db, visit["id"], stages=result.stages, touchpoints=result.touchpoints,
                                    items=items)
    return result


def raise_dispute(db, visit: dict, *, item_key: str, reason: str, actor_id: int, actor_name: str,
                  item_title: dict) -> int:
    """A manager disputes a failed item of a released visit; the coordinators are told."""
    if visit["status"] != "released":
        raise DisputeError("not_released")
    failed = json.loads(visit["score_json"] or "{}").get("failed_items", [])
    if item_key not in failed:
        raise DisputeError("not_failed")
    if any(d["item_key"] == item_key and d["status"] == "open" for d in disputes.disputes_of_visit(db, visit["id"])):
        raise DisputeError("already_open")
    with db.atomic():
        dispute_id = disputes.insert_dispute(db, visit_id=visit["id"], store_id=visit["store_id"],
                                             item_key=item_key, reason=reason, raised_by=actor_id)
        audit_log.record(db, actor_id=actor_id, action="dispute_raise", object_type="visit",
                         object_id=visit["id"], detail=f"item={item_key}")
        store = stores.get_store(db, visit["store_id"])
        notify.send(db, event="dispute_raised", recipients=notify_store.coordinators(db, store["org_id"]),
                    params={"store": store["name"], "item": item_title, "reason": reason, "actor": actor_name,
                            "date": _date(visit)}, link=f"/disputes/{dispute_id}")
    return dispute_id


def decide(db, dispute: dict, *, accept: bool, reply: str, actor_id: int, item_title: dict) -> float | None:
    """Accept (item N/A, score recomputed) or reject with a reply; the manager is told.

    :return: the visit's score after the decision.
    """
    if not accept and not reply:
        raise DisputeError("reply_required")
    with db.atomic():
        if not disputes.decide(db, dispute["id"], status="accepted" if accept else "rejected", reply=reply,
                               decided_by=actor_id):
            raise DisputeError("decided")
        visit = visits.get_visit(db, dispute["visit_id"])
        before = visit["score"]
        score = rescore(db, visit).score if accept else before
        audit_log.record(db, actor_id=actor_id, action="dispute_accept" if accept else "dispute_reject",
                         object_type="visit", object_id=visit["id"],
                         detail=f"item={dispute['item_key']} score {_fmt(before)} -> {_fmt(score)}")
        notify.send(db, event="dispute_accepted" if accept else "dispute_rejected",
                    recipients=[dispute["raised_by"]] if dispute["raised_by"] else [],
                    params={"store": dispute["store_name"], "item": item_title, "reply": reply,
                            "score": _fmt(score)}, link=f"/disputes/{dispute['id']}")
    return score


def _fmt(score) -> str:
    return "–" if score is None else f"{score:.0f}"


def _date(visit: dict) -> str:
    from fieldapp.web.timefmt import local

    return local(visit["started_at"], "%Y-%m-%d")
