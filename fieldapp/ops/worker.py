"""``fieldapp worker``: the Huey consumer for background and periodic work."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@with_appcontext
def worker_command(workers: int):
    """Run the task queue (mail outbox, reminders, digests, schedules) until stopped.

    ``make run`` starts it beside the web server; in production run one next to gunicorn.

    Example: fieldapp worker
    """
    from fieldapp.ops import tasks

    app = current_app._get_current_object()
    app.config["HUEY_IMMEDIATE"] = False
    click.echo(f"Task queue on {app.config.get('HUEY_FILE') or app.instance_path + '/huey.sqlite3'}")
    tasks.run_consumer(app, workers=workers)
