"""Customer voice: the public survey, its guards, privacy, and what the office sees."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from fieldapp.storage import voice as store
from fieldapp.voice import workflow
from tests.conftest import Auth, csrf_from, make_app
from tests.conftest import demo_today


def hu03_link(db, kind="store"):
    return next(db.query("SELECT l.* FROM voice_links l JOIN stores s ON s.id = l.store_id "
                         "WHERE s.code = 'HU03' AND l.kind = ? ORDER BY l.id LIMIT 1", [kind]))


class Customer:
    """A phone answering the public survey through the real pages."""

    def __init__(self, client, token: str, address: str = "203.0.113.7"):
        self.client, self.token, self.env = client, token, {"REMOTE_ADDR": address}
        self.csrf = None

    def get(self, path=""):
        page = self.client.get(f"/v/{self.token}{path}", environ_base=self.env, follow_redirects=True)
        html = page.get_data(as_text=True)
        if 'name="csrf_token"' in html:
            self.csrf = csrf_from(html)
        return page

    def post(self, path, data):
        if self.csrf is None:
            self.get("/0")
        return self.client.post(f"/v/{self.token}{path}", data={"csrf_token": self.csrf, **data},
                                environ_base=self.env)

    def answer_all(self, recommend="9", improve=None, saw_line="no", **finish):
        steps = [("/0", {"wait_rating": "4"}), ("/1", {"saw_line": saw_line}), ("/2", {"clean_rating": "4"}),
                 ("/3", {"got_sample": "no"}), ("/4", {"staff_rating": "5"}),
                 ("/5", {"overall_rating": "4", "recommend": recommend, **({"improve": improve} if improve else {})})]
        for path, data in steps:
            r = self.post(path, data)
            assert r.status_code == 302, (path, r.status_code, r.get_data(as_text=True)[:300])
        return self.post("/finish", finish)


@pytest.fixture
def link(db):
    return hu03_link(db)


def responses_of(db, link_id):
    return list(db.query("SELECT * FROM voice_responses WHERE link_id = ? AND resume_key NOT LIKE 'demo%' "
                         "ORDER BY id", [link_id]))


def test_customer_answers_without_login_and_skip_logic_hides_questions(client, db, link):
    """A 'no' hides the follow-up question; a low score reveals 'what disappointed you' on the same page."""
    c = Customer(client, link["token"])
    page = c.get("/1").get_data(as_text=True)
    assert re.search(r'id="q-line_rating"[^>]*hidden', page)     # hidden until "yes"
    r = c.post("/1", {"saw_line": "yes"})                           # without script: the server reveals it
    assert r.status_code == 200 and not re.search(r'id="q-line_rating"[^>]*hidden', r.get_data(as_text=True))
    assert c.post("/1", {"saw_line": "no", "line_rating": "5"}).status_code == 302
    r = c.post("/5", {"overall_rating": "2", "recommend": "3"})
    assert r.status_code == 200 and not re.search(r'id="q-improve"[^>]*hidden', r.get_data(as_text=True))
    r = c.answer_all(recommend="3", improve="매장이 더러웠어요")
    assert r.status_code == 302 and r.location.endswith("/thanks")
    [row] = responses_of(db, link["id"])
    assert row["status"] == "submitted" and row["nps"] == 3 and row["contact"] is None
    assert "line_rating" not in row["answers_json"] and "매장이 더러웠어요" in row["answers_json"]


def test_missing_required_answer_is_shown_by_the_field_and_keeps_the_rest(client, link):
    c = Customer(client, link["token"])
    r = c.post("/5", {"overall_rating": "4", "recommend": "", "comment": "좋아요"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.search(r'id="q-recommend".*?role="alert"', html, re.S)
    assert "좋아요" in html and 'value="4" checked' in html


def test_detractor_with_comment_notifies_the_store_manager(client, db, link):
    c = Customer(client, link["token"])
    c.answer_all(recommend="2", improve="직원이 불친절했어요")
    manager2 = next(db.query("SELECT id FROM users WHERE username = 'manager2'"))["id"]
    notes = list(db.query("SELECT * FROM notifications WHERE user_id = ? AND event = 'voice_detractor'", [manager2]))
    assert len(notes) == 1 and "불친절" in notes[0]["params"]
    assert responses_of(db, link["id"])[0]["alerted_at"]


def test_promoter_raises_no_alert(client, db, link):
    Customer(client, link["token"]).answer_all(recommend="10")
    assert not list(db.query("SELECT 1 FROM notifications WHERE event = 'voice_detractor'"))


def test_honeypot_is_thanked_and_dropped(client, db, link):
    c = Customer(client, link["token"])
    r = c.post("/0", {"wait_rating": "4", "website": "http://spam.example"})
    assert r.status_code == 302 and r.location.endswith("/thanks")
    assert responses_of(db, link["id"]) == []


def test_one_answer_per_device_per_store_per_day(client, db, link):
    Customer(client, link["token"]).answer_all()
    client.set_cookie("session", "", expires=0)  # a fresh form, same device cookie
    second = Customer(client, link["token"])
    r = second.answer_all()
    assert r.status_code == 409
    assert [x["status"] for x in responses_of(db, link["id"])] == ["submitted", "draft"]


def test_rate_limit_per_address(instance, db):
    app = make_app(instance, VOICE_RATE_PER_ADDRESS=3)
    link = hu03_link(db)
    c = Customer(app.test_client(), link["token"], "198.51.100.9")
    codes = [c.post("/0", {"wait_rating": "4"}).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    other = Customer(app.test_client(), link["token"], "198.51.100.10")
    assert other.post("/0", {"wait_rating": "4"}).status_code == 302   # another address still answers


def test_rate_limit_per_store(instance, db):
    app = make_app(instance, VOICE_RATE_PER_STORE=4)
    link = hu03_link(db)
    codes = [Customer(app.test_client(), link["token"], f"192.0.2.{i}").post("/0", {"wait_rating": "3"}).status_code
             for i in range(6)]
    assert codes == [302, 302, 302, 302, 429, 429]


def test_contact_needs_consent(client, db, link):
    c = Customer(client, link["token"])
    r = c.answer_all(contact="kim@example.com")
    assert r.status_code == 422 and "Tick the box" in r.get_data(as_text=True) or "동의" in r.get_data(as_text=True)
    assert 'value="kim@example.com"' in r.get_data(as_text=True)
    assert responses_of(db, link["id"])[0]["status"] == "draft"


def test_contact_kept_for_the_retention_period_then_erased(client, db, link):
    c = Customer(client, link["token"])
    assert c.answer_all(contact="kim@example.com", contact_name="김", consent="1").status_code == 302
    [row] = responses_of(db, link["id"])
    assert row["contact"] == "kim@example.com" and row["consent"] == 1
    erase_after = datetime.fromisoformat(row["contact_erase_after"])
    assert (erase_after - datetime.now(timezone.utc)).days in (89, 90)   # the round keeps 90 days
    older = workflow.erase_expired_contacts(db, erase_after - timedelta(seconds=1))   # demo answers, older
    assert responses_of(db, link["id"])[0]["contact"] == "kim@example.com"
    assert workflow.erase_expired_contacts(db, erase_after) == 1 and older > 0
    row = responses_of(db, link["id"])[0]
    assert row["contact"] is None and row["contact_name"] is None and row["contact_erased_at"]
    assert "voice_contacts_erased" in {a["action"] for a in db.query("SELECT action FROM audit_log")}


def test_voice_erase_command(app, db):
    """The CLI erases what is past retention, demo contacts included, and says how many."""
    kept = next(db.query("SELECT count(*) AS n FROM voice_responses WHERE contact IS NOT NULL"))["n"]
    assert kept > 0
    later = (datetime.now(timezone.utc) + timedelta(days=200)).isoformat()
    result = app.test_cli_runner().invoke(args=["voice-erase", "--now", later])
    assert result.exit_code == 0 and f"{kept} customer" in result.output
    assert next(db.query("SELECT count(*) AS n FROM voice_responses WHERE contact IS NOT NULL"))["n"] == 0
    bad = app.test_cli_runner().invoke(args=["voice-erase", "--now", "yesterday"])
    assert bad.exit_code == 2


def test_panel_link_takes_one_answer_editable_until_the_round_closes(client, db):
    link = next(db.query("SELECT * FROM voice_links WHERE kind = 'panel' ORDER BY id LIMIT 1"))
    c = Customer(client, link["token"])
    c.answer_all(recommend="9")
    client.set_cookie("session", "", expires=0)       # another browser, same personal link
    c2 = Customer(client, link["token"])
    assert 'value="4" checked' in c2.get("/0").get_data(as_text=True)   # their answers, to edit
    c2.answer_all(recommend="6", improve="메뉴가 줄었어요")
    rows = list(db.query("SELECT * FROM voice_responses WHERE link_id = ?", [link["id"]]))
    assert len(rows) == 1 and rows[0]["nps"] == 6
    workflow.close_round(db, link["round_id"], actor_id=None)
    assert client.get(f"/v/{link['token']}/0").status_code == 410


def test_unknown_token_is_404(client):
    assert client.get("/v/not-a-token/0").status_code == 404


def test_korean_and_english(client, link):
    en = client.get(f"/v/{link['token']}/0?lang=en").get_data(as_text=True)
    assert "How was your visit today?" in en and "Next" in en
    ko = client.get(f"/v/{link['token']}/0?lang=ko").get_data(as_text=True)
    assert "오늘 방문은 어떠셨나요?" in ko and "Next" not in ko


def test_comment_search_finds_korean_words_by_prefix(client, db, link):
    Customer(client, link["token"]).answer_all(recommend="4", improve="화장실청소가 필요해요")
    Auth(client).login("manager2")
    page = client.get("/voice/comments?q=화장실").get_data(as_text=True)
    assert "화장실청소가 필요해요" in page
    assert "화장실청소가" not in client.get("/voice/comments?q=주차").get_data(as_text=True)
    assert store.fts_query('매장 "x') == '"매장"* "x"*'


def test_flagged_answer_leaves_the_numbers(client, db, link):
    from fieldapp.storage import stores
    from fieldapp.voice import analytics
    hu03 = [s for s in stores.org_stores(db, 1) if s["code"] == "HU03"]
    before = analytics.summary(db, hu03, demo_today() - timedelta(days=30), demo_today())
    victim = next(db.query("SELECT id FROM voice_responses WHERE store_id = ? AND status = 'submitted' "
                           "AND flagged = 0 LIMIT 1", [hu03[0]["id"]]))["id"]
    Auth(client).login("reviewer")
    token = Auth(client).token("/voice/rounds")
    assert client.post(f"/voice/responses/{victim}/flag", data={"csrf_token": token, "flagged": "1"}).status_code == 302
    after = analytics.summary(db, hu03, demo_today() - timedelta(days=30), demo_today())
    assert after["n"] == before["n"] - 1


def test_coordinator_creates_a_round_with_store_links(client, db):
    Auth(client).login("reviewer")
    token = Auth(client).token("/voice/rounds")
    row_id = next(db.query("SELECT id FROM checklists WHERE kind = 'customer_voice' ORDER BY id DESC LIMIT 1"))["id"]
    bad = client.post("/voice/rounds", data={"csrf_token": token, "title": "", "checklist_row_id": row_id,
                                            "starts_on": "2026-01-01", "ends_on": "2025-01-01",
                                            "retention_days": "0"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and html.count('class="field-error"') == 4
    ok = client.post("/voice/rounds", data={"csrf_token": token, "title": "봄", "checklist_row_id": row_id,
                                           "starts_on": "2026-01-01", "ends_on": "2026-12-31",
                                           "retention_days": "30", "store_ids": ["1", "2"]})
    assert ok.status_code == 302
    round_id = int(ok.location.rsplit("/", 1)[1])
    tokens = [x["token"] for x in store.links_of_round(db, round_id, "store")]
    assert len(tokens) == 2 and all(len(t) >= 22 for t in tokens) and len(set(tokens)) == 2
    assert store.get_round(db, round_id)["nps_item"] == "recommend"


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools missing: run make test")
def test_qr_poster_decodes_back_to_the_store_link(client, db, tmp_path, link):
    """The A5 table tent: both faces (Korean, and English printed upside down) scan to the link."""
    Auth(client).login("reviewer")
    r = client.get(f"/voice/rounds/{link['round_id']}/poster/{link['store_id']}.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    from pypdf import PdfReader
    import io
    page = PdfReader(io.BytesIO(r.data)).pages
    assert len(page) == 1 and round(float(page[0].mediabox.width) / 72 * 25.4) == 148   # A5
    (tmp_path / "poster.pdf").write_bytes(r.data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "poster.pdf"), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True).stdout.split()
    url = f"http://localhost/v/{link['token']}"
    assert sorted(out) == sorted([url + "?lang=en", url + "?lang=ko"])


def test_dashboard_and_period_report_show_customers_beside_shoppers(client, db):
    Auth(client).login("manager2")
    page = client.get("/dashboard?start=2026-01-05").get_data(as_text=True)
    # the page asks for its customer section once shown, with the same filters
    assert 'hx-get="/dashboard/customers?' in page and "start=2026-01-05" in page and 'id="voice-stages"' not in page
    part = client.get("/dashboard/customers", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="customer-voice"' in part and 'id="voice-stages"' in part and "NPS" in part and "<html" not in part
    whole = client.get("/dashboard/customers").get_data(as_text=True)
    assert "<html" in whole and 'id="voice-stages"' in whole
    none = client.get("/dashboard/customers?start=2001-01-01&end=2001-01-31", headers={"HX-Request": "true"})
    assert none.status_code == 200 and "이 기간에는 고객 응답이 없습니다." in none.get_data(as_text=True)  # manager2 reads Korean
    assert client.get("/dashboard/customers?start=yesterday").status_code == 400
    report = client.get("/reports/period").get_data(as_text=True)
    assert 'id="customer-voice"' in report


def test_period_pdf_has_the_customer_section(client):
    import io

    import pdfplumber
    Auth(client).login("reviewer")
    r = client.get("/reports/period.pdf")
    with pdfplumber.open(io.BytesIO(r.data)) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert "NPS" in text


def test_drivers_page_names_what_to_fix_first(client):
    Auth(client).login("reviewer")
    page = client.get("/voice/drivers?lang=en").get_data(as_text=True)
    assert 'id="fix-first"' in page and "<svg" in page and 'class="ipa-point"' in page
    assert client.get("/voice/drivers?method=shapley").status_code == 200


def test_detractor_becomes_a_follow_up(client, db, link):
    response_id = next(db.query("SELECT id FROM voice_responses WHERE store_id = ? AND nps <= 6 LIMIT 1",
                                [link["store_id"]]))["id"]
    Auth(client).login("manager2")
    token = Auth(client).token(f"/voice/responses/{response_id}")
    bad = client.post(f"/voice/responses/{response_id}/followup", data={"csrf_token": token, "owner": "",
                                                                        "due_date": "soon"})
    assert bad.status_code == 422
    ok = client.post(f"/voice/responses/{response_id}/followup",
                     data={"csrf_token": token, "owner": "박점장", "due_date": "2026-12-20", "note": "전화"})
    assert ok.status_code == 302
    assert store.followups_by_response(db, [response_id])[response_id]["owner"] == "박점장"
    done = client.post(f"/voice/responses/{response_id}/followup/done", data={"csrf_token": token})
    assert done.status_code == 302
    assert store.followups_by_response(db, [response_id])[response_id]["status"] == "done"


def test_public_posts_beyond_the_gate_are_turned_away_at_once(instance, db):
    """With no free slot for public posts, a post gets 503 and stores nothing."""
    app = make_app(instance, VOICE_MAX_CONCURRENT=0)
    link = hu03_link(db)
    c = Customer(app.test_client(), link["token"])
    r = c.post("/0", {"wait_rating": "4"})
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert responses_of(db, link["id"]) == []
    assert c.get("/0").status_code == 200          # reading the survey is not gated


def test_demo_drivers_find_the_weights_the_demo_was_generated_with(db):
    """The demo's answers come from known weights (hygiene .35, queue .25, ordering .2, the rest
    .1 and .05): the three heaviest come out on top, the checklist's ratings collinear or not."""
    from fieldapp.storage import stores
    from fieldapp.voice import analytics
    from fieldapp.voice.demo import WEIGHTS
    d = analytics.drivers(db, stores.org_stores(db, 1), demo_today() - timedelta(days=30), demo_today(),
                          n_boot=100)
    ranked = [r["touchpoint"].key for r in sorted(d["rows"], key=lambda r: -r["result"].share)]
    assert set(ranked[:3]) == set(sorted(WEIGHTS, key=WEIGHTS.get)[-3:])
    assert d["drivers"].n >= 100 and all(r["result"].low <= r["result"].share <= r["result"].high for r in d["rows"])


