"""Checklist versions as stored: the exact source a visit was started with.

A version is ``draft`` (uploaded, not offered), ``published`` (offered for new
visits and assignments; at most one per checklist id) or ``retired`` (kept for
the visits pinned to it, offered to nobody).
"""

from __future__ import annotations

import json
from functools import lru_cache

from checklists import Checklist, load_checklist_text
from fieldapp.storage import now

STATUSES = ("draft", "published", "retired")


def save_checklist(db, checklist: Checklist, *, status: str = "published",
                   uploaded_by: int | None = None) -> int:
    """Store a checklist version once (by content hash) and return its row id.

    The CLI and the demo store versions ready to use (``published``, replacing
    the one before); the admin page uploads ``draft`` versions to preview first.
    """
    with db.atomic():
        rows = list(db.query(
            "SELECT id FROM checklists WHERE checklist_id = ? AND content_hash = ?",
            [checklist.id, checklist.content_hash]))
        if rows:
            return rows[0]["id"]
        row_id = db["checklists"].insert({
            "checklist_id": checklist.id,
            "version": checklist.version,
            "content_hash": checklist.content_hash,
            "kind": checklist.kind,
            "title_ko": checklist.title.ko,
            "title_en": checklist.title.en,
            "source": checklist.source_text,
            "source_name": checklist.source,
            "active": int(status == "published"),
            "created_at": now(),
            "status": "draft",
            "uploaded_by": uploaded_by,
            "import_notes": json.dumps([str(n) for n in checklist.import_notes],
                                       ensure_ascii=False),
        }).last_pk
        if status == "published":
            publish(db, row_id)
        return row_id


def checklist_row(db, row_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM checklists WHERE id = ?", [row_id]))
    return rows[0] if rows else None


def load_pinned(db, row_id: int) -> Checklist:
    """The checklist model of a stored version (parsed once per process)."""
    row = checklist_row(db, row_id)
    if row is None:
        raise LookupError(f"checklist row {row_id} not found")
    return _parse(row["source"], row["source_name"], row["content_hash"])


@lru_cache(maxsize=64)
def _parse(source: str, name: str, _hash: str) -> Checklist:
    return load_checklist_text(source, source=name)


def latest_checklists(db, store_type: str | None = None) -> list[dict]:
    """The published version of each checklist, for new visits and assignments;
    with ``store_type``, only those meant for it (or for every type)."""
    rows = list(db.query(
        "SELECT * FROM checklists c WHERE status = 'published' AND id = ("
        "  SELECT max(id) FROM checklists WHERE checklist_id = c.checklist_id"
        "  AND status = 'published') ORDER BY checklist_id"))
    if store_type is None:
        return rows
    return [r for r in rows if not r["store_types"] or store_type in r["store_types"].split()]


def latest_row_id(db, checklist_id: str) -> int | None:
    rows = list(db.query("SELECT max(id) AS id FROM checklists WHERE checklist_id = ? "
                         "AND status = 'published'", [checklist_id]))
    return rows[0]["id"] if rows else None


def all_versions(db) -> list[dict]:
    """Every stored version with how many visits are pinned to it, newest first
    within each checklist (the admin's list)."""
    return list(db.query(
        "SELECT c.id, c.checklist_id, c.version, c.kind, c.title_ko, c.title_en, c.status,"
        " c.store_types, c.source_name, c.created_at, c.published_at, c.retired_at,"
        " (SELECT count(*) FROM visits v WHERE v.checklist_row_id = c.id) AS visits"
        " FROM checklists c ORDER BY c.checklist_id, c.id DESC"))


def versions_of(db, checklist_id: str) -> list[dict]:
    return [r for r in all_versions(db) if r["checklist_id"] == checklist_id]


def import_notes(row: dict) -> list[str]:
    return json.loads(row.get("import_notes") or "[]")


def publish(db, row_id: int) -> None:
    """Offer this version for new visits; the version it replaces is retired
    (visits pinned to it keep it)."""
    with db.atomic():
        row = checklist_row(db, row_id)
        at = now()
        db.execute("UPDATE checklists SET status = 'retired', active = 0, retired_at = ? "
                   "WHERE checklist_id = ? AND status = 'published' AND id != ?",
                   [at, row["checklist_id"], row_id])
        db.execute("UPDATE checklists SET status = 'published', active = 1, published_at = ?, "
                   "retired_at = NULL WHERE id = ?", [at, row_id])


def retire(db, row_id: int) -> None:
    """Offer this version to nobody from now on."""
    with db.atomic():
        db.execute("UPDATE checklists SET status = 'retired', active = 0, retired_at = ? "
                   "WHERE id = ?", [now(), row_id])


def set_store_types(db, row_id: int, types: list[str]) -> None:
    """The store types a version is meant for (empty: every type)."""
    with db.atomic():
        db.execute("UPDATE checklists SET store_types = ? WHERE id = ?",
                   [" ".join(sorted(set(types))), row_id])


def latest_row_by_hash(db, checklist_id: str, content_hash: str) -> int | None:
    """The row already holding exactly this content, if any."""
    rows = list(db.query("SELECT id FROM checklists WHERE checklist_id = ? AND content_hash = ?",
                         [checklist_id, content_hash]))
    return rows[0]["id"] if rows else None


def store_types_in_use(db, org_id: int) -> list[str]:
    """The store types an admin can aim a checklist at: those the stores have."""
    return [r["store_type"] for r in db.query(
        "SELECT DISTINCT store_type FROM stores WHERE org_id = ? ORDER BY store_type", [org_id])]


def meant_for(row: dict, store_type: str) -> bool:
    """Whether a stored version is meant for stores of this type (no types: every type)."""
    types = (row.get("store_types") or "").split()
    return not types or store_type in types
