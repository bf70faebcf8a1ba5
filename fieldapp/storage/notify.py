"""Notifications (the in-app inbox), each user's settings, and the mail outbox.

The outbox is the only way mail leaves the app: a row is written in the same
transaction as the change it reports, and a background task sends it later,
retrying with back-off until the SMTP server takes it. Nothing is deleted.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from fieldapp.storage import IN_LIST, as_list, now

MODES = ("now", "digest", "off")
BACKOFF_BASE_S, BACKOFF_MAX_S = 30, 3600


# --- recipients -----------------------------------------------------------------

def recipients(db, user_ids: list[int]) -> list[dict]:
    """Active users among ``user_ids`` with their language, e-mail and settings."""
    if not user_ids:
        return []
    rows = list(db.query(
        "SELECT u.id, u.username, u.display_name, u.locale, u.email, u.role, u.org_id, "
        "coalesce(n.mode, 'now') AS mode, coalesce(n.muted, '[]') AS muted FROM users u "
        f"LEFT JOIN notify_settings n ON n.user_id = u.id WHERE u.active = 1 AND u.id {IN_LIST} "
        "ORDER BY u.id", [as_list(set(user_ids))]))
    for r in rows:
        r["muted"] = set(json.loads(r["muted"]))
    return rows


def store_managers(db, store_id: int) -> list[int]:
    return [r["id"] for r in db.query(
        "SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id "
        "WHERE m.store_id = ? AND u.role = 'manager' AND u.active = 1 ORDER BY u.id", [store_id])]


def store_people(db, store_id: int) -> list[dict]:
    """Managers and staff of a store: who an action can be assigned to."""
    return list(db.query(
        "SELECT u.id, u.display_name, u.role FROM users u JOIN memberships m ON m.user_id = u.id "
        "WHERE m.store_id = ? AND u.role IN ('manager', 'staff') AND u.active = 1 "
        "ORDER BY u.role, u.display_name", [store_id]))


def coordinators(db, org_id: int) -> list[int]:
    """The programme coordinators (reviewers) of an organisation."""
    return [r["id"] for r in db.query(
        "SELECT id FROM users WHERE org_id = ? AND role = 'reviewer' AND active = 1 ORDER BY id",
        [org_id])]


# --- settings -------------------------------------------------------------------

def settings_of(db, user_id: int) -> dict:
    rows = list(db.query(
        "SELECT u.email, coalesce(n.mode, 'now') AS mode, coalesce(n.muted, '[]') AS muted "
        "FROM users u LEFT JOIN notify_settings n ON n.user_id = u.id WHERE u.id = ?", [user_id]))
    row = rows[0] if rows else {"email": None, "mode": "now", "muted": "[]"}
    row["muted"] = set(json.loads(row["muted"]))
    return row


def save_settings(db, user_id: int, *, email: str | None, mode: str, muted: set[str]) -> None:
    with db.atomic():
        db.execute("UPDATE users SET email = ? WHERE id = ?", [email or None, user_id])
        db.execute(
            "INSERT INTO notify_settings (user_id, mode, muted) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET mode = excluded.mode, muted = excluded.muted",
            [user_id, mode, json.dumps(sorted(muted))])


# --- inbox ----------------------------------------------------------------------

def add_notification(db, *, user_id: int, event: str, params: dict, link: str | None,
                     mail: str) -> int:
    return db["notifications"].insert({
        "user_id": user_id, "event": event, "params": json.dumps(params, ensure_ascii=False),
        "link": link, "created_at": now(), "read_at": None, "mail": mail}).last_pk


def _decode(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["params"] = json.loads(r["params"])
    return rows


def inbox(db, user_id: int, *, unread_only: bool = False, limit: int = 100) -> list[dict]:
    extra = "AND read_at IS NULL " if unread_only else ""
    return _decode(list(db.query(
        f"SELECT * FROM notifications WHERE user_id = ? {extra}ORDER BY id DESC LIMIT ?",
        [user_id, limit])))


def get_notification(db, notification_id: int) -> dict | None:
    rows = _decode(list(db.query("SELECT * FROM notifications WHERE id = ?", [notification_id])))
    return rows[0] if rows else None


def unread_count(db, user_id: int) -> int:
    return db.execute("SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
                      [user_id]).fetchone()[0]


def mark_read(db, user_id: int, notification_id: int | None = None, *, read: bool = True) -> int:
    """Mark one (or, without an id, every) notification of the user read or unread."""
    with db.atomic():
        value = now() if read else None
        if notification_id is None:
            return db.execute("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
                              [value, user_id]).rowcount
        return db.execute("UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ?",
                          [value, notification_id, user_id]).rowcount


def digest_due(db) -> list[dict]:
    """Users with notifications waiting for their daily digest."""
    return list(db.query(
        "SELECT DISTINCT user_id FROM notifications WHERE mail = 'digest' ORDER BY user_id"))


def digest_items(db, user_id: int) -> list[dict]:
    return _decode(list(db.query(
        "SELECT * FROM notifications WHERE user_id = ? AND mail = 'digest' ORDER BY id", [user_id])))


def mark_digested(db, ids: list[int]) -> None:
    with db.atomic():
        db.execute(f"UPDATE notifications SET mail = 'digested' WHERE id {IN_LIST}", [as_list(ids)])


# --- outbox ---------------------------------------------------------------------

def enqueue_mail(db, *, to_addr: str, subject: str, body: str, locale: str) -> int:
    stamp = now()
    return db["mail_outbox"].insert({
        "to_addr": to_addr, "subject": subject, "body": body, "locale": locale,
        "created_at": stamp, "attempts": 0, "next_attempt_at": stamp, "claimed_until": None,
        "sent_at": None, "last_error": ""}).last_pk


def claim_due_mail(db, *, limit: int = 20, lease_s: int = 120, at: str | None = None) -> list[dict]:
    """Take up to ``limit`` unsent messages that are due, leased so no other worker sends them."""
    stamp = at or now()
    until = (datetime.fromisoformat(stamp) + timedelta(seconds=lease_s)).isoformat(timespec="seconds")
    with db.atomic():
        rows = list(db.query(
            "SELECT * FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= ? "
            "AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?", [stamp, stamp, limit]))
        if rows:
            db.execute(f"UPDATE mail_outbox SET claimed_until = ? WHERE id {IN_LIST}",
                       [until, as_list([r["id"] for r in rows])])
    return rows


def mark_sent(db, mail_id: int) -> None:
    with db.atomic():
        db.execute("UPDATE mail_outbox SET sent_at = ?, claimed_until = NULL, attempts = attempts + 1, "
                   "last_error = '' WHERE id = ?", [now(), mail_id])


def mark_failed(db, mail_id: int, error: str) -> str:
    """Count a failed attempt and push the next one back (30 s, 60 s, ... at most an hour)."""
    with db.atomic():
        attempts = db.execute("SELECT attempts FROM mail_outbox WHERE id = ?", [mail_id]).fetchone()[0] + 1
        wait = min(BACKOFF_BASE_S * 2 ** (attempts - 1), BACKOFF_MAX_S)
        next_at = (datetime.now(timezone.utc) + timedelta(seconds=wait)).isoformat(timespec="seconds")
        db.execute("UPDATE mail_outbox SET attempts = ?, next_attempt_at = ?, claimed_until = NULL, "
                   "last_error = ? WHERE id = ?", [attempts, next_at, error[:500], mail_id])
    return next_at


def retry_now(db) -> int:
    """Make every unsent message due at once (the admin's "retry now")."""
    with db.atomic():
        return db.execute("UPDATE mail_outbox SET next_attempt_at = ?, claimed_until = NULL "
                          "WHERE sent_at IS NULL", [now()]).rowcount


def outbox(db, *, limit: int = 200) -> list[dict]:
    """Unsent first, then the most recent."""
    return list(db.query(
        "SELECT id, to_addr, subject, locale, created_at, attempts, next_attempt_at, sent_at, last_error "
        "FROM mail_outbox ORDER BY sent_at IS NOT NULL, id DESC LIMIT ?", [limit]))


def outbox_counts(db) -> dict:
    row = db.execute("SELECT count(*) FILTER (WHERE sent_at IS NULL), count(*) FILTER (WHERE sent_at IS NOT NULL) "
                     "FROM mail_outbox").fetchone()
    return {"waiting": row[0], "sent": row[1]}
