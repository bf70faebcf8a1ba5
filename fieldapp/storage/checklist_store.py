"""Checklist versions as stored: the exact source a visit was started with."""

from __future__ import annotations

from functools import lru_cache

from checklists import Checklist, load_checklist_text
from fieldapp.storage import now


def save_checklist(db, checklist: Checklist) -> int:
    """Store a checklist version once (by content hash) and return its row id."""
    with db.atomic():
        rows = list(db.query(
            "SELECT id FROM checklists WHERE checklist_id = ? AND content_hash = ?",
            [checklist.id, checklist.content_hash]))
        if rows:
            return rows[0]["id"]
        return db["checklists"].insert({
            "checklist_id": checklist.id,
            "version": checklist.version,
            "content_hash": checklist.content_hash,
            "kind": checklist.kind,
            "title_ko": checklist.title.ko,
            "title_en": checklist.title.en,
            "source": checklist.source_text,
            "source_name": checklist.source,
            "active": 1,
            "created_at": now(),
        }).last_pk


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


def latest_checklists(db) -> list[dict]:
    """The newest active version of each checklist, for assigning."""
    return list(db.query(
        "SELECT * FROM checklists c WHERE active = 1 AND id = ("
        "  SELECT max(id) FROM checklists WHERE checklist_id = c.checklist_id AND active = 1)"
        " ORDER BY checklist_id"))


def latest_row_id(db, checklist_id: str) -> int | None:
    rows = list(db.query("SELECT max(id) AS id FROM checklists WHERE checklist_id = ? AND active = 1",
                         [checklist_id]))
    return rows[0]["id"] if rows else None
