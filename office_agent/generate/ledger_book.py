"""``ledger.xlsx`` written a row at a time: an openpyxl write-only workbook, so memory does not grow with the rows.

Every sheet is streamed to its own temporary file as rows arrive (台账, 明细 and 待复核 together, in one pass
over the ledger's rows); 汇总 and 说明 are written at the end from counters kept on the way. Styles, widths, frozen
panes, filters, the chart and the totals are those of the whole-workbook version that came before; the tests read
the cells back.

openpyxl keeps a write-only sheet's hyperlinks in a list until the workbook is saved, then builds the sheet's
relationships in memory: about a kilobyte per link, one link per row. :class:`_SpoolingWriter` keeps them in a
temporary file instead and writes the ``<hyperlinks>`` element and the sheet's ``.rels`` part from it, streamed
(the workbook is saved with :func:`save_book`). This uses openpyxl's writer classes (3.1), which its tests cover.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.packaging.relationship import Relationship, get_rels_path
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import PKG_REL_NS
from openpyxl.xml.functions import xmlfile

from office_agent import __version__
from office_agent.generate.claim import ClaimTally, write_claim_sheet
from office_agent.generate.labels import Lang, category_name, field_name, t

if TYPE_CHECKING:
    from office_agent.generate.ledger import LedgerFrame, LedgerLayout
    from office_agent.generate.ledger_view import ReviewItem, Row

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "¥#,##0.00;[Red]-¥#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REVIEW_FILL = PatternFill("solid", fgColor="FCE4D6")
EXCLUDED_FONT = Font(color="808080", strike=True)
LINK_FONT = Font(color="0563C1", underline="single")
BOLD = Font(bold=True)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
REVIEW_ALIGN = Alignment(wrap_text=True, vertical="top")


def clean_text(value: str) -> str:
    """Control characters (a tab or an escape in a file name) are illegal in xlsx: shown escaped."""
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: m.group(0).encode("unicode_escape").decode(), value)


def put(c: Cell, value: Any, text: bool = True) -> None:
    """Set a cell's value; with ``text`` a string is forced to text (never a formula), illegal characters escaped."""
    if isinstance(value, str) and text:
        c.value = clean_text(value)
        c.data_type = "s"
    else:
        c.value = value
        if isinstance(value, dt.date):
            c.number_format = DATE_FORMAT


def cell(
    ws: Any, value: Any = None, *, text: bool = True, font: Font | None = None, fill: PatternFill | None = None,
    number_format: str | None = None, alignment: Alignment | None = None, link: str | None = None,
) -> Any:  # fmt: skip
    """A cell to append. With ``text`` a string is written as text, so ``=cmd|...`` from a document is never a
    formula; without it a string beginning with ``=`` is one of our formulas. A plain value is returned as it is
    (openpyxl writes it the same way, faster) when it needs no style and cannot be taken for a formula."""
    if font is fill is number_format is alignment is link is None and (
        value is None
        or isinstance(value, int | float | Decimal)
        or (isinstance(value, str) and not value.startswith("=") and value not in ERROR_CODES)
    ):
        return clean_text(value) if isinstance(value, str) else value
    c = WriteOnlyCell(ws)
    put(c, value, text)
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if number_format is not None:
        c.number_format = number_format
    if alignment is not None:
        c.alignment = alignment
    if link is not None:
        c.hyperlink = link
    return c


def header_cells(ws: Any, headers: Sequence[str]) -> list[Cell]:
    return [cell(ws, h, text=False, font=BOLD, fill=HEADER_FILL, alignment=HEADER_ALIGN) for h in headers]


def set_widths(ws: Any, widths: Sequence[int]) -> None:
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = w


class _LinkSpool:
    """A sheet's hyperlinks (cell and target), in a temporary file rather than in memory."""

    def __init__(self) -> None:
        self._fh: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self.count = 0

    def append(self, link: Hyperlink) -> None:  # called by openpyxl's cell writer
        target = str(link.target).replace("\t", "%09").replace("\n", "%0A")  # file URIs never hold these
        self._fh.write(f"{link.ref}\t{target}\n")
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[tuple[str, str]]:
        self._fh.flush()
        self._fh.seek(0)
        for line in self._fh:
            ref, _, target = line.rstrip("\n").partition("\t")
            yield ref, target
        self._fh.seek(0, 2)

    def write_rels(self, fh: IO[bytes]) -> None:
        with xmlfile(fh) as xf, xf.element("Relationships", xmlns=PKG_REL_NS):
            for n, (_, target) in enumerate(self, 1):
                rel = Relationship(Id=f"rId{n}", type="hyperlink", TargetMode="External", Target=target)
                xf.write(rel.to_tree())

    def close(self) -> None:
        self._fh.close()