def test_coordinator_invites_panel_members_by_personal_links(client, db, link):
    Auth(client).login("reviewer")
    token = Auth(client).token(f"/voice/rounds/{link['round_id']}")
    before = len(store.links_of_round(db, link["round_id"], "panel"))
    bad = client.post(f"/voice/rounds/{link['round_id']}/invites",
                      data={"csrf_token": token, "store_id": link["store_id"], "labels": "  "})
    assert bad.status_code == 422 and 'class="field-error"' in bad.get_data(as_text=True)
    ok = client.post(f"/voice/rounds/{link['round_id']}/invites",
                     data={"csrf_token": token, "store_id": link["store_id"], "labels": "패널 최\nPanel Lee\n"})
    assert ok.status_code == 302
    panel = store.links_of_round(db, link["round_id"], "panel")
    assert len(panel) == before + 2 and {"패널 최", "Panel Lee"} <= {x["label"] for x in panel}
    page = client.get(f"/voice/rounds/{link['round_id']}").get_data(as_text=True)
    assert all(f"/v/{x['token']}" in page for x in panel)


def test_back_from_the_consent_page_goes_to_the_last_stage(client, link):
    c = Customer(client, link["token"])
    for path, data in [("/0", {"wait_rating": "4"}), ("/1", {"saw_line": "no"}), ("/2", {"clean_rating": "4"}),
                       ("/3", {"got_sample": "no"}), ("/4", {"staff_rating": "5"}),
                       ("/5", {"overall_rating": "4", "recommend": "9"})]:
        c.post(path, data)
    page = c.get("/finish").get_data(as_text=True)
    assert f'href="/v/{link["token"]}/5"' in page


