"""The workbook's formulas compute the right totals: evaluated with the `formulas` package (an Excel engine in
Python), compared with sums made here from the records. Edit a cell on 台账 and the summary follows."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ledger_builders import batch, make_invoice, sheet_rows
from openpyxl import load_workbook

from office_agent.generate.ledger import write_ledger
from office_agent.generate.ledger_view import LedgerOptions, build_view, summary_values

formulas = pytest.importorskip("formulas", reason="pip install formulas (the Excel formula engine the tests use)")


def evaluate(path: Path) -> dict[tuple[str, str], Any]:
    """Every cell's computed value, keyed by (SHEET upper-cased, coordinate)."""
    model = formulas.ExcelModel().loads(str(path)).finish()
    out: dict[tuple[str, str], Any] = {}
    for key, value in model.calculate().items():
        m = re.fullmatch(r"'?\[[^\]]+\](.+?)'?!([A-Z]+\d+)", key)
        if m:
            v = value.value[0][0] if hasattr(value, "value") else value
            out[(m.group(1).upper(), m.group(2))] = v
    return out


def money(v: Any) -> Decimal:
    return Decimal(str(float(v))).quantize(Decimal("0.01"))


def invoices() -> list[Any]:
    return [
        make_invoice("25000000000000000001", "106.00", date="2025-03-04", category="餐饮", source="in/alice/1.pdf"),
        make_invoice("25000000000000000001", "106.00", date="2025-03-04", category="餐饮", source="in/bob/1.pdf",
                     duplicate_of="in/alice/1.pdf"),
        make_invoice("25000000000000000002", "212.50", date="2025-03-31", category="交通", source="in/alice/2.pdf"),
        make_invoice("25000000000000000003", "88.80", date="2025-04-01", category="交通", source="in/bob/3.pdf"),
        make_invoice("25000000000000000004", "-88.80", date="2025-05-10", category="交通", source="in/bob/4.pdf",
                     red=True),
        make_invoice("25000000000000000005", "999.99", date="2025-05-31", category="住宿", source="in/carol/5.pdf"),
        make_invoice("25000000000000000006", "12.34", date=None, category="餐饮", source="in/carol/6.pdf"),
        make_invoice("25000000000000000007", "5.00", date="2025-04-15", category=None, source="in/7.pdf"),
    ]  # fmt: skip


def summary_grid(ws: Any, values: dict[tuple[str, str], Any], sheet: str) -> dict[tuple[str, str], Decimal]:
    """(row label, column header) → evaluated amount, for the category × month table."""
    headers = {c.column_letter: c.value for c in ws[3] if c.value}
    grid = {}
    for row in ws.iter_rows(min_row=4):
        label = row[0].value
        if label is None:
            break
        for c in row[1:]:
            if c.column_letter in headers and isinstance(c.value, str) and c.value.startswith("="):
                grid[(label, headers[c.column_letter])] = money(values[(sheet, c.coordinate)])
    return grid


def test_summary_formulas_compute_the_counted_totals(tmp_path: Path) -> None:
    result = batch(invoices())
    options = LedgerOptions(group_by="person", inputs=(Path("in"),))
    xlsx = write_ledger(result, tmp_path, options=options)["xlsx"]
    values = evaluate(xlsx)
    wb = load_workbook(xlsx)
    grid = summary_grid(wb["汇总"], values, "汇总")
    expected = summary_values(build_view(result, options))
    assert grid[("餐饮", "2025-03")] == Decimal("106.00")  # the duplicate is left out
    assert grid[("交通", "2025-05")] == Decimal("-88.80")  # the red invoice nets out
    assert grid[("交通", "合计")] == Decimal("212.50")
    assert grid[("餐饮", "无日期")] == Decimal("12.34") and grid[("餐饮", "合计")] == Decimal("118.34")
    assert grid[("未分类", "2025-04")] == Decimal("5.00")
    for (cat, month), amount in expected.cells.items():
        label = {"餐饮": "餐饮", "交通": "交通", "住宿": "住宿", None: "未分类"}[cat]
        assert grid[(label, month.strftime("%Y-%m"))] == amount
    grand = money(values[("汇总", "B2")])
    assert grand == expected.grand == Decimal("1335.83")
    # the 台账 total row says the same
    header = [c.value for c in wb["台账"][1]]
    total_col = wb["台账"].cell(row=1, column=header.index("价税合计") + 1).column_letter
    total_row = len(result.invoices) + 3
    assert money(values[("台账", f"{total_col}{total_row}")]) == grand
    # and the per-person table adds up to the same grand total
    person_totals = [
        money(values[("汇总", c.coordinate)])
        for row in wb["汇总"].iter_rows()
        for c in row
        if row[0].value in ("alice", "bob", "carol", "（未分组）") and c.column == len(expected.by_category) + 2
    ]
    assert sorted(person_totals) == sorted([Decimal("318.50"), Decimal("0.00"), Decimal("1012.33"), Decimal("5.00")])
    assert sum(person_totals) == grand


