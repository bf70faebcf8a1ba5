"""Capabilities are declared once and asked by name; one rule hides mystery shoppers."""

import pytest

from fieldapp.auth import capabilities


def test_every_route_names_a_declared_capability(app):
    """Each login-protected view carries the capability it checks, from the one table."""
    named = {getattr(view, "capability", None) for view in app.view_functions.values()}
    named.discard(None)
    assert named <= set(capabilities.ROLE_CAPABILITIES)
    assert {"visit.answer", "visit.review", "planner.use", "report.read"} <= named


def test_unknown_capability_fails_at_declaration():
    with pytest.raises(KeyError):
        capabilities.requires("visit.teleport")


@pytest.mark.parametrize("viewer,row,shown", [
    ("manager", {"covert": 1, "auditor_mystery_shopper": 1}, False),
    ("manager", {"covert": 0, "auditor_mystery_shopper": 1}, False),   # keyed on the person
    ("manager", {"covert": 0, "auditor_mystery_shopper": 0}, True),    # staff are named
    ("reviewer", {"covert": 1, "auditor_mystery_shopper": 1}, True),
    ("admin", {"covert": 1, "auditor_mystery_shopper": 1}, True),
])
def test_who_sees_an_auditors_name(viewer, row, shown):
    assert capabilities.shows_auditor_name(viewer, row) is shown


def test_object_rules_apply_to_visits():
    """An auditor edits only their own draft; the role alone is not enough."""
    own = {"auditor_id": 7, "status": "draft"}
    assert capabilities.can(None, {"role": "auditor", "id": 7}, "visit.answer", own)
    assert not capabilities.can(None, {"role": "auditor", "id": 8}, "visit.answer", own)
    assert not capabilities.can(None, {"role": "auditor", "id": 7}, "visit.answer",
                                {**own, "status": "submitted"})
    assert not capabilities.can(None, {"role": "planner", "id": 7}, "visit.answer", own)
