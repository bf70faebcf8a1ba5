"""Checklist versions through their life: upload (draft), publish, retire, store types.

Each function that changes state is one transaction and leaves a line in the
audit log. An upload that does not load changes nothing and returns the
loader's located lines, in the file's own name.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile

from checklists import Checklist, ChecklistError, load_checklist
from fieldapp.storage import audit_log, checklist_store

SUFFIXES = (".yaml", ".yml", ".xlsx", ".xls")
MAX_BYTES = 5 * 1024 * 1024


class UploadRefused(ValueError):
    """The file did not load: ``lines`` are the loader's located errors (one or more)."""

    def __init__(self, lines: list[str], code: str = "checklist"):
        super().__init__(lines[0] if lines else code)
        self.lines, self.code = lines, code


def read_upload(filename: str, data: bytes, *, skip_unsupported: bool = False) -> Checklist:
    """Load an uploaded checklist file as the loader would load it from disk.

    Errors and import notes name the file as the user called it (Korean names too).

    :raise UploadRefused: wrong kind of file, too large, or the loader's located error.
    """
    name = _shown_name(filename)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in SUFFIXES:
        raise UploadRefused([f"{name}:1: file: is not a checklist (.yaml, .xlsx or .xls)"],
                            code="suffix")
    if len(data) > MAX_BYTES:
        raise UploadRefused([f"{name}:1: file: is larger than {MAX_BYTES // (1024 * 1024)} MB"],
                            code="too_large")
    with tempfile.TemporaryDirectory(prefix="checklist-upload-") as folder:
        path = os.path.join(folder, "upload" + suffix)  # never the user's name on disk
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            checklist = load_checklist(path, skip_unsupported=skip_unsupported)
        except ChecklistError as exc:
            raise UploadRefused([str(exc).replace(path, name)]) from None
    notes = tuple(dataclasses.replace(n, source=name) for n in checklist.import_notes)
    return dataclasses.replace(checklist, source=name, import_notes=notes)


def _shown_name(filename: str | None) -> str:
    """The file's own name for messages: no folders, no control characters."""
    base = os.path.basename((filename or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip()[:120]
    return base or "checklist.yaml"


def upload(db, checklist: Checklist, *, actor_id: int) -> tuple[int, bool]:
    """Store a loaded checklist as a draft version.

    :return: (row id, whether it is new: False when the same content is stored already).
    """
    with db.atomic():
        before = checklist_store.latest_row_by_hash(db, checklist.id, checklist.content_hash)
        row_id = checklist_store.save_checklist(db, checklist, status="draft",
                                                uploaded_by=actor_id)
        if before is None:
            audit_log.record(db, actor_id=actor_id, action="checklist_upload",
                             object_type="checklist", object_id=row_id,
                             detail=f"{checklist.id} v{checklist.version} {checklist.source}")
    return row_id, before is None


def publish(db, row_id: int, *, actor_id: int) -> None:
    """Offer this version for new visits and assignments (the one before it retires)."""
    with db.atomic():
        checklist_store.publish(db, row_id)
        audit_log.record(db, actor_id=actor_id, action="checklist_publish",
                         object_type="checklist", object_id=row_id)


def retire(db, row_id: int, *, actor_id: int) -> None:
    """Offer this version to nobody; visits started with it keep it."""
    with db.atomic():
        checklist_store.retire(db, row_id)
        audit_log.record(db, actor_id=actor_id, action="checklist_retire",
                         object_type="checklist", object_id=row_id)


def set_store_types(db, row_id: int, types: list[str], *, actor_id: int) -> None:
    with db.atomic():
        checklist_store.set_store_types(db, row_id, types)
        audit_log.record(db, actor_id=actor_id, action="checklist_store_types",
                         object_type="checklist", object_id=row_id,
                         detail=" ".join(sorted(set(types))) or "(all)")
