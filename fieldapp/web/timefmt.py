"""Showing stored UTC timestamps in the stores' time zone, and durations as m:ss."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

STORE_TZ = timezone(timedelta(hours=9))  # Korea Standard Time, no daylight saving


def local(value: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``2026-11-23T03:00:00+00:00`` -> ``2026-11-23 12:00`` (KST)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.strftime(fmt)
    return moment.astimezone(STORE_TZ).strftime(fmt)


def today_local() -> str:
    return datetime.now(STORE_TZ).date().isoformat()


def mmss(seconds: float | None) -> str:
    """95.6 -> "1:36": rounded once here so the chart and the table beside it agree."""
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
