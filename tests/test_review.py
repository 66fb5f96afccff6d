"""The local review page (issue 15): the 待复核 list first, a field corrected from the page lands in
corrections.jsonl and the rebuilt ledger, every hostile request gets a 4xx with a reason, and a real browser
(Debian's chromium through Selenium) can open, correct, reload and navigate with the keyboard."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from factories import einvoice
from starlette.testclient import TestClient
from test_corrections import HOTEL, hotel_xml

from office_agent.review.app import MAX_BODY, TOKEN_HEADER, ReviewApp
from office_agent.review.server import open_folder
from office_agent.review.session import ReviewSession

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReviewSession:
    monkeypatch.chdir(tmp_path)
    for person, name, data in (
        ("alice", "hotel.xml", hotel_xml()),
        ("alice", "meal.xml", einvoice("25310000000000000011", "106.00")),
        ("bob", "taxi.xml", einvoice("25310000000000000021", "53.00", seller="杭州出租汽车有限公司")),
    ):
        (tmp_path / "inbox" / person).mkdir(parents=True, exist_ok=True)
        (tmp_path / "inbox" / person / name).write_bytes(data)
    return open_folder([Path("inbox")], Path("outputs"), workers=0)


@pytest.fixture
def client(session: ReviewSession) -> tuple[TestClient, ReviewApp]:
    app = ReviewApp(session)
    return TestClient(app.app, base_url="http://127.0.0.1", raise_server_exceptions=False), app


def hotel_id(session: ReviewSession) -> str:
    return next(e.id for e in session.entries if e.row.invoice.invoice_number == HOTEL)


def ledger(out: Path) -> dict[str, dict[str, object]]:
    rows = (json.loads(line) for line in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines())
    return {str(r["invoice_number"]): r for r in rows}


def test_the_page_lists_what_needs_review_first_and_shows_its_card(client: tuple[TestClient, ReviewApp]) -> None:
    http, app = client
    page = http.get("/?status=all")
    assert page.status_code == 200
    ids = re.findall(r'class="rv-row[^"]*" data-id="([^"]+)" data-review="(\d)"', page.text)
    assert [r for _, r in ids] == ["1", "0", "0"] and ids[0][0] == hotel_id(app.session)  # 待复核 first
    assert 'id="card"' in page.text and 'data-field="tax_amount"' in page.text  # the report's card, clickable
    assert 'src="/static/htmx.min.js"' in page.text and "https://" not in page.text.split("<body", 1)[1][:2000]
    assert http.get("/static/htmx.min.js").headers["content-type"].startswith("text/javascript")
    only = http.get("/?status=review").text
    assert only.count('class="rv-row') == 1
    assert http.get("/?status=ok&person=bob").text.count('class="rv-row') == 1
    assert http.get("/?status=all&category=nothing").text.count('class="rv-row') == 0


def test_saving_a_correction_writes_the_file_and_rebuilds_the_ledger(client: tuple[TestClient, ReviewApp]) -> None:
    http, app = client
    ident = hotel_id(app.session)
    form = http.get(f"/edit/{ident}/tax_amount")
    assert form.status_code == 200 and 'value="81.00"' in form.text
    saved = http.post(f"/correct/{ident}?status=all", data={"field": "tax_amount", "value": "18.00"},
                      headers={TOKEN_HEADER: app.token})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert "hx-swap-oob" in saved.text and "已保存" in saved.text
    assert app.session.flush(60)  # the ledger is rewritten in the background, right after the save
    lines = (Path("outputs") / "corrections.jsonl").read_text(encoding="utf-8").splitlines()
    made = [(c["field"], c["value"], c["replaced"]) for c in map(json.loads, lines)]
    assert made == [("tax_amount", "18.00", "81.00")]
    assert ledger(Path("outputs"))[HOTEL]["tax_amount"] == "18.00"
    after = http.get("/?status=review")
    assert after.text.count('class="rv-row') == 0  # nothing left to review
    again = open_folder([Path("inbox")], Path("outputs"), workers=0)  # a new session: the correction is kept
    fixed = next(e for e in again.entries if e.row.invoice.invoice_number == HOTEL)
    assert str(fixed.row.invoice.tax_amount) == "18.00" and not fixed.needs_review


def test_accept_confirms_the_flagged_values(client: tuple[TestClient, ReviewApp]) -> None:
    http, app = client
    ident = hotel_id(app.session)
    done = http.post(f"/accept/{ident}", headers={TOKEN_HEADER: app.token})
    assert done.status_code == 200
    lines = [json.loads(x) for x in (Path("outputs") / "corrections.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {c["field"] for c in lines} >= {"total_amount"} and all(c["value"] == c["replaced"] for c in lines)
    assert app.session.flush(60) and (Path("outputs") / "ledger.xlsx").is_file()
    assert "台账已更新" in http.get("/ledger").text


def test_hostile_requests_get_a_reason_and_touch_nothing(client: tuple[TestClient, ReviewApp], tmp_path: Path) -> None:
    http, app = client
    ident = hotel_id(app.session)
    before = sorted(p for p in tmp_path.rglob("*") if "outputs" not in p.parts)
    token = {TOKEN_HEADER: app.token}
    cases = [
        (http.get("/card/../../etc/passwd"), 404),
        (http.get("/card/nope"), 404),
        (http.get("/static/..%2F..%2Fcorrections%2Fmodel.py"), 404),
        (http.get("/static/app.py"), 404),
        (http.get(f"/edit/{ident}/sha256"), 400),
        (http.get(f"/edit/{ident}/__class__"), 400),
        (http.post(f"/correct/{ident}", data={"field": "tax_amount", "value": "18.00"}), 403),  # no token
        (http.post(f"/correct/{ident}", data={"field": "tax_amount", "value": "1"}, headers={TOKEN_HEADER: "x"}), 403),
        (http.post(f"/correct/{ident}", data={"field": "tax_amount", "value": "十八元"}, headers=token), 400),
        (http.post(f"/correct/{ident}", data={"field": "source", "value": "/etc/passwd"}, headers=token), 400),
        (http.post(f"/correct/{ident}", data={"field": "issue_date", "value": "2025-02-30"}, headers=token), 400),
        (http.post(f"/correct/{ident}", data={"field": "remarks", "value": "x" * 3000}, headers=token), 400),
        (http.post(f"/correct/{ident}", content=b"a=" + b"x" * (MAX_BODY + 1), headers=token), 413),
        (http.post(f"/correct/{ident}", content=b"\xff\xfe", headers=token), 400),
        (http.post("/correct/nope", data={"field": "remarks", "value": "x"}, headers=token), 404),
        (http.get("/", headers={"host": "evil.example"}), 403),
        (http.delete("/"), 405),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert "Traceback" not in response.text and response.text.startswith(f"{status}")
    assert "tax_amount='十八元'" in cases[8][0].text
    assert not (Path("outputs") / "corrections.jsonl").exists()  # nothing was saved
    assert sorted(p for p in tmp_path.rglob("*") if "outputs" not in p.parts) == before


# -- a real browser ----------------------------------------------------------------------------------------------


def _driver(tmp_path: Path):  # type: ignore[no-untyped-def]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,900",
                 f"--user-data-dir={tmp_path / 'profile'}", "--lang=zh-CN"):  # fmt: skip
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=opts)


@pytest.mark.slow
def test_in_a_real_browser_correct_reload_and_navigate_with_keys(session: ReviewSession, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from office_agent.review.server import Background

    browser = _driver(tmp_path)
    server = Background(session)
    try:
        wait = WebDriverWait(browser, 90)  # generous: on a loaded machine the ledger rewrite takes seconds
        browser.get(server.url + "?status=all")
        card = browser.find_element(By.ID, "card")
        assert card.get_attribute("data-id") == hotel_id(session)
        browser.find_element(By.CSS_SELECTOR, '#card tr[data-field="tax_amount"]').click()  # click the field
        box = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#rv-edit input[name=value]")))
        assert box.get_attribute("value") == "81.00"
        box.clear()
        box.send_keys("18.00", Keys.ENTER)
        wait.until(ec.text_to_be_present_in_element((By.ID, "card"), "已保存"))
        wait.until(ec.text_to_be_present_in_element((By.ID, "rv-ledger"), "台账已更新"))  # the page says when
        assert ledger(Path("outputs"))[HOTEL]["tax_amount"] == "18.00"  # the ledger on disk changed
        browser.refresh()  # reload: the correction is kept
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '#card tr[data-field="tax_amount"]')))
        row = browser.find_element(By.CSS_SELECTOR, '#card tr[data-field="tax_amount"]')
        assert "18.00" in row.text and "manual" in row.text
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "review-page.png"))
        first = browser.find_element(By.ID, "card").get_attribute("data-id")
        body = browser.find_element(By.TAG_NAME, "body")
        body.send_keys("j")  # next
        wait.until(lambda b: b.find_element(By.ID, "card").get_attribute("data-id") != first)
        second = browser.find_element(By.ID, "card").get_attribute("data-id")
        assert "rv-current" in browser.find_element(By.CSS_SELECTOR, f'.rv-row[data-id="{second}"]').get_attribute(
            "class"
        )
        body.send_keys(Keys.ARROW_DOWN)  # next again, with an arrow
        wait.until(lambda b: b.find_element(By.ID, "card").get_attribute("data-id") not in (first, second))
        body.send_keys("k")  # previous
        wait.until(lambda b: b.find_element(By.ID, "card").get_attribute("data-id") == second)
        body.send_keys("e")  # correct: the edit box of the first flagged field (or the total) opens
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#rv-edit input[name=value]")))
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait.until(lambda b: not b.find_elements(By.CSS_SELECTOR, "#rv-edit input"))
    finally:
        browser.quit()
        server.stop()


def test_review_of_a_job_corrects_into_its_output_folder_and_the_next_run_applies_it(tmp_path: Path) -> None:
    from jobhelpers import number, write_invoices, write_job_file

    from office_agent.jobs.jobfile import load_job
    from office_agent.jobs.runner import run_job
    from office_agent.review.server import open_job

    write_invoices(tmp_path / "inbox", 1, 3)
    job_file = write_job_file(tmp_path)
    job = load_job(job_file)
    run_job(job)
    session = open_job(job_file)
    assert len(session.entries) == 3 and session.out == job.output
    ident = next(e.id for e in session.entries if e.row.invoice.invoice_number == number(2))
    session.correct(ident, {"total_amount": "999.00"})
    assert session.flush(60)
    assert ledger(job.output)[number(2)]["total_amount"] == "999.00"  # the page's own rebuild
    (job.output / "ledger.jsonl").unlink()
    run_job(job)  # the scheduled run rebuilds its ledger with the correction
    assert ledger(job.output)[number(2)]["total_amount"] == "999.00"


@pytest.mark.slow
def test_the_review_command_prints_its_url_and_serves_on_127_0_0_1(session: ReviewSession, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    import httpx

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-m", "office_agent", "review", "inbox", "-o", "out", "--no-browser",
                             "-j", "0"], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(root)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?status=review", url), url
        page = httpx.get(url, timeout=30)
        assert page.status_code == 200 and page.text.count('class="rv-row') == 1  # the hotel invoice to review
    finally:
        proc.terminate()
        proc.wait(30)
    bad = subprocess.run([sys.executable, "-m", "office_agent", "review", "--no-browser", "--port", "70000", "inbox"],
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert bad.returncode == 3 and "--port 70000" in bad.stderr and "Traceback" not in bad.stderr
