"""Report PDFs read back: Hangul text, pages, embedded photos, and a fetcher that refuses."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from fieldapp.reports import pdf as report_pdf
from fieldapp.storage import comments, visits
from tests.test_reports import EN, login, released_visit, store_id


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def image_count(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return sum(len(page.images) for page in pdf.pages)


def font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names


def photo_count(db, visit_id: int) -> int:
    return db.execute("SELECT count(*) FROM photos WHERE visit_id = ?", [visit_id]).fetchone()[0]


def test_visit_pdf_has_korean_text_pages_and_photos(app, db):
    """The demo manager's visit PDF: Hangul extracted, several pages, every photo embedded once."""
    manager, _ = login(app, "manager")
    visit_id = released_visit(db, "HD02", failed=True)
    r = manager.get(f"/reports/visits/{visit_id}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline; filename=\"visit-")
    text = pdf_text(r.data)
    for korean in ("홍대점", "도넛 매장 미스터리 쇼핑", "도착 및 대기열", "위생", "퇴장"):
        assert korean in text
    assert len(PdfReader(io.BytesIO(r.data)).pages) >= 3
    assert image_count(r.data) == photo_count(db, visit_id) > 0
    assert any("Nanum" in name for name in font_names(r.data))


def test_visit_pdf_cover_names_critical_failures_and_hides_shopper(app, db, instance):
    """Cover: pass/fail, critical failure named; covert auditor shown as mystery shopper."""
    visit_id = released_visit(db, "HU03", covert=True)
    with db.atomic():
        db.execute("UPDATE visits SET score_json = json_set(score_json, '$.critical_failures', "
                   "json('[\"no_pests\"]')), passed = 0 WHERE id = ?", [visit_id])
    manager2, _ = login(app, "manager2")
    text = pdf_text(manager2.get(f"/reports/visits/{visit_id}.pdf", headers=EN).data)
    assert "FAIL" in text
    assert "Critical failures" in text and "No pests (flies etc.) seen" in text
    assert "mystery shopper" in text and "Shopper" not in text


def test_visit_pdf_shows_reviewer_comments_and_escapes_notes(app, db):
    """Reviewer comments print; an auditor's note with markup is text, never a fetched resource."""
    visit_id = released_visit(db, "GN01")
    reviewer = next(db.query("SELECT id FROM users WHERE username = 'reviewer'"))["id"]
    comments.add_comment(db, visit_id=visit_id, author_id=reviewer, body="계산대 정리가 필요합니다")
    # the auditor's note as it was stored before the visit froze (saves now refuse a released visit)
    db.execute("UPDATE answers SET note = ? WHERE visit_id = ? AND item_key = 'entrance_clean'",
               ['<img src="file:///etc/passwd"> 유리문', visit_id])
    db.conn.commit()
    assert db.execute("SELECT note FROM answers WHERE visit_id = ? AND item_key = 'entrance_clean'",
                      [visit_id]).fetchone()[0].endswith("유리문")
    manager, _ = login(app, "manager")
    data = manager.get(f"/reports/visits/{visit_id}.pdf").data
    text = pdf_text(data)
    assert "계산대 정리가 필요합니다" in text
    assert '<img src="file:///etc/passwd"> 유리문' in text.replace("\n", " ")
    assert image_count(data) == photo_count(db, visit_id)


def test_visit_pdf_download_is_audit_logged(app, db):
    """Each PDF export is an audit-log entry."""
    manager, _ = login(app, "manager")
    visit_id = released_visit(db, "GN01")
    manager.get(f"/reports/visits/{visit_id}.pdf")
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'export_pdf' AND object_id = ?",
                      [str(visit_id)]).fetchone()[0] == 1


