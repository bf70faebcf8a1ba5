"""Fill Korean translations from a JSON file of {English msgid: Korean}, clearing fuzzy marks.

Usage: python tools/translate.py ko.json   (run `make i18n-update` first)
       python tools/translate.py --missing  (list entries still without Korean)
Holds a lock on the catalog so two people translating at once lose nothing.
"""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parents[1] / "fieldapp/translations/ko/LC_MESSAGES/messages.po"
ENGLISH = CATALOG.parents[2] / "en/LC_MESSAGES/messages.po"


def settle_english() -> None:
    """English is the source language: each entry reads as its own msgid, never a fuzzy guess."""
    with open(ENGLISH, "rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id and (message.fuzzy or not message.string):
            message.string = message.id
            message.flags.discard("fuzzy")
    with open(ENGLISH, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)


def missing(catalog) -> list[str]:
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog
            if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string))
                         or m.fuzzy)]


def main(argv: list[str]) -> int:
    with open(CATALOG.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(CATALOG, "rb") as fh:
            catalog = read_po(fh, locale="ko")
        if argv and argv[0] == "--missing":
            print("\n".join(missing(catalog)))
            return 0
        settle_english()
        words = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
        for message in catalog:
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in words:
                message.string = words[key] if isinstance(message.id, str) else \
                    tuple([words[key]] * len(message.id))
                message.flags.discard("fuzzy")
        with open(CATALOG, "wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False)
        left = missing(catalog)
        print(f"{len(left)} entries still without Korean" + (": " + "; ".join(left[:10]) if left else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
