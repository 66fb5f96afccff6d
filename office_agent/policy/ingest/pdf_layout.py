"""Page layout of printed guides: lines and tables of a page, running headers and footers, rows, split tables.

Shared by the text-layer reader (:mod:`~office_agent.policy.ingest.from_pdf`) and the OCR reader
(:mod:`~office_agent.policy.ingest.from_ocr`):

* **running headers and footers** — what a browser prints in the page margins (Chromium: the date and the page
  title at the top, the address and "2/3" at the bottom), or any line repeated in the margin of every page — are
  not content: a line in the top or bottom band of its page that repeats on other pages (digits aside) or reads as
  a date, an address or a page counter is dropped;
* **rows**: lines side by side on one baseline (a label and its value, ``事项名称：`` | ``…``) are read left to right
  as one line, whatever order the text layer stores them in;
* **tables across page breaks** are one table: a table at the top of a page, with the column count of the table
  that ended the page before, continues it (a repeated header row dropped, a row cut by the break joined).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from office_agent.policy.ingest.structure import join_wrapped

MARGIN_BAND = 0.045  # share of the page height at the top and at the bottom where running lines are printed
_RUNNING = re.compile(
    r"^(?:\d{4}[/.\-年]\d{1,2}[/.\-月]\d{1,2}日?(?:\s+|$)|\d{1,2}/\d{1,2}/\d{2,4}(?:,?\s+|$)|(?:https?|file)://|www\.|about:blank)"
    r"|\b\d{1,4}\s*/\s*\d{1,4}$",
    re.I,
)
_DIGITS = re.compile(r"\d+")
ROW_OVERLAP = 0.5  # share of the shorter line's height two lines must share to sit on one row
PAGE_END_SLACK = 0.12  # a table "ends its page" when nothing but the bottom band follows it in this share of height


@dataclass
class PageLine:
    """One line of a page in points (top-left origin); ``size``: font size, or the line's height from OCR."""

    text: str
    page: int
    top: float
    bottom: float
    size: float
    order: int = 0  # reading-order region on the page (OCR: the column or block it sits in); text layer: 0
    left: float = 0.0
    parts: int = 1  # lines joined on one row (a label and its value): more than one → a line of its own
    wrap_left: float = 0.0  # a row's last part starts here: a line below it at this x wraps that part


@dataclass
class PageTable:
    """A table of a page: its rows of cell texts, the first being the header unless ``header`` is given (a table
    continued from the page before)."""

    page: int
    top: float
    rows: list[list[str]]
    order: int = 0
    bottom: float = 0.0
    header: list[str] | None = None


def running_lines(pages: dict[int, tuple[float, list[PageLine]]]) -> set[int]:
    """``id`` s of the running header and footer lines among every page's lines (page → (height, lines))."""
    in_band: list[PageLine] = []
    for height, lines in pages.values():
        band = height * MARGIN_BAND
        margin = [ln for ln in lines if height and (ln.top < band or ln.bottom > height - band)]
        if len(margin) < len(lines):  # a page with nothing but margin lines keeps them: they are its content
            in_band += margin
    shapes = Counter(_DIGITS.sub("#", ln.text) for ln in in_band)
    sizes: Counter[float] = Counter()
    for _, lines in pages.values():
        for ln in lines:
            sizes[round(ln.size, 1)] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0

    def running(ln: PageLine) -> bool:
        if _RUNNING.search(ln.text):
            return True
        # a line repeated in the margin of several pages, no larger than the body text (a heading is larger)
        return len(pages) > 1 and shapes[_DIGITS.sub("#", ln.text)] > 1 and round(ln.size, 1) <= body

    return {id(ln) for ln in in_band if running(ln)}


def merge_rows(lines: list[PageLine]) -> list[PageLine]:
    """One page's text-layer lines top to bottom, lines sharing a row joined left to right."""
    ordered = sorted(lines, key=lambda ln: (ln.order, ln.top, ln.left))
    rows: list[list[PageLine]] = []
    for ln in ordered:
        row = rows[-1] if rows else None
        if row is not None and row[0].order == ln.order and _same_row(row[0], ln):
            row.append(ln)
        else:
            rows.append([ln])
    out = []
    for row in rows:
        row.sort(key=lambda ln: ln.left)
        first = row[0]
        text = " ".join(ln.text for ln in row)
        size = max(ln.size for ln in row)
        bottom = max(ln.bottom for ln in row)
        out.append(PageLine(text, first.page, first.top, bottom, size, first.order, first.left, len(row), row[-1].left))
    return out


def _same_row(a: PageLine, b: PageLine) -> bool:
    height = min(a.bottom - a.top, b.bottom - b.top)
    if height <= 0:
        return False
    shared = min(a.bottom, b.bottom) - max(a.top, b.top)
    return shared >= height * ROW_OVERLAP


def join_split_tables(tables: list[PageTable], lines: list[PageLine], heights: dict[int, float]) -> None:
    """Mark every table that continues the one ending the page before (in place): it takes that table's header;
    a repeated header row is dropped, and a first row with empty leading cells (a row cut by the page break) is
    joined to the last row before the break."""
    firsts: dict[int, float] = {}
    lasts: dict[int, float] = {}
    for ln in lines:
        firsts[ln.page] = min(firsts.get(ln.page, ln.top), ln.top)
        lasts[ln.page] = max(lasts.get(ln.page, ln.bottom), ln.bottom)
    previous: PageTable | None = None
    for table in sorted(tables, key=lambda t: (t.page, t.order, t.top)):
        if previous is not None and _continues(previous, table, firsts, lasts, heights):
            _continue(previous, table)
        previous = table


def _continues(
    prev: PageTable, table: PageTable, firsts: dict[int, float], lasts: dict[int, float], heights: dict[int, float]
) -> bool:
    if table.page != prev.page + 1 or not prev.rows or not table.rows:
        return False
    if len(table.rows[0]) != len(prev.rows[-1]):
        return False
    height = heights.get(prev.page, 0.0)
    ends_page = lasts.get(prev.page, 0.0) <= prev.bottom + 1 or (
        height and prev.bottom >= height * (1 - PAGE_END_SLACK)
    )
    starts_page = firsts.get(table.page, float("inf")) >= table.top - 1
    return bool(ends_page and starts_page)


def _continue(prev: PageTable, table: PageTable) -> None:
    header = prev.header if prev.header is not None else prev.rows[0]
    rows = table.rows
    if _squash(rows[0]) == _squash(header):
        rows = rows[1:]  # the browser repeats the header row on every page
    if rows and not rows[0][0].strip() and len(prev.rows) > (1 if prev.header is None else 0):
        last = prev.rows[-1]
        prev.rows[-1] = [join_wrapped(a.strip(), b.strip()) for a, b in zip(last, rows[0], strict=True)]
        rows = rows[1:]
    table.rows = rows
    table.header = header


def _squash(row: list[str]) -> list[str]:
    return ["".join(c.split()) for c in row]
