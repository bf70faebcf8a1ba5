"""Phone clocks are not to be trusted: one check for every time a phone sends.

Decision: a time that is not a time (no date, no offset, year 0, garbage) is
refused (the route answers 400 with a message). A real time that is more than
:data:`FUTURE_SLACK` ahead of the server, or earlier than ``not_before`` (the
visit's start minus :data:`PAST_SLACK`; without a visit, :data:`PAST_LIMIT`
before now), is *clamped* to the server's time and carries a flag
(``"future"`` or ``"past"``) that is stored with the mark and shown to the
reviewer. Clamping keeps the tap (an offline outbox may only replay once) while
a phone set to 1970 or 9999 can neither freeze an answer (newest ``client_ts``
wins) nor make a 56-year wait.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FUTURE_SLACK = timedelta(days=1)  # a phone may run a little fast; a day ahead is a wrong clock
PAST_SLACK = timedelta(days=1)  # before the visit started, allowing for a slow phone
PAST_LIMIT = timedelta(days=30)  # an outbox may replay after weeks offline, not years
INVALID, FUTURE, PAST = "invalid", "future", "past"


def parse_client_time(raw) -> datetime | None:
    """The phone's ISO 8601 time with its offset, as an aware UTC datetime, or None."""
    if not isinstance(raw, str) or not 10 <= len(raw.strip()) <= 40:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
        if moment.tzinfo is None:
            return None
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def check_client_time(raw, now: datetime, *, not_before: datetime | str | None = None
                      ) -> tuple[str | None, str | None]:
    """Check a phone's time against the server's clock.

    :param raw: the phone's ISO 8601 time (``2026-05-01T10:00:00.123Z``).
    :param now: the server's current time (aware).
    :param not_before: earliest believable time (e.g. the visit's start), slack added here.
    :return: ``(utc_iso, flag)``: ``(None, "invalid")`` when ``raw`` is not a time;
        ``(server now, "future" | "past")`` when it was clamped; ``(utc_iso, None)`` when fine.
    """
    moment = parse_client_time(raw)
    if moment is None:
        return None, INVALID
    now = now.astimezone(UTC)
    start = parse_client_time(not_before) if isinstance(not_before, str) else not_before
    earliest = start.astimezone(UTC) - PAST_SLACK if start is not None else now - PAST_LIMIT
    if moment > now + FUTURE_SLACK:
        return _iso(now), FUTURE
    if moment < earliest:
        return _iso(now), PAST
    return _iso(moment), None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")
