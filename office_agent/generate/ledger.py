"""The reimbursement ledger: ``ledger.xlsx`` (openpyxl) plus ``ledger.csv`` and ``ledger.jsonl`` beside it.

Sheets: 台账 (one row per invoice, a live total that leaves out duplicates and nets red invoices, the source file
as a hyperlink), 明细 (line items), 汇总 (category × month as SUMIFS formulas over 台账, so they follow edits, with
a grand total and a chart), 待复核 (everything a person must look at), 说明 (how the run was made). Headers are
Chinese by default, English with ``lang="en"``.

Text read from documents is always written as text, so a seller name beginning with ``=`` is never run as a
formula. The same batch gives the same cell values on every run; the run time in 说明 is the one cell that
changes, and ``SOURCE_DATE_EPOCH`` (or ``LedgerOptions.generated_at``) pins it too. Every file is written to a
temporary name in the output folder and renamed into place, so a reader never sees half a workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from office_agent import __version__
from office_agent.errors import OutputError
from office_agent.generate.labels import Lang, category_name, field_name, kind_name, t
from office_agent.generate.ledger_view import LedgerOptions, LedgerView, Row, build_view, resolve_categories
from office_agent.generate.records import CSV_FIELDS, csv_safe, failure_record, invoice_record, write_jsonl
from office_agent.models import BatchResult, Invoice

__all__ = [
    "MONEY_FORMAT",
    "LedgerOptions",
    "atomic_write",
    "build_workbook",
    "ledger_columns",
    "set_text",
    "write_ledger",
]

MONEY_FORMAT = "¥#,##0.00;[Red]-¥#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REVIEW_FILL = PatternFill("solid", fgColor="FCE4D6")
EXCLUDED_FONT = Font(color="808080", strike=True)
LINK_FONT = Font(color="0563C1", underline="single")
FORMATS = ("xlsx", "csv", "jsonl")


def _read_umask() -> int:
    mask = os.umask(0o022)  # read once, at import, so no later thread sees a changed umask
    os.umask(mask)
    return mask


_UMASK = _read_umask()


@dataclass(frozen=True)
class Column:
    key: str  # label key (labels.py) and the column's identity, whatever the language
    width: int
    value: Callable[[Row, Lang], Any]
    money: bool = False


def _checks(inv: Invoice) -> str | None:
    ran = [c for c in inv.checks if c.passed is not None]
    return f"{sum(1 for c in ran if c.passed)}/{len(ran)}" if ran else None


def _kind(inv: Invoice, lang: Lang) -> str:
    name = kind_name(inv.invoice_kind.value, lang)
    return f"{name}（{t('red', lang)}）" if inv.is_red else name


def _problems(row: Row, lang: Lang) -> str | None:
    inv = row.invoice
    parts = [it.reason for it in row.review]
    original = (inv.reverses or {}).get("number") or inv.original_invoice_number
    if inv.is_red and original:
        parts.append(t("reverses", lang, number=original))
    return "; ".join(parts) or None


def group_label(group: str | None, lang: Lang) -> str:
    return group if group is not None else t("ungrouped", lang)


BASE_COLUMNS: tuple[Column, ...] = (
    Column("col.date", 12, lambda r, lang: r.invoice.issue_date),
    Column("col.kind", 14, lambda r, lang: _kind(r.invoice, lang)),
    Column("col.code", 14, lambda r, lang: r.invoice.invoice_code),
    Column("col.number", 22, lambda r, lang: r.invoice.invoice_number),
    Column("col.seller", 32, lambda r, lang: r.invoice.seller_name),
    Column("col.seller_tax_id", 21, lambda r, lang: r.invoice.seller_tax_id),
    Column("col.buyer", 32, lambda r, lang: r.invoice.buyer_name),
    Column("col.buyer_tax_id", 21, lambda r, lang: r.invoice.buyer_tax_id),
    Column("col.category", 12, lambda r, lang: category_name(r.invoice.category, lang)),
    Column("col.amount", 14, lambda r, lang: r.invoice.amount_without_tax, money=True),
    Column("col.tax", 12, lambda r, lang: r.invoice.tax_amount, money=True),
    Column("col.total", 14, lambda r, lang: r.invoice.total_amount, money=True),
    Column("col.counted", 9, lambda r, lang: t("yes" if r.counted else "no", lang)),
    Column("col.checks", 8, lambda r, lang: _checks(r.invoice)),
    Column("col.status", 10, lambda r, lang: t(f"status.{r.invoice.status.value}", lang)),
    Column("col.problems", 48, _problems),
    Column("col.source", 40, lambda r, lang: r.invoice.source),
)


def ledger_columns(options: LedgerOptions) -> tuple[Column, ...]:
    """The 台账 columns; grouping by person or project puts the group first."""
    if options.group_by or options.groups:
        key = f"col.{options.group_by or 'person'}"
        return (Column(key, 14, lambda r, lang: group_label(r.group, lang)), *BASE_COLUMNS)
    return BASE_COLUMNS


def set_text(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write a cell; strings are forced to text so ``=cmd|...`` from a document is never a formula."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        # Control characters (a tab or an escape in a file name) are illegal in xlsx: show them escaped.
        cell.value = ILLEGAL_CHARACTERS_RE.sub(lambda m: m.group(0).encode("unicode_escape").decode(), value)
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT


def header(ws: Worksheet, headers: Sequence[str], widths: Sequence[int], row: int = 1) -> None:
    """A bold, filled header row; the rows above and including it stay put when scrolling."""
    for c, (h, w) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(row=row, column=c, value=h)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = f"A{row + 1}"


def build_workbook(
    result: BatchResult, source_root: Path | None = None, options: LedgerOptions | None = None
) -> Workbook:
    """The whole workbook for ``result`` (see the module doc); nothing is written to disk."""
    return workbook_from_view(build_view(result, options), source_root)


def workbook_from_view(view: LedgerView, source_root: Path | None = None) -> Workbook:
    from office_agent.generate.ledger_summary import summary_sheet

    lang = view.options.lang
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("sheet.ledger", lang)
    layout = _ledger_sheet(ws, view, source_root)
    _items_sheet(wb.create_sheet(t("sheet.items", lang)), view)
    summary_sheet(wb.create_sheet(t("sheet.summary", lang)), view, layout)
    _review_sheet(wb.create_sheet(t("sheet.review", lang)), view, source_root)
    _about_sheet(wb.create_sheet(t("sheet.about", lang)), view)
    stamp = generated_at(view.options)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = f"office-agent {__version__}"
    return wb


@dataclass(frozen=True)
class LedgerLayout:
    """Where things are on 台账, for the formulas on other sheets."""

    sheet: str
    first_row: int
    last_row: int  # the last data row (== first_row when there is none, so ranges stay valid)
    columns: dict[str, str]  # column key → letter
    total_row: int


def _ledger_sheet(ws: Worksheet, view: LedgerView, source_root: Path | None) -> LedgerLayout:
    lang = view.options.lang
    columns = ledger_columns(view.options)
    letters = {col.key: get_column_letter(i) for i, col in enumerate(columns, 1)}
    header(ws, [t(c.key, lang) for c in columns], [c.width for c in columns])
    source_col = len(columns)
    for r, row in enumerate(view.rows, 2):
        for c, col in enumerate(columns, 1):
            set_text(ws, r, c, col.value(row, lang))
            if col.money:
                ws.cell(row=r, column=c).number_format = MONEY_FORMAT
            if not row.counted:
                ws.cell(row=r, column=c).font = EXCLUDED_FONT
        if row.review:
            ws.cell(row=r, column=columns.index(_col(columns, "col.problems")) + 1).fill = REVIEW_FILL
        link = file_link(row.invoice.source, source_root)
        if link:
            cell = ws.cell(row=r, column=source_col)
            cell.hyperlink = link
            cell.font = LINK_FONT
    last = len(view.rows) + 1
    total_row = last + 2
    ws.cell(row=total_row, column=1, value=t("total_row", lang)).font = Font(bold=True)
    counted = letters["col.counted"]
    bottom = max(last, 2)
    for c, col in enumerate(columns, 1):
        if col.money:
            letter = get_column_letter(c)
            formula = f'=SUMIF(${counted}$2:${counted}${bottom},"{t("yes", lang)}",{letter}2:{letter}{bottom})'
            cell = ws.cell(row=total_row, column=c, value=formula)
            cell.number_format = MONEY_FORMAT
            cell.font = Font(bold=True)
    if view.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    else:
        ws.cell(row=2, column=1, value=t("empty_ledger", lang)).font = Font(italic=True, color="C00000")
    return LedgerLayout(ws.title, 2, bottom, letters, total_row)


def _col(columns: Sequence[Column], key: str) -> Column:
    return next(c for c in columns if c.key == key)


def file_link(source: str, root: Path | None) -> str | None:
    """A ``file://`` link to the file on disk (the archive, for a member of a ZIP); ``None`` when it is gone."""
    p = Path(source.split("!", 1)[0])
    if not p.is_absolute() and root is not None:
        p = root / p
    return p.resolve().as_uri() if p.exists() else None


