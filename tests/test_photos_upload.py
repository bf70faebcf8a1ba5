"""Photo uploads: several at once all kept, strict check even after WeasyPrint relaxed
Pillow, comments dropped, files deleted with the photo, the phone's capture time kept;
the limit named in the error; PDFs list each photo's time and can show them full width."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from tests.audit_helpers import doughnut, jpeg_bytes, start_assignment
from tests.test_report_pdf import image_count, pdf_text
from tests.test_reports import login, released_visit


def photo_item():
    return next(i for i in doughnut().items() if i.type == "photo" or i.photo_on_fail)


def upload(client, auth, visit_id, files, **fields):
    data = {"photo": [(io.BytesIO(b), name) for name, b in files], **fields}
    return client.post(f"/visits/{visit_id}/items/{photo_item().key}/photos", data=data,
                       headers={"X-CSRFToken": auth.token()}, content_type="multipart/form-data")


def test_several_photos_picked_at_once_are_all_kept(client, auth, db):
    visit_id = start_assignment(client, auth)
    r = upload(client, auth, visit_id, [(f"IMG_{n}.jpg", jpeg_bytes((800, 600))) for n in range(3)],
               client_id="pick-1")
    assert r.status_code == 200
    assert db.execute("SELECT count(*) FROM photos WHERE visit_id = ?", [visit_id]).fetchone()[0] == 3
    assert r.get_data(as_text=True).count('class="photo-link"') == 3


def test_truncated_photo_is_refused_even_when_pillow_was_relaxed(client, auth, db):
    visit_id = start_assignment(client, auth)
    data = jpeg_bytes((1200, 900))
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what rendering a PDF with WeasyPrint leaves behind
    try:
        r = upload(client, auth, visit_id, [("cut.jpg", data[: len(data) // 2])])
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back as it was found
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    assert r.status_code == 422
    assert db.execute("SELECT count(*) FROM photos WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0


@pytest.mark.parametrize("fmt", ["JPEG", "GIF"])
def test_reencoding_drops_comments(app, client, auth, db, fmt):
    visit_id = start_assignment(client, auth)
    buf = io.BytesIO()
    image = Image.new("RGB" if fmt == "JPEG" else "P", (640, 480), 1 if fmt == "GIF" else (10, 20, 30))
    image.save(buf, fmt, comment=b"secret: shopper Kim, store manager's phone 010-1234-5678")
    upload(client, auth, visit_id, [(f"c.{fmt.lower()}", buf.getvalue())])
    row = next(db.query("SELECT filename, thumb_filename FROM photos WHERE visit_id = ?", [visit_id]))
    for name in (row["filename"], row["thumb_filename"]):
        raw = (Path(app.config["PHOTO_DIR"]) / name).read_bytes()
        assert b"secret" not in raw and "comment" not in Image.open(io.BytesIO(raw)).info


def test_deleting_a_photo_deletes_its_files(app, client, auth, db):
    visit_id = start_assignment(client, auth)
    upload(client, auth, visit_id, [("a.jpg", jpeg_bytes((800, 600)))])
    row = next(db.query("SELECT * FROM photos WHERE visit_id = ?", [visit_id]))
    files = [Path(app.config["PHOTO_DIR"]) / row[k] for k in ("filename", "thumb_filename")]
    assert all(f.exists() for f in files)
    r = client.post(f"/visits/{visit_id}/photos/{row['id']}/delete", headers={"X-CSRFToken": auth.token()})
    assert r.status_code == 200
    assert not any(f.exists() for f in files)


def test_the_phones_capture_time_is_kept_and_shown(client, auth, db):
    visit_id = start_assignment(client, auth)
    taken = (datetime.now(UTC) - timedelta(minutes=3)).replace(microsecond=0)
    r = upload(client, auth, visit_id, [("a.jpg", jpeg_bytes((800, 600)))],
               taken_at=taken.isoformat().replace("+00:00", "Z"))
    row = next(db.query("SELECT taken_at FROM photos WHERE visit_id = ?", [visit_id]))
    assert datetime.fromisoformat(row["taken_at"]) == taken
    local = (taken + timedelta(hours=9)).strftime("%H:%M")  # Asia/Seoul
    assert f'<span class="thumb-time">{local}</span>' in r.get_data(as_text=True)


def test_too_large_upload_names_the_limit(app, client, auth):
    visit_id = start_assignment(client, auth)
    r = upload(client, auth, visit_id, [("big.jpg", b"\xff" * (12 * 1024 * 1024 + 10))])
    assert r.status_code == 413
    assert "12 MB" in r.get_data(as_text=True)


def test_visit_pdf_lists_photo_times_and_can_show_them_full_width(app, db):
    manager, _ = login(app, "manager")
    visit_id = released_visit(db, "HD02", failed=True)
    photos = list(db.query("SELECT created_at, taken_at FROM photos WHERE visit_id = ?", [visit_id]))
    assert photos
    plain = manager.get(f"/reports/visits/{visit_id}.pdf").data
    full = manager.get(f"/reports/visits/{visit_id}.pdf?photos=full").data
    when = datetime.fromisoformat(photos[0]["taken_at"] or photos[0]["created_at"]) + timedelta(hours=9)
    assert when.strftime("%Y-%m-%d %H:%M") in pdf_text(plain)
    assert image_count(full) == 2 * image_count(plain)  # thumbnails kept, each photo again full width
    page = manager.get(f"/reports/visits/{visit_id}").get_data(as_text=True)
    assert 'name="photos" value="full"' in page and 'class="photo-link"' in page