class _SpoolingWriter(WorksheetWriter):
    """A write-only sheet's writer whose hyperlinks go to a :class:`_LinkSpool` (ids rId1…rIdN, in order)."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        super().__init__(ws)
        self.links = _LinkSpool()
        ws._hyperlinks = self.links

    def write_hyperlinks(self) -> None:
        if not self.links:
            return
        xf = self.xf.send(True)
        with xf.element("hyperlinks"):
            for n, (ref, _) in enumerate(self.links, 1):
                xf.write(Hyperlink(ref=ref, id=f"rId{n}").to_tree())
        self.xf.send(None)


class _BookWriter(ExcelWriter):
    """openpyxl's workbook writer, plus the streamed ``.rels`` part of each spooled sheet."""

    def write_worksheet(self, ws: Any) -> None:
        super().write_worksheet(ws)
        writer = ws._writer
        if isinstance(writer, _SpoolingWriter):
            if writer.links:
                assert not ws._rels, "a sheet with spooled hyperlinks can hold no other related part"
                with self._archive.open(get_rels_path(ws.path)[1:], "w", force_zip64=True) as fh:
                    writer.links.write_rels(fh)
            writer.links.close()


def save_book(wb: Workbook, fh: IO[bytes]) -> None:
    archive = ZipFile(fh, "w", ZIP_DEFLATED, allowZip64=True)
    _BookWriter(wb, archive).save()


def _sheet(wb: Workbook, title: str, widths: Sequence[int], freeze: str | None, links: bool = False) -> Any:
    """A write-only sheet, its column widths and frozen rows set (they are written before the first row)."""
    ws = wb.create_sheet(title)
    set_widths(ws, widths)
    if freeze:
        ws.freeze_panes = freeze
    if links:
        ws._writer = _SpoolingWriter(ws)
        ws._writer.write_top()
    return ws


