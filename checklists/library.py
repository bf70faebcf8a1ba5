"""The bundled checklist library (``checklists/library/*.yaml``)."""

from __future__ import annotations

from pathlib import Path

from .loader import load_checklist
from .model import Checklist

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


def library_paths() -> list[Path]:
    """The bundled checklist files, sorted by name."""
    return sorted(LIBRARY_DIR.glob("*.yaml"))


def load_library() -> dict[str, Checklist]:
    """Every bundled checklist by id (raises ChecklistError on a broken file or duplicate id)."""
    out: dict[str, Checklist] = {}
    for path in library_paths():
        checklist = load_checklist(path)
        if checklist.id in out:
            from .loader import ChecklistError
            raise ChecklistError(str(path), 1, "id",
                                 f"duplicate checklist id {checklist.id!r} in the library")
        out[checklist.id] = checklist
    return out
