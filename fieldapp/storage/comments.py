"""Reviewers' comments on a visit (optionally on one item)."""

from __future__ import annotations

from fieldapp.storage import now


AUDIENCES = ("internal", "store")  # for the auditor only / released to the store with the visit


def add_comment(db, *, visit_id: int, author_id: int, body: str, item_key: str | None = None,
                audience: str = "store") -> int:
    with db.atomic():
        return db["comments"].insert({"visit_id": visit_id, "author_id": author_id,
                                      "item_key": item_key, "body": body, "audience": audience,
                                      "created_at": now()}).last_pk


def comments_of(db, visit_id: int, audience: str | None = None) -> list[dict]:
    """A visit's comments; ``audience="store"`` keeps only those released with the visit."""
    return list(db.query(
        "SELECT c.*, u.display_name AS author_name FROM comments c "
        "LEFT JOIN users u ON u.id = c.author_id WHERE visit_id = :visit "
        "AND (:audience IS NULL OR c.audience = :audience) ORDER BY c.id",
        {"visit": visit_id, "audience": audience}))
