"""Filters (year, from/to, category, person), grouping by sub-folder, and the CSV/JSONL beside the workbook."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path, PurePath

import pytest
from ledger_builders import batch, make_invoice, sheet_rows
from openpyxl import load_workbook

from office_agent.errors import BadArguments
from office_agent.generate.ledger import write_ledger
from office_agent.generate.ledger_view import LedgerOptions, build_view, group_of, resolve_categories


def sample() -> list:  # type: ignore[type-arg]
    return [
        make_invoice("1", "10.00", date="2024-12-31", category="餐饮", source="in/alice/1.pdf"),
        make_invoice("2", "20.00", date="2025-01-01", category="交通", source="in/alice/2.pdf"),
        make_invoice("3", "30.00", date="2025-03-15", category="餐饮", source="in/bob/3.pdf"),
        make_invoice("4", "40.00", date="2025-05-31", category="住宿", source="in/bob/sub/4.pdf"),
        make_invoice("5", "50.00", date="2025-06-01", category="餐饮", source="in/5.pdf"),
        make_invoice("6", "60.00", date=None, category="餐饮", source="in/alice/6.pdf"),
    ]


def numbers(options: LedgerOptions) -> list[str]:
    return [r.invoice.invoice_number or "" for r in build_view(batch(sample()), options).rows]


def test_year_filter() -> None:
    assert numbers(LedgerOptions(year=2025)) == ["2", "3", "4", "5"]
    view = build_view(batch(sample()), LedgerOptions(year=2025))
    assert view.filtered_out == 2
    assert [(i.issue, i.invoice_number) for i in view.review] == [("no_date", "6")]  # not silently dropped


def test_from_to_filter_is_inclusive() -> None:
    opts = LedgerOptions(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 5, 31))
    assert numbers(opts) == ["2", "3", "4"]
    view = build_view(batch(sample()), opts)
    assert view.months == [dt.date(2025, m, 1) for m in range(1, 6)]  # every month of the period, empty ones too


def test_year_and_range_intersect() -> None:
    assert numbers(LedgerOptions(year=2025, date_to=dt.date(2025, 3, 31))) == ["2", "3"]
    with pytest.raises(BadArguments, match="empty"):
        build_view(batch(sample()), LedgerOptions(year=2024, date_from=dt.date(2025, 1, 1)))


@pytest.mark.parametrize(
    "given", [("餐饮",), ("Meals",), ("meals",), ("meal",), ("餐饮,交通",), ("Meals", "transport")]
)
def test_category_filter_takes_chinese_or_english(given: tuple[str, ...]) -> None:
    got = numbers(LedgerOptions(categories=given))
    assert {"1", "3", "5", "6"} <= set(got)
    assert ("2" in got) == any("交通" in g or "transport" in g.lower() for g in given)


def test_unknown_category_is_refused_with_the_list() -> None:
    with pytest.raises(BadArguments, match=r"unknown category 'snacks'.*餐饮 \(Meals\)"):
        resolve_categories(["snacks"])


def test_group_is_the_sub_folder_below_the_input() -> None:
    roots = [PurePath("in")]
    assert group_of("in/alice/1.pdf", roots) == "alice"
    assert group_of("in/bob/sub/4.pdf", roots) == "bob"
    assert group_of("in/5.pdf", roots) is None
    assert group_of("in/carol.zip!x/1.pdf", roots) is None  # a ZIP at the top is not a folder
    assert group_of("in/dave/bundle.zip!1.pdf", roots) == "dave"
    assert group_of("/abs/in/erin/1.pdf", [PurePath("/abs/in"), PurePath("/abs")]) == "erin"  # deepest root wins


def test_group_by_person_sorts_and_labels(tmp_path: Path) -> None:
    options = LedgerOptions(group_by="person", inputs=(Path("in"),))
    wb = load_workbook(write_ledger(batch(sample()), tmp_path, options=options)["xlsx"])
    rows = sheet_rows(wb["台账"])
    assert [(r["报销人"], r["发票号码"]) for r in rows] == [
        ("alice", "1"), ("alice", "2"), ("alice", "6"), ("bob", "3"), ("bob", "4"), ("（未分组）", "5"),
    ]  # fmt: skip
    assert sheet_rows(wb["明细"])[0]["报销人"] == "alice"
    labels = [c.value for c in wb["汇总"]["A"] if c.value]
    assert "按报销人和类别汇总" in labels and {"alice", "bob", "（未分组）"} <= set(labels)


def test_group_by_project_without_inputs_uses_the_common_folder() -> None:
    view = build_view(batch(sample()), LedgerOptions(group_by="project"))
    assert view.groups == ["alice", "bob", None]


def test_person_filter_keeps_one_sub_folder() -> None:
    assert numbers(LedgerOptions(groups=("bob",), inputs=(Path("in"),))) == ["3", "4"]


def test_csv_with_bom_and_jsonl_follow_the_filters(tmp_path: Path) -> None:
    options = LedgerOptions(year=2025, categories=("餐饮",), group_by="person", inputs=(Path("in"),))
    paths = write_ledger(batch(sample()), tmp_path, options=options)
    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    got = [(r["invoice_number"], r["group"], r["total_amount"]) for r in rows]
    assert got == [("3", "bob", "30.00"), ("5", "", "50.00")]
    lines = [json.loads(x) for x in paths["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert [(x["invoice_number"], x["group"]) for x in lines] == [("3", "bob"), ("5", None)]
    assert all(v != "" for x in lines for v in x.values())


def test_csv_without_grouping_has_the_contract_columns_only(tmp_path: Path) -> None:
    from office_agent.generate.records import CSV_FIELDS

    paths = write_ledger(batch(sample()), tmp_path)
    header = next(csv.reader(paths["csv"].read_text(encoding="utf-8-sig").splitlines()))
    assert tuple(header) == CSV_FIELDS
