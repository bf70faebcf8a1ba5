"""Corrective actions on failed items: open -> done (with optional photo) -> verified,
owned by a user of the store, with a thread of comments, photos and changes.

Writes take part in the caller's transaction (``with db.atomic():`` in the
service layer) so a state change and its audit-log line land together.
"""

from __future__ import annotations

from fieldapp.storage import IN_LIST, as_list, now

STATUSES = ("open", "done", "verified")
PRIORITIES = ("high", "normal", "low")

_SELECT = (
    "SELECT a.*, s.name AS store_name, s.code AS store_code, s.region, v.started_at AS visit_started_at, "
    "v.checklist_row_id, u.display_name AS created_by_name, s.org_id, "
    "coalesce(o.display_name, a.owner) AS owner_name, o.role AS owner_role "
    "FROM actions a JOIN stores s ON s.id = a.store_id JOIN visits v ON v.id = a.visit_id "
    "LEFT JOIN users u ON u.id = a.created_by LEFT JOIN users o ON o.id = a.owner_id ")


def insert_action(db, *, visit_id: int, store_id: int, item_key: str, owner: str, due_date: str,
                  note: str, created_by: int, owner_id: int | None = None, priority: str = "normal",
                  follow_up_of: int | None = None) -> int:
    return db["actions"].insert({
        "visit_id": visit_id, "store_id": store_id, "item_key": item_key, "owner": owner,
        "owner_id": owner_id, "priority": priority, "follow_up_of": follow_up_of,
        "due_date": due_date, "note": note, "status": "open", "created_by": created_by,
        "created_at": now(), "updated_at": now()}).last_pk


def get_action(db, action_id: int) -> dict | None:
    rows = list(db.query(_SELECT + "WHERE a.id = ?", [action_id]))
    return rows[0] if rows else None


def actions_in_stores(db, store_ids: list[int], statuses: tuple[str, ...] = STATUSES,
                      limit: int | None = 200):
    """Actions of these stores, the most urgent (earliest due) first: a list of
    at most ``limit``, or with ``limit=None`` all of them as a lazy iterator (exports)."""
    if not store_ids:
        return []
    rows = db.query(
        _SELECT + f"WHERE a.store_id {IN_LIST} AND a.status {IN_LIST} "
        f"ORDER BY CASE a.status WHEN 'open' THEN 0 WHEN 'done' THEN 1 ELSE 2 END, a.due_date, a.id "
        f"LIMIT ?", [as_list(store_ids), as_list(statuses), -1 if limit is None else limit])
    return rows if limit is None else list(rows)


def open_counts(db, store_ids: list[int], today: str) -> dict[int, tuple[int, int]]:
    """Per store: (open actions, of which overdue: due before ``today``)."""
    if not store_ids:
        return {}
    return {r[0]: (r[1], int(r[2])) for r in db.execute(
        f"SELECT store_id, count(*), total(due_date < ?) FROM actions WHERE status = 'open' "
        f"AND store_id {IN_LIST} GROUP BY store_id", [today, as_list(store_ids)])}


def actions_of_visit(db, visit_id: int) -> list[dict]:
    return list(db.query(_SELECT + "WHERE a.visit_id = ? ORDER BY a.id", [visit_id]))


def mark_done(db, action_id: int, *, evidence_photo_id: int | None) -> bool:
    """Open -> done; False when it was not open (a second click, a race): nothing changes."""
    return db.execute("UPDATE actions SET status = 'done', done_at = ?, evidence_photo_id = ?, "
                      "updated_at = ? WHERE id = ? AND status = 'open'",
                      [now(), evidence_photo_id, now(), action_id]).rowcount == 1


def mark_verified(db, action_id: int, *, verified_visit_id: int, at: str | None = None) -> None:
    db["actions"].update(action_id, {"status": "verified", "verified_visit_id": verified_visit_id,
                                     "verified_at": at or now()})


def reopen(db, action_id: int, *, visit_id: int | None = None) -> None:
    """Back to open; the old evidence stays in the thread, not on the action."""
    db["actions"].update(action_id, {"status": "open", "done_at": None, "verified_at": None,
                                     "verified_visit_id": None, "reopened_visit_id": visit_id,
                                     "evidence_photo_id": None, "updated_at": now()})


EDITABLE = ("owner_id", "owner", "priority", "due_date", "note")


def update_action(db, action_id: int, values: dict) -> None:
    clean = {k: v for k, v in values.items() if k in EDITABLE}
    db["actions"].update(action_id, {**clean, "updated_at": now()})


