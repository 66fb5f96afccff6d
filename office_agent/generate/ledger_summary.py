"""The 汇总 sheet: category × month (and group × category) as SUMIFS formulas over 台账, a grand total, a chart.

Every number here is a formula over the 台账 rows whose 计入合计 is yes, so a person who corrects an amount or a
category on 台账 sees the summary follow. Criteria compare with ``"="&cell`` (exact match); a label holding a
wildcard character (``*`` ``?`` ``~``, possible in a folder name) is escaped in a literal instead.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from office_agent.generate.labels import category_name, t
from office_agent.generate.ledger import MONEY_FORMAT, group_label, header, set_text

if TYPE_CHECKING:
    from office_agent.generate.ledger import LedgerLayout
    from office_agent.generate.ledger_view import LedgerView

TITLE_ROW = 1
HEADER_ROW = 3
BOLD = Font(bold=True)


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


def summary_sheet(ws: Worksheet, view: LedgerView, layout: LedgerLayout) -> None:
    lang = view.options.lang
    ws.cell(row=TITLE_ROW, column=1, value=t("summary.title", lang)).font = Font(bold=True, size=13)
    if not view.rows:
        header(ws, [t("summary.category", lang), t("summary.total", lang)], (16, 16), row=HEADER_ROW)
        ws.cell(row=HEADER_ROW + 1, column=1, value=t("summary.empty", lang)).font = Font(italic=True)
        return
    sums = _Sums(layout, t("yes", lang))
    months = view.months
    heads = [t("summary.category", lang), *(m.strftime("%Y-%m") for m in months)]
    if view.has_undated:
        heads.append(t("summary.no_date", lang))
    heads.append(t("summary.total", lang))
    header(ws, heads, [16] + [14] * (len(heads) - 1), row=HEADER_ROW)
    first = HEADER_ROW + 1
    for r, cat in enumerate(view.categories, first):
        label = category_name(cat, lang)
        set_text(ws, r, 1, label)
        by = {"col.category": _criterion(f"$A{r}", label)}
        cells = [sums.formula(by, month=m) for m in months]
        if view.has_undated:
            cells.append(sums.formula(by, undated=True))
        cells.append(sums.formula(by))
        for c, formula in enumerate(cells, 2):
            ws.cell(row=r, column=c, value=formula).number_format = MONEY_FORMAT
    last = first + len(view.categories) - 1
    total_row = last + 1
    _total_row(ws, total_row, first, last, len(heads), t("summary.total", lang))
    grand = f"{get_column_letter(len(heads))}{total_row}"
    ws.cell(row=total_row, column=len(heads)).font = Font(bold=True, color="C00000")
    next_row = total_row + 2
    if view.options.group_by or view.options.groups:
        next_row = _group_table(ws, view, sums, next_row) + 2
    if months:
        _chart(ws, view, first, last, len(months), anchor=f"A{next_row}")
    ws.sheet_properties.tabColor = "70AD47"
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.cell(row=TITLE_ROW + 1, column=1, value=t("summary.grand", lang)).font = BOLD
    cell = ws.cell(row=TITLE_ROW + 1, column=2, value=f"={grand}")
    cell.number_format = MONEY_FORMAT
    cell.font = Font(bold=True, color="C00000")


def _total_row(ws: Worksheet, row: int, first: int, last: int, ncols: int, label: str) -> None:
    ws.cell(row=row, column=1, value=label).font = BOLD
    for c in range(2, ncols + 1):
        letter = get_column_letter(c)
        cell = ws.cell(row=row, column=c, value=f"=SUM({letter}{first}:{letter}{last})")
        cell.number_format = MONEY_FORMAT
        cell.font = BOLD


def _group_table(ws: Worksheet, view: LedgerView, sums: _Sums, top: int) -> int:
    """Group × category below the month table; returns its last row."""
    lang = view.options.lang
    group_key = f"col.{view.options.group_by or 'person'}"
    ws.cell(row=top, column=1, value=t("summary.by_group", lang, group=t(group_key, lang))).font = BOLD
    head_row = top + 1
    heads = [t(group_key, lang), *(category_name(c, lang) for c in view.categories), t("summary.total", lang)]
    for c, h in enumerate(heads, 1):
        set_text(ws, head_row, c, h)
        ws.cell(row=head_row, column=c).font = BOLD
    for r, group in enumerate(view.groups, head_row + 1):
        label = group_label(group, lang)
        set_text(ws, r, 1, label)
        for c, cat in enumerate(view.categories, 2):
            cat_label = category_name(cat, lang)
            by = {
                group_key: _criterion(f"$A{r}", label),
                "col.category": _criterion(f"{get_column_letter(c)}${head_row}", cat_label),
            }
            ws.cell(row=r, column=c, value=sums.formula(by)).number_format = MONEY_FORMAT
        total = sums.formula({group_key: _criterion(f"$A{r}", label)})
        ws.cell(row=r, column=len(heads), value=total).number_format = MONEY_FORMAT
    last = head_row + len(view.groups)
    _total_row(ws, last + 1, head_row + 1, last, len(heads), t("summary.total", lang))
    return last + 1


def _chart(ws: Worksheet, view: LedgerView, first: int, last: int, nmonths: int, anchor: str) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = t("summary.chart", view.options.lang)
    chart.y_axis.title = "¥"
    chart.y_axis.numFmt = "#,##0"
    chart.height = 9
    chart.width = max(16, 2.2 * nmonths + 6)
    data = Reference(ws, min_col=1, max_col=1 + nmonths, min_row=first, max_row=last)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=1 + nmonths, min_row=HEADER_ROW, max_row=HEADER_ROW))
    ws.add_chart(chart, anchor)
