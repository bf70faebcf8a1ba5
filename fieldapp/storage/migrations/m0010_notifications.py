"""Migration 0010_notifications: actions owned by people, their thread, disputes,
notifications, the mail outbox, and a ``staff`` role for store staff.

Not transactional in sqlite-utils' sense: widening the ``users.role`` CHECK means
rebuilding ``users`` (SQLite cannot alter a CHECK), which needs foreign keys off,
and that pragma is ignored inside a transaction. So the function turns them off,
does everything in one ``BEGIN IMMEDIATE`` transaction, checks foreign keys and
commits (SQLite's documented 12-step table rebuild). It is safe to run twice.
"""

import re

from fieldapp.storage.migrations import migrations, run_script

NEW_TABLES = """
CREATE TABLE IF NOT EXISTS action_events (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    photo_id INTEGER REFERENCES photos(id)
);
CREATE INDEX IF NOT EXISTS action_events_action ON action_events(action_id, id);
CREATE TABLE IF NOT EXISTS disputes (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    item_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','accepted','rejected')),
    raised_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    reply TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS disputes_one_open ON disputes(visit_id, item_key) WHERE status = 'open';
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT,
    mail TEXT NOT NULL DEFAULT 'none' CHECK (mail IN ('none','queued','digest','digested'))
);
CREATE INDEX IF NOT EXISTS notifications_user ON notifications(user_id, read_at, id);
CREATE TABLE IF NOT EXISTS notify_settings (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    mode TEXT NOT NULL DEFAULT 'now' CHECK (mode IN ('now','digest','off')),
    muted TEXT NOT NULL DEFAULT '[]',
    digest_sent_on TEXT
);
CREATE TABLE IF NOT EXISTS mail_outbox (
    id INTEGER PRIMARY KEY,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    sent_at TEXT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox(sent_at, next_attempt_at);
CREATE TABLE IF NOT EXISTS action_reminders (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    due_date TEXT NOT NULL,
    PRIMARY KEY (action_id, kind, due_date)
)
"""

ACTION_COLUMNS = {
    "owner_id": "INTEGER REFERENCES users(id)",
    "priority": "TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low','normal','high'))",
    "updated_at": "TEXT",
    "follow_up_of": "INTEGER REFERENCES actions(id)",
    "reopened_visit_id": "INTEGER REFERENCES visits(id)",
}


def _columns(db, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})").fetchall()}


def _widen_role_check(db) -> None:
    """Rebuild ``users`` with 'staff' among the roles, keeping every column and index."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone()[0]
    if "'staff'" in sql:
        return
    new_sql, n = re.subn(r"(role\s+TEXT\s+NOT\s+NULL\s+CHECK\s*\(\s*role\s+IN\s*\()", r"\1'staff',", sql)
    if n != 1:
        raise RuntimeError("users.role CHECK not found: cannot add the staff role")
    extras = [r[0] for r in db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'users' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL").fetchall()]
    db.execute(new_sql.replace("CREATE TABLE users", "CREATE TABLE users_rebuilt", 1))
    db.execute("INSERT INTO users_rebuilt SELECT * FROM users")
    db.execute("DROP TABLE users")
    db.execute("ALTER TABLE users_rebuilt RENAME TO users")
    for statement in extras:
        db.execute(statement)


@migrations(name="0010_notifications", transactional=False)
def notifications(db):
    """Owners, priority and a thread for actions; disputes; inbox, settings, outbox; staff."""
    conn = db.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _widen_role_check(db)
            if "email" not in _columns(db, "users"):
                db.execute("ALTER TABLE users ADD COLUMN email TEXT")
            have = _columns(db, "actions")
            for name, decl in ACTION_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE actions ADD COLUMN {name} {decl}")
            run_script(db, NEW_TABLES)
            db.execute("CREATE INDEX IF NOT EXISTS actions_owner ON actions(owner_id, status)")
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign key problems after rebuilding users: {problems[:5]}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
