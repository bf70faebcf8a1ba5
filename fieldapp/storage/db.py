"""The SQLite connection: one per request, WAL, foreign keys, busy timeout."""

from __future__ import annotations

import contextlib
import sqlite3

import sqlite_utils
from flask import Flask, current_app, g

from fieldapp.storage.migrations import migrations


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose ``atomic()`` takes the write lock up front.

    A plain ``BEGIN`` is deferred: a transaction that reads (sqlite-utils
    reads the schema before an insert) and then writes cannot upgrade when
    another connection committed meanwhile, and SQLite fails it at once with
    "database is locked" instead of waiting. ``BEGIN IMMEDIATE`` waits for
    the lock (busy timeout) and then cannot be overtaken.
    """

    @contextlib.contextmanager
    def atomic(self):
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            with super().atomic():  # a savepoint inside our transaction
                yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")


def connect(path: str) -> Database:
    """Open the database the way every part of the app needs it."""
    conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn)


def get_db() -> Database:
    """The request's database, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def migrate(path: str) -> list[str]:
    """Create or upgrade the schema; return the names of migrations applied."""
    db = connect(path)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
        return pending
    finally:
        db.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    migrate(app.config["DATABASE"])
