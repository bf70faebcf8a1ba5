"""Skip logic, constraints and the new item types on the auditor's phone (server side):
the reply to an answer swaps the items it shows or hides, hidden items are neither
required nor scored, cross-item constraints are judged, a multi_choice posts a list."""

import json
import re

import pytest

from fieldapp.audit import workflow
from fieldapp.storage import visits
from tests.audit_helpers import answer
from tests.skip_helpers import shopper_visit


@pytest.fixture
def visit(db):
    return shopper_visit(db, started_at="2026-05-01T09:00:00+00:00")


@pytest.fixture
def token(auth):
    auth.login("shopper")
    return auth.token()


def item_div(html: str, key: str) -> str:
    match = re.search(r'<div class="item[^"]*" id="item-%s"[^>]*>' % key, html)
    assert match, f"item {key} not in the reply"
    return match.group(0)


def test_the_stage_page_hides_follow_ups_until_their_trigger_is_answered(client, token, visit):
    html = client.get(f"/visits/{visit}/stage/0").get_data(as_text=True)
    assert " hidden" in item_div(html, "why_not")
    assert " hidden" not in item_div(html, "sample_offered")
    assert 'data-relevant="${sample_offered} = &#39;no&#39;"' in item_div(html, "why_not")
    rules = json.loads(re.search(r"data-rules='([^']*)'", html).group(1))
    assert rules["coupon_value"] == "selected(${extras}, 'coupon')"
    assert "Read first" in html or "안내" in html  # a note is shown ...
    assert 'action' not in item_div(html, "how_to")
    assert html.count('hx-post="/visits/%d/items/how_to"' % visit) == 0  # ... never asked


def test_answering_no_swaps_in_the_follow_up_out_of_band_and_yes_swaps_it_out(client, token, visit):
    reply = answer(client, token, visit, "sample_offered", "no").get_data(as_text=True)
    shown = item_div(reply, "why_not")
    assert 'hx-swap-oob="true"' in shown and " hidden" not in shown
    assert 'hx-swap-oob="true"' not in item_div(reply, "sample_offered")
    assert "item-sample_taste" not in reply  # its relevance did not change: not sent

    reply = answer(client, token, visit, "sample_offered", "yes").get_data(as_text=True)
    assert " hidden" in item_div(reply, "why_not")
    assert " hidden" not in item_div(reply, "sample_taste")


def test_a_hidden_required_item_does_not_block_submit_but_a_shown_one_does(client, token, db, visit):
    answer(client, token, visit, "sample_offered", "no")
    with pytest.raises(workflow.MissingItems) as missing:
        workflow.submit(db, visit, actor_id=1)
    assert [m.item_key for m in missing.value.missing] == ["why_not"]
    answer(client, token, visit, "sample_offered", "yes")
    workflow.submit(db, visit, actor_id=1)
    assert visits.get_visit(db, visit)["status"] == "submitted"


def test_an_answer_kept_on_a_hidden_item_is_not_scored(client, token, db, visit):
    answer(client, token, visit, "sample_offered", "yes")
    answer(client, token, visit, "sample_taste", "1")  # a failing rating
    answer(client, token, visit, "sample_offered", "no")
    answer(client, token, visit, "why_not", "busy")
    workflow.submit(db, visit, actor_id=1)
    score = json.loads(visits.get_visit(db, visit)["score_json"])
    assert "sample_taste" not in score["failed_items"]
    assert visits.answer_values(db, visit)["sample_taste"] == 1  # kept, not scored


def test_a_constraint_reading_another_item_refuses_the_answer_with_its_message(client, token, visit):
    answer(client, token, visit, "capacity", "10")
    response = answer(client, token, visit, "people", "12")
    assert "At most the capacity" in response.get_data(as_text=True) or \
        "정원 이하로 입력" in response.get_data(as_text=True)
    assert answer(client, token, visit, "people", "8").status_code == 200


def test_submit_is_refused_when_a_later_answer_breaks_a_constraint(client, token, db, visit):
    answer(client, token, visit, "sample_offered", "yes")
    answer(client, token, visit, "capacity", "10")
    answer(client, token, visit, "people", "8")
    answer(client, token, visit, "capacity", "5")  # now people (8) > capacity (5)
    with pytest.raises(workflow.MissingItems) as missing:
        workflow.submit(db, visit, actor_id=1)
    assert [(m.item_key, m.reason) for m in missing.value.missing] == [("people", "constraint")]
    page = client.get(f"/visits/{visit}/submit").get_data(as_text=True)
    assert "people" in page or "대기 인원" in page


def test_multi_choice_posts_one_value_per_ticked_box_and_none_clears_it(client, token, db, visit):
    response = client.post(f"/visits/{visit}/items/extras",
                           data={"value": ["", "napkin", "coupon"]},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert visits.answer_values(db, visit)["extras"] == ["napkin", "coupon"]
    assert " hidden" not in item_div(html, "coupon_value")  # selected() shows it
    assert html.count('type="checkbox" name="value" value="napkin" checked') == 1
    client.post(f"/visits/{visit}/items/extras", data={"value": [""]},
                headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert visits.answer_values(db, visit).get("extras") is None


def test_dates_and_a_deadline_counted_from_the_visit_start(client, token, db, visit):
    assert answer(client, token, visit, "seen_on", "2026-05-01").status_code == 200
    assert answer(client, token, visit, "served_at", "2026-05-01T11:30").status_code == 200
    answer(client, token, visit, "sample_offered", "yes")
    workflow.submit(db, visit, actor_id=1)
    score = json.loads(visits.get_visit(db, visit)["score_json"])
    assert "served_at" in score["failed_items"]  # 2.5 h after the start: over 1 h


def test_a_bad_date_is_refused_next_to_the_field(client, token, visit):
    response = answer(client, token, visit, "seen_on", "31/31/2026")
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_a_signature_is_uploaded_like_a_photo_and_reads_as_signed(client, token, db, visit):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 240), "white").save(buf, "PNG")
    response = client.post(f"/visits/{visit}/items/signed/photos",
                           data={"photo": (io.BytesIO(buf.getvalue()), "signature.png")},
                           content_type="multipart/form-data",
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="thumb"' in item_div(html, "signed") or '<figure class="thumb">' in html
    assert "data-signature" in html  # the pad stays for another signature
    assert workflow.current_answers(db, visits.get_visit(db, visit))["signed"] == 1
