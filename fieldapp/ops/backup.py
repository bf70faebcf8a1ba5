"""Backups of a live instance (database + photos) and restoring them.

A backup is a folder ``DEST/cem-YYYYmmdd-HHMMSS/`` holding:

- ``cem.sqlite3``: a consistent copy of the database made with SQLite's
  online backup API while the app keeps writing (one read snapshot, so the
  copy is the database as it was at one moment);
- ``photos/``: the uploaded photos, copied after the database snapshot, so
  every photo the copied database refers to is there (unless it was deleted
  in between; such names are listed in the manifest);
- ``manifest.json``: when, row counts per table, photo count and bytes, and
  the sha256 of the database file.

The folder is written under a hidden temporary name and renamed when
complete, so a half-written backup never looks like a backup.

``restore`` verifies a backup (manifest, sha256, ``PRAGMA integrity_check``,
row counts, photo count) before it touches anything, refuses to replace an
instance that holds data unless forced, and swaps the database and the
photos folder in by rename. What it replaces is moved aside into
``INSTANCE/replaced-YYYYmmdd-HHMMSS/``, never deleted. Stop the app while
restoring.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldapp.storage import snapshot

MANIFEST = "manifest.json"
DB_NAME = "cem.sqlite3"
PHOTOS = "photos"
FORMAT = 1


class BackupError(Exception):
    """A backup cannot be made or used; the message is one line for the user."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    manifest: dict


# -- making a backup ---------------------------------------------------------

def backup(db_path: str | os.PathLike, photo_dir: str | os.PathLike,
           dest: str | os.PathLike, *, now: datetime | None = None) -> BackupInfo:
    """Copy the live database and its photos into a new folder under ``dest``.

    Safe while the app writes: the database copy is one consistent snapshot.
    :return: the finished backup folder and its manifest.
    """
    db_path, photo_dir, dest = Path(db_path), Path(photo_dir), Path(dest)
    if not db_path.is_file():
        raise BackupError(f"no database at {db_path}")
    dest.mkdir(parents=True, exist_ok=True)
    moment = now or datetime.now(timezone.utc)
    name = _free_name(dest, "cem-" + moment.strftime("%Y%m%d-%H%M%S"))
    work = dest / f".{name}.partial"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    try:
        copy = work / DB_NAME
        snapshot.online_copy(db_path, copy)
        counts = _table_counts(copy)
        referenced = snapshot.photo_names(copy)
        files, size = _copy_photos(photo_dir, work / PHOTOS)
        missing = sorted(n for n in referenced if not (work / PHOTOS / n).is_file())
        manifest = {
            "format": FORMAT,
            "created_at": moment.isoformat(timespec="seconds"),
            "source": str(db_path),
            "database": DB_NAME,
            "sha256": sha256_of(copy),
            "bytes": copy.stat().st_size,
            "counts": counts,
            "photos": {"files": files, "bytes": size, "missing": missing},
        }
        _write_json(work / MANIFEST, manifest)
        _fsync_dir(work)
        final = dest / name
        os.rename(work, final)
        _fsync_dir(dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    snapshot.log_cli_event(db_path, "backup", name, f"{final} visits={counts.get('visits', 0)} "
                                  f"answers={counts.get('answers', 0)} photos={files}")
    return BackupInfo(final, manifest)


def _copy_photos(src: Path, target: Path) -> tuple[int, int]:
    """Copy the photos folder; return (files, bytes). Files that vanish mid-copy are skipped."""
    target.mkdir()
    files = size = 0
    if not src.is_dir():
        return 0, 0
    for root, dirs, names in os.walk(src):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = Path(root).relative_to(src)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            if name.startswith("."):
                continue  # half-written uploads and the like
            try:
                shutil.copy2(Path(root) / name, target / rel / name)
            except FileNotFoundError:
                continue
            files += 1
            size += (target / rel / name).stat().st_size
    return files, size


def _free_name(dest: Path, base: str) -> str:
    name, n = base, 1
    while (dest / name).exists():
        name, n = f"{base}-{n}", n + 1
    return name


# -- checking and restoring --------------------------------------------------

def verify(src: str | os.PathLike) -> BackupInfo:
    """Check a backup folder completely; raise BackupError with one line saying what is wrong."""
    src = Path(src)
    manifest_path = src / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{src} is not a backup: no {MANIFEST}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        expected_sha = manifest["sha256"]
        expected_counts = dict(manifest["counts"])
        expected_files = int(manifest["photos"]["files"])
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{manifest_path}: unknown backup format {manifest.get('format')!r}")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{manifest_path}: unreadable manifest ({exc.__class__.__name__})") from None
    db_file = src / manifest.get("database", DB_NAME)
    if not db_file.is_file():
        raise BackupError(f"backup {src.name} is incomplete: {db_file.name} is missing")
    actual_sha = sha256_of(db_file)
    if actual_sha != expected_sha:
        raise BackupError(f"backup {src.name} is corrupt: {db_file.name} sha256 is "
                          f"{actual_sha[:12]}…, the manifest says {str(expected_sha)[:12]}…")
    problem = snapshot.integrity_problem(db_file)
    if problem:
        raise BackupError(f"backup {src.name} is corrupt: integrity_check says {problem}")
    counts = _table_counts(db_file)
    if counts != expected_counts:
        diff = ", ".join(f"{t} {expected_counts.get(t)}≠{counts.get(t)}"
                         for t in sorted(set(counts) | set(expected_counts))
                         if counts.get(t) != expected_counts.get(t))
        raise BackupError(f"backup {src.name} does not match its manifest: rows {diff}")
    files = _count_files(src / PHOTOS)
    if files != expected_files:
        raise BackupError(f"backup {src.name} is incomplete: {files} photo files, "
                          f"the manifest says {expected_files}")
    return BackupInfo(src, manifest)


