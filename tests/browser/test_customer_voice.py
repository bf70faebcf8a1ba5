"""A customer scans nothing but opens Haeundae's public survey link on a 360 px
phone, answers stage by stage (skip logic shows and hides questions), and the
answer appears on the store manager's dashboard."""

import pytest

from fieldapp.storage.db import connect
from tests.browser.conftest import CHROMIUM_ARGS, PHONE, assert_fits_phone, login, shot  # noqa: F401

pytestmark = pytest.mark.browser

COMMENT = "화장실 휴지가 없었어요 (브라우저 테스트)"


def store_link(app) -> str:
    db = connect(app.config["DATABASE"])
    try:
        return next(db.query("SELECT l.token FROM voice_links l JOIN stores s ON s.id = l.store_id "
                             "WHERE s.code = 'HU03' AND l.kind = 'store'"))["token"]
    finally:
        db.close()


def pick(page, item: str, value: str) -> None:
    page.click(f"#q-{item} label:has(input[value='{value}'])")


def next_stage(page) -> None:
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_customer_answers_on_a_phone_and_the_manager_sees_it(live_server, browser, phone):
    base, token = live_server.base_url, store_link(live_server)
    phone.goto(f"{base}/v/{token}")
    assert phone.locator("h1.v-title").inner_text() == "오늘 방문은 어떠셨나요?"
    scripts = phone.eval_on_selector_all("script", "els => els.map(e => e.src.split('/').pop())")
    assert sorted(scripts) == ["relevance.js", "voice.js"]        # light: no framework, no htmx
    assert_fits_phone(phone)
    shot(phone, "40-customer-voice-start")
    pick(phone, "wait_rating", "4")
    pick(phone, "welcome_rating", "5")
    next_stage(phone)

    assert not phone.locator("#q-line_rating").is_visible()        # hidden until the customer saw the line
    pick(phone, "saw_line", "yes")
    assert phone.locator("#q-line_rating").is_visible()            # shown at once (static/relevance.js)
    pick(phone, "line_rating", "5")
    pick(phone, "saw_line", "no")
    assert not phone.locator("#q-line_rating").is_visible()        # and hidden again
    pick(phone, "saw_line", "yes")
    next_stage(phone)

    pick(phone, "clean_rating", "2")
    next_stage(phone)
    pick(phone, "got_sample", "no")
    assert not phone.locator("#q-sample_rating").is_visible()
    next_stage(phone)
    assert "/4" in phone.url
    pick(phone, "staff_rating", "3")
    next_stage(phone)

    pick(phone, "overall_rating", "2")
    pick(phone, "recommend", "3")
    assert_fits_phone(phone)                                     # eleven score buttons fit 360 px
    phone.fill("#q-improve textarea", COMMENT)                   # a detractor is asked why, at once
    shot(phone, "41-customer-voice-detractor")
    next_stage(phone)

    assert phone.url.endswith("/finish")
    assert_fits_phone(phone)
    shot(phone, "42-customer-voice-consent")
    next_stage(phone)
    assert phone.url.endswith("/thanks")
    shot(phone, "42-customer-voice-thanks-page")

    manager = browser.new_context(**PHONE, locale="ko-KR").new_page()
    login(manager, base, "manager2")
    manager.goto(base + "/dashboard")
    manager.locator("#customer-voice #voice-stages").wait_for()  # swapped in after the page shows
    section = manager.locator("#customer-voice")
    assert COMMENT in section.inner_text()
    shot(manager, "43-manager-dashboard-customer-voice")
    manager.context.close()


def test_english_switch_on_the_survey(live_server, phone):
    base, token = live_server.base_url, store_link(live_server)
    phone.goto(f"{base}/v/{token}/0")
    phone.click("a[lang=en]")
    assert phone.locator("h1.v-title").inner_text() == "How was your visit today?"
    phone.goto(f"{base}/v/{token}/1")                            # the choice sticks (cookie)
    assert "Did you see doughnuts being made?" in phone.content()
