"""``fieldapp voice-erase``: erase customers' contact details whose retention ended."""

from __future__ import annotations

from datetime import datetime, timezone

import click
from flask.cli import with_appcontext

from fieldapp.storage import db as dbmod
from fieldapp.voice import workflow


@click.command("voice-erase")
@click.option("--now", "when", default=None, help="Pretend it is this UTC time (ISO 8601), for checks.")
@with_appcontext
def voice_erase_command(when: str | None):
    """Erase customers' contact details kept past their retention period.

    The scheduled jobs run this daily; run it by hand after lowering a retention.

    Example: fieldapp voice-erase
    """
    try:
        moment = datetime.fromisoformat(when) if when else datetime.now(timezone.utc)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2026-12-01T00:00:00+00:00", param_hint="--now") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    n = workflow.erase_expired_contacts(dbmod.get_db(), moment)
    click.echo(f"Erased contact details of {n} customer answer(s).")
