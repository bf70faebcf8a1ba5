"""The SQLite file: migrations, pragmas, transactions."""

import sqlite3

import pytest

from fieldapp.storage.db import connect, migrate
from fieldapp.storage.migrations import migrations
from fieldapp.storage import stores, users


def test_migrations_create_schema_in_wal_mode(tmp_path):
    path = str(tmp_path / "fresh.sqlite3")
    applied = migrate(path)
    assert applied == [m.name for m in migrations._migrations]
    db = connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    for table in ("organisations", "stores", "users", "memberships", "checklists", "assignments",
                  "visits", "answers", "photos", "timings", "visit_events", "audit_log"):
        assert db[table].exists(), table


def test_migrations_on_existing_database_keep_data(tmp_path):
    """Running migrate again on a database with data applies nothing and keeps rows."""
    path = str(tmp_path / "old.sqlite3")
    migrate(path)
    db = connect(path)
    org = stores.create_organisation(db, "Keep me")
    db.close()
    assert migrate(path) == []
    db = connect(path)
    assert db["organisations"].get(org)["name"] == "Keep me"


def test_migration_applies_to_database_from_before_it(tmp_path):
    """A database that has only the first migration gets the later ones, data intact."""
    path = str(tmp_path / "partial.sqlite3")
    db = connect(path)
    first = migrations._migrations[0]
    migrations.apply(db, stop_before=[m.name for m in migrations._migrations[1:]] or None)
    assert [m.name for m in migrations.applied(db)][0] == first.name
    stores.create_organisation(db, "Old org")
    db.close()
    migrate(path)
    db = connect(path)
    assert {m.name for m in migrations.applied(db)} == {m.name for m in migrations._migrations}
    assert db.execute("SELECT name FROM organisations").fetchone()[0] == "Old org"


def test_foreign_keys_are_enforced(tmp_path):
    path = str(tmp_path / "fk.sqlite3")
    migrate(path)
    db = connect(path)
    with pytest.raises(sqlite3.IntegrityError):  # a store without its organisation
        db["stores"].insert({"org_id": 999, "code": "X", "name": "x", "region": "r", "chain": "c"})


def test_failed_user_creation_rolls_back_whole_transaction(tmp_path):
    """A membership to a missing store undoes the user row too: one transaction."""
    path = str(tmp_path / "tx.sqlite3")
    migrate(path)
    db = connect(path)
    org = stores.create_organisation(db, "Org")
    try:
        users.create_user(db, org_id=org, username="kim", password="long-enough-1",
                          role="manager", store_ids=(12345,))
    except sqlite3.IntegrityError:
        pass
    assert users.count_users(db) == 0


def test_roles_are_constrained(tmp_path):
    path = str(tmp_path / "roles.sqlite3")
    migrate(path)
    db = connect(path)
    org = stores.create_organisation(db, "Org")
    try:
        users.create_user(db, org_id=org, username="x", password="long-enough-1", role="boss")
    except ValueError as exc:
        assert "role" in str(exc)
    else:
        raise AssertionError("unknown role accepted")


def test_instance_secret_is_shared_by_processes_starting_together(tmp_path):
    """Two app processes creating the secret at once end up with the same one."""
    import subprocess
    import sys
    code = ("import sys; from pathlib import Path; from fieldapp.config import _instance_secret; "
            "print(_instance_secret(Path(sys.argv[1])))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    secrets = {p.communicate()[0].strip() for p in procs}
    assert len(secrets) == 1 and len(secrets.pop()) == 64
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