def test_editing_a_ledger_row_moves_the_summary(tmp_path: Path) -> None:
    xlsx = write_ledger(batch(invoices()[:4]), tmp_path)["xlsx"]
    wb = load_workbook(xlsx)
    ws = wb["台账"]
    header = [c.value for c in ws[1]]
    rows = sheet_rows(ws)
    r = next(i for i, row in enumerate(rows, 2) if row["发票号码"] == "25000000000000000003")
    ws.cell(row=r, column=header.index("价税合计") + 1, value=100)  # a person corrects the total …
    before = summary_grid(wb["汇总"], evaluate(xlsx), "汇总")
    assert (before[("交通", "合计")], before[("餐饮", "合计")]) == (Decimal("301.30"), Decimal("106.00"))
    ws.cell(row=r, column=header.index("类别") + 1, value="餐饮")  # … and the category
    wb.save(tmp_path / "edited.xlsx")
    grid = summary_grid(wb["汇总"], evaluate(tmp_path / "edited.xlsx"), "汇总")
    assert grid[("交通", "合计")] == Decimal("212.50")
    assert grid[("餐饮", "合计")] == Decimal("206.00") and grid[("餐饮", "2025-04")] == Decimal("100.00")


def test_english_workbook_formulas_match_english_labels(tmp_path: Path) -> None:
    xlsx = write_ledger(batch(invoices()), tmp_path, lang="en")["xlsx"]
    values = evaluate(xlsx)
    grid = summary_grid(load_workbook(xlsx)["Summary"], values, "SUMMARY")
    assert grid[("Meals", "Total")] == Decimal("118.34")
    assert grid[("Transport", "2025-05")] == Decimal("-88.80")
    assert money(values[("SUMMARY", "B2")]) == Decimal("1335.83")


def test_year_filter_shows_every_month_of_the_year(tmp_path: Path) -> None:
    xlsx = write_ledger(batch(invoices()), tmp_path, options=LedgerOptions(year=2025))["xlsx"]
    ws = load_workbook(xlsx)["汇总"]
    months = [c.value for c in ws[3]][1:13]
    assert months == [f"2025-{m:02d}" for m in range(1, 13)]
    values = evaluate(xlsx)
    grid = summary_grid(ws, values, "汇总")
    assert grid[("住宿", "2025-01")] == 0 and grid[("住宿", "2025-05")] == Decimal("999.99")
    assert money(values[("汇总", "B2")]) == Decimal("1323.49")  # the undated invoice is outside 2025


def test_wildcards_in_a_folder_name_are_matched_literally(tmp_path: Path) -> None:
    a = make_invoice("1", "10.00", source="in/a*/1.pdf")
    b = make_invoice("2", "20.00", source="in/ab/2.pdf")
    xlsx = write_ledger(batch([a, b]), tmp_path, options=LedgerOptions(group_by="project", inputs=(Path("in"),)))
    values = evaluate(xlsx["xlsx"])
    ws = load_workbook(xlsx["xlsx"])["汇总"]
    totals = {row[0].value: money(values[("汇总", row[-1].coordinate)]) for row in ws.iter_rows(min_row=8)
              if row[0].value in ("a*", "ab") and row[-1].value}  # fmt: skip
    assert totals == {"a*": Decimal("10.00"), "ab": Decimal("20.00")}


def test_chart_plots_categories_by_month(tmp_path: Path) -> None:
    ws = load_workbook(write_ledger(batch(invoices()), tmp_path)["xlsx"])["汇总"]
    assert len(ws._charts) == 1

    with zipfile.ZipFile(tmp_path / "ledger.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode("utf-8")
    assert "<barChart>" in xml and '<grouping val="stacked"/>' in xml
    assert xml.count("<ser>") == 4  # 餐饮, 交通, 住宿, 未分类
    assert "'汇总'!$B$3:$D$3" in xml  # months on the category axis
    assert dt.date(2025, 3, 1).strftime("%Y-%m") in [c.value for c in ws[3]]
