"""How library objects look in Jupyter: an invoice as its review card (page picture with boxes), a batch as a
summary table, a ledger as a preview of its sheets with the summary computed.

``Invoice._repr_html_`` and ``BatchResult._repr_html_`` call :func:`invoice_html` and :func:`batch_html`; a
:class:`LedgerPreview` renders itself. Styles are scoped under ``.oa`` so they never restyle the notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from office_agent.generate.labels import Lang, category_name, kind_name, t
from office_agent.generate.ledger import group_label
from office_agent.generate.ledger_view import (
    LedgerOptions,
    LedgerView,
    build_view,
    invoice_review,
    summary_values,
)
from office_agent.generate.pageimage import page_image
from office_agent.generate.report import CSS, card_html, esc
from office_agent.models import BatchResult, Invoice

TABLE_CSS = """
.oa table.oa-t{border-collapse:collapse;font-size:13px;margin:4px 0 10px}
.oa table.oa-t th,.oa table.oa-t td{border:1px solid #d0d7de;padding:2px 6px;text-align:left}
.oa table.oa-t th{background:#ddebf7}
.oa table.oa-t td.oa-n{text-align:right;font-variant-numeric:tabular-nums}
.oa table.oa-t tr.oa-bad td{background:#ffebe9}
.oa h3{margin:8px 0 4px;font-size:15px}
"""


def _wrap(body: str) -> str:
    return f'<div class="oa"><style>{CSS}{TABLE_CSS}</style>{body}</div>'


def _money(v: Decimal | None) -> str:
    return "" if v is None else f"¥{v:,.2f}"


def invoice_html(
    inv: Invoice,
    *,
    lang: Lang = "zh",
    source_root: Path | None = None,
    company: tuple[str, str] | None = None,
    thumbnail: bool = True,
    width: int = 480,
) -> str:
    """The invoice's review card: its page with a box per field read there, flagged fields in red."""
    review = invoice_review(inv, LedgerOptions(lang=lang, company=company))
    image = page_image(inv, source_root, width) if thumbnail else None
    return _wrap(card_html(inv, review, lang, image))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], bad: Sequence[bool] = (), numeric: int = -1) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for i, r in enumerate(rows):
        cls = ' class="oa-bad"' if i < len(bad) and bad[i] else ""
        cells = "".join(
            f'<td class="oa-n">{esc(v)}</td>' if j >= numeric >= 0 else f"<td>{esc(v)}</td>" for j, v in enumerate(r)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f'<table class="oa-t"><tr>{head}</tr>{"".join(body)}</table>'


def batch_html(result: BatchResult, *, lang: Lang = "zh", max_rows: int = 50) -> str:
    """Counts, the first ``max_rows`` invoices (flagged ones tinted) and the files that failed."""
    view = build_view(result, LedgerOptions(lang=lang))
    counts = result.counts()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    headers = [t(k, lang) for k in ("col.number", "col.date", "col.kind", "col.seller", "col.category", "col.total")]
    headers.append(t("col.problems", lang))
    rows = []
    for r in view.rows[:max_rows]:
        inv = r.invoice
        rows.append([
            inv.invoice_number or "", inv.issue_date.isoformat() if inv.issue_date else "",
            kind_name(inv.invoice_kind.value, lang), inv.seller_name or "", category_name(inv.category, lang),
            _money(inv.total_amount), "; ".join(it.reason for it in r.review),
        ])  # fmt: skip
    more = f"<p>… {len(view.rows) - max_rows} more</p>" if len(view.rows) > max_rows else ""
    files = ""
    if view.problem_files:
        file_rows = [[f.source, t(f"status.{f.status.value}", lang), f.reason or ""] for f in view.problem_files]
        files = f"<h3>{esc(t('report.files_section', lang))}</h3>" + _table(
            [t("col.file", lang), t("col.status", lang), t("col.reason", lang)], file_rows
        )
    body = (
        f"<p><b>BatchResult</b>: {esc(summary)}</p>"
        + _table(headers, rows, [bool(r.review) for r in view.rows[:max_rows]])
        + more
        + files
    )
    return _wrap(body)


@dataclass
class LedgerPreview:
    """A ledger as a notebook shows it: the summary (computed the way its formulas compute it), the first rows,
    and what needs review. ``LedgerPreview.of(result, options)``, then let Jupyter render it."""

    view: LedgerView
    max_rows: int = 20

    @classmethod
    def of(cls, result: BatchResult, options: LedgerOptions | None = None, max_rows: int = 20) -> LedgerPreview:
        return cls(build_view(result, options), max_rows)

    def _summary(self) -> str:
        lang = self.view.options.lang
        values = summary_values(self.view)
        months = self.view.months
        headers = [t("summary.category", lang), *(m.strftime("%Y-%m") for m in months), t("summary.total", lang)]
        rows = [
            [category_name(c, lang), *(_money(values.cells.get((c, m), Decimal(0))) for m in months),
             _money(values.by_category.get(c, Decimal(0)))]
            for c in self.view.categories
        ]  # fmt: skip
        rows.append([t("summary.grand", lang), *("" for _ in months), _money(values.grand)])
        return _table(headers, rows, numeric=1)

    def _repr_html_(self) -> str:
        lang = self.view.options.lang
        rows = self.view.rows[: self.max_rows]
        headers = [t(k, lang) for k in ("col.date", "col.number", "col.seller", "col.category", "col.total")]
        headers += [t("col.counted", lang), t("col.problems", lang)]
        table = [
            [r.invoice.issue_date.isoformat() if r.invoice.issue_date else "", r.invoice.invoice_number or "",
             r.invoice.seller_name or "", category_name(r.invoice.category, lang), _money(r.invoice.total_amount),
             t("yes" if r.counted else "no", lang), "; ".join(i.reason for i in r.review)]
            for r in rows
        ]  # fmt: skip
        opts = self.view.options
        if opts.group_by or opts.groups:
            headers.insert(0, t(f"col.{opts.group_by or 'person'}", lang))
            table = [[group_label(r.group, lang), *cells] for r, cells in zip(rows, table, strict=True)]
        review = _table(
            [t(k, lang) for k in ("col.issue", "col.file", "col.reason")],
            [[t(f"issue.{i.issue}", lang), i.source, i.reason] for i in self.view.review[: self.max_rows]],
        )
        return _wrap(
            f"<h3>{esc(t('sheet.summary', lang))}</h3>{self._summary()}"
            f"<h3>{esc(t('sheet.ledger', lang))} ({len(self.view.rows)})</h3>"
            f"{_table(headers, table, [bool(r.review) for r in rows])}"
            f"<h3>{esc(t('sheet.review', lang))} ({len(self.view.review)})</h3>{review}"
        )
