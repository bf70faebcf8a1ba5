"""Managers and admins on a 360 px phone: nothing spills off the right edge and
every menu link is on screen (the menu wraps instead of hiding links)."""

import pytest

from tests.browser.conftest import assert_fits_phone, login, shot

pytestmark = pytest.mark.browser


def check_fits(page, url: str) -> None:
    page.goto(url)
    for link in page.locator(".topnav a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, (url, link.inner_text(), box)
    menu = page.locator(".usermenu summary").bounding_box()
    assert menu["x"] + menu["width"] <= 360, (url, menu)
    # wide tables scroll inside their own box; the page itself does not
    overflow = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.table-wrap'))
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert not overflow, (url, overflow)
    assert_fits_phone(page)


def test_manager_pages_fit_a_phone(live_server, phone):
    base = live_server.base_url
    login(phone, base, "manager")
    period = phone.locator("a[href^='/reports/period?']").first.get_attribute("href")
    visit = phone.locator("a[href^='/reports/visits/']").first.get_attribute("href")
    for path in ("/home", "/dashboard", "/actions", "/assignments", visit, period):
        check_fits(phone, base + path)
    shot(phone, "13-manager-period-report-phone")


def test_admin_menu_wraps_on_a_phone(live_server, phone):
    """The admin's long menu (people, stores, checklists, schedules, ...) wraps; no link is off screen."""
    base = live_server.base_url
    login(phone, base, "admin")
    assert phone.locator(".topnav a").count() >= 12
    for path in ("/home", "/admin/audit-log", "/planner/"):
        check_fits(phone, base + path)
