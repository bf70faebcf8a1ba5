"""Sessions end on the server: logout, a copied cookie, every phone of a user."""

from fieldapp.storage import sessions, users
from tests.conftest import Auth


def _copy_cookie(app, client):
    """A second browser that holds a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_stops_working_at_once(app, client, auth):
    """Logout deletes this session's server row, so a copy of its cookie is refused."""
    assert auth.login("manager").status_code == 302
    thief = _copy_cookie(app, client)
    assert thief.get("/home").status_code == 200
    client.post("/logout", headers={"X-CSRFToken": auth.token()})
    assert thief.get("/home").status_code == 302
    assert client.get("/home").status_code == 302


def test_logout_on_one_phone_keeps_the_other_phone_logged_in(app, client, auth):
    """One row per browser: logging out here ends this session only."""
    other = app.test_client()
    Auth(other).login("shopper")
    auth.login("shopper")
    client.post("/logout", headers={"X-CSRFToken": auth.token()})
    assert other.get("/home").status_code == 200


def test_end_sessions_ends_every_session_of_the_user(app, client, auth, db):
    """users.end_sessions (password change, deactivation) logs out every browser of that user."""
    other = app.test_client()
    Auth(other).login("shopper")
    auth.login("shopper")
    bystander = app.test_client()
    Auth(bystander).login("manager")
    user = users.get_by_username(db, "shopper")
    assert sessions.count_sessions(db, user["id"]) == 2
    users.end_sessions(db, user["id"])
    assert client.get("/home").status_code == 302
    assert other.get("/home").status_code == 302
    assert sessions.count_sessions(db, user["id"]) == 0
    assert bystander.get("/home").status_code == 200


def test_a_session_made_before_the_version_bump_is_refused(app, client, auth, db):
    """The session's copy of session_version is compared on every request."""
    auth.login("manager")
    user = users.get_by_username(db, "manager")
    db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user["id"]])
    db.conn.commit()
    assert client.get("/home").status_code == 302


def test_a_session_token_is_stored_only_as_a_hash(client, auth, db):
    auth.login("manager")
    token = client.get_cookie("session").value
    stored = [r["token_hash"] for r in db.query("SELECT token_hash FROM user_sessions")]
    assert stored and all(len(h) == 64 and h not in token for h in stored)


def test_logout_tells_the_phone_to_forget_its_cached_pages_and_outbox(client, auth):
    auth.login("shopper")
    r = client.post("/logout", headers={"X-CSRFToken": auth.token()})
    assert '"cache"' in r.headers["Clear-Site-Data"] and '"storage"' in r.headers["Clear-Site-Data"]


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, client, auth):
    """The other phone (or a stolen cookie) is logged out; the browser that changed it stays in."""
    from fieldapp.ops import demo

    other = app.test_client()
    Auth(other).login("manager")
    auth.login("manager")
    r = client.post("/account/password", data={
        "csrf_token": auth.token("/account/password"), "current": "manager" + demo.DEMO_PASSWORD_SUFFIX,
        "new": "a-brand-new-passphrase", "again": "a-brand-new-passphrase"})
    assert r.status_code in (302, 303)
    assert other.get("/home").status_code == 302
    assert client.get("/home").status_code == 200
