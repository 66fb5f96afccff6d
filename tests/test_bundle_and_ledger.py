"""One invoice however many files carry it; duplicates stay visible but out of totals; the workbook is right."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from factories import einvoice
from openpyxl import load_workbook

from office_agent.batch import run_batch
from office_agent.extract.bundle import merge_and_mark
from office_agent.generate.ledger import write_ledger
from office_agent.models import DocFormat, Invoice, Provenance, Source, Status


def record(fmt: DocFormat, source: str, **fields: object) -> Invoice:
    inv = Invoice(source=source, sha256=source, sources=[source], format=fmt, **fields)  # type: ignore[arg-type]
    inv.provenance = {k: Provenance(source=Source.TEXT) for k in fields}
    return inv


def test_bundle_formats_merge_into_one_record_from_the_richest_source() -> None:
    pdf = record(DocFormat.PDF, "b.zip!x.pdf", invoice_number="25317000002228021821", qr_payload="01,32,,1,2,3,,4")
    pdf.seller_name = "从PDF读的名字"
    xml = record(DocFormat.XML, "b.zip!x.xml", invoice_number="25317000002228021821", seller_name="甲公司")
    ofd = record(DocFormat.OFD, "b.zip!x.ofd", invoice_number="25317000002228021821", seller_name="甲公司")
    merged = merge_and_mark([pdf, xml, ofd])
    assert len(merged) == 1
    one = merged[0]
    assert one.source == "b.zip!x.xml" and one.format == DocFormat.XML
    assert sorted(one.sources) == ["b.zip!x.ofd", "b.zip!x.pdf", "b.zip!x.xml"]
    assert one.seller_name == "甲公司"  # the XML wins over the PDF
    assert one.qr_payload == "01,32,,1,2,3,,4"  # only the PDF had it: filled in
    [alt] = one.alternatives["seller_name"]  # the loser is kept for review, with where it came from and why
    assert (alt.value, alt.origin) == ("从PDF读的名字", "b.zip!x.pdf") and "richer" in alt.reason


def test_same_format_repeat_is_a_visible_duplicate() -> None:
    a = record(DocFormat.PDF, "alice/x.pdf", invoice_number="12345678", invoice_code="011001900211")
    b = record(DocFormat.PDF, "bob/x-copy.pdf", invoice_number="12345678", invoice_code="011001900211")
    c = record(DocFormat.PDF, "bob/other.pdf", invoice_number="12345678", invoice_code="011001900999")
    merged = merge_and_mark([a, b, c])
    assert [m.source for m in merged] == ["alice/x.pdf", "bob/x-copy.pdf", "bob/other.pdf"]
    assert merged[0].duplicate_of is None
    assert merged[1].duplicate_of == {"source": "alice/x.pdf", "sha256": "alice/x.pdf"}
    assert merged[2].duplicate_of is None  # same number, other code: a different invoice


def test_ledger_workbook_totals_exclude_duplicates(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    (inbox / "b.xml").write_bytes(einvoice("25000000000000000002", "212.00", seller='=HYPERLINK("x")'))
    (inbox / "c-again.xml").write_bytes(einvoice("25000000000000000001", "106.00"))  # submitted twice
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    result = run_batch([inbox], workers=1)
    out = tmp_path / "out"
    paths = write_ledger(result, out)
    assert sorted(p.name for p in out.iterdir()) == ["ledger.csv", "ledger.jsonl", "ledger.xlsx"]
    wb = load_workbook(paths["xlsx"])
    ws = wb["台账"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2, max_row=4)]
    assert sorted(r["发票号码"] for r in rows) == sorted(
        ["25000000000000000001", "25000000000000000001", "25000000000000000002"]
    )
    assert [r["计入合计"] for r in rows].count("否") == 1
    # the seller name from the document is text, never a formula
    hyper = next(r for r in rows if r["发票号码"] == "25000000000000000002")
    assert hyper["销售方"] == '=HYPERLINK("x")'
    assert ws.cell(row=[r["发票号码"] for r in rows].index("25000000000000000002") + 2, column=5).data_type == "s"
    # the total row is a live formula over the counted rows; evaluate it by hand from the cells
    total_cell = ws.cell(row=6, column=header.index("价税合计") + 1)
    assert str(total_cell.value).startswith("=SUMIF(")
    counted = sum(Decimal(str(r["价税合计"])) for r in rows if r["计入合计"] == "是")
    assert counted == Decimal("318.00")
    assert wb["待复核"].cell(row=2, column=2).value.endswith("broken.pdf")
    # CSV: BOM for Excel, one line per invoice plus the failed file
    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows_csv = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows_csv) == 4
    assert next(r for r in rows_csv if r["invoice_number"] == "25000000000000000002")["seller_name"].startswith("'=")
    lines = [json.loads(x) for x in paths["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert {x["status"] for x in lines} >= {"failed"}
    assert all(v != "" for x in lines for v in x.values())  # absent values are null, never ""


def test_empty_input_gives_a_ledger_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = run_batch([tmp_path / "in"], workers=1)
    paths = write_ledger(result, tmp_path / "out")
    ws = load_workbook(paths["xlsx"])["台账"]
    assert ws.cell(row=1, column=1).value == "开票日期"
    assert "没有读到发票" in str(ws.cell(row=2, column=1).value)


def test_cli_exit_codes_and_summary(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    ok = subprocess.run(
        [sys.executable, "-m", "office_agent", "extract", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["invoice_number"] == "25000000000000000001"
    (tmp_path / "bad.pdf").write_bytes(b"\x89PNG\r\n\x1a\n")
    partial = subprocess.run(
        [sys.executable, "-m", "office_agent", "ledger", str(tmp_path), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert partial.returncode == 1, partial.stderr  # a PNG header and nothing else: reported, exit 1
    assert "failed 1" in partial.stderr and "image" in partial.stderr
    (tmp_path / "bad2.pdf").write_bytes(b"%PDF-1.4 broken")
    failed = subprocess.run(
        [sys.executable, "-m", "office_agent", "extract", str(tmp_path), "-q"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode == 1
    missing = subprocess.run(
        [sys.executable, "-m", "office_agent", "extract", str(tmp_path / "nope")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert missing.returncode == 3 and "no such file" in missing.stderr


def test_status_of_a_clean_xml_invoice_is_ok(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    inv = run_batch([tmp_path], workers=1).invoices[0]
    assert inv.status == Status.OK, inv.checks
    assert inv.category == "餐饮"
    assert inv.provenance["total_amount"].source == Source.XML
