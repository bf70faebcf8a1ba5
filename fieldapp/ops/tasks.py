"""Background and periodic work on Huey, stored in SQLite (``instance/huey.sqlite3``).

Huey needs no extra server: its queue and schedule live in one SQLite file
next to the app's database. ``fieldapp worker`` runs the consumer (``make
run`` starts it beside the web server); every task opens its own connection
to the app's database and works through the same workflow functions as the
pages. Times of the periodic tasks are UTC (Huey's default): 23:00 UTC is
08:00 in Seoul.

Tasks:
- ``deliver_mail``: sends the mail outbox (every minute, and a second after
  anything is queued), retrying failures with back-off;
- ``action_reminders``: due-tomorrow and overdue notices (hourly, each once);
- ``daily_digests``: one summary mail for digest readers (08:00 KST);
- ``rolling_horizon``: the schedules' assignments ahead (``fieldapp.schedules``);
- ``customer_voice_retention``: the customer-voice eraser (``fieldapp.voice.workflow.erase_expired_contacts``).

Simulation jobs stay on their own runner (``fieldapp.planner.jobs``): see the README.
"""

from __future__ import annotations

import logging
import os
from datetime import date, timedelta

from flask import Flask, current_app, has_app_context
from huey import SqliteHuey, crontab

log = logging.getLogger(__name__)

# In memory until ``init_app`` points it at the instance folder (imports never create files).
huey = SqliteHuey("fieldapp", immediate=True, immediate_use_memory=True, utc=True)
_bound: list[Flask] = []


def init_app(app: Flask) -> None:
    """Use ``HUEY_FILE`` (default ``instance/huey.sqlite3``); ``HUEY_IMMEDIATE`` runs tasks inline.

    Immediate mode is for unit tests only: the test config turns it on unless a
    test asks for the real queue (``HUEY_IMMEDIATE=False``).
    """
    path = app.config.get("HUEY_FILE") or os.path.join(app.instance_path, "huey.sqlite3")
    immediate = bool(app.config.get("HUEY_IMMEDIATE", app.config.get("TESTING", False)))
    huey.storage_kwargs["filename"] = path
    huey.immediate = immediate
    if not immediate:
        huey.storage = huey.create_storage()
    _bound[:] = [app]


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()
    if not _bound:
        from fieldapp import create_app

        create_app()
    return _bound[0]


def _run(work):
    """Run ``work(db, app)`` in an app context with a connection of its own."""
    from fieldapp.storage.db import connect

    app = _app()
    with app.app_context():
        db = connect(app.config["DATABASE"])
        try:
            return work(db, app)
        finally:
            db.close()


@huey.task(retries=0)
def deliver_mail() -> dict:
    from fieldapp.notify import mailer

    return _run(lambda db, app: mailer.deliver_due(db, app.config))


@huey.periodic_task(crontab(minute="*"))
def deliver_mail_periodically() -> dict:
    return deliver_mail.call_local()


@huey.periodic_task(crontab(minute="5"))
def action_reminders() -> dict:
    from fieldapp.actions import reminders

    return _run(lambda db, app: reminders.remind(db, today=_today()))


@huey.periodic_task(crontab(hour="23", minute="0"))
def daily_digests() -> int:
    from fieldapp.notify import workflow

    return _run(lambda db, app: workflow.send_digests(db, today=_today()))


@huey.periodic_task(crontab(hour="18", minute="30"))
def rolling_horizon():
    """The schedules' rolling horizon (issue 15): ``fieldapp.schedules.planning.run_all``."""
    try:
        from fieldapp.schedules.planning import run_all
    except ImportError:
        log.info("no schedules module: rolling horizon skipped")
        return None
    return _run(lambda db, app: {k: str(v) for k, v in run_all(db, date.fromisoformat(_today())).items()})


@huey.periodic_task(crontab(hour="19", minute="0"))
def customer_voice_retention():
    """The customer-voice retention eraser (issue 17), called when that feature provides it.

    Calls ``fieldapp.voice.workflow.erase_expired_contacts(db, now)``; absent, nothing runs.
    """
    try:
        from fieldapp.voice.workflow import erase_expired_contacts
    except ImportError:
        log.info("no customer-voice retention eraser: skipped")
        return None
    return _run(lambda db, app: erase_expired_contacts(db))


def _today() -> str:
    from fieldapp.web.timefmt import today_local

    return today_local()


def tomorrow(today: str) -> str:
    return (date.fromisoformat(today) + timedelta(days=1)).isoformat()


def run_consumer(app: Flask, workers: int = 2) -> None:
    """Run the Huey consumer (threads) until interrupted: ``fieldapp worker``."""
    init_app(app)
    huey.immediate = False
    huey.storage = huey.create_storage()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                    check_worker_health=True, initial_delay=0.2, max_delay=2.0)
    consumer.run()
