"""Organisations and stores, and which stores a user may see."""

from __future__ import annotations

from fieldapp.storage import IN_LIST, as_list


def create_organisation(db, name: str) -> int:
    with db.atomic():
        return db["organisations"].insert({"name": name}).last_pk


def create_store(db, *, org_id: int, code: str, name: str, region: str, chain: str,
                 store_type: str = "standard") -> int:
    with db.atomic():
        return db["stores"].insert({"org_id": org_id, "code": code, "name": name,
                                    "region": region, "chain": chain,
                                    "store_type": store_type}).last_pk


def visible_store_ids(db, user: dict) -> list[int]:
    """Managers and auditors see their member stores; other roles their organisation's."""
    if user["role"] in ("manager",):
        sql = "SELECT store_id FROM memberships WHERE user_id = ? ORDER BY store_id"
        return [r["store_id"] for r in db.query(sql, [user["id"]])]
    sql = "SELECT id FROM stores WHERE org_id = ? ORDER BY id"
    return [r["id"] for r in db.query(sql, [user["org_id"]])]


def stores_by_ids(db, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    return list(db.query(f"SELECT * FROM stores WHERE id {IN_LIST} ORDER BY region, name", [as_list(ids)]))


def get_store(db, store_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM stores WHERE id = ?", [store_id]))
    return rows[0] if rows else None


def org_stores(db, org_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM stores WHERE org_id = ? ORDER BY region, name", [org_id]))


def first_organisation_id(db) -> int | None:
    """The installation's organisation (one per instance today)."""
    row = db.execute("SELECT id FROM organisations ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else None