def restore(src: str | os.PathLike, db_path: str | os.PathLike, photo_dir: str | os.PathLike,
            *, force: bool = False, now: datetime | None = None) -> BackupInfo:
    """Replace the instance's database and photos with a verified backup.

    :param force: replace an instance that already holds data (it is moved
        aside into ``replaced-<stamp>/`` next to the database, not deleted).
    :raise BackupError: the backup is bad, or the instance holds data and
        ``force`` is false. Nothing is changed then.
    """
    info = verify(src)
    db_path, photo_dir = Path(db_path), Path(photo_dir)
    if not force and not instance_is_empty(db_path, photo_dir):
        raise BackupError(f"{db_path.parent} already holds data; use --force to replace it "
                          f"(the old data is kept in a replaced-* folder)")
    moment = now or datetime.now(timezone.utc)
    stamp = moment.strftime("%Y%m%d-%H%M%S")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    photo_dir.parent.mkdir(parents=True, exist_ok=True)

    # 1. Everything is written next to its final place under temporary names.
    tmp_db = db_path.with_name(f".{db_path.name}.restore-{stamp}")
    tmp_photos = photo_dir.with_name(f".{photo_dir.name}.restore-{stamp}")
    try:
        shutil.copyfile(info.path / info.manifest.get("database", DB_NAME), tmp_db)
        with open(tmp_db, "rb") as fh:
            os.fsync(fh.fileno())
        if sha256_of(tmp_db) != info.manifest["sha256"] or snapshot.integrity_problem(tmp_db):
            raise BackupError(f"copying {info.path.name} produced a different file; nothing restored")
        if tmp_photos.exists():
            shutil.rmtree(tmp_photos)
        if (info.path / PHOTOS).is_dir():
            shutil.copytree(info.path / PHOTOS, tmp_photos)
        else:
            tmp_photos.mkdir()
    except BaseException:
        tmp_db.unlink(missing_ok=True)
        shutil.rmtree(tmp_photos, ignore_errors=True)
        raise

    # 2. The old data moves aside (the database first checkpointed, so its
    #    -wal holds nothing), then each temporary is renamed into place.
    aside = db_path.parent / _free_name(db_path.parent, f"replaced-{stamp}")
    if db_path.exists():
        snapshot.checkpoint(db_path)
        aside.mkdir()
        os.rename(db_path, aside / db_path.name)
    for suffix in ("-wal", "-shm", "-journal"):
        stale = db_path.with_name(db_path.name + suffix)
        if stale.exists():  # never let an old WAL be replayed onto the restored file
            aside.mkdir(exist_ok=True)
            os.rename(stale, aside / stale.name)
    os.rename(tmp_db, db_path)
    if photo_dir.exists():
        aside.mkdir(exist_ok=True)
        os.rename(photo_dir, aside / photo_dir.name)
    os.rename(tmp_photos, photo_dir)
    _fsync_dir(db_path.parent)

    from fieldapp.storage import db as dbmod

    dbmod.migrate(str(db_path))  # back to WAL, and up to this code's schema
    snapshot.log_cli_event(db_path, "restore", info.path.name,
         f"from {info.path}" + (f"; replaced data kept in {aside}" if aside.exists() else ""))
    return info


def instance_is_empty(db_path: Path, photo_dir: Path) -> bool:
    """True when there is no data to lose: no rows in users or visits, no photo files."""
    if _count_files(photo_dir):
        return False
    if not db_path.exists() or db_path.stat().st_size == 0:
        return True
    return not snapshot.has_rows(db_path, ("users", "visits"))


# -- small helpers -----------------------------------------------------------

def _table_counts(db_file: Path) -> dict[str, int]:
    try:
        return snapshot.table_counts(db_file)
    except snapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from None



def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _count_files(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(1 for root, dirs, names in os.walk(folder)
               for n in names if not n.startswith("."))


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- commands ----------------------------------------------------------------

@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
@with_appcontext
def backup_command(dest):
    """Back up the live database and photos into a new folder under DEST.

    Safe while the app is serving: the database copy is one consistent
    snapshot. Makes DEST/cem-YYYYmmdd-HHMMSS/ with cem.sqlite3, photos/ and
    manifest.json (row counts, sha256).

    Example: fieldapp backup /var/backups/cem
    """
    try:
        info = backup(current_app.config["DATABASE"], current_app.config["PHOTO_DIR"], dest)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    counts = info.manifest["counts"]
    click.echo(f"Backup {info.path}: {counts.get('visits', 0)} visits, "
               f"{counts.get('answers', 0)} answers, {info.manifest['photos']['files']} photo files, "
               f"sha256 {info.manifest['sha256'][:12]}")


@click.command("restore")
@click.argument("src", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True,
              help="Replace an instance that holds data (kept aside in replaced-*/).")
@with_appcontext
def restore_command(src, force):
    """Restore a backup folder made by `fieldapp backup` (stop the app first).

    Verifies the manifest, the sha256 and PRAGMA integrity_check before
    changing anything; refuses to replace existing data without --force.

    Example: fieldapp restore /var/backups/cem/cem-20260301-020000 --force
    """
    try:
        info = restore(src, current_app.config["DATABASE"], current_app.config["PHOTO_DIR"],
                       force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    counts = info.manifest["counts"]
    click.echo(f"Restored {info.path.name}: {counts.get('visits', 0)} visits, "
               f"{counts.get('answers', 0)} answers, {info.manifest['photos']['files']} photo files")
