"""Checklist admin: uploads refused with the loader's located line and nothing stored,
drafts not offered until published, publish retires the one before, retire, store types,
what changed between versions, XLSX download that loads back, the CLI on spreadsheets."""

import io
import re

import pytest

from checklists import load_checklist, load_checklist_text
from fieldapp.checklist_admin import changes
from fieldapp.storage import checklist_store
from tests.skip_helpers import SKIP_YAML, skip_xlsx


@pytest.fixture
def admin(client, auth):
    auth.login("admin")
    return auth.token("/admin/checklists")


def upload(client, token, name, data):
    return client.post("/admin/checklists/upload",
                       data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def count(db):
    return db.execute("SELECT count(*) FROM checklists").fetchone()[0]


def test_a_broken_spreadsheet_is_refused_with_its_located_line_and_nothing_stored(
        client, admin, db, tmp_path):
    before = count(db)
    data = skip_xlsx(tmp_path / "x.xlsx", broken=True).read_bytes()
    response = upload(client, admin, "시식 점검.xlsx", data)
    assert response.status_code == 422
    lines = re.findall(r"<li><code>(.*?)</code></li>", response.get_data(as_text=True))
    assert lines == ["시식 점검.xlsx:survey:5: weight: must be &gt; 0"]
    assert count(db) == before


@pytest.mark.parametrize("name, data, where", [
    ("empty.xlsx", b"", "empty.xlsx:1: file:"),
    ("stores.xlsx", b"code,name\nGN01,Gangnam\n", "stores.xlsx:1: file: is not an Excel workbook"),
    ("list.csv", b"a,b\n", "list.csv:1: file: is not a checklist"),
    ("bad.yaml", b"id: x\nversion: [\n", "bad.yaml:"),
])
def test_files_that_are_not_checklists_get_one_located_line(client, admin, db, name, data, where):
    response = upload(client, admin, name, data)
    assert response.status_code == 422
    assert where in response.get_data(as_text=True)


def test_no_file_chosen_is_a_message_not_a_crash(client, admin):
    response = client.post("/admin/checklists/upload", data={"csrf_token": admin})
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_an_upload_is_a_draft_offered_only_once_published(client, admin, db, tmp_path):
    response = upload(client, admin, "sample.xlsx", skip_xlsx(tmp_path / "s.xlsx").read_bytes())
    assert response.status_code == 302
    row_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert checklist_store.checklist_row(db, row_id)["status"] == "draft"
    assert row_id not in {r["id"] for r in checklist_store.latest_checklists(db)}
    preview = client.get(f"/admin/checklists/{row_id}/preview").get_data(as_text=True)
    assert 'data-relevant="${sample_offered} = &#39;no&#39;"' in preview
    client.post(f"/admin/checklists/{row_id}/publish", data={"csrf_token": admin})
    assert row_id in {r["id"] for r in checklist_store.latest_checklists(db)}
    assert upload(client, admin, "sample.xlsx",  # the same content again: nothing new
                  skip_xlsx(tmp_path / "s2.xlsx").read_bytes()).headers["Location"].endswith(
        f"/{row_id}")


def test_publishing_a_new_version_retires_the_old_and_pinned_visits_keep_theirs(client, admin, db):
    old_id = checklist_store.save_checklist(db, load_checklist_text(SKIP_YAML, "a.yaml"))
    newer = SKIP_YAML.replace("version: 1", "version: 2").replace("Sample offered", "Tasting offered")
    response = upload(client, admin, "sample-v2.yaml", newer.encode())
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert checklist_store.latest_row_id(db, "sample-check") == old_id  # still a draft
    client.post(f"/admin/checklists/{new_id}/publish", data={"csrf_token": admin})
    assert checklist_store.checklist_row(db, old_id)["status"] == "retired"
    assert checklist_store.latest_row_id(db, "sample-check") == new_id
    assert checklist_store.load_pinned(db, old_id).version == 1  # still loadable for old visits
    client.post(f"/admin/checklists/{new_id}/retire", data={"csrf_token": admin})
    assert checklist_store.latest_row_id(db, "sample-check") is None
    page = client.get(f"/admin/checklists/{new_id}/changes?from={old_id}").get_data(as_text=True)
    reworded = page[page.index('id="reworded"'):]
    assert "<code>sample_offered</code>" in reworded.split("</section>")[0]


def test_changes_lists_added_removed_reworded_and_reweighted_items():
    old = load_checklist_text(SKIP_YAML, "a.yaml")
    new = load_checklist_text(
        SKIP_YAML.replace("Why not}", "Why was there none}")
        .replace("{key: seen_on, type: date, title: {ko: 날짜, en: Day}}",
                 "{key: seen_at, type: time, title: {ko: 시각, en: Time}}")
        .replace("type: rating\n", "type: rating\n            weight: 3\n"), "b.yaml")
    diff = changes.compare(old, new)
    assert [i.key for i in diff.added] == ["seen_at"]
    assert [i.key for i in diff.removed] == ["seen_on"]
    assert [n.key for _o, n in diff.reworded] == ["why_not"]
    assert [(i.key, moved) for i, moved in diff.reweighted] == [("sample_taste", [("weight", 1, 3)])]
    assert changes.compare(old, old).empty


def test_store_types_narrow_what_is_offered(client, admin, db):
    row_id = checklist_store.latest_row_id(db, "doughnut-mystery-shop")
    types = checklist_store.store_types_in_use(db, 1)
    assert types
    client.post(f"/admin/checklists/{row_id}/store-types",
                data={"csrf_token": admin, "store_type": [types[0]]})
    assert checklist_store.checklist_row(db, row_id)["store_types"] == types[0]
    assert row_id in {r["id"] for r in checklist_store.latest_checklists(db, types[0])}
    assert row_id not in {r["id"] for r in checklist_store.latest_checklists(db, "no-such-type")}
    bad = client.post(f"/admin/checklists/{row_id}/store-types",
                      data={"csrf_token": admin, "store_type": ["no-such-type"]})
    assert bad.status_code == 400


def test_any_checklist_downloads_as_xlsx_that_loads_back_equal(client, admin, db, tmp_path):
    row_id = checklist_store.latest_row_id(db, "aritaum-store-experience")
    response = client.get(f"/admin/checklists/{row_id}/xlsx")
    assert response.status_code == 200
    path = tmp_path / "back.xlsx"
    path.write_bytes(response.data)
    back, stored = load_checklist(path), checklist_store.load_pinned(db, row_id)
    assert [(i.key, i.type, i.relevant, i.weight) for i in back.items()] == \
        [(i.key, i.type, i.relevant, i.weight) for i in stored.items()]


def test_import_notes_of_a_plain_xlsform_are_listed_on_the_page(client, admin, tmp_path):
    from tests.checklists.xlsx_helpers import ODK_CHOICES, ODK_SETTINGS, ODK_SURVEY, make_xlsx

    path = make_xlsx(tmp_path / "odk.xlsx", {"survey": ODK_SURVEY, "choices": ODK_CHOICES,
                                             "settings": ODK_SETTINGS})
    response = upload(client, admin, "odk.xlsx", path.read_bytes())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="import-notes"' in page
    assert re.search(r"<code>odk\.xlsx:survey:\d+: \w+", page)


def test_cli_imports_a_spreadsheet_and_refuses_a_broken_one_with_its_line(app, db, tmp_path):
    runner = app.test_cli_runner()
    good = skip_xlsx(tmp_path / "sample.xlsx")
    result = runner.invoke(args=["import-checklist", str(good)])
    assert result.exit_code == 0, result.output
    assert checklist_store.latest_row_id(db, "sample-check") is not None
    bad = skip_xlsx(tmp_path / "broken.xlsx", broken=True)
    result = runner.invoke(args=["import-checklist", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:survey:5: weight: must be > 0" in result.output
    assert "Traceback" not in result.output


def test_an_assignment_with_a_checklist_meant_for_other_store_types_is_refused(client, auth, db):
    row_id = checklist_store.latest_row_id(db, "doughnut-mystery-shop")
    checklist_store.set_store_types(db, row_id, ["kiosk-only"])
    auth.login("reviewer")
    token = auth.token("/assignments")
    store_id = db.execute("SELECT id FROM stores ORDER BY id LIMIT 1").fetchone()[0]
    auditor_id = db.execute("SELECT id FROM users WHERE username = 'shopper'").fetchone()[0]
    form = {"csrf_token": token, "store_id": store_id, "checklist_row_id": row_id,
            "auditor_id": auditor_id, "window_start": "2026-06-01", "window_end": "2026-06-02"}
    before = db.execute("SELECT count(*) FROM assignments").fetchone()[0]
    response = client.post("/assignments", data=form)
    assert response.status_code == 422
    assert 'id="err-checklist_row_id"' in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM assignments").fetchone()[0] == before
    checklist_store.set_store_types(db, row_id, [])
    assert client.post("/assignments", data=form).status_code == 302


def test_a_second_upload_with_the_same_version_number_is_kept_with_a_warning(client, admin, db):
    first = upload(client, admin, "a.yaml", SKIP_YAML.encode())
    assert client.get(first.headers["Location"]).get_data(as_text=True).count('class="flash"') == 1
    second = upload(client, admin, "b.yaml", SKIP_YAML.replace("Sample offered", "Tasting").encode())
    assert first.headers["Location"] != second.headers["Location"]
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert 'class="flash"' in page and page.count('class="flash"') == 2


def test_the_review_page_marks_an_item_skip_logic_left_out(client, auth, db):
    from fieldapp.audit import workflow
    from fieldapp.storage import visits
    from tests.skip_helpers import shopper_visit

    visit_id = shopper_visit(db)
    visits.save_answer(db, visit_id=visit_id, item_key="sample_offered", value="yes", user_id=1)
    workflow.submit(db, visit_id, actor_id=1)
    auth.login("reviewer")
    page = client.get(f"/review/{visit_id}").get_data(as_text=True)
    row = page[page.index('id="ans-why_not"'):].split("</li>")[0]
    assert 'class="badge skipped"' in row
    assert 'class="badge skipped"' not in page[page.index('id="ans-sample_taste"'):].split("</li>")[0]
