"""Real headless Chromium (Debian's, through Playwright) against the app served
on loopback, at a phone's size with touch."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture
def live_server(instance):
    """The app on a free loopback port, in a thread, for one test."""
    app = make_app(instance, JOB_RUNNER=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    playwright_sync = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run `make test`, which installs it")
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page, base_url: str, username: str) -> None:
    from fieldapp.ops.demo import DEMO_PASSWORD_SUFFIX

    page.goto(base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", username + DEMO_PASSWORD_SUFFIX)
    page.click("button[type=submit]")
    page.wait_for_url("**/home")


def assert_fits_phone(page) -> None:
    """No horizontal scroll, and every visible control is at least 44 px tall."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"horizontal scroll: {width}px"
    small = page.evaluate("""() => [...document.querySelectorAll(
        'main button, main .btn, main .pill span, main input:not([type=radio]):not([type=checkbox]):not([type=file]):not(.visually-hidden), main select')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim().slice(0, 30) || e.name, e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert not small, f"tap targets under 44px: {small[:5]}"