def test_demo_answers_are_never_stamped_after_the_moment_it_is_seeded(db):
    """Seeded at 09:00 in Korea, none of the demo's answers is dated later that day
    (the manager's newest comments once read 16:53 at 09:40); all of them stay in the
    dashboard's default 30 days."""
    from fieldapp.storage import stores
    from fieldapp.voice import demo as voice_demo
    today = demo_today()
    now = datetime.combine(today, datetime.min.time(), voice_demo.KST).replace(hour=9)
    codes = {s["code"]: s["id"] for s in stores.org_stores(db, 1)}
    admin = next(db.query("SELECT id FROM users WHERE username = 'admin'"))["id"]
    with db.atomic():  # the demo's own answers hold the same resume keys
        db.execute("DELETE FROM voice_responses")
    seeded = voice_demo.seed(db, codes, {"admin": admin}, today, now=now)
    stamps = [r["submitted_at"] for r in db.query("SELECT submitted_at FROM voice_responses WHERE round_id = ?",
                                                  [seeded["voice_round"]])]
    assert len(stamps) == seeded["voice_answers"] + 1
    latest = max(datetime.fromisoformat(s) for s in stamps)
    earliest = min(datetime.fromisoformat(s) for s in stamps)
    assert latest <= now and earliest >= now - timedelta(days=31)
