"""What goes into a ledger, before any spreadsheet is touched: the filters, the groups, and the review list.

Pure data over :class:`~office_agent.models.BatchResult`, so the workbook, the CSV/JSONL, the HTML review report
and a notebook all show the same rows and the same reasons. Nothing here depends on the clock or on dict order:
the same batch gives the same view.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Generic, Literal, TypeAlias, TypeVar

from office_agent.errors import BadArguments
from office_agent.extract.classify import load_category_rules
from office_agent.extract.supporting import is_supporting
from office_agent.generate.labels import Lang, category_order, check_name, field_name, t
from office_agent.models import BatchResult, FileResult, Invoice, InvoiceKind, Notice, Status

GroupBy = Literal["person", "project"]
GROUP_BYS: tuple[GroupBy, ...] = ("person", "project")
DEFAULT_LOW_CONFIDENCE = 0.8


@dataclass(frozen=True)
class LedgerOptions:
    """How to cut and present a ledger. Every field has a default that gives the whole batch in Chinese."""

    lang: Lang = "zh"
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    categories: tuple[str, ...] = ()  # Chinese or English names (餐饮, Meals, meals)
    group_by: GroupBy | None = None  # the sub-folder below an input folder names the person or the project
    groups: tuple[str, ...] = ()  # keep only these sub-folders (one person's invoices)
    inputs: tuple[Path, ...] = ()  # the folders that were read; group names are the folders just below them
    company: tuple[str, str] | None = None  # (name, tax id) of the user's company; "" where one is unknown
    low_confidence: float = DEFAULT_LOW_CONFIDENCE
    generated_at: dt.datetime | None = None  # None: SOURCE_DATE_EPOCH when set, else now

    @property
    def date_filtered(self) -> bool:
        return self.year is not None or self.date_from is not None or self.date_to is not None

    def date_bounds(self) -> tuple[dt.date | None, dt.date | None]:
        """The inclusive date range the filters allow (``None``: open on that side)."""
        lo, hi = self.date_from, self.date_to
        if self.year is not None:
            y0, y1 = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
            lo = max(lo, y0) if lo else y0
            hi = min(hi, y1) if hi else y1
        return lo, hi


@dataclass(frozen=True)
class ReviewItem:
    """One thing a person must look at, with the reason in the ledger's language."""

    issue: str  # failed, skipped, error, duplicate, not_reimbursable, correction, check, low_confidence,
    # other_buyer, no_buyer, no_date
    source: str
    reason: str
    invoice_number: str | None = None
    field: str | None = None  # the Invoice field concerned (for highlighting), when there is one
    sha256: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Row:
    invoice: Invoice
    group: str | None
    counted: bool  # in the totals: not a duplicate, not failed
    review: tuple[ReviewItem, ...] = ()


@dataclass
class LedgerView:
    options: LedgerOptions
    rows: list[Row]
    problem_files: list[FileResult]
    review: list[ReviewItem]
    filtered_out: int
    files: int
    categories: list[str | None] = field(default_factory=list)  # canonical names, summary order
    months: list[dt.date] = field(default_factory=list)  # first day of each month shown in the summary
    groups: list[str | None] = field(default_factory=list)

    @property
    def has_undated(self) -> bool:
        return any(r.invoice.issue_date is None for r in self.rows)


def resolve_categories(names: Sequence[str]) -> tuple[str, ...]:
    """Canonical (Chinese) category names for what a user typed: 餐饮, Meals, meal, MEALS all give 餐饮."""
    rules = load_category_rules()
    out: list[str] = []
    for raw in names:
        for name in (n.strip() for n in re.split(r"[,，、]", raw)):
            if not name:
                continue
            found = _match_category(name, rules.english)
            if found is None:
                valid = ", ".join(f"{k} ({v})" for k, v in rules.english.items())
                raise BadArguments(f"unknown category {name!r}; the categories are: {valid}")
            if found not in out:
                out.append(found)
    return tuple(out)


