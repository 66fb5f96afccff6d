"""The reimbursement ledger: ``ledger.xlsx`` (openpyxl) plus ``ledger.csv`` and ``ledger.jsonl`` beside it.

Sheets: 台账 (one row per invoice, a live total that leaves out duplicates and nets red invoices, the source file
as a hyperlink), 明细 (line items), 汇总 (category × month as SUMIFS formulas over 台账, so they follow edits, with
a grand total and a chart), 待复核 (everything a person must look at), 说明 (how the run was made). Headers are
Chinese by default, English with ``lang="en"``.

Text read from documents is always written as text, so a seller name beginning with ``=`` is never run as a
formula. The same batch gives the same cell values on every run; the run time in 说明 is the one cell that
changes, and ``SOURCE_DATE_EPOCH`` (or ``LedgerOptions.generated_at``) pins it too. Every file is written to a
temporary name in the output folder and renamed into place, so a reader never sees half a workbook.

The rows are streamed (:func:`write_ledger_rows`): the workbook is an openpyxl write-only workbook fed a row at a
time (``ledger_book.py``), and the CSV and JSONL are written in the same pass, so writing keeps nothing per row.
``office-agent ledger`` feeds it the batch's view; a scheduled job feeds it rows read back from its store
(``office_agent.jobs.stream``), so a ledger of hundreds of thousands of invoices fits in a small, flat memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from office_agent import __version__
from office_agent.errors import OutputError
from office_agent.generate.labels import Lang, category_name, kind_name, t
from office_agent.generate.ledger_book import HEADER_FILL, MONEY_FORMAT, LedgerBook, put, save_book
from office_agent.generate.ledger_view import (
    LedgerOptions,
    LedgerView,
    ReviewItem,
    Row,
    build_view,
    resolve_categories,
)
from office_agent.generate.records import CSV_FIELDS, csv_safe, failure_record, invoice_record
from office_agent.models import BatchResult, FileResult, Invoice

__all__ = [
    "HEADER_FILL",
    "MONEY_FORMAT",
    "LedgerFrame",
    "LedgerOptions",
    "atomic_write",
    "build_workbook",
    "ledger_columns",
    "set_text",
    "write_ledger",
    "write_ledger_rows",
]

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
    put(ws.cell(row=row, column=col), value)


@dataclass(frozen=True)
class LedgerFrame:
    """Everything about a ledger but its rows, which stream by after it (:func:`write_ledger_rows`)."""

    options: LedgerOptions
    files: int  # files read
    problem_files: Sequence[FileResult]  # failed and skipped, in order
    lead_review: Sequence[ReviewItem]  # the review items before the rows' own: problem files, undated ones
    filtered_out: int


def frame_of(view: LedgerView) -> LedgerFrame:
    own = sum(len(r.review) for r in view.rows)
    return LedgerFrame(view.options, view.files, view.problem_files, view.review[: len(view.review) - own],
                       view.filtered_out)  # fmt: skip


def build_workbook(
    result: BatchResult, source_root: Path | None = None, options: LedgerOptions | None = None
) -> Workbook:
    """The whole workbook for ``result`` (see the module doc), read back into memory; nothing is written to disk."""
    view = build_view(result, options)
    book = LedgerBook(frame_of(view), source_root)
    for row in view.rows:
        book.add(row)
    buf = io.BytesIO()
    save_book(book.finish(), buf)
    buf.seek(0)
    return load_workbook(buf)


@dataclass(frozen=True)
class LedgerLayout:
    """Where things are on 台账, for the formulas on other sheets."""

    sheet: str
    first_row: int
    last_row: int  # the last data row (== first_row when there is none, so ranges stay valid)
    columns: dict[str, str]  # column key → letter
    total_row: int


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
REVIEW_KEYS = ("col.issue", "col.file", "col.number", "col.field", "col.reason")
REVIEW_WIDTHS = (16, 48, 22, 14, 80)


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


def about_entries(frame: LedgerFrame, figures: dict[str, int]) -> list[tuple[str, Any]]:
    """The 说明 sheet's lines (label key, value); ``figures`` holds the counts of the rows written."""
    opts, lang = frame.options, frame.options.lang
    company = " ".join(x for x in opts.company if x) if opts.company else t("about.not_set", lang)
    return [
        ("about.generated", generated_at(opts)),
        ("about.version", __version__),
        ("about.inputs", "; ".join(str(p) for p in opts.inputs) or None),
        ("about.filters", describe_filters(opts)),
        ("about.group_by", t(f"col.{opts.group_by}", lang) if opts.group_by else t("about.none", lang)),
        ("about.company", company),
        ("about.language", "中文" if lang == "zh" else "English"),
        ("about.files", frame.files),
        ("about.invoices", figures["about.invoices"]),
        ("about.counted", figures["about.counted"]),
        ("about.duplicates", figures["about.duplicates"]),
        ("about.red", figures["about.red"]),
        ("about.failed", len(frame.problem_files)),
        ("about.filtered_out", frame.filtered_out),
        ("about.review", figures["about.review"]),
        ("about.low_confidence", opts.low_confidence),
        ("about.totals", t("about.totals_text", lang)),
    ]


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


