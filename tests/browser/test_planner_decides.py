"""The planner decides, in Chromium on a phone: upload a rota and door counts, build a baseline,
ask for the staffing that meets p90 <= 3 min, try it as a what-if, mark it adopted, and read on
the home page whether the demo's adopted change delivered."""

import re
from pathlib import Path

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_planner_uploads_staffs_tries_and_adopts(live_server, phone):
    base = live_server.base_url
    page = phone
    page.set_default_timeout(90000)
    login(page, base, "planner")

    # the home page says whether the demo's adopted change delivered
    verdict = page.locator("#adopted-changes article.outcome").first
    assert verdict.get_attribute("data-verdict") == "delivered"
    assert "효과가 있었습니다." in verdict.inner_text()
    assert "카운터에 1명 추가 11:00–14:00" in verdict.inner_text()
    shot(page, "18-planner-home-delivered")

    # field inputs: the rota, then the door counts, each checked before it is imported
    page.goto(base + "/planner/inputs")
    page.check("input[name=kind][value=rota]")
    page.set_input_files("#file", files=[{"name": "rota.csv", "mimeType": "text/csv",
                                          "buffer": b"store,hour,servers\nHD02,25,2\nXX,9,1\n"}])
    page.click("#inputs-import")
    problems = page.locator("ul.problems li")
    problems.first.wait_for()
    lines = problems.all_inner_texts()
    assert lines[0] == "rota.csv:2: hour: 0부터 23까지의 시각이 아닙니다" and len(lines) == 2
    assert lines[1].startswith("rota.csv:3: store: ") and "매장 코드 XX" in lines[1]
    page.set_input_files("#file", str(EXAMPLES / "rota.csv"))
    page.click("#inputs-check")
    page.locator("#import-preview").wait_for()
    page.click("#inputs-import")
    page.locator("#import-done").wait_for()
    page.check("input[name=kind][value=traffic]")
    page.set_input_files("#file", str(EXAMPLES / "traffic.csv"))
    page.click("#inputs-import")
    page.locator("#import-done", has_text="traffic.csv").wait_for()
    assert "112" in page.locator("#import-done").inner_text()
    assert page.locator("#inputs-result tr", has_text="홍대점 Hongdae").locator("td").nth(1).inner_text() \
        .startswith("32일")   # the summary refreshed with the 2 uploaded days
    shot(page, "18-planner-inputs")

    # a baseline for Hongdae from field data
    page.goto(base + "/planner/")
    page.select_option("#scope", label="홍대점 Hongdae")
    page.fill("#date_from", "2000-01-01")
    page.fill("#date_to", "2100-01-01")
    with page.expect_navigation():
        page.click("#baseline-form button[type=submit]")
    assert re.search(r"/planner/s/\d+$", page.url)
    page.locator("#fit-verdict").wait_for()
    assert "아직 믿지 마세요." in page.locator("#fit-verdict").inner_text()

    # the staffing that meets p90 <= 3 min, in the background
    page.select_option("#measure0", "p90_wait_min")
    page.fill("#value0", "3")
    with page.expect_navigation():
        page.click("#run-staffing")
    page.locator("#staff-grid").wait_for()
    assert "근무 인시: 현재" in page.locator("#staff-hours-diff").inner_text()
    shot(page, "18-planner-staffing")

    # one click: the answer becomes the what-if's rota and is compared with the baseline
    with page.expect_navigation():
        page.click("#try-staffing")
    page.locator("#adopt-form").wait_for()
    tested = page.locator("#changes-tested").inner_text()
    assert "카운터" in tested and "기존" in tested, tested
    assert page.locator("#hourly-table tr.changed-hour").count() >= 1
    shot(page, "18-planner-tried")

    # mark it adopted at Hongdae from today
    page.locator("#adopt-form label", has_text="홍대점 Hongdae").locator("input").check()
    with page.expect_navigation():
        page.click("#adopt")
    assert page.locator(".flash", has_text="도입으로 표시했습니다").count() == 1
    page.goto(base + "/home")
    outcomes = page.locator("#adopted-changes article.outcome")
    assert outcomes.count() == 2
    assert page.locator("#adopted-changes article[data-verdict=too_early]").count() == 1
    shot(page, "18-planner-home-two")
