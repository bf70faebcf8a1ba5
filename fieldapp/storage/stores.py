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
    if user["role"] in ("manager", "staff"):  # staff: store staff (issue 16)
        sql = "SELECT store_id FROM memberships WHERE user_id = ? ORDER BY store_id"
        return [r["store_id"] for r in db.query(sql, [user["id"]])]
    sql = "SELECT id FROM stores WHERE org_id = ? ORDER BY id"
    return [r["id"] for r in db.query(sql, [user["org_id"]])]


def stores_by_ids(db, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    return list(db.query(f"SELECT * FROM stores WHERE id {IN_LIST} ORDER BY region, name", [as_list(ids)]))


def are_every_store(db, ids) -> bool:
    """These ids are all the stores in the database: a report over them may skip
    its store filter and read an index by time instead."""
    ids = set(ids)
    return bool(ids) and db.execute("SELECT count(*) FROM stores").fetchone()[0] == len(ids)


def get_store(db, store_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM stores WHERE id = ?", [store_id]))
    return rows[0] if rows else None


def org_stores(db, org_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM stores WHERE org_id = ? ORDER BY region, name", [org_id]))


def first_organisation_id(db) -> int | None:
    """The installation's organisation (one per instance today)."""
    row = db.execute("SELECT id FROM organisations ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else None


# --- administration (issue 15) ---------------------------------------------------

STORE_FIELDS = ("name", "region", "chain", "store_type", "address", "latitude", "longitude",
                "opening_hours")
DEFAULT_TIMEZONE = "Asia/Seoul"


def get_by_code(db, org_id: int, code: str) -> dict | None:
    rows = list(db.query("SELECT * FROM stores WHERE org_id = ? AND code = ?", [org_id, code]))
    return rows[0] if rows else None


def insert_store(db, org_id: int, code: str, values: dict) -> int:
    with db.atomic():
        return db["stores"].insert({"org_id": org_id, "code": code,
                                    **{k: values.get(k) for k in STORE_FIELDS}}).last_pk


def update_store(db, store_id: int, values: dict) -> None:
    clean = {k: v for k, v in values.items() if k in STORE_FIELDS}
    with db.atomic():
        db["stores"].update(store_id, clean)


def regions(db, org_id: int) -> list[str]:
    return [r["region"] for r in db.query(
        "SELECT DISTINCT region FROM stores WHERE org_id = ? ORDER BY region", [org_id])]


def store_types(db, org_id: int) -> list[str]:
    return [r["store_type"] for r in db.query(
        "SELECT DISTINCT store_type FROM stores WHERE org_id = ? ORDER BY store_type", [org_id])]


def get_organisation(db, org_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM organisations WHERE id = ?", [org_id]))
    return rows[0] if rows else None


def org_timezone(db, org_id: int | None = None) -> str:
    """The organisation's IANA time zone name (the installation's first org by default)."""
    org_id = org_id or first_organisation_id(db)
    row = db.execute("SELECT timezone FROM organisations WHERE id = ?", [org_id]).fetchone() \
        if org_id else None
    return row[0] if row and row[0] else DEFAULT_TIMEZONE


def update_organisation(db, org_id: int, *, name: str, timezone: str) -> None:
    with db.atomic():
        db.execute("UPDATE organisations SET name = ?, timezone = ? WHERE id = ?",
                   [name, timezone, org_id])