def row_record(row: Row, grouped: bool) -> dict[str, Any]:
    rec = invoice_record(row.invoice)
    if grouped:
        rec["group"] = row.group
    return rec


def view_records(view: LedgerView) -> list[dict[str, Any]]:
    """The output-contract records of the ledger's rows (plus ``group`` when grouped) and of the failed files."""
    grouped = bool(view.options.group_by or view.options.groups)
    records = [row_record(row, grouped) for row in view.rows]
    return records + [failure_record(f) for f in view.problem_files if f.status.value == "failed"]


def csv_row(rec: dict[str, Any], fields: Sequence[str]) -> list[str]:
    row = dict(rec)
    row["item_count"] = len(rec.get("items") or [])
    row["errors"] = "; ".join(rec.get("errors") or []) or None
    row["duplicate_of"] = (rec.get("duplicate_of") or {}).get("source")
    return [csv_safe(row.get(k)) for k in fields]


def write_csv_records(records: Iterable[dict[str, Any]], fh: IO[str], extra: Sequence[str] = ()) -> int:
    """The contract CSV (see records.write_csv) with ``extra`` keys appended as columns."""
    fields = (*CSV_FIELDS, *extra)
    writer = csv.writer(fh)
    writer.writerow(fields)
    n = 0
    for rec in records:
        writer.writerow(csv_row(rec, fields))
        n += 1
    return n


class _Records:
    """ledger.csv and ledger.jsonl, a record at a time (either may be absent)."""

    def __init__(self, csv_fh: IO[str] | None, jsonl_fh: IO[str] | None, extra: Sequence[str]) -> None:
        self.fields = (*CSV_FIELDS, *extra)
        self.csv = csv.writer(csv_fh) if csv_fh is not None else None
        self.jsonl = jsonl_fh
        if self.csv is not None:
            self.csv.writerow(self.fields)

    def add(self, rec: dict[str, Any]) -> None:
        if self.csv is not None:
            self.csv.writerow(csv_row(rec, self.fields))
        if self.jsonl is not None:
            self.jsonl.write(json.dumps(rec, ensure_ascii=False) + "\n")


def write_ledger_rows(
    frame: LedgerFrame,
    rows: Iterable[Row],
    out_dir: Path,
    source_root: Path | None = None,
    formats: Collection[str] = FORMATS,
) -> dict[str, Path]:
    """Write the ledger whose rows stream from ``rows`` (in the ledger's order): one pass, every format at once,
    nothing kept per row. Each file is renamed into place only when all of them are complete."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown ledger formats: {sorted(unknown)}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write into {out_dir}: {exc.strerror or exc}") from exc
    paths = {f: out_dir / f"ledger.{f}" for f in FORMATS if f in formats}
    grouped = bool(frame.options.group_by or frame.options.groups)
    with ExitStack() as stack:
        xlsx = stack.enter_context(atomic_write(paths["xlsx"], "wb")) if "xlsx" in paths else None
        csv_fh = stack.enter_context(atomic_write(paths["csv"], encoding="utf-8-sig")) if "csv" in paths else None
        jsonl = stack.enter_context(atomic_write(paths["jsonl"])) if "jsonl" in paths else None
        book = LedgerBook(frame, source_root) if xlsx is not None else None
        records = _Records(csv_fh, jsonl, ("group",) if grouped else ())
        for row in rows:
            if book is not None:
                book.add(row)
            records.add(row_record(row, grouped))
        for f in frame.problem_files:
            if f.status.value == "failed":
                records.add(failure_record(f))
        if book is not None and xlsx is not None:
            save_book(book.finish(), xlsx)
    return paths


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
    return write_ledger_rows(frame_of(view), view.rows, out_dir, source_root, formats)
