"""``fieldapp run-schedules``: plan every active schedule's visits up to its horizon."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from fieldapp.schedules import planning
from fieldapp.storage import db as dbmod


@click.command("run-schedules")
@click.option("--today", default=None, help="Plan as if today were this date (YYYY-MM-DD).")
@with_appcontext
def run_schedules_command(today):
    """Create the assignments of every active schedule up to its horizon (safe to repeat).

    Example: fieldapp run-schedules
    """
    from fieldapp.web.timefmt import today_local

    try:
        day = date.fromisoformat(today or today_local())
    except ValueError:
        raise click.BadParameter("not a date (YYYY-MM-DD)", param_hint="--today") from None
    results = planning.run_all(dbmod.get_db(), day)
    for schedule_id, r in results.items():
        click.echo(f"schedule {schedule_id}: {r.slots} visits planned, {r.assigned} assigned, "
                   f"{r.left_open} on the job board")
    click.echo(f"{len(results)} active schedule(s) run")
