"""Failed-login throttling kept in SQLite, so every worker process sees the same counts.

Counted per client address and per account name. After :data:`THRESHOLD`
failures a key must wait, 30 s and doubling with each further failure up to
:data:`MAX_WAIT`; then it may try again. Attempts refused while waiting are
not counted, and a key with no failure for :data:`FORGET_AFTER` starts from
zero, so the rightful user is never locked out for good. A successful login
clears its account's count (not its address's: one good account must not
wash out guesses at others).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

THRESHOLD = {"address": 10, "account": 10}
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)


def _keys(address: str | None, username: str) -> list[tuple[str, str]]:
    return [("address", address or "?"), ("account", username.strip().casefold()[:80])]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def wait_seconds(db, address: str | None, username: str, now: datetime | None = None) -> int:
    """Seconds this address or account must still wait before trying again (0: go ahead)."""
    now = now or datetime.now(UTC)
    waits = [0]
    for scope, key in _keys(address, username):
        row = db.execute("SELECT locked_until FROM login_throttle WHERE scope = ? AND key = ?",
                         [scope, key]).fetchone()
        if row and row[0]:
            waits.append(int((datetime.fromisoformat(row[0]) - now).total_seconds() + 0.999))
    return max(waits)


def record_failure(db, address: str | None, username: str, now: datetime | None = None) -> None:
    """Count one failed login for the address and for the account; set the wait when over."""
    now = now or datetime.now(UTC)
    with db.atomic():
        for scope, key in _keys(address, username):
            row = db.execute("SELECT failures, last_failure_at FROM login_throttle "
                             "WHERE scope = ? AND key = ?", [scope, key]).fetchone()
            failures = 1
            if row and datetime.fromisoformat(row[1]) > now - FORGET_AFTER:
                failures = row[0] + 1
            locked_until = None
            if failures >= THRESHOLD[scope]:
                wait = min(FIRST_WAIT * 2 ** min(failures - THRESHOLD[scope], 20), MAX_WAIT)
                locked_until = _iso(now + wait)
            db.execute(
                "INSERT INTO login_throttle (scope, key, failures, last_failure_at, locked_until) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET "
                "failures = excluded.failures, last_failure_at = excluded.last_failure_at, "
                "locked_until = excluded.locked_until",
                [scope, key, failures, _iso(now), locked_until])


def record_success(db, username: str) -> None:
    """The account logged in: its failures are forgotten."""
    with db.atomic():
        db.execute("DELETE FROM login_throttle WHERE scope = 'account' AND key = ?",
                   [username.strip().casefold()[:80]])
