"""SQLite file-level work for backups: online copy, checks, counts, checkpoint.

The backup workflow (``fieldapp.ops.backup``) decides what to copy and when;
every statement it needs runs here, like all SQL of the app.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class SnapshotError(Exception):
    """A database file cannot be read; the message is one line for the user."""


def online_copy(src: Path, target: Path) -> None:
    """SQLite online backup in one step: a single read snapshot, writers go on."""
    source = sqlite3.connect(src, timeout=30)
    try:
        source.execute("PRAGMA busy_timeout = 30000")
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # pages=-1: all pages in one step, one snapshot
            # A self-contained file: no -wal beside it, whatever the source used.
            copy.execute("PRAGMA journal_mode = DELETE")
            copy.commit()
        finally:
            copy.close()
    finally:
        source.close()
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())


def photo_names(db_file: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'photos'").fetchone():
            return set()
        names = set()
        for filename, thumb in conn.execute("SELECT filename, thumb_filename FROM photos"):
            names.update(n for n in (filename, thumb) if n)
        return names
    finally:
        conn.close()


def has_rows(db_path: Path, tables) -> bool:
    """True when any of ``tables`` holds a row; an unreadable file counts as data."""
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        for table in tables:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                            [table]).fetchone():
                if conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                    return True
        return False
    except sqlite3.DatabaseError:
        return True  # unreadable is not "empty": let --force decide
    finally:
        conn.close()


def integrity_problem(db_file: Path) -> str | None:
    """None when ``PRAGMA integrity_check`` says ok, else its first complaint."""
    try:
        conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows[:3])


def table_counts(db_file: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    except sqlite3.DatabaseError as exc:
        raise SnapshotError(f"{db_file} cannot be read: {exc}") from None
    finally:
        conn.close()


def checkpoint(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:
        pass  # a damaged old file is moved aside as it is
    finally:
        conn.close()


def log_cli_event(db_path: Path, action: str, object_id: str, detail: str) -> None:
    """One audit-log entry (actor None: the command line) in the instance's database."""
    from fieldapp.storage import audit_log
    from fieldapp.storage.db import connect

    db = connect(str(db_path))
    try:
        # IMMEDIATE: take the write lock first (waiting for it), so a busy app
        # cannot make the read-then-write upgrade fail with "database is locked".
        db.execute("BEGIN IMMEDIATE")
        try:
            audit_log.record(db, actor_id=None, action=action, object_type="backup",
                             object_id=object_id, detail=detail[:500])
            db.execute("COMMIT")
        except BaseException:
            db.conn.rollback()
            raise
    finally:
        db.close()
