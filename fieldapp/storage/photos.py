"""Photo records; the files themselves live under the instance photo folder."""

from __future__ import annotations

from fieldapp.storage import now


def add_photo(db, *, visit_id: int | None, item_key: str | None, filename: str,
              thumb_filename: str, width: int, height: int, size: int,
              uploaded_by: int | None, client_id: str | None = None,
              taken_at: str | None = None) -> int | None:
    """Record a stored photo; a replayed client id returns None and adds nothing."""
    with db.atomic():
        if client_id and list(db.query("SELECT 1 FROM photos WHERE client_id = ?", [client_id])):
            return None
        return db["photos"].insert({
            "visit_id": visit_id, "item_key": item_key, "filename": filename,
            "thumb_filename": thumb_filename, "width": width, "height": height,
            "bytes": size, "client_id": client_id, "uploaded_by": uploaded_by,
            "taken_at": taken_at, "created_at": now()}).last_pk


def photos_of(db, visit_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM photos WHERE visit_id = ? ORDER BY item_key, id", [visit_id]))


def photo_counts(db, visit_id: int) -> dict[str, int]:
    return {r["item_key"]: r["n"] for r in db.query(
        "SELECT item_key, count(*) AS n FROM photos WHERE visit_id = ? GROUP BY item_key",
        [visit_id])}


def get_photo(db, photo_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM photos WHERE id = ?", [photo_id]))
    return rows[0] if rows else None


def delete_photo(db, photo_id: int) -> None:
    with db.atomic():
        db.execute("DELETE FROM photos WHERE id = ?", [photo_id])
