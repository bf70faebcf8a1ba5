"""Periods split into whole UTC hours (read from an hour table kept by triggers)
and the partial hours at either end (read from the rows).

Stored stamps are UTC ISO strings, so an hour is a stamp's first 13 characters
('2026-11-30T03'). A period of local days starts and ends on a whole hour in
every zone with a whole-hour offset; a zone like India's leaves two half hours,
read from the rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def split(lo: str, hi: str) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
    """``[lo, hi)`` as (first hour, last hour) of the whole hours inside, or None, and the
    ``[a, b)`` stamp ranges left at the edges."""
    start, end = datetime.fromisoformat(lo).astimezone(UTC), datetime.fromisoformat(hi).astimezone(UTC)
    first = start.replace(minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(hours=1)
    last = end.replace(minute=0, second=0, microsecond=0)
    if first >= last:
        return None, [(lo, hi)]
    a, b = first.isoformat(timespec="seconds"), last.isoformat(timespec="seconds")
    return (a[:13], b[:13]), [edge for edge in ((lo, a), (b, hi)) if edge[0] < edge[1]]
