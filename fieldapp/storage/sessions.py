"""Server-side session rows: one per logged-in browser, keyed by a token's hash.

The cookie carries a random token; the database keeps only its SHA-256, so a
copied database does not give anyone a session. A row counts only while its
``session_version`` equals the user's (``users.end_sessions`` bumps that).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from fieldapp.storage import now


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db, user_id: int, *, lifetime: timedelta) -> str:
    """Add a session row for the user and return its token (for the cookie only).

    Rows older than ``lifetime`` are dropped on the way, so the table stays small.
    """
    token = secrets.token_urlsafe(32)
    oldest = (datetime.now(UTC) - lifetime).isoformat(timespec="seconds")
    with db.atomic():
        db.execute("DELETE FROM user_sessions WHERE created_at < ?", [oldest])
        db.execute(
            "INSERT INTO user_sessions (token_hash, user_id, session_version, created_at) "
            "SELECT ?, id, session_version, ? FROM users WHERE id = ?",
            [_hash(token), now(), user_id])
    return token


def session_user(db, user_id: int, token: str | None) -> dict | None:
    """The active user this session belongs to, or None when it was ended."""
    if not token:
        return None
    rows = list(db.query(
        "SELECT u.* FROM user_sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ? AND s.user_id = ? AND u.active = 1 "
        "AND s.session_version = u.session_version", [_hash(token), user_id]))
    return rows[0] if rows else None


def end_session(db, token: str | None) -> None:
    """End one browser's session (logout): its cookie stops working at once."""
    if token:
        with db.atomic():
            db.execute("DELETE FROM user_sessions WHERE token_hash = ?", [_hash(token)])


def count_sessions(db, user_id: int) -> int:
    return db.execute("SELECT count(*) FROM user_sessions WHERE user_id = ?", [user_id]).fetchone()[0]
