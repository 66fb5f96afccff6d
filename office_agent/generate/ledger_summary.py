"""The 汇总 sheet: category × month (and group × category) as SUMIFS formulas over 台账, a grand total, a chart.

Every number here is a formula over the 台账 rows whose 计入合计 is yes, so a person who corrects an amount or a
category on 台账 sees the summary follow. Criteria compare with ``"="&cell`` (exact match); a label holding a
wildcard character (``*`` ``?`` ``~``, possible in a folder name) is escaped in a literal instead.

The sheet is written after the ledger's rows have streamed by (:class:`SummarySheet` notes their categories,
months and groups on the way), top to bottom, in a write-only workbook.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname

from office_agent.generate.labels import category_name, t
from office_agent.generate.ledger_book import BOLD, MONEY_FORMAT, cell, header_cells, set_widths
from office_agent.generate.ledger_view import categories_of, groups_of, months_of

if TYPE_CHECKING:
    from office_agent.generate.ledger import LedgerLayout
    from office_agent.generate.ledger_view import LedgerOptions, Row

TITLE_ROW = 1
HEADER_ROW = 3
GRAND_FONT = Font(bold=True, color="C00000")


def _criterion(label_cell: str, label: str) -> str:
    if any(ch in label for ch in "*?~"):
        escaped = label.replace("~", "~~").replace("*", "~*").replace("?", "~?").replace('"', '""')
        return f'"={escaped}"'
    return f'"="&{label_cell}'


class _Sums:
    """Builds SUMIFS formulas over the counted 台账 rows."""

    def __init__(self, layout: LedgerLayout, yes: str) -> None:
        sheet = quote_sheetname(layout.sheet)
        self._rng = {
            key: f"{sheet}!${letter}${layout.first_row}:${letter}${layout.last_row}"
            for key, letter in layout.columns.items()
        }
        self._yes = yes

    def formula(self, by: dict[str, str], month: dt.date | None = None, undated: bool = False) -> str:
        parts = [self._rng["col.total"], self._rng["col.counted"], f'"{self._yes}"']
        for key, criterion in by.items():
            parts += [self._rng[key], criterion]
        if month is not None:
            nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
            date = self._rng["col.date"]
            parts += [date, f'">="&DATE({month.year},{month.month},1)']
            parts += [date, f'"<"&DATE({nxt.year},{nxt.month},1)']
        if undated:
            parts += [self._rng["col.date"], '""']
        return f"=SUMIFS({','.join(parts)})"


class SummarySheet:
    """汇总: :meth:`see` every row of the ledger, then :meth:`write` once."""

    def __init__(self, ws: Any, options: LedgerOptions) -> None:
        self.ws, self.opts = ws, options
        self.any_row = False
        self.categories: set[str | None] = set()
        self.months: set[dt.date] = set()
        self.groups: set[str | None] = set()
        self.has_undated = False

    def see(self, row: Row) -> None:
        inv = row.invoice
        self.any_row = True
        self.categories.add(inv.category)
        if inv.issue_date is None:
            self.has_undated = True
        else:
            self.months.add(inv.issue_date.replace(day=1))
        self.groups.add(row.group)

    def _formula(self, value: str, font: Font | None = None) -> Cell:
        return cell(self.ws, value, text=False, number_format=MONEY_FORMAT, font=font)

    def write(self, layout: LedgerLayout) -> None:
        ws, lang = self.ws, self.opts.lang
        title = cell(ws, t("summary.title", lang), text=False, font=Font(bold=True, size=13))
        if not self.any_row:
            set_widths(ws, (16, 16))
            ws.freeze_panes = f"A{HEADER_ROW + 1}"
            ws.append([title])
            ws.append([])
            ws.append(header_cells(ws, [t("summary.category", lang), t("summary.total", lang)]))
            ws.append([cell(ws, t("summary.empty", lang), text=False, font=Font(italic=True))])
            return
        sums = _Sums(layout, t("yes", lang))
        months = months_of(self.months, self.opts)
        categories = categories_of(self.categories)
        heads = [t("summary.category", lang), *(m.strftime("%Y-%m") for m in months)]
        if self.has_undated:
            heads.append(t("summary.no_date", lang))
        heads.append(t("summary.total", lang))
        set_widths(ws, [16] + [14] * (len(heads) - 1))
        ws.sheet_properties.tabColor = "70AD47"
        ws.freeze_panes = f"B{HEADER_ROW + 1}"
        first = HEADER_ROW + 1
        last = first + len(categories) - 1
        total_row = last + 1
        grand = f"={get_column_letter(len(heads))}{total_row}"
        ws.append([title])
        ws.append([cell(ws, t("summary.grand", lang), text=False, font=BOLD), self._formula(grand, GRAND_FONT)])
        ws.append(header_cells(ws, heads))
        for r, cat in enumerate(categories, first):
            label = category_name(cat, lang)
            by = {"col.category": _criterion(f"$A{r}", label)}
            formulas = [sums.formula(by, month=m) for m in months]
            if self.has_undated:
                formulas.append(sums.formula(by, undated=True))
            formulas.append(sums.formula(by))
            ws.append([cell(ws, label), *(self._formula(f) for f in formulas)])
        totals = self._total_row(first, last, len(heads), t("summary.total", lang))
        totals[-1].font = GRAND_FONT
        ws.append(totals)
        next_row = total_row + 2
        if self.opts.group_by or self.opts.groups:
            ws.append([])
            next_row = self._group_table(sums, categories, total_row + 2) + 2
        if months:
            _chart(ws, self.opts.lang, first, last, len(months), anchor=f"A{next_row}")

    def _total_row(self, first: int, last: int, ncols: int, label: str) -> list[Cell]:
        out = [cell(self.ws, label, text=False, font=BOLD)]
        for c in range(2, ncols + 1):
            letter = get_column_letter(c)
            out.append(self._formula(f"=SUM({letter}{first}:{letter}{last})", BOLD))
        return out

    def _group_table(self, sums: _Sums, categories: list[str | None], top: int) -> int:
        """Group × category below the month table, from row ``top``; returns its last row."""
        from office_agent.generate.ledger import group_label

        ws, lang = self.ws, self.opts.lang
        group_key = f"col.{self.opts.group_by or 'person'}"
        ws.append([cell(ws, t("summary.by_group", lang, group=t(group_key, lang)), text=False, font=BOLD)])
        head_row = top + 1
        heads = [t(group_key, lang), *(category_name(c, lang) for c in categories), t("summary.total", lang)]
        ws.append([cell(ws, h, font=BOLD) for h in heads])
        groups = groups_of(self.groups)
        for r, group in enumerate(groups, head_row + 1):
            label = group_label(group, lang)
            cells = [cell(ws, label)]
            for c, cat in enumerate(categories, 2):
                by = {
                    group_key: _criterion(f"$A{r}", label),
                    "col.category": _criterion(f"{get_column_letter(c)}${head_row}", category_name(cat, lang)),
                }
                cells.append(self._formula(sums.formula(by)))
            cells.append(self._formula(sums.formula({group_key: _criterion(f"$A{r}", label)})))
            ws.append(cells)
        last = head_row + len(groups)
        ws.append(self._total_row(head_row + 1, last, len(heads), t("summary.total", lang)))
        return last + 1


def _chart(ws: Any, lang: str, first: int, last: int, nmonths: int, anchor: str) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = t("summary.chart", lang)  # type: ignore[arg-type]
    chart.y_axis.title = "¥"
    chart.y_axis.numFmt = "#,##0"
    chart.height = 9
    chart.width = max(16, 2.2 * nmonths + 6)
    data = Reference(ws, min_col=1, max_col=1 + nmonths, min_row=first, max_row=last)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=1 + nmonths, min_row=HEADER_ROW, max_row=HEADER_ROW))
    ws.add_chart(chart, anchor)