ITEM_KEYS = (
    "col.number", "col.date", "col.seller", "col.category", "col.item_name", "col.spec", "col.unit",
    "col.quantity", "col.unit_price", "col.amount", "col.tax_rate", "col.tax",
)  # fmt: skip
ITEM_WIDTHS = (22, 12, 30, 10, 30, 14, 8, 10, 12, 14, 8, 12)


def _items_sheet(ws: Worksheet, view: LedgerView) -> None:
    lang = view.options.lang
    grouped = bool(view.options.group_by or view.options.groups)
    keys = (f"col.{view.options.group_by or 'person'}", *ITEM_KEYS) if grouped else ITEM_KEYS
    widths = (14, *ITEM_WIDTHS) if grouped else ITEM_WIDTHS
    header(ws, [t(k, lang) for k in keys], widths)
    r = 2
    for row in view.rows:
        inv = row.invoice
        if not row.counted:  # a duplicate's lines are the first occurrence's lines: listed once
            continue
        for item in inv.items:
            values: tuple[Any, ...] = (
                inv.invoice_number, inv.issue_date, inv.seller_name, category_name(inv.category, lang), item.name,
                item.spec, item.unit, item.quantity, item.unit_price, item.amount, item.tax_rate, item.tax_amount,
            )  # fmt: skip
            if grouped:
                values = (group_label(row.group, lang), *values)
            for c, v in enumerate(values, 1):
                set_text(ws, r, c, v)
            for c in (len(values) - 2, len(values)):
                ws.cell(row=r, column=c).number_format = MONEY_FORMAT
            r += 1
    if r > 2:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{r - 1}"
    else:
        ws.cell(row=2, column=1, value=t("empty_items", lang)).font = Font(italic=True)


