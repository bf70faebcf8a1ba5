"""Store staff's home page: the corrective actions they own, then the rest of their store's."""

from __future__ import annotations

from fieldapp.reports.data import is_overdue
from fieldapp.storage import actions as action_store
from fieldapp.storage import checklist_store, stores
from fieldapp.web.timefmt import today_local


def staff_context(db, user: dict) -> dict:
    store_ids = stores.visible_store_ids(db, user)
    today = today_local()
    rows = action_store.filtered(db, store_ids, limit=100)
    for a in rows:
        a["overdue"] = is_overdue(a, today)
        checklist = checklist_store.load_pinned(db, a["checklist_row_id"])
        a["item"] = checklist.item(a["item_key"]) if a["item_key"] in {i.key for i in checklist.items()} else None
    mine = [a for a in rows if a["owner_id"] == user["id"] and a["status"] != "verified"]
    others = [a for a in rows if a["owner_id"] != user["id"] and a["status"] == "open"]
    return {"stores": stores.stores_by_ids(db, store_ids), "mine": mine, "others": others}
