"""Logout on a shared phone: the outbox and cached pages of this user are gone, after a
warning when saves never reached the server."""

import re

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

COUNT_OUTBOX = """() => new Promise(resolve => {
  const req = indexedDB.open("cem-outbox", 1);
  req.onupgradeneeded = () => req.result.createObjectStore("saves", { keyPath: "client_id" });
  req.onsuccess = () => { const t = req.result.transaction("saves", "readonly").objectStore("saves").count();
                          t.onsuccess = () => { req.result.close(); resolve(t.result); }; };
  req.onerror = () => resolve(-1);
})"""


def test_logout_warns_about_unsent_saves_then_clears_outbox_and_pages(live_server, browser):
    base = live_server.base_url
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True,
                                  has_touch=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, base, "shopper")
    with page.expect_navigation():
        page.locator("form.start-form button").first.tap()
    page.wait_for_url(re.compile(r".*/visits/\d+/stage/0$"))
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_function("() => caches.keys().then(n => n.includes('cem-pages-v1'))")
    # a save kept on the phone that has not reached the server
    page.evaluate("""() => { const fd = new FormData(); fd.append("client_id", "unsent-1");
                             fd.append("value", "yes"); return Outbox.keep("/nowhere", fd, "x", "answer"); }""")
    assert page.evaluate(COUNT_OUTBOX) == 1
    messages = []
    page.on("dialog", lambda d: (messages.append(d.message), d.accept()))
    page.locator("details.usermenu summary, .usermenu summary").first.tap()
    with page.expect_navigation():
        page.locator("form.logout-form button").tap()
    page.wait_for_url("**/login")
    assert messages and "1" in messages[0]
    shot(page, "logout-cleared")
    assert page.evaluate(COUNT_OUTBOX) == 0
    assert not page.evaluate("() => caches.keys().then(n => n.filter(x => x.startsWith('cem-pages')))")
    context.close()
