"""Each check, made to pass and made to fail; settings; red invoices; duplicates across runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from factories import einvoice

from office_agent.batch import run_batch
from office_agent.errors import BadArguments
from office_agent.extract.bundle import MemoryIndex, deduplicate
from office_agent.extract.checks import (
    check_buyer,
    check_date,
    check_items,
    check_line_tax,
    check_qr,
    check_sum,
    check_tax_ids,
    check_words,
    validate,
)
from office_agent.models import Invoice, LineItem, Status
from office_agent.settings import CompanyProfile, Period, Settings, load_settings


def inv(**fields: object) -> Invoice:
    base: dict[str, object] = dict(
        source="x.pdf",
        sha256="0" * 64,
        invoice_number="25317000002228021821",
        issue_date=dt.date(2025, 10, 20),
        amount_without_tax=Decimal("31468.75"),
        tax_amount=Decimal("4090.94"),
        total_amount=Decimal("35559.69"),
        total_amount_in_words="叁万伍仟伍佰伍拾玖圆陆角玖分",
        buyer_name="龙腾半导体股份有限公司",
        buyer_tax_id="91610132688983884K",
        seller_tax_id="91310115MA1H9HD02E",
        qr_payload="01,31,,25317000002228021821,35559.69,20251020,,58E4",
        items=[LineItem(amount=Decimal("31468.75"), tax_rate="13%", tax_amount=Decimal("4090.94"))],
    )
    base.update(fields)
    return Invoice.model_validate(base)


SETTINGS = Settings(today=dt.date(2026, 1, 1))


def test_a_clean_invoice_passes_every_check() -> None:
    company = Settings(today=dt.date(2026, 1, 1), company=CompanyProfile(name="龙腾半导体股份有限公司"))
    record = validate(inv(), company)
    assert {c.name: c.passed for c in record.checks} == {
        "amount_plus_tax": True,
        "items_sum": True,
        "line_tax": True,
        "amount_in_words": True,
        "qr_agrees": True,
        "buyer_tax_id_check": True,
        "seller_tax_id_check": True,
        "date_sane": True,
        "buyer_is_company": True,
    }
    assert record.status == Status.OK


def test_sum_check_fails_when_amount_and_tax_do_not_add_up() -> None:
    assert check_sum(inv(tax_amount=Decimal("4090.00"))).passed is False
    assert check_sum(inv(amount_without_tax=None)).passed is None


def test_exempt_tax_counts_as_zero_in_the_sum() -> None:
    assert check_sum(inv(amount_without_tax=Decimal("39.00"), tax_amount=None, total_amount=Decimal("39.00"))).passed


def test_line_amounts_must_sum_to_the_header() -> None:
    two = [LineItem(amount=Decimal("100.00")), LineItem(amount=Decimal("-10.62"))]
    assert check_items(inv(items=two, amount_without_tax=Decimal("89.38"))).passed is True
    assert check_items(inv(items=two, amount_without_tax=Decimal("100.00"))).passed is False


def test_line_tax_within_a_cent() -> None:
    ok = [LineItem(amount=Decimal("34.51"), tax_rate="13%", tax_amount=Decimal("4.49"))]
    bad = [LineItem(amount=Decimal("34.51"), tax_rate="13%", tax_amount=Decimal("4.60"))]
    exempt = [LineItem(amount=Decimal("39.00"), tax_rate="免税", tax_amount=None)]
    assert check_line_tax(inv(items=ok)).passed is True
    assert check_line_tax(inv(items=bad)).passed is False
    assert check_line_tax(inv(items=exempt)).passed is None


@pytest.mark.parametrize(
    ("words", "passed"),
    [
        ("叁万伍仟伍佰伍拾玖圆陆角玖分", True),
        ("叁万伍仟伍佰伍拾玖元陆角玖分", True),
        ("叁万伍仟圆整", False),
        ("壹贰叁", False),
    ],
)
def test_amount_in_words(words: str, passed: bool) -> None:
    assert check_words(inv(total_amount_in_words=words)).passed is passed


def test_red_invoice_words_are_negative() -> None:
    red = inv(total_amount=Decimal("-100.00"), total_amount_in_words="（负数）壹佰圆整")
    assert check_words(red).passed is True


def test_qr_disagreements_are_named() -> None:
    assert check_qr(inv(invoice_number="25317000002228021822")).passed is False
    legacy = inv(
        invoice_code="012001900211",
        invoice_number="61876678",
        issue_date=dt.date(2019, 11, 18),
        amount_without_tax=Decimal("23.89"),
        total_amount=Decimal("27.00"),
        qr_payload="01,10,012001900211,61876678,23.89,20191118,83454623591883368905,41FF,",
    )
    assert check_qr(legacy).passed is True  # the legacy QR carries the tax-exclusive amount
    wrong_date = legacy.model_copy(update={"issue_date": dt.date(2019, 11, 19)})
    result = check_qr(wrong_date)
    assert result.passed is False and "date" in result.detail
    assert check_qr(inv(qr_payload=None)).passed is None


def test_tax_id_check_character() -> None:
    good, bad = check_tax_ids(inv(buyer_tax_id="91610132688983884K", seller_tax_id="91610132688983884A"))
    assert (good.passed, bad.passed) == (True, False)
    legacy, _ = check_tax_ids(inv(buyer_tax_id="410305123456789"))
    assert legacy.passed is None and "cannot verify" in legacy.detail


def test_date_in_the_future_or_outside_the_period() -> None:
    assert check_date(inv(issue_date=dt.date(2026, 2, 1)), SETTINGS).passed is False
    period = Settings(today=dt.date(2026, 1, 1), period=Period(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30)))
    assert check_date(inv(issue_date=dt.date(2025, 3, 1)), period).passed is True
    outside = check_date(inv(issue_date=dt.date(2025, 10, 20)), period)
    assert outside.passed is False and "outside the period" in outside.detail


def test_invoice_made_out_to_another_buyer_is_flagged() -> None:
    mine = Settings(company=CompanyProfile(name="上海积塔半导体有限公司", tax_id="91310115MA1H9HD02E"))
    result = check_buyer(inv(), mine)
    assert result.passed is False and "not 上海积塔半导体有限公司" in result.detail
    assert check_buyer(inv(), Settings()).passed is None  # no profile: cannot judge
    same = Settings(company=CompanyProfile(name="龙腾半导体股份有限公司 ", tax_id="91610132688983884k"))
    assert check_buyer(inv(), same).passed is True
    assert validate(inv(), mine).status == Status.PARTIAL


def test_red_invoice_is_linked_to_the_blue_one_and_the_net_counts(tmp_path: Path) -> None:
    (tmp_path / "blue.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    (tmp_path / "red.xml").write_bytes(
        einvoice("25000000000000000002", "-106.00", remark="被红冲蓝字数电发票号码：25000000000000000001")
    )
    result = run_batch([tmp_path], workers=1)
    by_number = {i.invoice_number: i for i in result.invoices}
    blue, red = by_number["25000000000000000001"], by_number["25000000000000000002"]
    assert red.is_red and red.original_invoice_number == "25000000000000000001"
    assert red.reverses is not None and red.reverses["invoice_number"] == "25000000000000000001"
    assert blue.reversed_by[0]["invoice_number"] == "25000000000000000002"
    assert sum(i.total_amount or 0 for i in result.invoices if not i.duplicate_of) == 0


def test_duplicates_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "jan", tmp_path / "feb"
    first.mkdir()
    second.mkdir()
    (first / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    (second / "a-resubmitted.xml").write_bytes(einvoice("25000000000000000001", "106.00", remark="again"))
    seen = MemoryIndex()
    run1 = run_batch([first], workers=1, seen=seen)
    run2 = run_batch([second], workers=1, seen=seen)
    assert run1.invoices[0].duplicate_of is None
    assert run2.invoices[0].duplicate_of == {"source": str(first / "a.xml"), "sha256": run1.invoices[0].sha256}
    again = run_batch([first], workers=1, seen=seen)  # the same file read again is not a duplicate of itself
    assert again.invoices[0].duplicate_of is None


def test_deduplicate_is_a_batch_step() -> None:
    a, b = inv(source="a.pdf", sha256="a"), inv(source="b.pdf", sha256="b")
    a.format = b.format = None
    out = deduplicate([a, b])
    assert out[1].duplicate_of == {"source": "a.pdf", "sha256": "a"}


def test_settings_from_file_env_and_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "office-agent.toml"
    cfg.write_text('[company]\nname = "杭州甲科技有限公司"\n[period]\nstart = 2025-01-01\n', encoding="utf-8")
    monkeypatch.setenv("OFFICE_AGENT_COMPANY__TAX_ID", "91330100MA27XXXXXX")
    s = load_settings(cfg, period__end="2025-12-31")
    assert s.company.name == "杭州甲科技有限公司" and s.company.tax_id == "91330100MA27XXXXXX"
    assert (s.period.start, s.period.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert not s.llm.enabled
    cfg.write_text("[period]\nstart = 2025-12-01\nend = 2025-01-01\n", encoding="utf-8")
    with pytest.raises(BadArguments, match="period"):
        load_settings(cfg)
    cfg.write_text("[company\n", encoding="utf-8")
    with pytest.raises(BadArguments, match="TOML"):
        load_settings(cfg)


def test_shared_options_before_the_command_reach_the_ledger(tmp_path: Path) -> None:
    """`office-agent --company X ledger …`: the company given before the command name is the one checked."""
    import json
    import subprocess
    import sys

    (tmp_path / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "office_agent", "--company", "别的公司", "ledger", str(tmp_path / "a.xml")]
    cmd += ["-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    [record] = [json.loads(x) for x in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    [check] = [c for c in record["checks"] if c["name"] == "buyer_is_company"]
    assert check["passed"] is False and "别的公司" in check["detail"]
