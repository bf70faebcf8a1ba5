"""Command line: ``python -m checklists convert IN OUT`` and ``export-library``.

Exit status 0 on success, 2 with one located line on a bad checklist.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ChecklistError
from .loader import load_checklist
from .yaml_write import checklist_to_yaml

XLSX_DIR = Path(__file__).resolve().parent / "library" / "xlsx"


def convert(src: str, dst: str, skip_unsupported: bool = False) -> list:
    """Convert between YAML and XLSX (either way; .yaml/.yml or .xlsx by OUT's suffix)."""
    checklist = load_checklist(src, skip_unsupported=skip_unsupported)
    out = Path(dst)
    if out.suffix.lower() == ".xlsx":
        from .xlsform_write import write_xlsform
        write_xlsform(checklist, out)
    elif out.suffix.lower() in (".yaml", ".yml"):
        out.write_text(checklist_to_yaml(checklist), encoding="utf-8")
    else:
        raise ChecklistError(dst, 1, "file", "output must end in .xlsx, .yaml or .yml",
                             code="bad_output")
    return list(checklist.import_notes)


def export_library(directory: Path = XLSX_DIR) -> list[Path]:
    """Write every bundled YAML checklist as XLSX into ``directory`` (the shipped copies)."""
    from .library import library_paths
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for path in library_paths():
        target = directory / f"{path.stem}.xlsx"
        convert(str(path), str(target))
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checklists")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="convert a checklist YAML <-> XLSX (XLSForm layout)",
                       description="Example: python -m checklists convert doughnut.yaml "
                                   "doughnut.xlsx")
    c.add_argument("src")
    c.add_argument("dst")
    c.add_argument("--skip-unsupported", action="store_true",
                   help="leave out questions the app cannot ask (geopoint, audio...)")
    sub.add_parser("export-library", help="regenerate checklists/library/xlsx/*.xlsx",
                   description="Example: python -m checklists export-library")
    args = parser.parse_args(argv)
    try:
        if args.command == "convert":
            for note in convert(args.src, args.dst, args.skip_unsupported):
                print(f"note: {note}", file=sys.stderr)
        else:
            for path in export_library():
                print(path)
    except ChecklistError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{getattr(exc, 'filename', '') or args.command}:1: file: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
