"""Bad input gets a 4xx with a message, never a 500: huge ids, year 1 and 9999, Unicode digits."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Auth

HUGE = [2 ** 63, 2 ** 64, 10 ** 30]
ROLES = ["admin", "manager", "reviewer", "planner", "shopper"]


def _paths_with_ids(app, value: int):
    """Every route that takes an integer in its path, with ``value`` in each integer slot."""
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__.endswith("IntegerConverter")
                or type(conv).__name__ == "BoundedIntConverter"]
        if not ints:
            continue
        path = rule.rule
        for name in rule.arguments:
            if name in ints:
                path = re.sub(rf"<(?:int:)?{name}>", str(value), path)
            else:
                conv = rule._converters[name]
                sample = getattr(conv, "items", None) or ["x"]
                path = re.sub(rf"<[^>]*\b{name}>", min(sample) if sample else "x", path)
        yield rule, path


@pytest.mark.parametrize("username", ROLES)
def test_ids_past_64_bit_are_404_on_every_route(app, client, username):
    """A path id that SQLite cannot hold is simply not found, for GET and POST alike."""
    auth = Auth(client)
    auth.login(username)
    token = auth.token()
    bad = []
    for value in HUGE:
        for rule, path in _paths_with_ids(app, value):
            for method in sorted(rule.methods & {"GET", "POST"}):
                r = client.open(path, method=method, headers={"X-CSRFToken": token})
                if r.status_code != 404:
                    bad.append((method, path, r.status_code))
    assert bad == []


FILTER_PAGES = ["/dashboard?start={d}&end={d}", "/dashboard.csv?start={d}", "/dashboard.json?end={d}",
                "/reports/period?start={d}&end={d}", "/reports/period?start=2026-01-01&end={d}",
                "/actions?due_from={d}&due_to={d}", "/admin/audit-log?from={d}&to={d}",
                "/admin/audit-log.csv?from={d}&to={d}"]
ODD_DATES = ["0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "٢٠٢٦-٠١-٠١", "99999-01-01"]


@pytest.mark.parametrize("day", ODD_DATES)
@pytest.mark.parametrize("username", ["admin", "manager"])
def test_dates_in_year_1_or_9999_in_filters_are_answered_without_a_500(client, auth, username, day):
    auth.login(username)
    for page in FILTER_PAGES:
        r = client.get(page.format(d=day))
        assert r.status_code in (200, 400, 403, 404, 422), (page, day, r.status_code)
        if r.status_code == 400:
            assert 'class="error' in r.get_data(as_text=True) or "error" in r.get_data(as_text=True)


@pytest.mark.parametrize("args", [f"store={2**64}", f"store={10**30}", "store=-1", "region=%00",
                                  f"page={2**64}", f"who={10**25}", "who=²", "store=①", "owner=³", "checklist=%ff"])
def test_huge_or_odd_query_values_are_not_a_500(client, auth, args):
    auth.login("admin")
    for page in ("/dashboard", "/dashboard.csv", "/reports/period", "/actions", "/admin/audit-log"):
        r = client.get(f"{page}?{args}")
        assert r.status_code < 500, (page, args, r.status_code)


# --- Unicode digits in planner forms ---------------------------------------------

UNICODE_DIGITS = ["²", "٣", "３", "⁴", "½", "𝟓", "①"]


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_unicode_digits_in_the_planner_baseline_form_are_refused_next_to_the_field(client, auth, digit):
    auth.login("planner")
    token = auth.token("/planner/")
    r = client.post("/planner/baseline", data={"scope": f"s{digit}", "date_from": f"{digit}000-01-01",
                                               "date_to": "2026-01-01", "csrf_token": token})
    assert r.status_code in (400, 422), r.status_code
    assert "field-error" in r.get_data(as_text=True)


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_unicode_digits_in_the_whatif_form_are_refused_next_to_the_field(client, auth, db, digit):
    from tests.test_planner import build_baseline

    auth.login("planner")
    scenario_id = build_baseline(client, auth, db)
    r = client.post(f"/planner/s/{scenario_id}/changes",
                    data={f"servers_h{digit}": "3", "servers_h12": digit, "extra_servers": digit,
                          "service_factor": digit, "csrf_token": auth.token("/planner/")},
                    headers={"HX-Request": "true"})
    assert r.status_code in (200, 400, 422), r.status_code
    assert r.status_code == 200 or "field-error" in r.get_data(as_text=True) or "error" in r.get_data(as_text=True)
