"""Notifications by e-mail: real SMTP (aiosmtpd on loopback), the recipient's
language, the outbox that loses nothing while the server is down, and a real
Huey consumer process that sends it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from fieldapp.notify import workflow as notify
from fieldapp.ops import tasks
from fieldapp.storage import notify as store
from tests.conftest import Auth, make_app


class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content)
        self.messages.append({"to": envelope.rcpt_tos, "msg": msg,
                              "subject": str(make_header(decode_header(msg["Subject"]))),
                              "body": msg.get_payload(decode=True).decode(msg.get_content_charset() or "utf-8")})
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on loopback; ``.stop()`` and ``.start()`` it to play an outage."""
    inbox = Inbox()
    port = free_port()

    class Server:
        messages = inbox.messages

        def start(self):
            self.controller = Controller(inbox, hostname="127.0.0.1", port=port)
            self.controller.start()

        def stop(self):
            self.controller.stop()

    server = Server()
    server.port = port
    server.start()
    yield server
    try:
        server.stop()
    except Exception:
        pass


@pytest.fixture
def mail_app(instance, smtp):
    return make_app(instance, MAIL_HOST="127.0.0.1", MAIL_PORT=smtp.port, MAIL_FROM="cem@sweetring.example",
                    BASE_URL="https://cem.example")


def users(db) -> dict:
    return {r["username"]: r["id"] for r in db.query("SELECT id, username FROM users")}


def set_locale(db, user_id: int, locale: str):
    with db.atomic():
        db.execute("UPDATE users SET locale = ? WHERE id = ?", [locale, user_id])


def submitted_critical_visit(db) -> int:
    """A submitted HU03 visit that failed a critical item (the demo leaves the last days submitted)."""
    import json

    for row in db.query("SELECT v.id, v.score_json FROM visits v JOIN stores s ON s.id = v.store_id "
                        "WHERE s.code = 'HU03' AND v.status = 'submitted' ORDER BY v.id"):
        if json.loads(row["score_json"]).get("critical_failures"):
            return row["id"]
    row = next(db.query("SELECT v.id, v.score_json FROM visits v JOIN stores s ON s.id = v.store_id "
                        "WHERE s.code = 'HU03' AND v.status = 'submitted' ORDER BY v.id"))
    score = json.loads(row["score_json"])
    score["critical_failures"] = score["failed_items"][:1] or ["hot_now_sign"]
    with db.atomic():
        db.execute("UPDATE visits SET score_json = ? WHERE id = ?", [json.dumps(score), row["id"]])
    return row["id"]


def test_approval_mails_each_recipient_in_their_language(mail_app, db, smtp):
    """A reviewer approves a visit with a critical failure through the page; the manager
    (English) and the coordinator (Korean) each get one mail per event, in their
    language, with a link into the app."""
    ids = users(db)
    set_locale(db, ids["manager2"], "en")
    set_locale(db, ids["reviewer"], "ko")
    visit_id = submitted_critical_visit(db)
    client = mail_app.test_client()
    auth = Auth(client)
    auth.login("reviewer")
    r = client.post(f"/review/{visit_id}/decide", data={"decision": "approve", "csrf_token": auth.token()})
    assert r.status_code == 302
    assert smtp.messages == []  # the request only wrote the outbox
    with mail_app.app_context():
        assert tasks.deliver_mail.call_local()["failed"] == 0
    by_to = {}
    for m in smtp.messages:
        by_to.setdefault(m["to"][0], []).append(m)
    manager = by_to["manager2@sweetring.example"]
    subjects = sorted(m["subject"] for m in manager)
    assert any(s.startswith("Critical item failed at 해운대점 Haeundae: ") for s in subjects), subjects
    assert any(s.startswith("New visit report: 해운대점 Haeundae, score ") for s in subjects), subjects
    assert [m["msg"]["Content-Language"] for m in manager] == ["en"] * len(manager), subjects
    for m in manager:  # each links into the app: the report, or the reopened action
        link = f"https://cem.example/reports/visits/{visit_id}" if not m["subject"].startswith("Reopened") \
            else "https://cem.example/actions/"
        assert link in m["body"], m["subject"]
    coordinator = by_to["reviewer@sweetring.example"]
    assert len(coordinator) == 1 and coordinator[0]["msg"]["Content-Language"] == "ko"
    assert coordinator[0]["subject"].startswith("중요 항목 실패: 해운대점 Haeundae")
    assert "열기: https://cem.example/reports/visits/" in coordinator[0]["body"]
    assert "manager@sweetring.example" not in by_to  # another store's manager hears nothing


