"""The closed loop in Chromium at 360x640: a reviewer approves a visit with a critical
failure; the store's manager sees the bell count and gets the e-mail (a real SMTP
server on loopback), opens its link, assigns an action to store staff, who mark it
done with a photo; the next visit fails the item again and the action reopens."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta

import pytest
from werkzeug.serving import make_server

from fieldapp.notify import mailer
from fieldapp.storage import visits
from fieldapp.storage.db import connect
from tests.audit_helpers import jpeg_bytes
from tests.browser.conftest import PHONE, assert_fits_phone, login, shot
from tests.conftest import make_app
from tests.test_notify_mail import smtp, submitted_critical_visit  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_server(instance, smtp):  # noqa: F811
    """The app on loopback with mail going to the test's SMTP server."""
    app = make_app(instance, MAIL_HOST="127.0.0.1", MAIL_PORT=smtp.port, MAIL_FROM="cem@sweetring.example")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = app.base_url
    yield app
    server.shutdown()


def deliver(app) -> None:
    """What the task queue's worker does every minute (tests/test_notify_mail.py runs the real one)."""
    db = connect(app.config["DATABASE"])
    try:
        mailer.deliver_due(db, app.config)
    finally:
        db.close()


def approve(page, base, visit_id: int) -> None:
    page.goto(f"{base}/review/{visit_id}")
    page.click("button[name=decision][value=approve]")
    page.wait_for_url("**/home")


def next_visit_failing_again(app, first_id: int, after: str) -> int:
    """The store's next visit, answered like the first (the item fails again), submitted."""
    db = connect(app.config["DATABASE"])
    try:
        first = visits.get_visit(db, first_id)
        started = (datetime.fromisoformat(after) + timedelta(minutes=5)).isoformat(timespec="seconds")
        new_id = visits.create_visit(db, checklist_row_id=first["checklist_row_id"], store_id=first["store_id"],
                                     auditor_id=first["auditor_id"], covert=True, started_at=started)
        for key, value in visits.answer_values(db, first_id).items():
            visits.save_answer(db, visit_id=new_id, item_key=key, value=value, user_id=first["auditor_id"])
        score = json.loads(first["score_json"])
        with db.atomic():
            visits.transition(db, visit_id=new_id, to_status="submitted", actor_id=first["auditor_id"],
                              fields={"score": first["score"], "passed": first["passed"],
                                      "score_json": json.dumps(score)})
        return new_id
    finally:
        db.close()


def test_critical_failure_to_action_done_and_reopened(mail_server, browser, smtp, tmp_path):  # noqa: F811
    app, base = mail_server, mail_server.base_url
    db = connect(app.config["DATABASE"])
    visit_id = submitted_critical_visit(db)
    critical = json.loads(visits.get_visit(db, visit_id)["score_json"])["critical_failures"][0]
    with db.atomic():
        db.execute("UPDATE users SET locale = 'en' WHERE username = 'manager2'")
    db.close()
    contexts = {name: browser.new_context(**PHONE, locale="ko-KR") for name in ("reviewer", "manager2", "crew")}
    pages = {name: ctx.new_page() for name, ctx in contexts.items()}
    for name, page in pages.items():
        page.set_default_timeout(15000)
        login(page, base, name)
    try:
        # 1. the reviewer approves the visit with a critical failure
        approve(pages["reviewer"], base, visit_id)
        deliver(app)
        # 2. the manager: the bell counts, the mail arrived in English with the link
        manager = pages["manager2"]
        manager.goto(base + "/home")
        count = int(manager.locator(".bell-count").inner_text())
        assert count >= 2  # released + critical failure
        mails = [m for m in smtp.messages if m["to"] == ["manager2@sweetring.example"]]
        critical_mail = next(m for m in mails if m["subject"].startswith("Critical item failed at"))
        link = re.search(r"Open: (\S+)", critical_mail["body"]).group(1)
        assert link == f"{base}/reports/visits/{visit_id}"
        shot(manager, "16-manager-bell")
        # 3. from the mail to the report, then an action assigned to store staff
        manager.goto(link)
        manager.locator(f"a[href='/visits/{visit_id}/actions/new?item={critical}']").click()
        crew_id = manager.locator("#owner_id option", has_text="Crew Han").get_attribute("value")
        manager.select_option("#owner_id", crew_id)
        manager.select_option("#priority", "high")
        manager.fill("#due_date", (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%d"))
        manager.fill("#note", "Gloves at the counter, every shift")
        assert_fits_phone(manager)
        manager.click("button[type=submit].primary")
        manager.wait_for_url(re.compile(r"/actions/\d+$"))
        action_id = int(manager.url.rsplit("/", 1)[1])
        assert "Crew Han" in manager.locator(".action-owner").inner_text()
        # 4. store staff: the bell, their action on the home page, done with a photo
        crew = pages["crew"]
        crew.goto(base + "/home")
        assert int(crew.locator(".bell-count").inner_text()) >= 1
        crew.locator(f"#my-actions a[href='/actions/{action_id}']").click()
        photo = tmp_path / "fixed.jpg"
        photo.write_bytes(jpeg_bytes())
        crew.set_input_files("#done-photo", str(photo))
        crew.click("#mark-done")
        crew.wait_for_url(f"**/actions/{action_id}")
        assert crew.locator(".badge.status-done").count() == 1
        assert crew.locator("img.evidence").count() >= 1
        assert_fits_phone(crew)
        shot(crew, "16-staff-action-done")
        # 5. the next visit fails the item again: approving it reopens the action
        db = connect(app.config["DATABASE"])
        done_at = db.execute("SELECT done_at FROM actions WHERE id = ?", [action_id]).fetchone()[0]
        db.close()
        again = next_visit_failing_again(app, visit_id, done_at)
        approve(pages["reviewer"], base, again)
        manager.goto(f"{base}/actions/{action_id}")
        assert manager.locator(".badge.status-open").count() == 1
        assert manager.locator(".thread-reopened").count() == 1
        assert "failed this item again" in manager.locator(".thread-reopened").inner_text()
        shot(manager, "16-action-reopened")
        deliver(app)
        assert any(m["subject"].startswith("Reopened:") for m in smtp.messages
                   if m["to"] == ["manager2@sweetring.example"])
    finally:
        for ctx in contexts.values():
            ctx.close()



def test_inbox_settings_and_actions_fit_a_phone(live_server, phone):
    """The inbox, its settings, the action list with filters and an action fit 360 px."""
    base = live_server.base_url
    login(phone, base, "manager2")
    for path in ("/inbox", "/settings/notifications", "/actions"):
        phone.goto(base + path)
        assert_fits_phone(phone)
    phone.goto(base + "/actions")
    phone.locator("#action-list a.rowlink").first.click()
    assert_fits_phone(phone)
    shot(phone, "16-action-phone")
    phone.goto(base + "/settings/notifications")
    shot(phone, "16-notification-settings")
