"""Failed logins are throttled in SQLite: per address, per account, across processes, then allowed again."""

from datetime import UTC, datetime, timedelta

from fieldapp.ops import demo
from fieldapp.storage import logins
from tests.conftest import csrf_from
from tests.live_server import Phone, served

RIGHT = "manager" + demo.DEMO_PASSWORD_SUFFIX


def _try(client, username, password, address):
    env = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/login", environ_base=env).get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, environ_base=env)


def test_guesses_at_one_account_from_many_addresses_are_throttled(client):
    """Per account: ten wrong passwords from ten addresses make the account wait, with a message."""
    for n in range(10):
        assert _try(client, "manager", "guess", f"10.1.0.{n}").status_code == 401
    refused = _try(client, "manager", RIGHT, "10.1.0.99")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert 'class="field-error"' in refused.get_data(as_text=True)
    assert _try(client, "planner", "planner" + demo.DEMO_PASSWORD_SUFFIX, "10.1.0.99").status_code == 302


def test_guesses_at_many_accounts_from_one_address_are_throttled(client):
    """Per address: ten different usernames from one address make that address wait."""
    for n in range(10):
        assert _try(client, f"nobody{n}", "guess", "10.2.0.1").status_code == 401
    assert _try(client, "manager", RIGHT, "10.2.0.1").status_code == 429
    assert _try(client, "manager", RIGHT, "10.2.0.2").status_code == 302


def test_after_the_wait_the_rightful_user_gets_in(client, db):
    """Back-off, not lock-out: once the wait has passed, the right password works."""
    for n in range(10):
        _try(client, "manager", "guess", f"10.3.0.{n}")
    assert _try(client, "manager", RIGHT, "10.3.0.50").status_code == 429
    db.execute("UPDATE login_throttle SET locked_until = ?",
               [(datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds")])
    db.conn.commit()
    assert _try(client, "manager", RIGHT, "10.3.0.50").status_code == 302
    assert logins.wait_seconds(db, "10.3.0.51", "manager") == 0


def test_the_wait_doubles_and_is_capped(db):
    start = datetime(2026, 5, 1, tzinfo=UTC)
    waits = []
    for n in range(20):
        logins.record_failure(db, f"10.4.0.{n}", "someone", now=start)
        waits.append(logins.wait_seconds(db, "10.4.0.200", "someone", now=start))
    assert waits[:9] == [0] * 9 and waits[9:12] == [30, 60, 120] and max(waits) == 15 * 60


def test_failures_counted_in_one_process_hold_in_another(instance):
    """Two server processes on one database: five guesses at each add up to a lock-out."""
    with served(instance, workers=1, threads=2) as first, served(instance, workers=1, threads=2) as second:
        for base in (first, second):
            for _ in range(5):
                assert Phone(base).login("manager", "guess").status_code == 401
        assert Phone(first).login("manager").status_code == 429
        assert Phone(second).login("manager").status_code == 429
