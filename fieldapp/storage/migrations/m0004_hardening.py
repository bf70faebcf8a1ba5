"""Migration 0004_hardening."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0004_hardening")
def hardening(db):
    """Server-side sessions, failed-login throttling, one visit per assignment.

    ``users.session_version`` is copied into each session; bumping it ends
    every session of that user. ``user_sessions`` holds one row per logged-in
    browser (the token's SHA-256, never the token), so logout can end this
    session alone. ``login_throttle`` counts failed logins per address and per
    account in the database, so every worker process sees the same counts.
    Visits that already share an assignment keep the oldest one linked (the
    later ones keep their store, auditor and answers) so the UNIQUE index can
    be built.
    """
    run_script(db, """
        ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE user_sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            session_version INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX user_sessions_user ON user_sessions(user_id);
        CREATE TABLE login_throttle (
            scope TEXT NOT NULL CHECK (scope IN ('address','account')),
            key TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            last_failure_at TEXT NOT NULL,
            locked_until TEXT,
            PRIMARY KEY (scope, key)
        );
        UPDATE visits SET assignment_id = NULL WHERE assignment_id IS NOT NULL AND id NOT IN
            (SELECT min(id) FROM visits WHERE assignment_id IS NOT NULL GROUP BY assignment_id);
        CREATE UNIQUE INDEX visits_one_per_assignment ON visits(assignment_id)
            WHERE assignment_id IS NOT NULL
    """)
