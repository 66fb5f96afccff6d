"""The workbook's sheets, formatting, languages, review list, formula-injection safety and reproducibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from factories import einvoice
from ledger_builders import OUR_COMPANY, all_values, batch, make_invoice, sheet_rows
from openpyxl import load_workbook

from office_agent.batch import run_batch
from office_agent.generate.labels import _TEXT, CHECK_NAMES, KIND_NAMES, t
from office_agent.generate.ledger import MONEY_FORMAT, write_ledger
from office_agent.generate.ledger_view import LedgerOptions
from office_agent.models import DocFormat, FileResult, Status

SHEETS_ZH = ["台账", "明细", "汇总", "待复核", "说明", "报销单"]
SHEETS_EN = ["Ledger", "Line items", "Summary", "To review", "About", "Claim form"]
INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "=1+1"]


def test_every_label_exists_in_both_languages() -> None:
    for table in (_TEXT, KIND_NAMES, CHECK_NAMES):
        for key, (zh, en) in table.items():
            assert zh and en, key


def test_sheets_headers_and_formatting_in_chinese(tmp_path: Path) -> None:
    result = batch([make_invoice("25000000000000000001", "106.00"), make_invoice("25000000000000000002", "53.00")])
    paths = write_ledger(result, tmp_path)
    wb = load_workbook(paths["xlsx"])
    assert wb.sheetnames == SHEETS_ZH
    ws = wb["台账"]
    assert [c.value for c in ws[1]][:4] == ["开票日期", "发票类型", "发票代码", "发票号码"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:Q3"
    assert ws["A2"].is_date and ws["A2"].number_format == "yyyy-mm-dd"
    header = [c.value for c in ws[1]]
    total_col = header.index("价税合计") + 1
    assert ws.cell(row=2, column=total_col).number_format == MONEY_FORMAT == "¥#,##0.00;[Red]-¥#,##0.00"
    assert ws.column_dimensions["E"].width >= 30  # seller names are long
    assert ws.cell(row=1, column=1).font.bold


def test_english_headers_with_lang_en(tmp_path: Path) -> None:
    result = batch([make_invoice("25000000000000000001", "106.00", category="交通")])
    paths = write_ledger(result, tmp_path, lang="en")
    wb = load_workbook(paths["xlsx"])
    assert wb.sheetnames == SHEETS_EN
    rows = sheet_rows(wb["Ledger"])
    assert rows[0]["Category"] == "Transport" and rows[0]["Counted"] == "yes" and rows[0]["Status"] == "ok"
    assert rows[0]["Kind"] == "Digital general"
    assert "Total (duplicates left out)" in [c.value for c in wb["Ledger"]["A"]]
    assert str(wb["Ledger"].cell(row=4, column=12).value).startswith('=SUMIF($M$2:$M$2,"yes"')


def test_source_file_is_a_hyperlink_when_the_file_exists(tmp_path: Path) -> None:
    pdf = tmp_path / "in" / "a.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4")
    result = batch([make_invoice("1", "10.00", source=str(pdf)), make_invoice("2", "10.00", source="gone/b.pdf")])
    ws = load_workbook(write_ledger(result, tmp_path / "out")["xlsx"])["台账"]
    links = {ws.cell(row=r, column=17).value: ws.cell(row=r, column=17).hyperlink for r in (2, 3)}
    assert links[str(pdf)] is not None and links[str(pdf)].target == pdf.resolve().as_uri()
    assert links["gone/b.pdf"] is None  # no link to a file that is not there


def test_review_sheet_lists_everything_a_person_must_look_at(tmp_path: Path) -> None:
    invoices = [
        make_invoice("25000000000000000001", "106.00", source="in/a.pdf"),
        make_invoice("25000000000000000001", "106.00", source="in/a-again.pdf", duplicate_of="in/a.pdf"),
        make_invoice("25000000000000000003", "50.00", failed_check="items_sum"),
        make_invoice("25000000000000000004", "70.00", confidence=0.42),
        make_invoice("25000000000000000005", "80.00", buyer="别人家有限公司", buyer_tax_id="91110000000000000X"),
    ]
    failed = FileResult(source="in/broken.pdf", status=Status.FAILED, reason="not a PDF: truncated")
    skipped = FileResult(source="in/photo.png", status=Status.SKIPPED, reason="image: needs OCR")
    paths = write_ledger(batch(invoices, [failed, skipped]), tmp_path, company=OUR_COMPANY)
    rows = sheet_rows(load_workbook(paths["xlsx"])["待复核"])
    by_kind = {(r["问题类型"], r["文件"]): r for r in rows}
    assert by_kind[("读取失败", "in/broken.pdf")]["原因"] == "not a PDF: truncated"
    assert ("已跳过", "in/photo.png") in by_kind
    assert "in/a.pdf" in by_kind[("重复发票", "in/a-again.pdf")]["原因"]
    assert by_kind[("校验未通过", "in/25000000000000000003.pdf")]["原因"].startswith("明细金额合计")
    low = by_kind[("低置信度", "in/25000000000000000004.pdf")]
    assert low["字段"] == "价税合计" and "0.42" in low["原因"]
    other = by_kind[("抬头不是本公司", "in/25000000000000000005.pdf")]
    assert "别人家有限公司" in other["原因"] and OUR_COMPANY[0] in other["原因"]
    assert len(rows) == 6  # nothing else: the clean invoice has no row
    ledger = sheet_rows(load_workbook(paths["xlsx"])["台账"])
    assert sum(1 for r in ledger if r["问题"]) == 4


def test_buyer_check_from_the_chain_is_shown_as_another_buyer(tmp_path: Path) -> None:
    from office_agent.models import Check

    inv = make_invoice("9", "10.00", buyer="别人家")
    inv.checks.append(Check(name="buyer_is_company", passed=False, detail="made out to 别人家, not 我们"))
    rows = sheet_rows(load_workbook(write_ledger(batch([inv]), tmp_path, company=OUR_COMPANY)["xlsx"])["待复核"])
    assert [r["问题类型"] for r in rows] == ["抬头不是本公司"]  # once, not twice


@pytest.mark.parametrize("text", INJECTIONS)
def test_text_from_documents_is_never_a_formula(tmp_path: Path, text: str) -> None:
    inv = make_invoice("25000000000000000001", "10.00", seller=text, buyer=text, item_name=text)
    inv.source = "in/=HYPERLINK(1)/x.pdf"  # a folder name is text from outside too: it becomes the group
    failed = FileResult(source=f"in/{text}.pdf", status=Status.FAILED, reason=text)
    options = LedgerOptions(group_by="person", inputs=(Path("in"),))
    wb = load_workbook(write_ledger(batch([inv], [failed]), tmp_path, options=options)["xlsx"])
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and text in cell.value:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen += 1
    assert seen >= 5  # seller, buyer on 台账; item on 明细; the failed file and its reason on 待复核
    groups = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert len(groups) >= 3 and all(c.data_type == "s" for c in groups)  # 台账, 明细, 汇总
    summary = wb["汇总"]
    formulas = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] == "="]
    assert all(text not in f for f in formulas if "~" not in text and "*" not in text)


def test_empty_input_gives_every_sheet_with_headers_and_a_note(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    paths = write_ledger(run_batch([tmp_path / "in"], workers=1), tmp_path / "out")
    wb = load_workbook(paths["xlsx"])
    assert wb.sheetnames == SHEETS_ZH
    assert wb["台账"]["A1"].value == "开票日期" and "没有读到发票" in wb["台账"]["A2"].value
    assert wb["明细"]["A2"].value == "没有明细"
    assert wb["汇总"]["A4"].value == "没有可汇总的发票"
    assert wb["待复核"]["A2"].value == "没有需要复核的内容"
    assert wb["台账"]["J3"].value == '=SUMIF($M$2:$M$2,"是",J2:J2)'  # still a valid formula, over no rows
    assert paths["csv"].read_bytes() == b"\xef\xbb\xbf" + paths["csv"].read_bytes()[3:]
    assert paths["jsonl"].read_text(encoding="utf-8") == ""


def test_red_invoice_nets_out_and_says_what_it_reverses(tmp_path: Path) -> None:
    blue = make_invoice("25000000000000000001", "106.00")
    red = make_invoice("25000000000000000002", "-106.00", red=True)
    red.reverses = {"source": blue.source, "sha256": blue.sha256, "number": "25000000000000000001"}
    rows = sheet_rows(load_workbook(write_ledger(batch([blue, red]), tmp_path)["xlsx"])["台账"])
    assert [r["发票类型"] for r in rows] == ["数电普票", "数电普票（红字）"]
    assert "冲销 25000000000000000001" in rows[1]["问题"]
    assert sum(Decimal(str(r["价税合计"])) for r in rows if r["计入合计"] == "是") == 0


def test_about_sheet_records_the_run(tmp_path: Path) -> None:
    options = LedgerOptions(year=2025, categories=("Meals",), inputs=(Path("in"),), company=OUR_COMPANY)
    result = batch([make_invoice("1", "10.00"), make_invoice("2", "20.00", date="2024-12-31")])
    wb = load_workbook(write_ledger(result, tmp_path, options=options)["xlsx"])
    about = {r["项目"]: r["内容"] for r in sheet_rows(wb["说明"])}
    assert about["筛选"] == "2025年; 类别：餐饮"
    assert about["输入"] == "in" and about["本公司"] == " ".join(OUR_COMPANY)
    assert about["台账发票数"] == 1 and about["被筛选排除的发票"] == 1
    assert isinstance(about["生成时间"], dt.datetime)


def test_same_input_same_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n, total in enumerate(("106.00", "212.00", "31.80"), 1):
        (inbox / f"{n}.xml").write_bytes(einvoice(f"2500000000000000000{n}", total))
    (inbox / "dup.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    first = write_ledger(run_batch([inbox], workers=1), tmp_path / "a")["xlsx"]
    second = write_ledger(run_batch([inbox], workers=2), tmp_path / "b")["xlsx"]
    run_time = frozenset({("说明", "B2")})
    assert all_values(first, run_time) == all_values(second, run_time)  # only the run time may differ
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    third = write_ledger(run_batch([inbox], workers=1), tmp_path / "c")["xlsx"]
    fourth = write_ledger(run_batch([inbox], workers=1), tmp_path / "d")["xlsx"]
    assert all_values(third) == all_values(fourth)
    assert load_workbook(third)["说明"]["B2"].value == dt.datetime(2025, 1, 1)
    assert (tmp_path / "c" / "ledger.csv").read_bytes() == (tmp_path / "d" / "ledger.csv").read_bytes()


def test_files_are_readable_by_others_like_any_saved_file(tmp_path: Path) -> None:
    paths = write_ledger(batch([make_invoice("1", "10.00")]), tmp_path)
    assert all(p.stat().st_mode & 0o044 for p in paths.values())  # mkstemp's 0600 is not kept


def test_write_ledger_keeps_its_old_signature(tmp_path: Path) -> None:
    result = batch([make_invoice("1", "10.00")])
    paths = write_ledger(result, tmp_path, tmp_path)  # positional source_root, as the ledger command calls it
    assert sorted(paths) == ["csv", "jsonl", "xlsx"]
    only_csv = write_ledger(result, tmp_path / "csv", formats=("csv",))
    assert list(only_csv) == ["csv"] and sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["ledger.csv"]


def test_partial_xml_records_flow_through(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00", seller="@SUM(A1:A3)"))
    result = run_batch([inbox], workers=1)
    assert result.invoices[0].format == DocFormat.XML
    rows = sheet_rows(load_workbook(write_ledger(result, tmp_path / "o")["xlsx"])["台账"])
    assert rows[0]["销售方"] == "@SUM(A1:A3)" and rows[0]["类别"] == "餐饮"
    assert t("yes") == rows[0]["计入合计"]