def _match_category(name: str, english: dict[str, str]) -> str | None:
    low = name.lower()
    for zh, en in english.items():
        if name == zh or low == en.lower():
            return zh
    for zh, en in english.items():  # "meal", "toll": a singular or a prefix of the English name
        if len(low) >= 3 and en.lower().startswith(low):
            return zh
    return None


def group_of(source: str, roots: Sequence[PurePath]) -> str | None:
    """The sub-folder right below the input folder that holds ``source`` (``None`` for files at the top)."""
    path = PurePath(source.split("!", 1)[0])
    for root in sorted(roots, key=lambda r: len(r.parts), reverse=True):
        if path.parts[: len(root.parts)] == root.parts:
            rel = path.parts[len(root.parts) :]
            return rel[0] if len(rel) > 1 else None
    return None


@dataclass(slots=True, eq=False)
class RowFields:
    """What choosing and ordering the ledger's rows looks at. An :class:`Invoice` has these fields; the store's
    streaming rebuild keeps them, and a few more, per record in a compact key (``jobs.stream.Key``, a subclass)."""

    source: str
    page: int
    issue_date: dt.date | None
    category: str | None
    status: Status
    invoice_kind: InvoiceKind
    duplicate_of: dict[str, str] | None
    not_reimbursable: str | None = None  # a person's correction: shown, never added up


Rowable: TypeAlias = Invoice | RowFields  # an invoice, or a compact key for one
T = TypeVar("T", bound=Rowable)


def _roots(options: LedgerOptions, invoices: Sequence[Rowable]) -> list[PurePath]:
    if options.inputs:
        return [PurePath(p) for p in options.inputs]
    parents = [os.path.dirname(i.source.split("!", 1)[0]) for i in invoices]
    if not parents:
        return []
    try:
        return [PurePath(os.path.commonpath(parents))] if all(parents) else [PurePath()]
    except ValueError:  # absolute and relative paths mixed
        return []


def _in_dates(inv: Rowable, lo: dt.date | None, hi: dt.date | None) -> bool:
    if inv.issue_date is None:
        return False
    return (lo is None or inv.issue_date >= lo) and (hi is None or inv.issue_date <= hi)


@dataclass
class Selection(Generic[T]):
    """The rows a ledger shows, in its order, before anything else is looked at."""

    rows: list[tuple[T, str | None, bool]]  # (invoice, group, counted), sorted
    undated: list[T]  # left out by a date filter for having no date: listed for review, in input order
    filtered_out: int


def select_rows(invoices: Sequence[T], opts: LedgerOptions) -> Selection[T]:
    """Filter, group and sort (the part of :func:`build_view` the store's streaming rebuild shares)."""
    lo, hi = opts.date_bounds()
    if lo and hi and lo > hi:
        raise BadArguments(f"the date range is empty: from {lo} to {hi}")
    wanted = resolve_categories(opts.categories) if opts.categories else ()
    roots = _roots(opts, invoices)
    out = Selection[T]([], [], 0)
    for inv in invoices:
        group = group_of(inv.source, roots) if opts.group_by or opts.groups else None
        if (wanted and inv.category not in wanted) or (opts.groups and group not in opts.groups):
            out.filtered_out += 1
            continue
        if opts.date_filtered and not _in_dates(inv, lo, hi):
            out.filtered_out += 1
            if inv.issue_date is None:
                out.undated.append(inv)
            continue
        # duplicates, failures and supporting documents (trip tables) are shown but never added up
        counted = (
            inv.duplicate_of is None and inv.status != Status.FAILED and not is_supporting(inv)
            and not inv.not_reimbursable
        )  # fmt: skip
        out.rows.append((inv, group, counted))
    out.rows.sort(key=lambda r: row_key(r[0], r[1]))
    return out


