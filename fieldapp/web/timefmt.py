"""Showing stored UTC timestamps in the organisation's time zone, and durations as m:ss.

The zone is the organisation's setting (admin page, default Asia/Seoul),
read once per request; outside a request (scripts) the default applies.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_TZ = "Asia/Seoul"
STORE_TZ = ZoneInfo(DEFAULT_TZ)  # the default zone, for code running outside a request


def org_tz() -> tzinfo:
    """The organisation's time zone for this request (cached on ``g``)."""
    from flask import g, has_app_context

    if not has_app_context():
        return STORE_TZ
    if "org_tz" not in g:
        from fieldapp.storage import stores
        from fieldapp.storage.db import get_db

        g.org_tz = zone(stores.org_timezone(get_db()))
    return g.org_tz


def zone(name: str | None) -> tzinfo:
    """``ZoneInfo(name)``, or the default for an unknown or empty name."""
    try:
        return ZoneInfo(name) if name else STORE_TZ
    except (KeyError, ValueError):
        return STORE_TZ


def is_zone(name: str) -> bool:
    return name in available_timezones()


def local(value: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``2026-11-23T03:00:00+00:00`` -> ``2026-11-23 12:00`` (in Asia/Seoul)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.strftime(fmt)
    return moment.astimezone(org_tz()).strftime(fmt)


def local_iso(value: str | None) -> str:
    """A stored UTC stamp as ISO 8601 in the organisation's zone (exports): ``...T12:00:00+09:00``."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return moment.astimezone(org_tz()).isoformat(timespec="seconds") if moment.tzinfo else value


def today_local() -> str:
    return datetime.now(org_tz()).date().isoformat()


def mmss(seconds: float | None) -> str:
    """95.6 -> "1:36": rounded once here so the chart and the table beside it agree."""
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
