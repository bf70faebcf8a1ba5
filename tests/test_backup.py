"""`fieldapp backup` / `fieldapp restore`: consistent copies of a live instance.

Real SQLite files, a real writer thread; no timing assertions.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from fieldapp.ops import backup as bk
from fieldapp.storage import snapshot
from fieldapp.storage.db import connect
from fieldapp.storage import audit_log, visits


def _count(path, sql, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def _a_draft_visit(db) -> tuple[int, int]:
    """A visit still open for answers (submitted ones refuse saves), started for the test."""
    row = db.execute("SELECT checklist_row_id, store_id, auditor_id FROM visits ORDER BY id LIMIT 1").fetchone()
    visit_id = visits.create_visit(db, checklist_row_id=row[0], store_id=row[1], auditor_id=row[2],
                                   covert=False)
    return visit_id, row[2]


class Writer(threading.Thread):
    """Keeps saving answers; each save and its audit-log line share one transaction,
    so any consistent snapshot has as many 'load-*' answers as 'bk-test' log lines."""

    def __init__(self, db_path: str, visit_id: int, user_id: int):
        super().__init__(daemon=True)
        self.db_path, self.visit_id, self.user_id = db_path, visit_id, user_id
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None

    def run(self):
        db = connect(self.db_path)
        try:
            while not self.stop.is_set():
                n = self.written
                db.execute("BEGIN IMMEDIATE")  # wait for the write lock, never fail on it
                with db.atomic():  # a savepoint inside the immediate transaction
                    visits.save_answer(db, visit_id=self.visit_id, item_key=f"load-{n}",
                                       value=n, user_id=self.user_id, client_id=f"c{n}",
                                       client_ts=f"2026-01-01T00:00:00.{n:06d}Z")
                    audit_log.record(db, actor_id=None, action="bk-test", object_type="answer",
                                     object_id=n)
                db.execute("COMMIT")
                self.written += 1
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            db.close()


def test_backup_while_writing_is_a_consistent_snapshot(app, db, tmp_path):
    visit_id, user_id = _a_draft_visit(db)
    writer = Writer(app.config["DATABASE"], visit_id, user_id)
    writer.start()
    try:
        while writer.written < 20 and writer.is_alive():
            threading.Event().wait(0.01)
        before = writer.written
        info = bk.backup(app.config["DATABASE"], app.config["PHOTO_DIR"], tmp_path / "backups")
        after = writer.written
        while writer.written < after + 20 and writer.is_alive():
            threading.Event().wait(0.01)  # the writer really did go on after the snapshot
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error
    copy = info.path / "cem.sqlite3"
    assert info.path.name.startswith("cem-") and info.path.parent == tmp_path / "backups"
    assert snapshot.integrity_problem(copy) is None
    answers = _count(copy, "SELECT count(*) FROM answers WHERE item_key LIKE 'load-%'")
    logged = _count(copy, "SELECT count(*) FROM audit_log WHERE action = 'bk-test'")
    assert answers == logged, "the copy mixes two moments"
    assert before <= answers <= after + 1
    live = _count(app.config["DATABASE"], "SELECT count(*) FROM answers WHERE item_key LIKE 'load-%'")
    assert live > answers
    manifest = json.loads((info.path / "manifest.json").read_text())
    assert manifest["sha256"] == bk.sha256_of(copy)
    assert manifest["counts"]["answers"] == _count(copy, "SELECT count(*) FROM answers")
    photo_rows = _count(copy, "SELECT count(*) FROM photos")
    assert photo_rows > 0
    assert manifest["photos"]["files"] == 2 * photo_rows and manifest["photos"]["missing"] == []
    assert not list((tmp_path / "backups").glob(".*")), "no partial folder left behind"
    assert not Path(str(copy) + "-wal").exists()
    entry = db.execute("SELECT actor_id, object_id FROM audit_log WHERE action = 'backup'").fetchone()
    assert entry == (None, info.path.name)


def test_restore_round_trip(app, db, tmp_path):
    visit_id, user_id = _a_draft_visit(db)
    visits.save_answer(db, visit_id=visit_id, item_key="before-backup", value="kept", user_id=user_id)
    info = bk.backup(app.config["DATABASE"], app.config["PHOTO_DIR"], tmp_path / "b")
    original = info.manifest["counts"]
    # Life goes on, then something goes wrong.
    visits.save_answer(db, visit_id=visit_id, item_key="after-backup", value="gone", user_id=user_id)
    db.execute("DELETE FROM answers WHERE item_key = 'before-backup'")
    db.conn.commit()
    some_photo = next(Path(app.config["PHOTO_DIR"]).rglob("*.jpg"))
    some_photo.unlink()
    db.close()

    bk.restore(info.path, app.config["DATABASE"], app.config["PHOTO_DIR"], force=True)

    restored = connect(app.config["DATABASE"])
    try:
        stored = visits.answers_of(restored, visit_id)
        assert stored["before-backup"]["value"] == "kept"
        assert "after-backup" not in stored
        for table, n in original.items():
            if table not in ("audit_log", "_sqlite_migrations"):
                assert restored[table].count == n, table
        assert some_photo.is_file()
        mode = restored.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        entry = restored.execute(
            "SELECT actor_id, object_id FROM audit_log WHERE action = 'restore'").fetchone()
        assert entry == (None, info.path.name)
    finally:
        restored.close()
    # The replaced data was moved aside, not destroyed.
    aside = list(Path(app.config["DATABASE"]).parent.glob("replaced-*"))
    assert len(aside) == 1
    assert _count(aside[0] / "cem.sqlite3",
                  "SELECT count(*) FROM answers WHERE item_key = 'after-backup'") == 1
    assert not list(Path(app.config["DATABASE"]).parent.glob(".*restore*"))


def test_restore_refuses_to_overwrite_without_force(app, db, tmp_path):
    info = bk.backup(app.config["DATABASE"], app.config["PHOTO_DIR"], tmp_path / "b")
    visit_id, user_id = _a_draft_visit(db)
    visits.save_answer(db, visit_id=visit_id, item_key="newer", value=1, user_id=user_id)
    with pytest.raises(bk.BackupError, match="--force"):
        bk.restore(info.path, app.config["DATABASE"], app.config["PHOTO_DIR"])
    assert visits.answers_of(db, visit_id)["newer"]["value"] == 1


def test_restore_into_an_empty_instance_needs_no_force(app, tmp_path):
    info = bk.backup(app.config["DATABASE"], app.config["PHOTO_DIR"], tmp_path / "b")
    fresh = tmp_path / "fresh"
    bk.restore(info.path, fresh / "cem.sqlite3", fresh / "photos")
    assert _count(fresh / "cem.sqlite3", "SELECT count(*) FROM visits") == info.manifest["counts"]["visits"]
    assert bk._count_files(fresh / "photos") == info.manifest["photos"]["files"]


def _flip_bytes(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_corrupted_backup_is_refused_with_one_line(app, db, tmp_path):
    info = bk.backup(app.config["DATABASE"], app.config["PHOTO_DIR"], tmp_path / "b")
    copy = info.path / "cem.sqlite3"
    _flip_bytes(copy, copy.stat().st_size // 2)
    live_before = db["answers"].count
    with pytest.raises(bk.BackupError) as caught:
        bk.restore(info.path, app.config["DATABASE"], app.config["PHOTO_DIR"], force=True)
    message = str(caught.value)
    assert "corrupt" in message and "sha256" in message and "\n" not in message
    assert db["answers"].count == live_before
    assert not list(Path(app.config["DATABASE"]).parent.glob("replaced-*"))


def test_damage_behind_a_matching_manifest_is_caught_by_integrity_check(app, tmp_path):
    info = bk.backup(app.config["DATABASE"], app.config["PHOTO_DIR"], tmp_path / "b")
    copy = info.path / "cem.sqlite3"
    page = _count(copy, "PRAGMA page_size")
    root = _count(copy, "SELECT rootpage FROM sqlite_master WHERE name = 'visits'")
    _flip_bytes(copy, (root - 1) * page)  # the table's b-tree page header; file header intact
    manifest = json.loads((info.path / "manifest.json").read_text())
    manifest["sha256"] = bk.sha256_of(copy)  # someone "fixed" the manifest
    (info.path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(bk.BackupError) as caught:
        bk.verify(info.path)
    assert "\n" not in str(caught.value)
    assert "corrupt" in str(caught.value) or "cannot be read" in str(caught.value)


def test_cli_backup_and_restore(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Backup ")
    (folder,) = (tmp_path / "b").glob("cem-*")

    refused = runner.invoke(args=["restore", str(folder)])
    assert refused.exit_code == 1
    assert "--force" in refused.output and len(refused.output.strip().splitlines()) == 1

    done = runner.invoke(args=["restore", str(folder), "--force"])
    assert done.exit_code == 0, done.output
    assert f"Restored {folder.name}" in done.output

    _flip_bytes(folder / "cem.sqlite3", 5000)
    bad = runner.invoke(args=["restore", str(folder), "--force"])
    assert bad.exit_code == 1
    lines = bad.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: backup ") and "corrupt" in lines[0]

    missing = runner.invoke(args=["restore", str(tmp_path)])
    assert missing.exit_code == 1 and "not a backup" in missing.output