def test_smtp_down_then_up_delivers_every_message_exactly_once(mail_app, db, smtp):
    """Server stopped: notifications wait in the outbox with back-off; server back: each
    arrives once, and later runs send nothing again."""
    ids = users(db)
    smtp.stop()
    with mail_app.app_context():
        for n in range(3):
            notify.send(db, event="job_finished", recipients=[ids["planner"]],
                        params={"title": f"run {n}", "status": {"ko": "완료", "en": "done"}}, link=f"/planner/jobs/{n}")
        failed = tasks.deliver_mail.call_local()
    assert failed == {"sent": 0, "failed": 3}
    waiting = store.outbox(db)
    assert [m["attempts"] for m in waiting] == [1, 1, 1] and all(m["last_error"] for m in waiting)
    assert all(m["next_attempt_at"] > m["created_at"] for m in waiting)  # backed off
    with mail_app.app_context():
        assert tasks.deliver_mail.call_local() == {"sent": 0, "failed": 0}  # not due yet
    smtp.start()
    store.retry_now(db)  # what the back-off reaches by itself later; the admin's button
    with mail_app.app_context():
        assert tasks.deliver_mail.call_local() == {"sent": 3, "failed": 0}
        assert tasks.deliver_mail.call_local() == {"sent": 0, "failed": 0}
        store.retry_now(db)
        assert tasks.deliver_mail.call_local() == {"sent": 0, "failed": 0}
    assert sorted(m["subject"] for m in smtp.messages) == [f"시뮬레이션 완료: run {n}" for n in range(3)]
    assert len({m["msg"]["Message-ID"] for m in smtp.messages}) == 3
    assert store.outbox_counts(db) == {"waiting": 0, "sent": 3}


def test_no_mail_settings_keeps_notifications_in_the_app(app, db):
    """Without FIELDAPP_MAIL_HOST nothing enters the outbox; the inbox still fills."""
    ids = users(db)
    with app.app_context():
        notify.send(db, event="job_finished", recipients=[ids["planner"]], params={"title": "x", "status": "done"})
    assert store.outbox_counts(db) == {"waiting": 0, "sent": 0}
    assert store.unread_count(db, ids["planner"]) == 1


def test_digest_readers_get_one_summary(mail_app, db, smtp):
    """Digest mode: nothing at once (except urgent events), then one mail listing everything."""
    ids = users(db)
    store.save_settings(db, ids["planner"], email="planner@sweetring.example", mode="digest", muted=set())
    with mail_app.app_context():
        for n in range(2):
            notify.send(db, event="job_finished", recipients=[ids["planner"]],
                        params={"title": f"t{n}", "status": "done"}, link="/planner")
        assert store.outbox_counts(db)["waiting"] == 0
        assert notify.send_digests(db, today="2026-12-01") == 1
        assert notify.send_digests(db, today="2026-12-01") == 0
        tasks.deliver_mail.call_local()
    assert len(smtp.messages) == 1
    body = smtp.messages[0]["body"]
    assert "t0" in body and "t1" in body and "https://cem.example/planner" in body


@pytest.mark.slow
def test_a_real_consumer_process_sends_the_outbox(instance, smtp, tmp_path):
    """``fieldapp worker`` (the Huey consumer, as ``make run`` starts it) picks up the
    delivery a notification enqueues and sends the mail."""
    env = {**os.environ, "FIELDAPP_DATABASE": str(instance / "cem.sqlite3"),
           "FIELDAPP_PHOTO_DIR": str(instance / "photos"), "FIELDAPP_SECRET_KEY": "test",
           "FIELDAPP_HUEY_FILE": str(tmp_path / "huey.sqlite3"), "FIELDAPP_MAIL_HOST": "127.0.0.1",
           "FIELDAPP_MAIL_PORT": str(smtp.port)}
    worker = subprocess.Popen([str(Path(sys.executable).parent / "fieldapp"), "worker", "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        app = make_app(instance, HUEY_IMMEDIATE=False, HUEY_FILE=str(tmp_path / "huey.sqlite3"),
                       MAIL_HOST="127.0.0.1", MAIL_PORT=smtp.port)
        from fieldapp.storage.db import connect

        db = connect(app.config["DATABASE"])
        planner = next(db.query("SELECT id FROM users WHERE username = 'planner'"))["id"]
        with app.app_context():
            notify.send(db, event="job_finished", recipients=[planner], params={"title": "consumer", "status": "done"})
        deadline = time.monotonic() + 60  # waiting for the event, not measuring it
        while not smtp.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert [m["to"] for m in smtp.messages] == [["planner@sweetring.example"]], \
            worker.stdout.read1().decode() if worker.poll() is not None else "no mail"
        assert store.outbox_counts(db) == {"waiting": 0, "sent": 1}
        db.close()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def test_finished_simulation_job_tells_its_planner(app, db):
    """A job that ends (here it fails on an empty payload) lands in its planner's inbox."""
    from fieldapp.planner import jobs
    from fieldapp.storage import planning

    planner = users(db)["planner"]
    job_id = planning.enqueue_job(db, org_id=1, user_id=planner, kind="run", title="#1 토요일", payload={})
    assert jobs.run_pending(app) == 1
    rows = store.inbox(db, planner)
    assert [(r["event"], r["link"], r["params"]["title"]) for r in rows] == \
        [("job_finished", f"/planner/jobs/{job_id}", "#1 토요일")]
    assert rows[0]["params"]["status"]["en"] == "failed"
