"""The reimbursement ledger: ``ledger.xlsx`` (openpyxl) plus ``ledger.csv`` and ``ledger.jsonl`` beside it.

Sheets: 台账 (one row per invoice, with a live total that leaves out duplicates), 明细 (line items),
问题文件 (files that gave no invoice, with the reason). Text read from documents is always written as text, so
a seller name beginning with ``=`` is never run as a formula. Every file is written to a temporary name in the
output folder and renamed into place, so a reader never sees half a workbook.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from office_agent.generate.records import failure_record, invoice_record, write_csv, write_jsonl
from office_agent.models import BatchResult, FileResult, Invoice, Status

MONEY_FORMAT = "¥#,##0.00;[Red]-¥#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
KIND_NAMES = {
    "digital_general": "数电普票",
    "digital_special": "数电专票",
    "vat_electronic_general": "电子普票",
    "vat_electronic_special": "电子专票",
    "vat_special": "增值税专票",
    "vat_general": "增值税普票",
    "railway_ticket": "铁路客票",
    "flight_itinerary": "航空行程单",
    "ride_itinerary": "网约车行程单",
    "receipt": "收据",
    "other": "其他",
}


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    value: Callable[[Invoice], Any]
    money: bool = False


LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("开票日期", 12, lambda i: i.issue_date),
    Column("发票类型", 12, lambda i: KIND_NAMES.get(i.invoice_kind.value, i.invoice_kind.value)),
    Column("发票代码", 14, lambda i: i.invoice_code),
    Column("发票号码", 22, lambda i: i.invoice_number),
    Column("销售方", 32, lambda i: i.seller_name),
    Column("销售方税号", 21, lambda i: i.seller_tax_id),
    Column("购买方", 32, lambda i: i.buyer_name),
    Column("购买方税号", 21, lambda i: i.buyer_tax_id),
    Column("类别", 10, lambda i: i.category),
    Column("金额", 14, lambda i: i.amount_without_tax, money=True),
    Column("税额", 12, lambda i: i.tax_amount, money=True),
    Column("价税合计", 14, lambda i: i.total_amount, money=True),
    Column("计入合计", 9, lambda i: "否" if i.duplicate_of else "是"),
    Column("状态", 9, lambda i: i.status.value),
    Column("问题", 40, lambda i: _problems(i)),
    Column("来源文件", 40, lambda i: i.source),
)


def _problems(inv: Invoice) -> str | None:
    parts = [e.message for e in inv.errors]
    parts += [f"{c.name}: {c.detail}" for c in inv.checks if c.passed is False]
    if inv.duplicate_of:
        parts.append(f"重复: {inv.duplicate_of['source']}")
    return "; ".join(parts) or None


def set_text(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write a cell; strings are forced to text so ``=cmd|...`` from a document is never a formula."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        # Control characters (a tab or an escape in a file name) are illegal in xlsx: show them escaped.
        cell.value = ILLEGAL_CHARACTERS_RE.sub(lambda m: m.group(0).encode("unicode_escape").decode(), value)
        cell.data_type = "s"
    else:
        cell.value = value


def _header(ws: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    for c, (h, w) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(row=1, column=c, value=h)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = "A2"


def build_workbook(result: BatchResult, source_root: Path | None = None) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    _ledger_sheet(ws, result.invoices, source_root)
    _items_sheet(wb.create_sheet("明细"), result.invoices)
    _failures_sheet(
        wb.create_sheet("问题文件"), [f for f in result.files if f.status in (Status.FAILED, Status.SKIPPED)]
    )
    return wb


def _ledger_sheet(ws: Worksheet, invoices: list[Invoice], source_root: Path | None) -> None:
    _header(ws, [c.header for c in LEDGER_COLUMNS], [c.width for c in LEDGER_COLUMNS])
    counted_col = next(i for i, c in enumerate(LEDGER_COLUMNS, 1) if c.header == "计入合计")
    for r, inv in enumerate(invoices, 2):
        for c, col in enumerate(LEDGER_COLUMNS, 1):
            set_text(ws, r, c, col.value(inv))
            cell = ws.cell(row=r, column=c)
            if col.money:
                cell.number_format = MONEY_FORMAT
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
        link = _file_link(inv.source, source_root)
        if link:
            ws.cell(row=r, column=len(LEDGER_COLUMNS)).hyperlink = link
    last = len(invoices) + 1
    total_row = last + 2
    ws.cell(row=total_row, column=1, value="合计（不含重复）").font = Font(bold=True)
    counted = f"${get_column_letter(counted_col)}$2:${get_column_letter(counted_col)}${max(last, 2)}"
    for c, col in enumerate(LEDGER_COLUMNS, 1):
        if col.money:
            letter = get_column_letter(c)
            cell = ws.cell(row=total_row, column=c, value=f'=SUMIF({counted},"是",{letter}2:{letter}{max(last, 2)})')
            cell.number_format = MONEY_FORMAT
            cell.font = Font(bold=True)
    if invoices:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_COLUMNS))}{last}"
    else:
        ws.cell(row=2, column=1, value="没有读到发票（见“问题文件”）")


def _file_link(source: str, root: Path | None) -> str | None:
    path = source.split("!", 1)[0]
    p = Path(path)
    if not p.is_absolute() and root is not None:
        p = root / p
    return p.resolve().as_uri() if p.exists() else None


ITEM_HEADERS = (
    "发票号码",
    "开票日期",
    "销售方",
    "项目名称",
    "规格型号",
    "单位",
    "数量",
    "单价",
    "金额",
    "税率",
    "税额",
)
ITEM_WIDTHS = (22, 12, 30, 30, 14, 8, 10, 12, 14, 8, 12)


def _items_sheet(ws: Worksheet, invoices: list[Invoice]) -> None:
    _header(ws, ITEM_HEADERS, ITEM_WIDTHS)
    r = 2
    for inv in invoices:
        if inv.duplicate_of:
            continue
        for item in inv.items:
            values = (
                inv.invoice_number, inv.issue_date, inv.seller_name, item.name, item.spec, item.unit,
                item.quantity, item.unit_price, item.amount, item.tax_rate, item.tax_amount,
            )  # fmt: skip
            for c, v in enumerate(values, 1):
                set_text(ws, r, c, v)
            ws.cell(row=r, column=2).number_format = "yyyy-mm-dd"
            for c in (9, 11):
                ws.cell(row=r, column=c).number_format = MONEY_FORMAT
            r += 1
    if r > 2:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(ITEM_HEADERS))}{r - 1}"


def _failures_sheet(ws: Worksheet, files: list[FileResult]) -> None:
    _header(ws, ("文件", "状态", "原因"), (60, 10, 80))
    for r, f in enumerate(files, 2):
        set_text(ws, r, 1, f.source)
        set_text(ws, r, 2, f.status.value)
        set_text(ws, r, 3, f.reason)


@contextmanager
def atomic_write(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(
            fd, mode, encoding=encoding if "b" not in mode else None, newline="" if "b" not in mode else None
        ) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_ledger(result: BatchResult, out_dir: Path, source_root: Path | None = None) -> dict[str, Path]:
    """Write ledger.xlsx, ledger.csv and ledger.jsonl into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = [f for f in result.files if f.status == Status.FAILED]
    records = [invoice_record(i) for i in result.invoices] + [failure_record(f) for f in failures]
    paths = {"xlsx": out_dir / "ledger.xlsx", "csv": out_dir / "ledger.csv", "jsonl": out_dir / "ledger.jsonl"}
    wb = build_workbook(result, source_root)
    with atomic_write(paths["xlsx"], "wb") as fh:
        wb.save(fh)
    with atomic_write(paths["csv"], encoding="utf-8-sig") as fh:
        write_csv(records, fh)
    with atomic_write(paths["jsonl"]) as fh:
        write_jsonl(records, fh)
    return paths
