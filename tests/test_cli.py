"""The fieldapp command: accounts, checklists, demo data."""

from fieldapp.storage import users


def test_create_user_hashes_password_and_joins_stores(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "kim", "--role", "manager", "--store", "GN01",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    row = next(db.query("SELECT id, password_hash FROM users WHERE username = 'kim'"))
    assert "a-long-password" not in row["password_hash"]
    assert users.authenticate(db, "kim", "a-long-password")["id"] == row["id"]
    assert len(users.store_ids_of(db, row["id"])) == 1


def test_create_user_refuses_unknown_store_and_short_password(app):
    runner = app.test_cli_runner()
    bad_store = runner.invoke(args=["create-user", "lee", "--role", "auditor", "--store", "NOPE",
                                    "--password", "a-long-password"])
    assert bad_store.exit_code != 0 and "NOPE" in bad_store.output
    short = runner.invoke(args=["create-user", "lee", "--role", "auditor", "--password", "short"])
    assert short.exit_code != 0 and "8 characters" in short.output


def test_malformed_checklist_is_refused_with_one_located_line(app, tmp_path, db):
    bad = tmp_path / "krispy.yaml"
    bad.write_text("id: krispy\nversion: 1\nkind: mystery_shop\ntitle: K\nstages:\n"
                   "  - key: s\n    title: S\n    journey_stage: purchase\n    touchpoints:\n"
                   "      - key: t\n        title: T\n        items:\n"
                   "          - {key: a, type: yes_no, title: A, weight: -1}\n", encoding="utf-8")
    before = db.execute("SELECT count(*) FROM checklists").fetchone()[0]
    result = app.test_cli_runner().invoke(args=["import-checklist", str(bad)])
    assert result.exit_code != 0
    message = [line for line in result.output.splitlines() if "krispy.yaml" in line]
    assert len(message) == 1 and ":13: " in message[0] and "weight" in message[0]
    assert db.execute("SELECT count(*) FROM checklists").fetchone()[0] == before


def test_import_checklist_stores_a_version_once(app, db):
    from checklists import library_paths
    path = next(p for p in library_paths() if "hilton" in p.name)
    runner = app.test_cli_runner()
    before = db.execute("SELECT count(*) FROM checklists").fetchone()[0]
    assert runner.invoke(args=["import-checklist", str(path)]).exit_code == 0
    assert runner.invoke(args=["import-checklist", str(path)]).exit_code == 0
    assert db.execute("SELECT count(*) FROM checklists").fetchone()[0] == before  # same hash: same row


def test_seed_demo_if_empty_leaves_a_seeded_instance_alone(app, db):
    before = db.execute("SELECT count(*) FROM visits").fetchone()[0]
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == before
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "already has users" in again.output
