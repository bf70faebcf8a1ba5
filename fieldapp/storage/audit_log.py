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


def search(db, *, actor_id: int | None = None, action: str = "", object_type: str = "",
           object_id: str = "", since: str = "", until: str = "", limit: int = 50,
           offset: int = 0) -> tuple[list[dict], int]:
    """Entries matching the filters (``since``/``until``: UTC ISO bounds, until excluded),
    newest first, one page of them, and how many match in all."""
    where, params = ["1 = 1"], []
    for clause, value in (("a.actor_id = ?", actor_id), ("a.action = ?", action),
                          ("a.object_type = ?", object_type), ("a.object_id = ?", object_id),
                          ("a.at >= ?", since), ("a.at < ?", until)):
        if value not in (None, ""):
            where.append(clause)
            params.append(value)
    sql = " AND ".join(where)
    total = db.execute(f"SELECT count(*) FROM audit_log a WHERE {sql}", params).fetchone()[0]
    rows = list(db.query(
        f"SELECT a.*, u.username, u.display_name FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id "
        f"WHERE {sql} ORDER BY a.id DESC LIMIT ? OFFSET ?", [*params, limit, offset]))
    return rows, total


def distinct_values(db, column: str) -> list[str]:
    """The actions or object types that occur, for the filter menus."""
    if column not in ("action", "object_type"):
        raise ValueError(column)
    return [r[0] for r in db.execute(f"SELECT DISTINCT {column} FROM audit_log ORDER BY {column}")]


def actors(db) -> list[dict]:
    return list(db.query("SELECT DISTINCT u.id, u.username, u.display_name FROM audit_log a "
                         "JOIN users u ON u.id = a.actor_id ORDER BY u.username"))
