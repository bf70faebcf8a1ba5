"""Nobody let in: throttled logins, refused uploads, the audit log."""

import io
import struct
import zlib

import pytest

from fieldapp.ops import demo
from tests.audit_helpers import doughnut, jpeg_bytes, start_assignment
from tests.conftest import csrf_from


def test_failed_logins_are_throttled_per_address(client):
    """Ten wrong passwords from one address lock it out, even for the right one."""
    env = {"REMOTE_ADDR": "10.77.0.1"}
    for _ in range(10):
        token = csrf_from(client.get("/login", environ_base=env).get_data(as_text=True))
        r = client.post("/login", data={"username": "manager", "password": "guess",
                                        "csrf_token": token}, environ_base=env)
        assert r.status_code == 401
    token = csrf_from(client.get("/login", environ_base=env).get_data(as_text=True))
    r = client.post("/login", data={"username": "manager",
                                    "password": "manager" + demo.DEMO_PASSWORD_SUFFIX,
                                    "csrf_token": token}, environ_base=env)
    assert r.status_code == 429


def test_successful_logins_are_not_counted(client, auth):
    for _ in range(12):
        assert auth.login("planner").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, auth):
    response = auth.login("manager")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims huge dimensions: a decompression bomb's shape."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'


@pytest.mark.parametrize("name, payload", [
    ("bomb.png", png_header_only(30000, 30000)),
    ("bigger-bomb.png", png_header_only(100000, 100000)),
    ("drawing.svg", SVG),
    ("page.jpg", b"<html><body><script>alert(1)</script></body></html>"),
    ("truncated.jpg", jpeg_bytes((800, 600))[:500]),
    ("empty.jpg", b""),
])
def test_hostile_uploads_are_refused_with_a_message(client, auth, db, name, payload):
    visit_id = start_assignment(client, auth)
    item = next(i for i in doughnut().items() if i.type == "photo")
    r = client.post(f"/visits/{visit_id}/items/{item.key}/photos",
                    data={"photo": (io.BytesIO(payload), name)},
                    headers={"X-CSRFToken": auth.token()}, content_type="multipart/form-data")
    assert r.status_code == 422
    assert 'class="field-error"' in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM photos WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0


def test_html_hidden_in_a_real_image_is_not_kept(app, client, auth, db):
    """A valid GIF with HTML appended is accepted only as a re-encoded JPEG without the payload."""
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 10)).save(buf, "GIF")
    polyglot = buf.getvalue() + b"<script>alert('x')</script>"
    visit_id = start_assignment(client, auth)
    item = next(i for i in doughnut().items() if i.type == "photo")
    client.post(f"/visits/{visit_id}/items/{item.key}/photos",
                data={"photo": (io.BytesIO(polyglot), "x.gif")},
                headers={"X-CSRFToken": auth.token()}, content_type="multipart/form-data")
    from pathlib import Path
    for row in db.query("SELECT filename FROM photos WHERE visit_id = ?", [visit_id]):
        data = (Path(app.config["PHOTO_DIR"]) / row["filename"]).read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and b"<script>" not in data


def test_audit_log_is_for_admins_only(app, client, auth):
    auth.login("manager")
    assert client.get("/admin/audit-log").status_code == 403
    admin = app.test_client()
    from tests.conftest import Auth
    Auth(admin).login("admin")
    page = admin.get("/admin/audit-log").get_data(as_text=True)
    assert 'id="audit-log"' in page and "submit" in page and "login" in page


def test_exports_and_state_changes_are_in_the_audit_log(app, client, auth, db):
    """Starting a visit and every download leave an entry naming who did it."""
    visit_id = start_assignment(client, auth)
    manager = app.test_client()
    from tests.conftest import Auth
    Auth(manager).login("manager")
    assert manager.get("/dashboard.csv?table=stores").status_code == 200
    assert manager.get("/dashboard.json").status_code == 200
    entries = [(r["action"], r["object_type"], r["username"]) for r in db.query(
        "SELECT a.action, a.object_type, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id")]
    assert ("start", "visit", "shopper") in entries
    assert entries.count(("export", "dashboard", "manager")) == 2
    assert next(db.query("SELECT object_id FROM audit_log WHERE action = 'start' ORDER BY id DESC"))["object_id"] == str(visit_id)


@pytest.mark.parametrize("path,code", [("/visits/99999999", 404), ("/no-such-page", 404)])
def test_error_pages_are_styled_and_translated(client, auth, path, code):
    """An error page has the app's layout, the message in Korean, and a way home."""
    auth.login("reviewer")
    page = client.get(path, headers={"Accept-Language": "ko"})
    assert page.status_code == code
    body = page.get_data(as_text=True)
    assert 'href="/home"' in body and "<nav" in body
    assert "찾을 수 없습니다" in body


def test_server_error_is_a_styled_page_without_a_trace(instance):
    """A bug in a view gives the 500 page, never a stack trace."""
    from tests.conftest import make_app

    app = make_app(instance, TESTING=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail")

    page = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert page.status_code == 500
    body = page.get_data(as_text=True)
    assert "Something went wrong on our side" in body and "secret detail" not in body
    assert "Traceback" not in body


def test_htmx_error_is_a_fragment(client, auth):
    """htmx gets the message alone, to show where the request came from."""
    auth.login("reviewer")
    page = client.get("/visits/99999999", headers={"HX-Request": "true", "Accept-Language": "en"})
    assert page.status_code == 404
    assert page.get_data(as_text=True).strip().startswith('<p class="field-error"')
