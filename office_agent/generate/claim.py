"""The 报销单 (expense claim form), the cover of a print pack and a sheet of ledger.xlsx, and its figures: one line
per category with the count and the 小写 total, the total in 大写, 附单据 N 张.

The figures are the ledger's counted rows (:class:`ClaimTally`, fed the same rows as the workbook's 报销单 sheet), in
the 汇总 sheet's category order: duplicates and supporting documents (行程单) are never counted; a red invoice counts
negative. ``附单据`` is the number of counted invoices; the supporting documents printed with them are stated beside
it on the pack's cover.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from office_agent.extract.cnwords import amount_to_words
from office_agent.generate.ledger_view import LedgerOptions, LedgerView, Row, categories_of


@dataclass(frozen=True)
class ClaimLine:
    category: str
    count: int
    amount: Decimal


@dataclass
class ClaimForm:
    claimant: str = ""
    department: str = ""
    purpose: str = ""
    period: tuple[dt.date | None, dt.date | None] = (None, None)
    lines: list[ClaimLine] = field(default_factory=list)
    attachments: int = 0  # 附单据: counted invoices
    supporting: int = 0  # 行程单 and other supporting documents printed with them (never counted)
    left_out: int = 0  # duplicates and unreadable records, not printed

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def total_in_words(self) -> str:
        return amount_to_words(self.total)

    def period_text(self) -> str:
        lo, hi = self.period
        if lo is None and hi is None:
            return ""
        return f"{lo.isoformat() if lo else '…'} 至 {hi.isoformat() if hi else '…'}"


class ClaimTally:
    """Counted rows by category, seen one at a time (the streamed workbook adds rows as it writes them)."""

    def __init__(self) -> None:
        self.counts: dict[str | None, int] = {}
        self.amounts: dict[str | None, Decimal] = {}
        self.dates: list[dt.date] = []

    def see(self, row: Row) -> None:
        inv = row.invoice
        if not row.counted or inv.total_amount is None:
            return
        self.counts[inv.category] = self.counts.get(inv.category, 0) + 1
        self.amounts[inv.category] = self.amounts.get(inv.category, Decimal(0)) + inv.total_amount
        if inv.issue_date:
            self.dates.append(inv.issue_date)

    def lines(self) -> list[ClaimLine]:
        """One line per category, in the 汇总 sheet's order."""
        return [ClaimLine(c or "未分类", self.counts[c], self.amounts[c]) for c in categories_of(self.counts)]

    def period(self, options: LedgerOptions) -> tuple[dt.date | None, dt.date | None]:
        """The ledger's date filter, else the first and last invoice dates."""
        lo, hi = options.date_bounds()
        return (lo or min(self.dates, default=None), hi or max(self.dates, default=None))


def claim_form(
    view: LedgerView, claimant: str = "", department: str = "", purpose: str = "",
    period: tuple[dt.date | None, dt.date | None] | None = None, supporting: int = 0, left_out: int = 0,
) -> ClaimForm:  # fmt: skip
    """The claim for the counted rows of ``view``; ``period`` defaults to the view's date filter, else the first
    and last invoice dates."""
    tally = ClaimTally()
    for row in view.rows:
        tally.see(row)
    lines = tally.lines()
    return ClaimForm(claimant, department, purpose, period or tally.period(view.options), lines,
                     sum(ln.count for ln in lines), supporting, left_out)  # fmt: skip


def write_claim_sheet(ws: Any, tally: ClaimTally, options: LedgerOptions) -> None:
    """The 报销单 as a worksheet of the (write-only) ledger workbook: the header fields to fill in, one line per
    category with the count and the 小写 total, 合计 and the total in 大写, 附单据 N 张."""
    from openpyxl.styles import Font

    from office_agent.generate.ledger_book import MONEY_FORMAT, cell, header_cells, set_widths

    form = ClaimForm(period=tally.period(options), lines=tally.lines())
    form.attachments = sum(ln.count for ln in form.lines)
    set_widths(ws, (8, 22, 10, 18))
    bold = Font(bold=True)
    ws.append([cell(ws, "报销单", text=False, font=Font(bold=True, size=16))])
    for label, value in (("报销人", ""), ("部门", ""), ("事由", ""), ("期间", form.period_text())):
        ws.append([cell(ws, label, font=bold), cell(ws, value)])
    ws.append([])
    ws.append(header_cells(ws, ["序号", "类别", "张数", "金额（小写）"]))
    for i, ln in enumerate(form.lines, 1):
        ws.append([cell(ws, i, text=False), cell(ws, ln.category), cell(ws, ln.count, text=False),
                   cell(ws, ln.amount, text=False, number_format=MONEY_FORMAT)])  # fmt: skip
    ws.append([None, cell(ws, "合计", font=bold), cell(ws, form.attachments, text=False, font=bold),
               cell(ws, form.total, text=False, font=bold, number_format=MONEY_FORMAT)])  # fmt: skip
    ws.append([cell(ws, "合计金额（大写）", font=bold), None, None, cell(ws, form.total_in_words)])
    ws.append([cell(ws, f"附单据 {form.attachments} 张", font=bold)])
