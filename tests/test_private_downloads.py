"""Exports and PDFs carry Cache-Control: private, no-store (no copy left in a shared cache)."""

import pytest

from tests.test_reports import released_visit


@pytest.mark.parametrize("username, path", [
    ("manager", "/dashboard.csv"), ("manager", "/dashboard.json"),
    ("manager", "/reports/period.pdf"), ("manager", "/reports/visits/{visit}.pdf"),
    ("admin", "/admin/audit-log.csv"),
])
def test_exports_and_pdfs_are_private_and_not_stored(client, auth, db, username, path):
    auth.login(username)
    r = client.get(path.format(visit=released_visit(db, "GN01")))
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "private, no-store"


def test_pages_keep_their_own_caching(client, auth):
    auth.login("manager")
    assert "no-store" not in client.get("/home").headers.get("Cache-Control", "")
