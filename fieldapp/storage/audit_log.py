"""An append-only record of state changes and exports, for admins."""

from __future__ import annotations

from fieldapp.storage import now


def record(db, *, actor_id: int | None, action: str, object_type: str,
           object_id: object = None, detail: str = "") -> None:
    """Append one entry; call inside the transaction of the change it records."""
    db["audit_log"].insert({"at": now(), "actor_id": actor_id, "action": action,
                            "object_type": object_type,
                            "object_id": None if object_id is None else str(object_id),
                            "detail": detail})


def recent(db, limit: int = 200) -> list[dict]:
    return list(db.query(
        "SELECT a.*, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id "
        "ORDER BY a.id DESC LIMIT ?", [limit]))


def record_export(db, *, actor_id: int | None, object_type: str, object_id: object = None,
                  detail: str = "") -> None:
    """Log a download (PDF, CSV, JSON, YAML) in its own transaction."""
    with db.atomic():
        record(db, actor_id=actor_id, action="export", object_type=object_type,
               object_id=object_id, detail=detail)
