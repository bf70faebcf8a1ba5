"""Every SQL statement of the app lives in this package, one module per area.

Functions take the ``sqlite_utils.Database`` first and return plain dicts, so
views stay thin and tests can call them against a real file.
"""

from datetime import datetime, timezone


def now() -> str:
    """The current UTC time as ISO 8601, the one format stored everywhere."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def placeholders(values) -> str:
    """``?,?,?`` for an SQL ``IN (...)`` list of ``values``."""
    return ",".join("?" * len(values))
