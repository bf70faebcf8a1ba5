"""Corrective actions' state changes: create, complete, verify by the next visit.

Each is one ``db.atomic()`` transaction that also writes the audit log; the
routes in ``views.py`` parse the form and call them.
"""

from __future__ import annotations

from checklists import item_failed, normalize_answer
from fieldapp.storage import actions as action_store
from fieldapp.storage import audit_log, checklist_store, photos, reporting, visits


def create(db, *, visit: dict, item_key: str, owner: str, due_date: str, note: str, actor_id: int) -> int:
    with db.atomic():
        action_id = action_store.insert_action(db, visit_id=visit["id"], store_id=visit["store_id"],
                                               item_key=item_key, owner=owner, due_date=due_date,
                                               note=note, created_by=actor_id)
        audit_log.record(db, actor_id=actor_id, action="action_create", object_type="action",
                         object_id=action_id, detail=f"visit={visit['id']} item={item_key}")
    return action_id


def complete(db, action: dict, *, actor_id: int, photo: dict | None = None) -> None:
    """Open -> done, recording the evidence photo (already stored as a file) if any."""
    with db.atomic():
        photo_id = None
        if photo is not None:
            photo_id = photos.add_photo(db, visit_id=action["visit_id"], item_key=f"action:{action['id']}",
                                        uploaded_by=actor_id, **photo)
        action_store.mark_done(db, action["id"], evidence_photo_id=photo_id)
        audit_log.record(db, actor_id=actor_id, action="action_done", object_type="action",
                         object_id=action["id"], detail=f"photo={photo_id}" if photo_id else "")


def next_visit_verdict(db, action: dict) -> tuple[str, dict | None]:
    """How the first released visit after the action was done answered its item.

    :return: ``("passed", visit)``, ``("failed", visit)`` or ``("none", None)``.
    """
    after = action.get("done_at") or action["created_at"]
    for later in reporting.later_released_visits(db, action["store_id"], after):
        checklist = checklist_store.load_pinned(db, later["checklist_row_id"])
        try:
            item = checklist.item(action["item_key"])
        except KeyError:
            continue
        value = normalize_answer(item, visits.answers_of(db, later["id"]).get(item.key, {}).get("value"))
        failed = item_failed(item, value)
        if failed is None:
            continue  # not answered (or N/A) on that visit: it proves nothing
        return ("failed" if failed else "passed"), later
    return "none", None


def verify(db, action: dict, *, actor_id: int | None) -> str:
    """Done -> verified when the next visit passed the item; back to open when it failed again.

    :return: the verdict, ``passed``, ``failed`` or ``none`` (nothing changes).
    """
    verdict, later = next_visit_verdict(db, action)
    if verdict == "none":
        return verdict
    with db.atomic():
        if verdict == "passed":
            action_store.mark_verified(db, action["id"], verified_visit_id=later["id"])
            audit_log.record(db, actor_id=actor_id, action="action_verified", object_type="action",
                             object_id=action["id"], detail=f"visit={later['id']}")
        else:
            action_store.reopen(db, action["id"])
            audit_log.record(db, actor_id=actor_id, action="action_reopened", object_type="action",
                             object_id=action["id"], detail=f"failed again on visit={later['id']}")
    return verdict


def verify_done_actions(db, store_id: int, actor_id: int | None = None) -> dict[int, str]:
    """Verify every done action of a store against later visits (call after a release)."""
    return {a["id"]: verify(db, a, actor_id=actor_id)
            for a in action_store.actions_in_stores(db, [store_id], ("done",))}
