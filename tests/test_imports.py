"""Bulk import of stores and users (issue 15): every located problem, all or nothing,
idempotent upsert, CSV and XLSX alike, temporary passwords shown once and stored hashed."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook

from fieldapp.admin import imports
from fieldapp.ops.cli import COMMANDS
from fieldapp.storage import stores
from fieldapp.storage.db import connect, migrate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STORE_HEAD = "code,name,region,chain,store_type,address,latitude,longitude,opening_hours\n"
GOOD_STORE = "AA01,Alpha,서울 Seoul,Sweet Ring,standard,addr,37.5,127.0,09:00-22:00\n"
USER_HEAD = "username,display_name,role,language,mystery_shopper,region,stores,active\n"


@pytest.fixture
def empty(tmp_path):
    """A fresh database with one organisation and no stores or users."""
    migrate(str(tmp_path / "cem.sqlite3"))
    db = connect(str(tmp_path / "cem.sqlite3"))
    org = stores.create_organisation(db, "Chain")
    yield db, org
    db.close()


def dump(db) -> list:
    """Every row of the tables an import may touch, to prove "nothing changed"."""
    return [list(db.execute(f"SELECT * FROM {t} ORDER BY 1")) for t in
            ("stores", "users", "memberships", "audit_log")]


STORE_CASES = [
    (STORE_HEAD + "AA01,Alpha,,Sweet Ring,,,,,\n", "stores.csv:2: region: empty"),
    (STORE_HEAD + ",Alpha,Seoul,Sweet Ring,,,,,\n", "stores.csv:2: code: empty"),
    (STORE_HEAD + "AA01,,Seoul,Sweet Ring,,,,,\n", "stores.csv:2: name: empty"),
    (STORE_HEAD + "AA01,Alpha,Seoul,,,,,,\n", "stores.csv:2: chain: empty"),
    (STORE_HEAD + GOOD_STORE + "AA01,Beta,Seoul,Sweet Ring,,,,,\n", "stores.csv:3: code: repeated (first on row 2)"),
    (STORE_HEAD + "AA01,Alpha,Seoul,Sweet Ring,,,north,127,\n", "stores.csv:2: latitude: not a number"),
    (STORE_HEAD + "AA01,Alpha,Seoul,Sweet Ring,,,95,127,\n", "stores.csv:2: latitude: not between -90 and 90"),
    (STORE_HEAD + "AA01,Alpha,Seoul,Sweet Ring,,,37,190,\n", "stores.csv:2: longitude: not between -180 and 180"),
    (STORE_HEAD + "AA01,Alpha,Seoul,Sweet Ring,,,37.5,,\n",
     "stores.csv:2: longitude: give both latitude and longitude, or neither"),
    (STORE_HEAD + "AA01,Alpha,Seoul,Sweet Ring,,,,,9-22\n", "stores.csv:2: opening_hours: not like 09:00-22:00"),
    (STORE_HEAD + "AA01,Alpha,Seoul,Sweet Ring,,,,,25:00-26:00\n",
     "stores.csv:2: opening_hours: not like 09:00-22:00"),
    (STORE_HEAD + "A" * 21 + ",Alpha,Seoul,Sweet Ring,,,,,\n", "stores.csv:2: code: longer than 20 characters"),
    ("code,name,chain\nAA01,Alpha,Sweet Ring\n", "stores.csv:1: region: missing column"),
    (STORE_HEAD.strip() + ",colour\n" + GOOD_STORE.strip() + ",red\n", "stores.csv:1: colour: unknown column"),
    (STORE_HEAD, "stores.csv:2: file: no rows under the header"),
    ("", "stores.csv:1: file: no rows under the header"),
]


@pytest.mark.parametrize("text,line", STORE_CASES, ids=[c[1].split(": ", 1)[1] for c in STORE_CASES])
def test_every_store_problem_is_one_located_line_and_nothing_changes(empty, text, line):
    db, org = empty
    imports.import_stores(db, org, "stores.csv", (STORE_HEAD + "ZZ01,Kept,Busan,Sweet Ring,,,,,\n").encode())
    before = dump(db)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_stores(db, org, "stores.csv", text.encode())
    assert refused.value.lines() == [line]
    assert dump(db) == before


def _users_file(*rows: str) -> bytes:
    return (USER_HEAD + "".join(r + "\n" for r in rows)).encode()


USER_CASES = [
    ("kim,Kim,,ko,no,,,yes", "users.csv:2: role: empty"),
    (",Kim,auditor,ko,no,,,yes", "users.csv:2: username: empty"),
    ("kim lee,Kim,auditor,ko,no,,,yes", "users.csv:2: username: only letters, digits, dot, dash and underscore"),
    ("kim,Kim,boss,ko,no,,,yes", "users.csv:2: role: not one of admin, manager, reviewer, auditor, planner"),
    ("kim,Kim,auditor,jp,no,,,yes", "users.csv:2: language: not ko or en"),
    ("kim,Kim,auditor,ko,maybe,,,yes", "users.csv:2: mystery_shopper: not yes or no"),
    ("kim,Kim,auditor,ko,no,,,perhaps", "users.csv:2: active: not yes or no"),
    ("kim,Kim,manager,ko,yes,,,yes", "users.csv:2: mystery_shopper: only an auditor can be a mystery shopper"),
    ("kim,Kim,manager,ko,no,,AA01 QQ99,yes", "users.csv:2: stores: unknown store code QQ99"),
    ("kim,Kim,auditor,ko,no,,,yes\nKIM,Kim2,auditor,ko,no,,,yes", "users.csv:3: username: repeated (first on row 2)"),
]


@pytest.mark.parametrize("row,line", USER_CASES, ids=[c[1].split(": ", 1)[1] for c in USER_CASES])
def test_every_user_problem_is_one_located_line_and_nothing_changes(empty, row, line):
    db, org = empty
    imports.import_stores(db, org, "stores.csv", (STORE_HEAD + GOOD_STORE).encode())
    before = dump(db)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_users(db, org, "users.csv", _users_file(row))
    lines = refused.value.lines()
    if "role: not one of" in line:  # the role list grows with the app's roles
        assert lines[0].startswith(line.split(" not one of")[0] + " not one of admin, manager")
    else:
        assert lines == [line]
    assert dump(db) == before


def test_unknown_file_kind_and_broken_xlsx_are_refused(empty):
    db, org = empty
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_stores(db, org, "stores.txt", b"code\n")
    assert refused.value.lines() == ["stores.txt:1: file: not a CSV or XLSX file"]
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_stores(db, org, "stores.xlsx", b"not a zip at all")
    assert refused.value.lines() == ["stores.xlsx:1: file: the file cannot be read"]


def test_one_bad_row_among_twenty_imports_nothing(empty):
    db, org = empty
    lines = (EXAMPLES / "stores.csv").read_text(encoding="utf-8").splitlines()
    bad = lines[:14] + [lines[14].replace(lines[14].split(",")[2], "", 1)] + lines[15:]
    before = dump(db)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_stores(db, org, "stores.csv", "\n".join(bad).encode())
    assert refused.value.lines() == ["stores.csv:15: region: empty"]
    assert dump(db) == before and stores.org_stores(db, org) == []


def test_at_most_twenty_lines_are_listed(empty):
    db, org = empty
    text = STORE_HEAD + "".join(f"S{i:02d},Name,,Sweet Ring,,,,,\n" for i in range(30))
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_stores(db, org, "stores.csv", text.encode())
    assert len(refused.value.problems) == 30
    assert len(refused.value.lines()) == 20
    assert refused.value.lines()[0] == "stores.csv:2: region: empty"


def test_reimporting_the_samples_changes_nothing_and_xlsx_equals_csv(empty):
    db, org = empty
    first = imports.import_stores(db, org, "stores.csv", (EXAMPLES / "stores.csv").read_bytes())
    assert (first.count("create"), first.count("update")) == (20, 0)
    users_first = imports.import_users(db, org, "users.csv", (EXAMPLES / "users.csv").read_bytes())
    assert users_first.count("create") == 30 and len(users_first.passwords) == 30
    before = dump(db)
    again = imports.import_stores(db, org, "stores.xlsx", (EXAMPLES / "stores.xlsx").read_bytes())
    users_again = imports.import_users(db, org, "users.xlsx", (EXAMPLES / "users.xlsx").read_bytes())
    assert (again.count("same"), again.count("create"), again.count("update")) == (20, 0, 0)
    assert (users_again.count("same"), users_again.passwords) == (30, [])
    assert dump(db) == before  # not even an audit-log entry


def test_reimport_updates_only_what_changed(empty):
    db, org = empty
    imports.import_stores(db, org, "stores.csv", (STORE_HEAD + GOOD_STORE).encode())
    imports.import_users(db, org, "users.csv", _users_file("kim,Kim,manager,ko,no,,AA01,yes"))
    hash_before = db.execute("SELECT password_hash FROM users WHERE username = 'kim'").fetchone()[0]
    plan = imports.import_stores(db, org, "stores.csv",
                                 (STORE_HEAD + GOOD_STORE.replace("Alpha", "Alpha Two")).encode())
    assert [(c.action, c.changed) for c in plan.changes] == [("update", ("name",))]
    plan = imports.import_users(db, org, "users.csv", _users_file("kim,Kim,manager,en,no,,,no"))
    assert plan.changes[0].action == "update" and set(plan.changes[0].changed) >= {"locale", "active", "stores"}
    row = db.execute("SELECT locale, active, password_hash FROM users WHERE username = 'kim'").fetchone()
    assert row == ("en", 0, hash_before)  # an update never touches the password


def test_xlsx_numbers_and_blank_rows_read_like_csv(empty):
    db, org = empty
    wb = Workbook()
    ws = wb.active
    ws.append(list(imports.STORE_COLUMNS))
    ws.append([1001, "Numbered", "Seoul", "Sweet Ring", None, None, 37.5, 127, "09:00-21:00"])
    ws.append([None] * 9)
    ws.append(["B2", "Second", "Seoul", "Sweet Ring", "kiosk", "", None, None, ""])
    out = io.BytesIO()
    wb.save(out)
    plan = imports.import_stores(db, org, "stores.xlsx", out.getvalue())
    assert [c.key for c in plan.changes] == ["1001", "B2"]
    store = stores.get_by_code(db, org, "1001")
    assert (store["latitude"], store["longitude"], store["store_type"]) == (37.5, 127.0, "standard")


def test_new_users_get_hashed_temporary_passwords_that_must_be_changed(empty):
    db, org = empty
    imports.import_stores(db, org, "stores.csv", (STORE_HEAD + GOOD_STORE).encode())
    plan = imports.import_users(db, org, "users.csv", _users_file("kim,Kim,auditor,ko,yes,Seoul,,yes"))
    (username, password), = plan.passwords
    row = db.execute("SELECT password_hash, must_change_password, mystery_shopper, region FROM users "
                     "WHERE username = 'kim'").fetchone()
    assert password not in row[0] and row[0].startswith("scrypt:")
    assert row[1:] == (1, 1, "Seoul")
    entries = [r[0] for r in db.execute("SELECT detail FROM audit_log")]
    assert entries and not any(password in e for e in entries)


# --- the commands -----------------------------------------------------------------

@pytest.fixture
def runner(tmp_path):
    from tests.conftest import make_app

    instance = tmp_path / "inst"
    instance.mkdir()
    app = make_app(instance)
    return app, app.test_cli_runner()


def test_commands_are_registered():
    names = {c.name for c in COMMANDS}
    assert {"import-stores", "import-users", "run-schedules"} <= names


def test_import_stores_command_exits_2_with_located_lines_and_changes_nothing(runner, tmp_path):
    app, cli = runner
    bad = tmp_path / "stores.csv"
    bad.write_text(STORE_HEAD + GOOD_STORE + "BB02,Beta,,Sweet Ring,,,x,1,\n", encoding="utf-8")
    result = cli.invoke(args=["import-stores", str(bad)])
    assert result.exit_code == 2
    assert "stores.csv:3: region: empty" in result.output
    assert "stores.csv:3: latitude: not a number" in result.output
    db = connect(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM stores").fetchone()[0] == 0
    db.close()
    result = cli.invoke(args=["import-stores", str(EXAMPLES / "stores.csv")])
    assert result.exit_code == 0 and "20 created" in result.output
    result = cli.invoke(args=["import-stores", str(EXAMPLES / "stores.xlsx")])
    assert result.exit_code == 0 and "0 created, 0 updated, 20 unchanged" in result.output


def test_import_users_command_writes_passwords_to_a_private_file(runner, tmp_path):
    app, cli = runner
    assert cli.invoke(args=["import-stores", str(EXAMPLES / "stores.csv")]).exit_code == 0
    out = tmp_path / "first-logins.csv"
    result = cli.invoke(args=["import-users", str(EXAMPLES / "users.csv"), "--passwords-out", str(out)])
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "username,temporary_password" and len(rows) == 31
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    password = rows[1].split(",")[1]
    assert password not in result.output
    # the temporary password logs in, and the first page is the change form
    from tests.conftest import Auth
    client = app.test_client()
    response = Auth(client).login(rows[1].split(",")[0], password)
    assert response.status_code == 302
    assert client.get("/home").headers["Location"].endswith("/account/password")


def test_import_users_command_shows_passwords_once_on_screen(runner):
    app, cli = runner
    cli.invoke(args=["import-stores", str(EXAMPLES / "stores.csv")])
    result = cli.invoke(args=["import-users", str(EXAMPLES / "users.csv")])
    assert result.exit_code == 0 and "shown once" in result.output
    assert result.output.count("\n  ") == 30
    again = cli.invoke(args=["import-users", str(EXAMPLES / "users.csv")])
    assert "30 unchanged" in again.output and "shown once" not in again.output


def test_passwords_are_hashed_before_the_write_lock_is_taken(empty, monkeypatch):
    """scrypt is slow on purpose; other writers must not wait behind thirty of them."""
    db, org = empty
    imports.import_stores(db, org, "stores.csv", (EXAMPLES / "stores.csv").read_bytes())
    real, seen = imports.users.hash_password, []

    def watched(password):
        seen.append(db.conn.in_transaction)
        return real(password)

    monkeypatch.setattr(imports.users, "hash_password", watched)
    plan = imports.import_users(db, org, "users.csv", _users_file("kim,Kim,auditor,ko,no,,,yes",
                                                                  "lee,Lee,auditor,ko,no,,,yes"))
    assert len(plan.passwords) == 2 and seen == [False, False]
