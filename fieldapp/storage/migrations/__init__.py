"""Named, ordered schema migrations; they run when the app starts.

One module per migration, ``mNNNN_what.py``, applied in name order. Never
edit an applied migration: add the next number. Each module registers its
function with ``@migrations(name="NNNN_what")``.
"""

import importlib
import pkgutil

from sqlite_utils import Migrations

migrations = Migrations("fieldapp")


def run_script(db, script: str) -> None:
    """Run statements one by one: executescript() would commit mid-migration."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("m")):
    importlib.import_module(f"{__name__}.{_module}")
