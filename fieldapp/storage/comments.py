"""Reviewers' comments on a visit (optionally on one item)."""

from __future__ import annotations

from fieldapp.storage import now


def add_comment(db, *, visit_id: int, author_id: int, body: str, item_key: str | None = None) -> int:
    with db.atomic():
        return db["comments"].insert({"visit_id": visit_id, "author_id": author_id,
                                      "item_key": item_key, "body": body,
                                      "created_at": now()}).last_pk


def comments_of(db, visit_id: int) -> list[dict]:
    return list(db.query(
        "SELECT c.*, u.display_name AS author_name FROM comments c "
        "LEFT JOIN users u ON u.id = c.author_id WHERE visit_id = ? ORDER BY c.id", [visit_id]))
