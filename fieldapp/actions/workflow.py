"""Corrective actions' state changes: create, edit or reassign, comment, complete.

Each is one ``db.atomic()`` transaction that also writes the thread (every
change is an ``action_events`` row), the audit log and the notifications;
the routes in ``views.py`` parse the form and call them. Verification by
later visits lives in ``loop.py``.
"""

from __future__ import annotations

from fieldapp.notify import workflow as notify
from fieldapp.storage import actions as action_store
from fieldapp.storage import audit_log, checklist_store, photos
from fieldapp.storage import notify as notify_store


def item_title(db, action: dict) -> dict:
    """The action's item title as a {ko, en} pair (for notifications)."""
    checklist = checklist_store.load_pinned(db, action["checklist_row_id"])
    try:
        title = checklist.item(action["item_key"]).title
    except KeyError:
        return {"ko": action["item_key"], "en": action["item_key"]}
    return {"ko": title.ko, "en": title.en}


def params_of(db, action: dict, **extra) -> dict:
    return {"item": item_title(db, action), "store": action["store_name"], "due": action["due_date"],
            "priority": action.get("priority", "normal"), **extra}


def link(action_id: int) -> str:
    return f"/actions/{action_id}"


def create(db, *, visit: dict, item_key: str, owner_id: int, owner_name: str, due_date: str, note: str,
           actor_id: int, actor_name: str = "", priority: str = "normal") -> int:
    """A new open action assigned to ``owner_id``, who is told (unless they made it)."""
    with db.atomic():
        action_id = action_store.insert_action(db, visit_id=visit["id"], store_id=visit["store_id"],
                                               item_key=item_key, owner=owner_name, owner_id=owner_id,
                                               due_date=due_date, note=note, created_by=actor_id,
                                               priority=priority)
        action_store.add_event(db, action_id=action_id, actor_id=actor_id, kind="created", body=note,
                               detail={"owner": owner_name, "due_date": due_date, "priority": priority})
        audit_log.record(db, actor_id=actor_id, action="action_create", object_type="action",
                         object_id=action_id, detail=f"visit={visit['id']} item={item_key} owner={owner_id}")
        if owner_id != actor_id:
            action = action_store.get_action(db, action_id)
            notify.send(db, event="action_assigned", recipients=[owner_id],
                        params=params_of(db, action, actor=actor_name), link=link(action_id))
    return action_id


def edit(db, action: dict, *, values: dict, actor_id: int, actor_name: str = "") -> dict:
    """Change owner, priority, due date or note; the thread says what changed from what.

    :return: the changes ``{field: [old, new]}`` (empty: nothing changed, nothing recorded).
    """
    changes = {k: [action.get(k), v] for k, v in values.items()
               if k in action_store.EDITABLE and action.get(k) != v}
    if not changes:
        return {}
    with db.atomic():
        action_store.update_action(db, action["id"], values)
        reassigned = "owner_id" in changes
        shown = {k: v for k, v in changes.items() if k != "owner_id"}
        action_store.add_event(db, action_id=action["id"], actor_id=actor_id,
                               kind="reassigned" if reassigned else "edited", detail=shown)
        audit_log.record(db, actor_id=actor_id, action="action_reassign" if reassigned else "action_edit",
                         object_type="action", object_id=action["id"],
                         detail=" ".join(f"{k}={v[1]}" for k, v in changes.items())[:200])
        if reassigned and values["owner_id"] != actor_id:
            fresh = action_store.get_action(db, action["id"])
            notify.send(db, event="action_assigned", recipients=[values["owner_id"]],
                        params=params_of(db, fresh, actor=actor_name), link=link(action["id"]))
    return changes


def comment(db, action: dict, *, body: str, actor_id: int, photo: dict | None = None) -> int:
    """Add a comment (and a photo, already stored as a file) to the action's thread."""
    with db.atomic():
        photo_id = _add_photo(db, action, actor_id, photo)
        event_id = action_store.add_event(db, action_id=action["id"], actor_id=actor_id, kind="comment",
                                          body=body, photo_id=photo_id)
        audit_log.record(db, actor_id=actor_id, action="action_comment", object_type="action",
                         object_id=action["id"], detail=f"photo={photo_id}" if photo_id else "")
    return event_id


def complete(db, action: dict, *, actor_id: int, actor_name: str = "", photo: dict | None = None,
             note: str = "") -> None:
    """Open -> done, with the evidence photo (already stored as a file) if any.

    :raise NotOpen: the action was no longer open (done twice at once counts once);
        nothing is stored, not even the photo row.
    """
    with db.atomic():
        photo_id = _add_photo(db, action, actor_id, photo)
        if not action_store.mark_done(db, action["id"], evidence_photo_id=photo_id):
            raise NotOpen()
        action_store.add_event(db, action_id=action["id"], actor_id=actor_id, kind="done", body=note,
                               photo_id=photo_id)
        audit_log.record(db, actor_id=actor_id, action="action_done", object_type="action",
                         object_id=action["id"], detail=f"photo={photo_id}" if photo_id else "")
        managers = [m for m in notify_store.store_managers(db, action["store_id"]) if m != actor_id]
        notify.send(db, event="action_done", recipients=managers,
                    params=params_of(db, action, actor=actor_name), link=link(action["id"]))


class NotOpen(Exception):
    """The action is not open any more (someone marked it done first)."""


def _add_photo(db, action: dict, actor_id: int, photo: dict | None) -> int | None:
    if photo is None:
        return None
    return photos.add_photo(db, visit_id=action["visit_id"], item_key=f"action:{action['id']}",
                            uploaded_by=actor_id, **photo)