REVIEW_KEYS = ("col.issue", "col.file", "col.number", "col.field", "col.reason")
REVIEW_WIDTHS = (16, 48, 22, 14, 80)


def _review_sheet(ws: Worksheet, view: LedgerView, source_root: Path | None) -> None:
    lang = view.options.lang
    header(ws, [t(k, lang) for k in REVIEW_KEYS], REVIEW_WIDTHS)
    for r, item in enumerate(view.review, 2):
        values = (
            t(f"issue.{item.issue}", lang),
            item.source,
            item.invoice_number,
            field_name(item.field, lang) if item.field else None,
            item.reason,
        )
        for c, v in enumerate(values, 1):
            set_text(ws, r, c, v)
        ws.cell(row=r, column=5).alignment = Alignment(wrap_text=True, vertical="top")
        link = file_link(item.source, source_root)
        if link:
            ws.cell(row=r, column=2).hyperlink = link
            ws.cell(row=r, column=2).font = LINK_FONT
    if view.review:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(REVIEW_KEYS))}{len(view.review) + 1}"
    else:
        ws.cell(row=2, column=1, value=t("empty_review", lang)).font = Font(italic=True, color="548235")


def generated_at(options: LedgerOptions) -> dt.datetime:
    """The run time shown in 说明: the option, else ``SOURCE_DATE_EPOCH`` (reproducible builds), else now."""
    if options.generated_at is not None:
        return options.generated_at.replace(microsecond=0, tzinfo=None)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime.now().replace(microsecond=0)


def describe_filters(options: LedgerOptions) -> str:
    lang = options.lang
    parts = []
    if options.year is not None:
        parts.append(t("filter.year", lang, year=options.year))
    if options.date_from:
        parts.append(t("filter.from", lang, date=options.date_from.isoformat()))
    if options.date_to:
        parts.append(t("filter.to", lang, date=options.date_to.isoformat()))
    if options.categories:
        names = ", ".join(category_name(c, lang) for c in resolve_categories(options.categories))
        parts.append(t("filter.category", lang, names=names))
    if options.groups:
        group = t(f"col.{options.group_by or 'person'}", lang)
        parts.append(t("filter.group", lang, group=group, names=", ".join(options.groups)))
    return "; ".join(parts) or t("about.none", lang)


