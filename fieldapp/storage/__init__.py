"""Every SQL statement of the app lives in this package, one module per area.

Functions take the ``sqlite_utils.Database`` first and return plain dicts, so
views stay thin and tests can call them against a real file.

The transaction rule: the *workflow* function that changes state (in a
feature package's ``workflow.py``, or a route for a one-row change) opens
``with db.atomic():``; storage functions that write join the caller's
transaction (``atomic()`` nests as a savepoint), so a storage function that
is called on its own is still one transaction. Nothing outside this package
writes SQL.
"""

import json
from datetime import datetime, timezone

# ``WHERE id {IN_LIST}`` with ``as_list(ids)`` as its one parameter: the list
# travels as one JSON array, so there is no limit on its length (SQLite's
# variable limit) and no chunking, and an index on the column is still used.
IN_LIST = "IN (SELECT value FROM json_each(?))"


def as_list(values) -> str:
    """The parameter for an ``IN_LIST``: the values as a JSON array."""
    return json.dumps(list(values), ensure_ascii=False)


def now() -> str:
    """The current UTC time as ISO 8601, the one format stored everywhere."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