def test_store_period_pdf_has_real_content(app, db):
    """The 30-day store PDF: store name in Hangul, stage titles, failed items, waits."""
    manager, _ = login(app, "manager")
    r = manager.get(f"/reports/period.pdf?store={store_id(db, 'HD02')}", headers=EN)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data)
    for expected in ("홍대점 Hongdae", "Score trend", "Stage scores against the chain", "Chain average",
                     "Most often failed items", "Importance and performance", "Measured waits",
                     "Entered queue → greeted"):
        assert expected in text
    assert len(PdfReader(io.BytesIO(r.data)).pages) >= 2
    released = db.execute("SELECT count(*) FROM visits v JOIN stores s ON s.id = v.store_id "
                          "WHERE s.code = 'HD02' AND v.status = 'released'").fetchone()[0]
    assert f"{released}\nreleased visits" in text or f"{released} released visits" in text.replace("\n", " ")


def test_region_period_pdf_covers_both_stores(app, db):
    """A region report for Seoul covers the manager's two Seoul stores."""
    manager, _ = login(app, "manager")
    r = manager.get("/reports/period.pdf?region=서울 Seoul", headers=EN)
    assert r.status_code == 200
    text = pdf_text(r.data)
    assert "GN01" in text and "HD02" in text and "HU03" not in text


# --- the fetcher ----------------------------------------------------------------

@pytest.fixture
def fetcher_parts(app, db):
    own = released_visit(db, "GN01")
    other = released_visit(db, "HU03")
    own_photos = list(db.query("SELECT * FROM photos WHERE visit_id = ?", [own]))
    other_photo = next(db.query("SELECT * FROM photos WHERE visit_id = ?", [other]))
    fetcher = report_pdf.SafeFetcher(app.static_folder, app.config["PHOTO_DIR"], own_photos)
    return fetcher, own_photos, other_photo


def test_fetcher_serves_static_files_and_own_photos(fetcher_parts):
    """app://static/... and the report's own photos come back as bytes."""
    fetcher, own_photos, _ = fetcher_parts
    css = fetcher.fetch("app://static/app.css")
    assert b".card" in css.read() and css.content_type == "text/css"
    photo = fetcher.fetch(report_pdf.photo_url(own_photos[0]))
    assert photo.read()[:2] == b"\xff\xd8" and photo.content_type == "image/jpeg"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:5000/static/app.css",
    "https://example.com/x.png",
    "data:text/plain,hello",
    "app://static/../../../../etc/passwd",
    "app://static/%2e%2e/%2e%2e/config.py",
    "app://static/",
    "app://evil/app.css",
    "app://photo/999999/thumb",
    "ftp://example.com/x",
])
def test_fetcher_refuses_everything_else(fetcher_parts, url):
    """Other schemes, path escapes and unknown photos are refused and noted."""
    fetcher, _, _ = fetcher_parts
    with pytest.raises(report_pdf.RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_other_visits_photo(fetcher_parts):
    """A photo id from another visit (another store) is refused."""
    fetcher, _, other_photo = fetcher_parts
    with pytest.raises(report_pdf.RefusedURL):
        fetcher.fetch(report_pdf.photo_url(other_photo))


def test_rendering_hostile_html_embeds_nothing_it_should_not(app, fetcher_parts, tmp_path):
    """file://, http:// and another visit's photo in report HTML: nothing attached or drawn."""
    fetcher, own_photos, other_photo = fetcher_parts
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    html = f"""<html><head><link rel="attachment" href="file://{secret}">
      <link rel="stylesheet" href="file://{Path(app.static_folder) / 'app.css'}"></head><body>
      <p>보고서</p>
      <img src="file:///usr/share/pixmaps/debian-logo.png">
      <img src="http://127.0.0.1:9/x.png">
      <img src="{report_pdf.photo_url(other_photo)}">
      <img src="{report_pdf.photo_url(own_photos[0])}">
      <a rel="attachment" href="file://{secret}">x</a>
    </body></html>"""
    data = report_pdf.render_pdf(html, fetcher)
    reader = PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert b"TOP-SECRET-CONTENT" not in data
    assert image_count(data) == 1
    assert f"file://{secret}" in fetcher.refused
    assert report_pdf.photo_url(other_photo) in fetcher.refused
    assert "http://127.0.0.1:9/x.png" in fetcher.refused
    assert "보고서" in pdf_text(data)
