"""Fuzzing with hypothesis: loaders give a located error or a result, answer
endpoints a 2xx or 4xx, and never anything else."""

import re

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from checklists import ChecklistError, load_checklist_text, load_library
from simulation import ScenarioError, scenario_from_dict
from tests.audit_helpers import doughnut, start_assignment

LOCATED = re.compile(r"^[^\n]+:\d+: [^\n]*$")
DOUGHNUT_TEXT = next(c for c in load_library().values() if c.id == "doughnut-mystery-shop").source_text
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_a_checklist_or_one_located_error(text):
    try:
        load_checklist_text(text, source="fuzz.yaml")
    except ChecklistError as exc:
        assert LOCATED.match(exc.message) and exc.message.startswith("fuzz.yaml:")


def _mutate(data, path, value):
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


DOUGHNUT_PATHS = [p for p in _paths(yaml.safe_load(DOUGHNUT_TEXT)) if p]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(DOUGHNUT_PATHS), SCALARS)
def test_a_damaged_real_checklist_gives_one_located_error(path, value):
    data = yaml.safe_load(DOUGHNUT_TEXT)
    _mutate(data, path, value)
    try:
        load_checklist_text(yaml.safe_dump(data, allow_unicode=True), source="doughnut.yaml")
    except ChecklistError as exc:
        assert LOCATED.match(exc.message), exc.message


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=12), SCALARS, max_size=6))
def test_any_mapping_is_a_scenario_or_one_error(data):
    try:
        scenario_from_dict(data, source="fuzz.yaml")
    except ScenarioError as exc:
        assert "\n" not in exc.message and exc.message.startswith("fuzz.yaml")


ITEM_KEYS = [i.key for i in doughnut().items()]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.sampled_from(ITEM_KEYS), st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s)),
       st.text(max_size=60), st.one_of(st.none(), st.text(max_size=40)))
def test_answer_endpoint_answers_2xx_or_4xx(fuzz_visit, key, value, note):
    client, token, visit_id = fuzz_visit
    data = {"value": value}
    if note is not None:
        data["note"] = note
    response = client.post(f"/visits/{visit_id}/items/{key}", data=data,
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code < 500
    assert response.status_code in (200, 400, 404, 405, 409, 413, 422)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(ITEM_KEYS), st.text(max_size=30), st.text(max_size=40), st.text(max_size=40))
def test_timing_endpoint_answers_2xx_or_4xx(fuzz_visit, key, event, at, client_id):
    client, token, visit_id = fuzz_visit
    response = client.post(f"/visits/{visit_id}/items/{key}/timing",
                           data={"event": event, "at": at, "client_id": client_id},
                           headers={"X-CSRFToken": token})
    assert response.status_code < 500


import pytest  # noqa: E402


@pytest.fixture
def fuzz_visit(client, auth):
    visit_id = start_assignment(client, auth)
    return client, auth.token(), visit_id
