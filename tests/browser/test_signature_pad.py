"""A signature drawn with a finger on the phone is stored as an image through the photo path."""

import pytest
from playwright.sync_api import expect

from fieldapp.storage.db import connect
from tests.browser.conftest import PHONE, login, shot
from tests.skip_helpers import shopper_visit

pytestmark = pytest.mark.browser


def test_a_drawn_signature_is_uploaded_and_shown(live_server, browser):
    db = connect(live_server.config["DATABASE"])
    visit_id = shopper_visit(db)
    context = browser.new_context(**PHONE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server.base_url, "shopper")
    page.goto(f"{live_server.base_url}/visits/{visit_id}/stage/0")
    canvas = page.locator("#item-signed canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()
    page.locator("#item-signed .sig-save").tap()
    expect(page.locator("#item-signed figure.thumb img")).to_have_count(1)
    assert db.execute("SELECT count(*) FROM photos WHERE visit_id = ? AND item_key = 'signed'",
                      [visit_id]).fetchone()[0] == 1
    # (the photo's round delete button is 32 px by the photo design: only the width is checked)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "14-signature")
    context.close()
