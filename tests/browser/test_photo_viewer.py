"""Photos on a phone: a big camera photo is downsized before it is sent and shows as a
thumbnail; a reviewer opens a photo full size from the review page, zooms and steps on."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from fieldapp.storage.db import connect
from tests.audit_helpers import doughnut
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def camera_photo(size=(4032, 3024)) -> bytes:
    """A noisy photo-like JPEG (noise keeps it camera-sized, about 2-3 MB)."""
    import random
    rng = random.Random(42)
    small = Image.frombytes("RGB", (size[0] // 8, size[1] // 8), rng.randbytes(size[0] // 8 * size[1] // 8 * 3))
    buf = io.BytesIO()
    small.resize(size, Image.Resampling.NEAREST).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def test_big_photo_is_downsized_on_the_phone_before_upload(live_server, phone):
    base = live_server.base_url
    checklist = doughnut()
    item = next(i for i in checklist.items() if i.type == "photo")
    index = [s.key for s in checklist.stages].index(checklist.stage_of(item.key).key)
    login(phone, base, "shopper")
    with phone.expect_navigation():
        phone.locator("form.start-form button").first.tap()
    visit_id = int(re.search(r"/visits/(\d+)/", phone.url).group(1))
    phone.goto(f"{base}/visits/{visit_id}/stage/{index}")
    # what the phone actually sends: the size of each photo in the upload's form
    phone.evaluate("""() => { window.__sent = []; const send = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (body) {
            if (body instanceof FormData && body.get('photo')) window.__sent.push(body.get('photo').size);
            return send.call(this, body); }; }""")
    # a file that is no photo: refused next to the item; the next try clears that error
    phone.locator(f"#item-{item.key} input[type=file]").set_input_files(
        files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all"}])
    expect(phone.locator(f"#item-{item.key} .field-error")).to_have_count(1)
    big = camera_photo()
    phone.locator(f"#item-{item.key} input[type=file]").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": big},
               {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": big}])
    expect(phone.locator(f"#item-{item.key} a.photo-link")).to_have_count(2)
    expect(phone.locator(f"#item-{item.key} .field-error")).to_have_count(0)
    shot(phone, "13-after-photo-uploaded")
    sizes = phone.evaluate("() => window.__sent")[1:]  # the refused file went first
    assert len(sizes) == 2 and max(sizes) < len(big) / 2, (sizes, len(big))
    db = connect(live_server.config["DATABASE"])
    rows = list(db.query("SELECT width, height, taken_at FROM photos WHERE visit_id = ?", [visit_id]))
    assert len(rows) == 2 and all(max(r["width"], r["height"]) <= 1600 and r["taken_at"] for r in rows)


def test_reviewer_opens_a_photo_full_size_from_the_review_page(live_server, browser):
    base = live_server.base_url
    db = connect(live_server.config["DATABASE"])
    visit_id = next(db.query(
        "SELECT v.id FROM visits v JOIN photos p ON p.visit_id = v.id WHERE v.status IN ('submitted', 'released') "
        "GROUP BY v.id HAVING count(p.id) >= 2 ORDER BY v.id LIMIT 1"))["id"]
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
                                  locale="ko-KR")
    page = context.new_page()
    login(page, base, "reviewer")
    page.goto(f"{base}/review/{visit_id}")
    first = page.locator("a.photo-link").first
    first.scroll_into_view_if_needed()
    first.tap()
    viewer = page.locator(".viewer")
    expect(viewer).to_be_visible()
    image = viewer.locator(".viewer-img")
    page.wait_for_function("() => document.querySelector('.viewer-img').naturalWidth > 0")
    natural = image.evaluate("img => img.naturalWidth")
    assert natural > 320  # the full photo, not the 96 px thumbnail (nor the 320 px thumb file)
    assert "/full" in image.get_attribute("src")
    expect(viewer.locator(".viewer-count")).to_have_text(re.compile(r"^1 / \d+$"))
    shot(page, "13-after-photo-viewer")
    viewer.locator(".viewer-next").tap()
    expect(viewer.locator(".viewer-count")).to_have_text(re.compile(r"^2 / \d+$"))
    page.mouse.move(180, 300)
    page.mouse.wheel(0, -300)
    expect(viewer).not_to_have_attribute("data-scale", "1.00")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    context.close()