def _about_sheet(ws: Worksheet, view: LedgerView) -> None:
    opts, lang = view.options, view.options.lang
    header(ws, [t("about.key", lang), t("about.value", lang)], (22, 100))
    company = " ".join(x for x in opts.company if x) if opts.company else t("about.not_set", lang)
    entries: list[tuple[str, Any]] = [
        ("about.generated", generated_at(opts)),
        ("about.version", __version__),
        ("about.inputs", "; ".join(str(p) for p in opts.inputs) or None),
        ("about.filters", describe_filters(opts)),
        ("about.group_by", t(f"col.{opts.group_by}", lang) if opts.group_by else t("about.none", lang)),
        ("about.company", company),
        ("about.language", "中文" if lang == "zh" else "English"),
        ("about.files", view.files),
        ("about.invoices", len(view.rows)),
        ("about.counted", sum(1 for r in view.rows if r.counted)),
        ("about.duplicates", sum(1 for r in view.rows if r.invoice.duplicate_of)),
        ("about.red", sum(1 for r in view.rows if r.invoice.is_red)),
        ("about.failed", len(view.problem_files)),
        ("about.filtered_out", view.filtered_out),
        ("about.review", len(view.review)),
        ("about.low_confidence", opts.low_confidence),
        ("about.totals", t("about.totals_text", lang)),
    ]
    for r, (key, value) in enumerate(entries, 2):
        ws.cell(row=r, column=1, value=t(key, lang)).font = Font(bold=True)
        set_text(ws, r, 2, value)
        cell = ws.cell(row=r, column=2)
        cell.alignment = Alignment(horizontal="left", wrap_text=True)
        if isinstance(value, dt.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"


@contextmanager
def atomic_write(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``: a reader sees the old
    file or the new one, never half of one. A full disk or a read-only folder raises :class:`OutputError`
    naming the file, and leaves whatever was there before untouched."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write into {path.parent}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(
            fd, mode, encoding=encoding if "b" not in mode else None, newline="" if "b" not in mode else None
        ) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; the ledger is for sharing, like any saved file
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}; the previous file, if any, is unchanged"
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def view_records(view: LedgerView) -> list[dict[str, Any]]:
    """The output-contract records of the ledger's rows (plus ``group`` when grouped) and of the failed files."""
    grouped = bool(view.options.group_by or view.options.groups)
    records = []
    for row in view.rows:
        rec = invoice_record(row.invoice)
        if grouped:
            rec["group"] = row.group
        records.append(rec)
    return records + [failure_record(f) for f in view.problem_files if f.status.value == "failed"]


def write_csv_records(records: Sequence[dict[str, Any]], fh: IO[str], extra: Sequence[str] = ()) -> int:
    """The contract CSV (see records.write_csv) with ``extra`` keys appended as columns."""
    fields = (*CSV_FIELDS, *extra)
    writer = csv.writer(fh)
    writer.writerow(fields)
    for rec in records:
        row = dict(rec)
        row["item_count"] = len(rec.get("items") or [])
        row["errors"] = "; ".join(rec.get("errors") or []) or None
        row["duplicate_of"] = (rec.get("duplicate_of") or {}).get("source")
        writer.writerow([csv_safe(row.get(k)) for k in fields])
    return len(records)


def write_ledger(
    result: BatchResult,
    out_dir: Path,
    source_root: Path | None = None,
    *,
    options: LedgerOptions | None = None,
    company: tuple[str, str] | None = None,
    lang: Lang | None = None,
    formats: Collection[str] = FORMATS,
) -> dict[str, Path]:
    """Write ledger.xlsx, ledger.csv and ledger.jsonl (or the ``formats`` asked for) into ``out_dir``.

    ``company`` (name, tax id) and ``lang`` override the same fields of ``options``. Returns format → path.
    """
    opts = options or LedgerOptions()
    if company is not None:
        opts = replace(opts, company=company)
    if lang is not None:
        opts = replace(opts, lang=lang)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown ledger formats: {sorted(unknown)}")
    view = build_view(result, opts)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write into {out_dir}: {exc.strerror or exc}") from exc
    paths = {f: out_dir / f"ledger.{f}" for f in FORMATS if f in formats}
    if "xlsx" in paths:
        wb = workbook_from_view(view, source_root)
        with atomic_write(paths["xlsx"], "wb") as fh:
            wb.save(fh)
    records = view_records(view)
    if "csv" in paths:
        extra = ("group",) if opts.group_by or opts.groups else ()
        with atomic_write(paths["csv"], encoding="utf-8-sig") as fh:
            write_csv_records(records, fh, extra)
    if "jsonl" in paths:
        with atomic_write(paths["jsonl"]) as fh:
            write_jsonl(records, fh)
    return paths