def build_view(result: BatchResult, options: LedgerOptions | None = None) -> LedgerView:
    """Filter, group and sort the batch's invoices, and list what needs review."""
    opts = options or LedgerOptions()
    chosen = select_rows(result.invoices, opts)
    review = [undated_review(inv, opts.lang) for inv in chosen.undated]
    rows = [Row(inv, group, counted, tuple(invoice_review(inv, opts))) for inv, group, counted in chosen.rows]
    review.extend(item for r in rows for item in r.review)
    problems = problem_files(result.files)
    review = [*file_review(problems, opts.lang), *notice_review(result.notices), *review]
    return LedgerView(
        options=opts,
        rows=rows,
        problem_files=problems,
        review=review,
        filtered_out=chosen.filtered_out,
        files=len(result.files),
        categories=categories_of(r.invoice.category for r in rows),
        months=months_of((r.invoice.issue_date for r in rows), opts),
        groups=groups_of(r.group for r in rows),
    )


def problem_files(files: Iterable[FileResult]) -> list[FileResult]:
    return [f for f in files if f.status in (Status.FAILED, Status.SKIPPED)]


def undated_review(inv: Invoice, lang: Lang) -> ReviewItem:
    return _item(inv, "no_date", t("reason.no_date", lang), "issue_date")


def row_key(inv: Rowable, group: str | None) -> tuple[str, bool, dt.date, str, int]:
    return (group or "\uffff", inv.issue_date is None, inv.issue_date or dt.date.max, inv.source, inv.page)


def groups_of(groups: Iterable[str | None]) -> list[str | None]:
    return sorted(set(groups), key=lambda g: (g is None, g or ""))


def file_review(files: Sequence[FileResult], lang: Lang) -> list[ReviewItem]:
    return [
        ReviewItem(
            issue="failed" if f.status == Status.FAILED else "skipped",
            source=f.source,
            reason=f.reason or t(f"status.{f.status.value}", lang),
            sha256=f.sha256,
        )
        for f in files
    ]


def notice_review(notices: Iterable[Notice]) -> list[ReviewItem]:
    return [ReviewItem(issue=n.issue, source=n.source, reason=n.reason, sha256=n.sha256) for n in notices]


def _item(inv: Invoice, issue: str, reason: str, fld: str | None = None) -> ReviewItem:
    page = inv.provenance[fld].page if fld and fld in inv.provenance else None
    return ReviewItem(issue, inv.source, reason, inv.invoice_number, fld, inv.sha256, page or inv.page)


# Which field a failed check points at, so the report can draw its box in red.
CHECK_FIELDS = {
    "amount_plus_tax": "total_amount",
    "items_sum": "amount_without_tax",
    "amount_in_words": "total_amount_in_words",
    "qr_agrees": "invoice_number",
    "buyer_tax_id_check": "buyer_tax_id",
    "seller_tax_id_check": "seller_tax_id",
    "line_tax": "tax_amount",
    "date_sane": "issue_date",
    "buyer_is_company": "buyer_name",
}
BUYER_CHECK = "buyer_is_company"  # issue 4's check, run when the settings hold a company profile


def invoice_review(inv: Invoice, options: LedgerOptions | None = None) -> list[ReviewItem]:
    """Everything about one invoice a person must look at, in a fixed order."""
    opts = options or LedgerOptions()
    lang = opts.lang
    items = [_item(inv, "error", e.message) for e in inv.errors]
    if inv.duplicate_of:
        items.append(_item(inv, "duplicate", t("duplicate_of", lang, source=inv.duplicate_of.get("source", "?"))))
    if inv.not_reimbursable:
        items.append(_item(inv, "not_reimbursable", t("not_reimbursable", lang, reason=inv.not_reimbursable)))
    for c in inv.checks:
        if c.passed is False:
            reason = f"{check_name(c.name, lang)}: {c.detail}" if c.detail else check_name(c.name, lang)
            issue = "other_buyer" if c.name == BUYER_CHECK else "check"
            items.append(_item(inv, issue, reason, CHECK_FIELDS.get(c.name)))
    for name in sorted(inv.provenance):
        prov = inv.provenance[name]
        if prov.confidence < opts.low_confidence:
            reason = t("reason.low_confidence", lang, confidence=prov.confidence, source=prov.source.value)
            items.append(_item(inv, "low_confidence", f"{field_name(name, lang)}: {reason}", name))
    buyer_checked = any(c.name == BUYER_CHECK and c.passed is not None for c in inv.checks)
    if opts.company and any(opts.company) and not buyer_checked:
        items.extend(_buyer_review(inv, opts.company, lang))
    return items


