"""Mystery shops are blind to the store: no covert assignment seen or made by its managers,
and a mystery shopper is never named to a store manager, covert visit or not."""

from __future__ import annotations

import pytest

from fieldapp.auth.capabilities import shows_auditor_name
from fieldapp.storage import assignments, checklist_store, users, visits


def _manager_store(db):
    manager = users.get_by_username(db, "manager")
    return manager, users.store_ids_of(db, manager["id"])[0]


def _assign(db, *, covert: bool, window=("2031-03-07", "2031-03-09")) -> int:
    manager, store_id = _manager_store(db)
    shopper = users.get_by_username(db, "shopper")
    row_id = checklist_store.latest_checklists(db)[0]["id"]
    return assignments.create_assignment(db, checklist_row_id=row_id, store_id=store_id,
                                         auditor_id=shopper["id"], assigned_by=manager["id"],
                                         window_start=window[0], window_end=window[1], covert=covert)


def test_a_manager_does_not_see_covert_assignments_at_their_store(client, auth, db):
    """No date, window or shopper of an upcoming mystery shop on /assignments."""
    _assign(db, covert=True)
    auth.login("manager")
    page = client.get("/assignments").get_data(as_text=True)
    assert "2031-03-07" not in page and "2031-03-09" not in page
    assert users.get_by_username(db, "shopper")["display_name"] not in page


def test_a_reviewer_still_sees_covert_assignments(client, auth, db):
    _assign(db, covert=True)
    auth.login("reviewer")
    assert "2031-03-07" in client.get("/assignments").get_data(as_text=True)


def test_a_manager_cannot_create_a_covert_assignment(client, auth, db):
    """Covert from a store-side user is refused next to the field; nothing is stored."""
    manager, store_id = _manager_store(db)
    staff = next(a for a in users.users_with_role(db, manager["org_id"], "auditor") if not a["mystery_shopper"])
    before = db.execute("SELECT count(*) FROM assignments").fetchone()[0]
    auth.login("manager")
    r = client.post("/assignments", data={
        "csrf_token": auth.token("/assignments"), "store_id": store_id, "auditor_id": staff["id"],
        "checklist_row_id": checklist_store.latest_checklists(db)[0]["id"],
        "window_start": "2031-01-01", "window_end": "2031-01-02", "covert": "1"})
    assert r.status_code == 422 and 'id="err-covert"' in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM assignments").fetchone()[0] == before


def test_a_manager_is_not_offered_mystery_shoppers_as_auditors(client, auth, db):
    auth.login("manager")
    page = client.get("/assignments").get_data(as_text=True)
    assert 'name="covert"' not in page
    assert users.get_by_username(db, "shopper")["display_name"] not in page


def _overt_released_visit_by_shopper(app, db) -> int:
    """An overt visit by the mystery shopper at the manager's store, released."""
    _manager, store_id = _manager_store(db)
    shopper = users.get_by_username(db, "shopper")
    row_id = checklist_store.latest_checklists(db)[0]["id"]
    visit_id = visits.create_visit(db, checklist_row_id=row_id, store_id=store_id,
                                   auditor_id=shopper["id"], covert=False)
    checklist = checklist_store.load_pinned(db, row_id)
    from checklists import parse_answer
    from tests.audit_helpers import passing_value
    for item in checklist.items():
        if item.type == "photo":
            continue
        try:
            visits.save_answer(db, visit_id=visit_id, item_key=item.key,
                               value=parse_answer(item, passing_value(item)), user_id=shopper["id"])
        except ValueError:
            pass
    db.execute("UPDATE visits SET status = 'released', score = 90, passed = 1, score_json = ("
               "SELECT score_json FROM visits WHERE score_json IS NOT NULL LIMIT 1), "
               "submitted_at = started_at, released_at = started_at WHERE id = ?", [visit_id])
    db.conn.commit()
    return visit_id


@pytest.mark.parametrize("path", ["/home", "/dashboard", "/dashboard.json", "/dashboard.csv",
                                  "/review/{id}", "/reports/visits/{id}", "/reports/period"])
def test_a_mystery_shopper_is_never_named_to_a_store_manager(app, client, auth, db, path):
    """Keyed on the person: even their overt visit shows "mystery shopper" to the store."""
    visit_id = _overt_released_visit_by_shopper(app, db)
    name = users.get_by_username(db, "shopper")["display_name"]
    auth.login("manager")
    r = client.get(path.format(id=visit_id))
    assert r.status_code in (200, 302, 403, 404)
    assert name not in r.get_data(as_text=True)
    assert "Shopper" not in r.get_data(as_text=True).replace("mystery shopper", "")


def test_a_row_that_does_not_say_who_shops_covertly_is_hidden_from_the_store():
    """One policy, failing closed: no mystery-shopper flag on the row means no name for the store."""
    assert shows_auditor_name("manager", {"covert": 0}) is False
    assert shows_auditor_name("reviewer", {"covert": 0}) is True


def test_a_mystery_shopper_is_not_named_in_the_store_pdf_which_is_private(app, client, auth, db):
    """The visit report PDF reads back without their name and is never cached."""
    from tests.test_report_pdf import pdf_text

    visit_id = _overt_released_visit_by_shopper(app, db)
    auth.login("manager")
    r = client.get(f"/reports/visits/{visit_id}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data)
    assert "Shopper" not in text and "미스터리 쇼퍼" in text
    assert r.headers["Cache-Control"] == "private, no-store"
