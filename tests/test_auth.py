"""Logging in, CSRF, and each role's home page."""

import pytest

from fieldapp.ops import demo


def test_login_page_is_served(client):
    """An anonymous visitor is sent to a login page with a CSRF token."""
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert 'name="password"' in response.get_data(as_text=True)


@pytest.mark.parametrize("username, role, marker", [
    ("admin", "admin", 'Administration'),
    ("manager", "manager", 'id="my-stores"'),
    ("reviewer", "reviewer", 'Review queue'),
    ("shopper", "auditor", 'id="assignments"'),
    ("planner", "planner", 'What-if planning'),
])
def test_each_demo_user_gets_their_role_home(client, auth, username, role, marker):
    """Every demo login lands on the home page of its role."""
    response = auth.login(username)
    assert response.status_code == 302
    home = client.get("/home", headers={"Accept-Language": "en"})
    assert home.status_code == 200
    assert marker in home.get_data(as_text=True)


def test_wrong_password_is_refused_with_message(client, auth):
    response = auth.login("manager", "not-the-password")
    assert response.status_code == 401
    assert "/home" not in response.headers.get("Location", "")
    assert client.get("/home").status_code == 302


def test_passwords_are_stored_hashed(db):
    row = next(db.query("SELECT password_hash FROM users WHERE username = 'manager'"))
    assert "manager" + demo.DEMO_PASSWORD_SUFFIX not in row["password_hash"]
    assert row["password_hash"].startswith(("scrypt:", "pbkdf2:"))


def test_login_without_csrf_token_is_refused(client):
    """A form post without the CSRF token is rejected before any login happens."""
    response = client.post("/login", data={"username": "manager",
                                           "password": "manager" + demo.DEMO_PASSWORD_SUFFIX})
    assert response.status_code == 400
    assert client.get("/home").status_code == 302


def test_htmx_style_post_needs_csrf_header(client, auth):
    """A POST with the token in the X-CSRFToken header (as htmx sends it) passes."""
    auth.login("manager")
    token = auth.token()
    refused = client.post("/locale/en")
    assert refused.status_code == 400
    accepted = client.post("/locale/en", headers={"X-CSRFToken": token})
    assert accepted.status_code == 302


def test_open_redirect_is_not_followed(client, auth):
    page = client.get("/login?next=https://evil.example/")
    from tests.conftest import csrf_from
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login?next=https://evil.example/", data={
        "username": "manager", "password": "manager" + demo.DEMO_PASSWORD_SUFFIX,
        "csrf_token": token})
    assert response.headers["Location"] == "/home"


def test_logout_needs_post_and_ends_session(client, auth):
    auth.login("shopper")
    assert client.get("/logout").status_code == 405
    client.post("/logout", headers={"X-CSRFToken": auth.token()})
    assert client.get("/home").status_code == 302


def test_language_follows_user_setting_then_browser(client, auth):
    """Korean by default, English when the browser asks, the user's choice over both."""
    auth.login("manager")
    assert "내 매장" in client.get("/home").get_data(as_text=True)
    assert "My stores" in client.get("/home", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post("/locale/ko", headers={"X-CSRFToken": auth.token()})
    assert "내 매장" in client.get("/home", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_security_headers_on_pages(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "<script>" not in response.get_data(as_text=True)
