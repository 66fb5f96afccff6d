"""Bundling cannot lose an invoice: files are one invoice only when their key fields agree; a conflict is two
invoices and a review item, never an ``alternatives`` entry that hides one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from office_agent.extract.bundle import deduplicate, merge_and_mark, same_invoice
from office_agent.models import DocFormat, Invoice, Provenance, Source, Status


def record(fmt: DocFormat, source: str, **fields: object) -> Invoice:
    inv = Invoice(source=source, sha256=source, sources=[source], format=fmt, **fields)  # type: ignore[arg-type]
    inv.provenance = {k: Provenance(source=Source.TEXT) for k in fields}
    return inv


def conflicts(inv: Invoice) -> list[str]:
    return [c.detail for c in inv.checks if c.name == "same_number_conflict" and c.passed is False]


def counted_total(records: list[Invoice]) -> Decimal:
    return sum((r.total_amount or Decimal(0) for r in records if r.duplicate_of is None), Decimal(0))


def test_three_mockups_sharing_an_8_digit_number_without_code_stay_three_invoices() -> None:
    mockups = [
        record(DocFormat.PDF, "a.pdf", invoice_number="12345678", issue_date=dt.date(2019, 1, 2),
               seller_name="甲公司", total_amount=Decimal("100.00")),
        record(DocFormat.PDF, "b.pdf", invoice_number="12345678", issue_date=dt.date(2020, 5, 6),
               seller_name="乙公司", total_amount=Decimal("250.50")),
        record(DocFormat.IMAGE, "c.png", invoice_number="12345678", issue_date=dt.date(2021, 7, 8),
               seller_name="丙公司", total_amount=Decimal("9.90")),
    ]  # fmt: skip
    out = deduplicate(mockups)
    assert [r.source for r in out] == ["a.pdf", "b.pdf", "c.png"]
    assert all(r.duplicate_of is None and not r.alternatives for r in out)
    assert counted_total(out) == Decimal("360.40")  # the ledger counts all three
    for r in out:
        assert len(conflicts(r)) == 2 and r.status == Status.PARTIAL
        assert "issue_date, total_amount differ" in conflicts(r)[0]


def test_a_20_digit_number_with_two_totals_is_two_invoices_flagged() -> None:
    pdf = record(DocFormat.PDF, "x.pdf", invoice_number="25317000002228021821", total_amount=Decimal("35559.69"))
    xml = record(DocFormat.XML, "y.xml", invoice_number="25317000002228021821", total_amount=Decimal("355.69"))
    out = merge_and_mark([pdf, xml])
    assert len(out) == 2 and all(conflicts(r) for r in out)
    assert "y.xml" in conflicts(out[0])[0] and "total_amount differ" in conflicts(out[0])[0]


def test_a_bundle_whose_key_fields_agree_is_one_record() -> None:
    n, day, total = "25317000002228021821", dt.date(2025, 10, 20), Decimal("35559.69")
    pdf = record(DocFormat.PDF, "b.zip!x.pdf", invoice_number=n, issue_date=day, total_amount=total)
    ofd = record(DocFormat.OFD, "b.zip!x.ofd", invoice_number=n, issue_date=day, total_amount=total)
    xml = record(DocFormat.XML, "b.zip!x.xml", invoice_number=n, total_amount=total)  # no date read: no conflict
    [one] = merge_and_mark([pdf, ofd, xml])
    assert one.format == DocFormat.XML and len(one.sources) == 3 and not conflicts(one)


def test_a_legacy_number_merges_on_code_or_on_date_and_total_never_on_the_number_alone() -> None:
    day, total = dt.date(2019, 11, 18), Decimal("27.00")
    coded = record(DocFormat.OFD, "x.ofd", invoice_code="012001900211", invoice_number="61876678", issue_date=day,
                   total_amount=total)  # fmt: skip
    shot = record(DocFormat.IMAGE, "shot.png", invoice_number="61876678", issue_date=day, total_amount=total)
    assert same_invoice(coded, shot)  # the code lost by OCR, date and total agree
    [one] = merge_and_mark([coded, shot])
    assert one.source == "x.ofd" and "shot.png" in one.sources
    dateless = record(DocFormat.IMAGE, "crop.png", invoice_number="61876678", total_amount=total)
    assert not same_invoice(coded, dateless)
    out = merge_and_mark([coded, dateless])
    assert len(out) == 2 and "date or total is unread" in conflicts(out[1])[0]


def test_the_same_number_under_two_codes_is_two_invoices_and_no_conflict() -> None:
    a = record(DocFormat.PDF, "a.pdf", invoice_code="011001900211", invoice_number="12345678")
    b = record(DocFormat.PDF, "b.pdf", invoice_code="011001900999", invoice_number="12345678")
    out = merge_and_mark([a, b])
    assert len(out) == 2 and not any(conflicts(r) for r in out) and all(r.duplicate_of is None for r in out)


def test_a_resubmitted_copy_that_agrees_is_still_a_visible_duplicate() -> None:
    fields = {"invoice_number": "12345678", "issue_date": dt.date(2020, 1, 1), "total_amount": Decimal("5.00")}
    a, b = record(DocFormat.PDF, "a.pdf", **fields), record(DocFormat.PDF, "a-again.pdf", **fields)
    out = merge_and_mark([a, b])
    assert out[1].duplicate_of == {"source": "a.pdf", "sha256": "a.pdf"} and counted_total(out) == Decimal("5.00")
