"""Korean and English: complete catalogs, and messages in the user's language."""

from pathlib import Path

from babel.messages.pofile import read_po

from tests.audit_helpers import answer, doughnut, start_assignment

TRANSLATIONS = Path(__file__).resolve().parents[1] / "fieldapp" / "translations"


def test_korean_catalog_translates_every_message():
    """Every UI string extracted into messages.pot has a Korean translation."""
    with open(TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale="ko")
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_catalog_is_up_to_date_with_templates_and_code():
    """Strings in templates and code are all in the catalog (run `make i18n-update`)."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[1]
    with open(TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    method_map = [("fieldapp/**.py", "python"), ("fieldapp/templates/**.html", "jinja2")]
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(root), method_map,
                                         keywords={"_": None, "gettext": None, "_l": None,
                                                   "lazy_gettext": None, "ngettext": (1, 2)})}
    assert sorted(found - known) == []


def test_answer_error_in_korean_and_english(client, auth):
    visit_id = start_assignment(client, auth)
    item = next(i for i in doughnut().items() if i.type == "rating")
    korean = answer(client, auth.token(), visit_id, item.key, "9").get_data(as_text=True)
    assert "1에서 5 사이로 평가하세요." in korean
    english = client.post(f"/visits/{visit_id}/items/{item.key}", data={"value": "9"},
                          headers={"X-CSRFToken": auth.token(), "Accept-Language": "en"})
    assert "Choose a rating from 1 to 5." in english.get_data(as_text=True)


def test_calibration_warning_translated_or_kept_in_english(app):
    from fieldapp.web.labels import calibration_warning

    known = {"code": "few_days", "params": {"days": 3}, "text": "traffic covers only 3 day(s)"}
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        assert calibration_warning(known) == "방문객 집계가 3일치뿐이라 시간대별 도착률은 대략적입니다."
        # a code this app does not know yet, or params that do not fit, keep the English text
        assert calibration_warning({"code": "new_one", "params": {}, "text": "new"}) == "new"
        assert calibration_warning({"code": "few_days", "params": {}, "text": "as is"}) == "as is"
        assert calibration_warning("saved before codes") == "saved before codes"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert calibration_warning(known) == "Traffic covers only 3 day(s); rates per slot are rough."
