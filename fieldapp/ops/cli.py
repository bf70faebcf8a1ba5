"""The ``fieldapp`` command: setup, demo data and accounts.

Also reachable as ``flask --app fieldapp ...``.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from checklists import ChecklistError, load_checklist
from fieldapp.ops import demo
from fieldapp.storage import checklist_store, stores, users
from fieldapp.storage import db as dbmod


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema.

    Example: fieldapp init-db
    """
    applied = dbmod.migrate(current_app.config["DATABASE"])
    click.echo(f"Database {current_app.config['DATABASE']}: "
               + (f"applied {', '.join(applied)}" if applied else "up to date"))


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when users already exist.")
@click.option("--days", default=60, show_default=True, help="Days of past visits.")
@with_appcontext
def seed_demo_command(if_empty: bool, days: int):
    """Fill the database with the demo doughnut chain.

    Example: fieldapp seed-demo --if-empty
    """
    db = dbmod.get_db()
    if users.count_users(db):
        if if_empty:
            return
        raise click.ClickException("the database already has users; use a fresh instance")
    counts = demo.seed(db, Path(current_app.config["PHOTO_DIR"]), days=days)
    click.echo("Demo data: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@click.command("demo-logins")
def demo_logins_command():
    """Print the demo accounts.

    Example: fieldapp demo-logins
    """
    click.echo("Demo logins (http://127.0.0.1:5000):")
    for username, password, role in demo.demo_logins():
        click.echo(f"  {role:<9} {username:<9} {password}")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(users.ROLES), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default=None, help="Name shown in the app.")
@click.option("--store", "store_codes", multiple=True, help="Store code the user belongs to.")
@click.option("--mystery-shopper", is_flag=True, help="A covert auditor.")
@with_appcontext
def create_user_command(username, role, password, display_name, store_codes, mystery_shopper):
    """Add a user with a hashed password.

    Example: fieldapp create-user kim --role manager --store GN01
    """
    db = dbmod.get_db()
    org_id = stores.first_organisation_id(db) or stores.create_organisation(db, "Default")
    by_code = {s["code"]: s["id"] for s in stores.org_stores(db, org_id)}
    unknown = [c for c in store_codes if c not in by_code]
    if unknown:
        raise click.BadParameter(f"unknown store code(s): {', '.join(unknown)}", param_hint="--store")
    try:
        user_id = users.create_user(db, org_id=org_id, username=username, password=password,
                                    role=role, display_name=display_name,
                                    mystery_shopper=mystery_shopper,
                                    store_ids=tuple(by_code[c] for c in store_codes))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created user {username} (id {user_id}, {role})")


@click.command("import-checklist")
@click.argument("path", type=click.Path(exists=False, dir_okay=False))
@click.option("--skip-unsupported", is_flag=True,
              help="Leave out spreadsheet questions the app cannot ask (listed) instead of refusing.")
@with_appcontext
def import_checklist_command(path, skip_unsupported):
    """Validate a checklist (YAML, or an XLSForm .xlsx/.xls) and publish it as a new version.

    A refused file prints one located line (file:line: path: what, or
    file:sheet:row: column: what) and exits 2; nothing is stored. What a spreadsheet
    left to defaults is listed.

    Example: fieldapp import-checklist my-store-audit.xlsx
    """
    try:
        checklist = load_checklist(path, skip_unsupported=skip_unsupported)
    except ChecklistError as exc:
        click.echo(exc.message, err=True)
        raise SystemExit(2) from None
    for note in checklist.import_notes:
        click.echo(f"note: {note}")
    row_id = checklist_store.save_checklist(dbmod.get_db(), checklist)
    click.echo(f"Checklist {checklist.id} v{checklist.version} stored (row {row_id})")


def _import_planner_file(kind: str, path: str) -> None:
    """Check a door-count or rota file and apply it all or nothing; exit 2 with located lines."""
    import sys

    from fieldapp.planner import imports

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        click.echo(f"{path}: cannot read file ({exc.strerror or type(exc).__name__})", err=True)
        sys.exit(2)
    db = dbmod.get_db()
    org_id = stores.first_organisation_id(db)
    if org_id is None:
        click.echo(f"{Path(path).name}: no organisation yet: run fieldapp seed-demo or import-stores first",
                   err=True)
        sys.exit(2)
    checked = imports.check(db, org_id, kind, path, data)
    if not checked.ok:
        for line in checked.lines():
            click.echo(line, err=True)
        sys.exit(2)
    tally = imports.apply(db, checked, actor_id=None)
    click.echo(f"{checked.filename}: {len(checked.rows)} rows; {tally['new']} new, {tally['changed']} changed, "
               f"{tally['same']} unchanged")


@click.command("import-traffic")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def import_traffic_command(path):
    """Import door counts per 15 minutes (CSV or XLSX: store, day, slot_start, count).

    Example: fieldapp import-traffic examples/traffic.csv
    """
    _import_planner_file("traffic", path)


@click.command("import-rota")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def import_rota_command(path):
    """Import the rota (CSV or XLSX: store, hour, servers; optional weekday, station).

    Example: fieldapp import-rota examples/rota.csv
    """
    _import_planner_file("rota", path)


COMMANDS = (init_db_command, seed_demo_command, demo_logins_command, create_user_command,
            import_checklist_command)
COMMANDS += (__import__("fieldapp.ops.backup", fromlist=["_"]).backup_command, __import__("fieldapp.ops.backup", fromlist=["_"]).restore_command)
COMMANDS += (import_traffic_command, import_rota_command)
COMMANDS += (__import__("fieldapp.voice.commands", fromlist=["_"]).voice_erase_command,)
COMMANDS += (__import__("fieldapp.admin.commands", fromlist=["_"]).import_stores_command,
             __import__("fieldapp.admin.commands", fromlist=["_"]).import_users_command,
             __import__("fieldapp.schedules.commands", fromlist=["_"]).run_schedules_command)
COMMANDS += (__import__("fieldapp.ops.worker", fromlist=["_"]).worker_command,)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    from fieldapp import create_app

    FlaskGroup(create_app=create_app)()
