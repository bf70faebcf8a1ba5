"""``fieldapp import-stores`` and ``fieldapp import-users``: the bulk import from a shell."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import with_appcontext

from fieldapp.admin import imports
from fieldapp.storage import db as dbmod
from fieldapp.storage import stores


def _org(db) -> int:
    return stores.first_organisation_id(db) or stores.create_organisation(db, "Default")


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None


def _refused(exc: imports.ImportRefused) -> None:
    for line in exc.lines():
        click.echo(line, err=True)
    if len(exc.problems) > imports.MAX_ERRORS:
        click.echo(f"... and {len(exc.problems) - imports.MAX_ERRORS} more", err=True)
    click.echo("Nothing was imported.", err=True)
    raise SystemExit(2)


@click.command("import-stores")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def import_stores_command(path):
    """Add or update stores from a CSV or XLSX file (upsert by code), all or nothing.

    Columns: code, name, region, chain, store_type, address, latitude, longitude,
    opening_hours. A bad file exits 2 with one line per problem.

    Example: fieldapp import-stores examples/stores.csv
    """
    db = dbmod.get_db()
    try:
        plan = imports.import_stores(db, _org(db), os.path.basename(path), _read(path))
    except imports.ImportRefused as exc:
        _refused(exc)
    click.echo(f"Stores: {plan.summary()}")


@click.command("import-users")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--passwords-out", type=click.Path(dir_okay=False),
              help="Write new users' temporary passwords to this CSV file instead of the screen.")
@with_appcontext
def import_users_command(path, passwords_out):
    """Add or update users from a CSV or XLSX file (upsert by username), all or nothing.

    Columns: username, display_name, role, language, mystery_shopper, region,
    stores, active. New users get a temporary password, shown once, to change
    at first login.

    Example: fieldapp import-users examples/users.csv --passwords-out first-logins.csv
    """
    db = dbmod.get_db()
    try:
        plan = imports.import_users(db, _org(db), os.path.basename(path), _read(path))
    except imports.ImportRefused as exc:
        _refused(exc)
    click.echo(f"Users: {plan.summary()}")
    if plan.passwords and passwords_out:
        fd = os.open(passwords_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(imports.passwords_csv(plan.passwords))
        click.echo(f"Temporary passwords of {len(plan.passwords)} new users: {passwords_out}")
    elif plan.passwords:
        click.echo("Temporary passwords (shown once; each must be changed at first login):")
        for username, password in plan.passwords:
            click.echo(f"  {username:<20} {password}")
