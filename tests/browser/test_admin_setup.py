"""Issue 15, done-when, in real Chromium at phone size: from an empty installation an admin
imports 20 stores (after fixing a bad file from its located errors) and 30 people, creates
a weekly covert schedule for Busan; a Busan shopper logs in with the temporary password,
must change it, sees the scheduled visits and takes one; the Busan store's manager sees
nothing of the covert schedule."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import assert_fits_phone, shot
from tests.conftest import make_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BUSAN = "부산 Busan"


@pytest.fixture
def fresh_server(tmp_path):
    """An installation as a fresh clone has it: one admin (``fieldapp create-user``), one checklist."""
    from checklists import load_checklist
    from fieldapp.storage import checklist_store, stores, users
    from fieldapp.storage.db import connect, migrate

    instance = tmp_path / "instance"
    instance.mkdir()
    migrate(str(instance / "cem.sqlite3"))
    db = connect(str(instance / "cem.sqlite3"))
    org = stores.create_organisation(db, "Sweet Ring")
    users.create_user(db, org_id=org, username="boss", password="boss-password-1", role="admin",
                      display_name="Boss", locale="en")
    library = Path(__file__).resolve().parents[2] / "checklists" / "library"
    checklist_store.save_checklist(db, load_checklist(library / "doughnut_mystery_shop.yaml"))
    db.close()
    app = make_app(instance)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app, tmp_path
    server.shutdown()


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def change_password(page, old: str, new: str) -> None:
    page.wait_for_url("**/account/password")
    assert page.locator("#must-change").is_visible()
    page.fill("#current", old)
    page.fill("#new", new)
    page.fill("#again", new)
    page.click("main button[type=submit]")
    page.wait_for_url("**/home")


def upload(page, base: str, kind: str, path: Path) -> None:
    page.goto(f"{base}/admin/import?kind={kind}")
    page.set_input_files("#file", str(path))
    page.click("#preview-import")


def test_admin_sets_up_a_chain_and_a_shopper_takes_a_covert_visit(fresh_server, browser):
    from tests.browser.conftest import PHONE

    app, tmp = fresh_server
    base = app.base_url
    admin = browser.new_context(**PHONE, locale="en-US").new_page()
    admin.set_default_timeout(15000)
    log_in(admin, base, "boss", "boss-password-1")
    admin.wait_for_url("**/home")

    # a bad stores file: every problem located, nothing imported
    lines = (EXAMPLES / "stores.csv").read_text(encoding="utf-8").splitlines()
    broken = list(lines)
    cells = broken[14].split(",")
    broken[14] = ",".join(cells[:2] + [""] + cells[3:])      # row 15: region empty
    cells = broken[5].split(",")
    broken[5] = ",".join(cells[:-1] + ["8 to 10"])           # row 6: opening hours
    bad = tmp / "stores.csv"
    bad.write_text("\n".join(broken) + "\n", encoding="utf-8")
    upload(admin, base, "stores", bad)
    problems = admin.locator("#import-problems li").all_inner_texts()
    assert "stores.csv:6: opening_hours: not like 09:00-22:00" in problems
    assert "stores.csv:15: region: empty" in problems and len(problems) == 2
    assert admin.locator("#apply-import").count() == 0
    assert_fits_phone(admin)
    shot(admin, "admin-setup-import-errors")

    # the fixed file: preview, then apply
    upload(admin, base, "stores", EXAMPLES / "stores.csv")
    assert admin.locator("#import-preview tr.change-create").count() == 20
    admin.click("#apply-import")
    admin.wait_for_url("**/admin/stores")
    assert admin.locator("#stores li").count() == 20

    upload(admin, base, "users", EXAMPLES / "users.xlsx")
    assert admin.locator("#import-preview tr.change-create").count() == 30
    admin.click("#apply-import")
    passwords = dict(row.split("\t") for row in admin.locator("#temp-passwords tbody tr").all_inner_texts())
    assert len(passwords) == 30
    shot(admin, "admin-setup-passwords")

    for path in ("/admin/users", "/admin/users/2", "/admin/stores/1", "/admin/settings", "/admin/audit-log",
                 "/account/password", "/schedules"):
        admin.goto(base + path)
        assert_fits_phone(admin)
    shot(admin, "admin-setup-schedule-form")

    # a weekly covert schedule for Busan, visits taken from the job board
    admin.goto(base + "/schedules")
    admin.fill("#name", "Busan weekly mystery shop")
    admin.select_option("#checklist_row_id", index=1)
    admin.check("input[name=store_mode][value=region]")
    admin.select_option("#region", BUSAN)
    admin.check("input[name=frequency][value=weekly]")
    assert admin.locator("input[name=covert]").is_checked()
    admin.check("input[name=assign_mode][value=board]")
    admin.click("#schedule-form button[type=submit]")
    admin.wait_for_url(re.compile(r".*/schedules/\d+$"))
    planned = admin.locator("#slots li").count()
    assert planned >= 5  # five Busan stores, this week and the weeks ahead
    assert_fits_phone(admin)
    shot(admin, "admin-setup-schedule")
    admin.context.close()

    # a Busan mystery shopper: temporary password, forced change, job board, claim
    shopper = browser.new_context(**PHONE, locale="ko-KR").new_page()
    shopper.set_default_timeout(15000)
    log_in(shopper, base, "shopper04", passwords["shopper04"])
    change_password(shopper, passwords["shopper04"], "shopper04-own-pass")
    shopper.goto(base + "/jobs")
    jobs = shopper.locator("#job-board li.job")
    assert jobs.count() == planned
    first_store = jobs.first.locator(".row-main").inner_text()
    assert_fits_phone(shopper)
    shot(shopper, "admin-setup-job-board")
    jobs.first.locator("button").click()
    shopper.wait_for_url("**/home")
    mine = shopper.locator("#assignments li").all_inner_texts()
    assert len(mine) == 1 and first_store.split(" · ")[0] in mine[0]
    shopper.goto(base + "/jobs")
    assert shopper.locator("#job-board li.job").count() == planned - 1
    shopper.context.close()

    # the Busan store's manager: nothing of the covert schedule
    manager = browser.new_context(**PHONE, locale="ko-KR").new_page()
    manager.set_default_timeout(15000)
    log_in(manager, base, "mgr04", passwords["mgr04"])
    change_password(manager, passwords["mgr04"], "mgr04-own-password")
    for path in ("/home", "/assignments"):
        manager.goto(base + path)
        text = manager.locator("main").inner_text()
        assert "Busan weekly mystery shop" not in text and "류현우" not in text
    assert manager.locator("main li.row").count() == 0  # no open assignment shown at all
    for path in ("/schedules", "/jobs"):
        response = manager.goto(base + path)
        assert response.status in (403, 404)
    manager.context.close()