def filtered(db, store_ids: list[int], *, store_id: int | None = None, owner_id: int | None = None,
             status: str | None = None, overdue_before: str | None = None, item_key: str | None = None,
             limit: int = 300) -> list[dict]:
    """Actions of these stores narrowed by the list's filters, open and earliest due first.

    :param overdue_before: today's date: only open actions due before it.
    """
    if not store_ids:
        return []
    where, params = [f"a.store_id {IN_LIST}"], [as_list(store_ids)]
    for column, value in (("a.store_id", store_id), ("a.owner_id", owner_id), ("a.status", status),
                          ("a.item_key", item_key)):
        if value not in (None, ""):
            where.append(f"{column} = ?")
            params.append(value)
    if overdue_before:
        where.append("a.status = 'open' AND a.due_date < ?")
        params.append(overdue_before)
    return list(db.query(
        _SELECT + "WHERE " + " AND ".join(where) +
        " ORDER BY CASE a.status WHEN 'open' THEN 0 WHEN 'done' THEN 1 ELSE 2 END, "
        "CASE a.priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END, a.due_date, a.id LIMIT ?",
        params + [limit]))


def open_actions_of_store_item(db, store_id: int, item_key: str) -> list[dict]:
    """Every action on this store's item that a later visit can speak to (not superseded)."""
    return list(db.query(
        _SELECT + "WHERE a.store_id = ? AND a.item_key = ? AND NOT EXISTS "
        "(SELECT 1 FROM actions f WHERE f.follow_up_of = a.id) ORDER BY a.id", [store_id, item_key]))


def item_keys_of_store_actions(db, store_id: int) -> list[str]:
    return [r["item_key"] for r in db.query(
        "SELECT DISTINCT item_key FROM actions WHERE store_id = ? ORDER BY item_key", [store_id])]


def item_keys_in_stores(db, store_ids: list[int]) -> list[str]:
    return [r["item_key"] for r in db.query(
        f"SELECT DISTINCT item_key FROM actions WHERE store_id {IN_LIST} ORDER BY item_key",
        [as_list(store_ids)])]


def owners_in_stores(db, store_ids: list[int]) -> list[dict]:
    return list(db.query(
        "SELECT DISTINCT u.id, u.display_name FROM actions a JOIN users u ON u.id = a.owner_id "
        f"WHERE a.store_id {IN_LIST} ORDER BY u.display_name", [as_list(store_ids)]))


def due_for_reminder(db, *, kind: str, today: str, tomorrow: str) -> list[dict]:
    """Open actions due tomorrow (``due_tomorrow``) or past due (``overdue``) not yet reminded."""
    condition = "a.due_date = ?" if kind == "due_tomorrow" else "a.due_date < ?"
    value = tomorrow if kind == "due_tomorrow" else today
    return list(db.query(
        _SELECT + f"WHERE a.status = 'open' AND {condition} AND NOT EXISTS (SELECT 1 FROM action_reminders r "
        "WHERE r.action_id = a.id AND r.kind = ? AND r.due_date = a.due_date) ORDER BY a.id",
        [value, kind]))


def remember_reminder(db, action_id: int, kind: str, due_date: str) -> bool:
    """Record that a reminder went out; False when one already had (another worker)."""
    return db.execute("INSERT OR IGNORE INTO action_reminders (action_id, kind, due_date) VALUES (?, ?, ?)",
                      [action_id, kind, due_date]).rowcount == 1


# --- the thread: comments, photos and every change ------------------------------

def add_event(db, *, action_id: int, actor_id: int | None, kind: str, body: str = "",
              detail: dict | None = None, photo_id: int | None = None) -> int:
    import json

    return db["action_events"].insert({
        "action_id": action_id, "at": now(), "actor_id": actor_id, "kind": kind, "body": body,
        "detail": json.dumps(detail or {}, ensure_ascii=False), "photo_id": photo_id}).last_pk


def events_of(db, action_id: int) -> list[dict]:
    import json

    rows = list(db.query(
        "SELECT e.*, u.display_name AS actor_name FROM action_events e LEFT JOIN users u ON u.id = e.actor_id "
        "WHERE e.action_id = ? ORDER BY e.id", [action_id]))
    for r in rows:
        r["detail"] = json.loads(r["detail"])
    return rows


def photo_of_action(db, action_id: int, photo_id: int) -> dict | None:
    """A photo that belongs to this action (evidence or in its thread)."""
    rows = list(db.query(
        "SELECT p.* FROM photos p WHERE p.id = ? AND p.item_key = ?", [photo_id, f"action:{action_id}"]))
    return rows[0] if rows else None