class LedgerBook:
    """The workbook of one ledger: :meth:`add` each row in the ledger's order, then :meth:`finish`."""

    def __init__(self, frame: LedgerFrame, source_root: Path | None) -> None:
        from office_agent.generate.ledger import ITEM_KEYS, ITEM_WIDTHS, REVIEW_KEYS, REVIEW_WIDTHS, ledger_columns
        from office_agent.generate.ledger_summary import SummarySheet

        self.frame, self.root = frame, source_root
        opts = frame.options
        self.lang: Lang = opts.lang
        self.grouped = bool(opts.group_by or opts.groups)
        self.wb = Workbook(write_only=True)
        self.columns = ledger_columns(opts)
        self.problems_col = next(i for i, c in enumerate(self.columns) if c.key == "col.problems")
        lang = self.lang
        self.ledger = _sheet(self.wb, t("sheet.ledger", lang), [c.width for c in self.columns], "A2", links=True)
        self.ledger.append(header_cells(self.ledger, [t(c.key, lang) for c in self.columns]))
        group_key = f"col.{opts.group_by or 'person'}"
        item_keys = (group_key, *ITEM_KEYS) if self.grouped else ITEM_KEYS
        self.item_width = len(item_keys)
        self.items = _sheet(self.wb, t("sheet.items", lang), (14, *ITEM_WIDTHS) if self.grouped else ITEM_WIDTHS, "A2")
        self.items.append(header_cells(self.items, [t(k, lang) for k in item_keys]))
        self.summary = SummarySheet(self.wb.create_sheet(t("sheet.summary", lang)), opts)
        self.review = _sheet(self.wb, t("sheet.review", lang), REVIEW_WIDTHS, "A2", links=True)
        self.review.append(header_cells(self.review, [t(k, lang) for k in REVIEW_KEYS]))
        self.review_keys = len(REVIEW_KEYS)
        self.about = self.wb.create_sheet(t("sheet.about", lang))
        self.rows = self.item_rows = self.review_rows = 0
        self.counted = self.duplicates = self.red = 0
        self.claim = ClaimTally()
        for item in frame.lead_review:
            self._review_row(item)

    def add(self, row: Row) -> None:
        self.rows += 1
        inv = row.invoice
        self.counted += row.counted
        self.duplicates += bool(inv.duplicate_of)
        self.red += inv.is_red
        self.summary.see(row)
        self.claim.see(row)
        self._ledger_row(row)
        if row.counted:  # a duplicate's lines are the first occurrence's lines: listed once
            self._item_rows(row)
        for item in row.review:
            self._review_row(item)

    def _ledger_row(self, row: Row) -> None:
        from office_agent.generate.ledger import file_link

        ws, lang = self.ledger, self.lang
        font = None if row.counted else EXCLUDED_FONT
        cells = [
            cell(ws, col.value(row, lang), font=font, number_format=MONEY_FORMAT if col.money else None)
            for col in self.columns[:-1]
        ]
        if row.review:
            col = self.columns[self.problems_col]
            cells[self.problems_col] = cell(ws, col.value(row, lang), font=font, fill=REVIEW_FILL)
        link = file_link(row.invoice.source, self.root)
        source = self.columns[-1].value(row, lang)
        cells.append(cell(ws, source, font=LINK_FONT, link=link) if link else cell(ws, source, font=font))
        ws.append(cells)

    def _item_rows(self, row: Row) -> None:
        from office_agent.generate.ledger import group_label

        inv, lang, ws = row.invoice, self.lang, self.items
        for item in inv.items:
            values: tuple[Any, ...] = (
                inv.invoice_number, inv.issue_date, inv.seller_name, category_name(inv.category, lang), item.name,
                item.spec, item.unit, item.quantity, item.unit_price, item.amount, item.tax_rate, item.tax_amount,
            )  # fmt: skip
            if self.grouped:
                values = (group_label(row.group, lang), *values)
            money = (len(values) - 2, len(values))
            fmt = [MONEY_FORMAT if c in money else None for c in range(1, len(values) + 1)]
            ws.append([cell(ws, v, number_format=f) for v, f in zip(values, fmt, strict=True)])
            self.item_rows += 1

    def _review_row(self, item: ReviewItem) -> None:
        from office_agent.generate.ledger import file_link

        ws, lang = self.review, self.lang
        values = (
            t(f"issue.{item.issue}", lang),
            item.source,
            item.invoice_number,
            field_name(item.field, lang) if item.field else None,
            item.reason,
        )
        link = file_link(item.source, self.root)
        cells = [cell(ws, v) for v in values]
        cells[1] = cell(ws, values[1], font=LINK_FONT, link=link) if link else cells[1]
        cells[4] = cell(ws, values[4], alignment=REVIEW_ALIGN)
        ws.append(cells)
        self.review_rows += 1

    def finish(self) -> Workbook:
        """Totals, filters, notes for empty sheets, 汇总 and 说明; the workbook is then ready to save."""
        from office_agent.generate.ledger import LedgerLayout, generated_at

        lang = self.lang
        layout = LedgerLayout(self.ledger.title, 2, max(self.rows + 1, 2), self._letters(), self.rows + 3)
        self._ledger_tail(layout)
        if self.item_rows:
            self.items.auto_filter.ref = f"A1:{get_column_letter(self.item_width)}{self.item_rows + 1}"
        else:
            self.items.append([cell(self.items, t("empty_items", lang), text=False, font=Font(italic=True))])
        if self.review_rows:
            self.review.auto_filter.ref = f"A1:{get_column_letter(self.review_keys)}{self.review_rows + 1}"
        else:
            note = cell(self.review, t("empty_review", lang), text=False, font=Font(italic=True, color="548235"))
            self.review.append([note])
        self.summary.write(layout)
        self._about()
        claim = self.wb.create_sheet("报销单" if lang == "zh" else "Claim form")
        write_claim_sheet(claim, self.claim, self.frame.options)
        stamp = generated_at(self.frame.options)
        self.wb.properties.created = stamp
        self.wb.properties.modified = stamp
        self.wb.properties.creator = f"office-agent {__version__}"
        return self.wb

    def _letters(self) -> dict[str, str]:
        return {col.key: get_column_letter(i) for i, col in enumerate(self.columns, 1)}

    def _ledger_tail(self, layout: LedgerLayout) -> None:
        ws, lang = self.ledger, self.lang
        if self.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.rows + 1}"
            ws.append([])
        else:
            ws.append([cell(ws, t("empty_ledger", lang), text=False, font=Font(italic=True, color="C00000"))])
        counted, bottom = layout.columns["col.counted"], layout.last_row
        totals: list[Cell | None] = [cell(ws, t("total_row", lang), text=False, font=BOLD)]
        for c, col in enumerate(self.columns[1:], 2):
            if col.money:
                letter = get_column_letter(c)
                formula = f'=SUMIF(${counted}$2:${counted}${bottom},"{t("yes", lang)}",{letter}2:{letter}{bottom})'
                totals.append(cell(ws, formula, text=False, font=BOLD, number_format=MONEY_FORMAT))
            else:
                totals.append(None)
        ws.append(totals)

    def _about(self) -> None:
        from office_agent.generate.ledger import about_entries

        ws = self.about
        set_widths(ws, (22, 100))
        ws.freeze_panes = "A2"
        ws.append(header_cells(ws, [t("about.key", self.lang), t("about.value", self.lang)]))
        figures = {
            "about.invoices": self.rows, "about.counted": self.counted, "about.duplicates": self.duplicates,
            "about.red": self.red, "about.review": self.review_rows,
        }  # fmt: skip
        for key, value in about_entries(self.frame, figures):
            value_cell = cell(ws, value, alignment=Alignment(horizontal="left", wrap_text=True))
            if isinstance(value, dt.datetime):
                value_cell.number_format = "yyyy-mm-dd hh:mm:ss"
            ws.append([cell(ws, t(key, self.lang), text=False, font=BOLD), value_cell])