def _norm_name(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def _buyer_review(inv: Invoice, company: tuple[str, str], lang: Lang) -> list[ReviewItem]:
    name, tax_id = (company[0] or "").strip(), (company[1] or "").strip().upper()
    buyer_id = (inv.buyer_tax_id or "").strip().upper()
    if not inv.buyer_name and not buyer_id:
        return [_item(inv, "no_buyer", t("reason.no_buyer", lang), "buyer_name")]
    if tax_id and buyer_id:
        same = tax_id == buyer_id
        fld = "buyer_tax_id"
    elif name and inv.buyer_name:
        same = _norm_name(name) == _norm_name(inv.buyer_name)
        fld = "buyer_name"
    else:
        return [_item(inv, "no_buyer", t("reason.no_buyer", lang), "buyer_name")]
    if same:
        return []
    buyer = " ".join(x for x in (inv.buyer_name, inv.buyer_tax_id) if x)
    ours = " ".join(x for x in (name, tax_id) if x)
    return [_item(inv, "other_buyer", t("reason.other_buyer", lang, buyer=buyer, company=ours), fld)]


def flagged_fields(items: Sequence[ReviewItem]) -> dict[str, list[str]]:
    """Field → the reasons it is flagged (for highlighting in the report and the notebook)."""
    out: dict[str, list[str]] = {}
    for it in items:
        if it.field:
            out.setdefault(it.field, []).append(it.reason)
    return out


def categories_of(categories: Iterable[str | None]) -> list[str | None]:
    """The summary's category order: the configured order, then other names sorted, then no category."""
    present = set(categories)
    order = category_order()
    known = [c for c in order if c in present]
    other = sorted(c for c in present if c is not None and c not in order)
    return [*known, *other, *([None] if None in present else [])]


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def months_of(dates: Iterable[dt.date | None], opts: LedgerOptions) -> list[dt.date]:
    seen = sorted({_month_start(d) for d in dates if d})
    lo, hi = opts.date_bounds()
    if lo and hi:
        span: list[dt.date] = []
        m = _month_start(lo)
        while m <= hi and len(span) <= 24:
            span.append(m)
            m = _next_month(m)
        if len(span) <= 24:
            return span  # a bounded period: every month in it, empty ones too
    return seen


@dataclass
class SummaryValues:
    """What the 汇总 formulas compute, computed here (for the notebook preview, and to check the formulas)."""

    cells: dict[tuple[str | None, dt.date], Decimal] = field(default_factory=dict)  # (category, month) → sum
    by_category: dict[str | None, Decimal] = field(default_factory=dict)  # all dates, undated included
    undated: dict[str | None, Decimal] = field(default_factory=dict)
    grand: Decimal = Decimal(0)


def summary_values(view: LedgerView) -> SummaryValues:
    """Counted totals by category and month, the sums the 汇总 sheet's SUMIFS give."""
    out = SummaryValues()
    for row in view.rows:
        inv = row.invoice
        if not row.counted or inv.total_amount is None:
            continue
        amount, cat = inv.total_amount, inv.category
        out.grand += amount
        out.by_category[cat] = out.by_category.get(cat, Decimal(0)) + amount
        if inv.issue_date:
            key = (cat, _month_start(inv.issue_date))
            out.cells[key] = out.cells.get(key, Decimal(0)) + amount
        else:
            out.undated[cat] = out.undated.get(cat, Decimal(0)) + amount
    return out
