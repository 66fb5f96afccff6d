"""PDF reader for policy documents: the text layer with font sizes (PDFium), ruled tables (pdfplumber).

PDFium reads a page's text in about a millisecond; pdfplumber (pdfminer) needs tens of milliseconds, so it is only
asked for tables, and only on pages that draw lines or boxes (a table without rules is read as text lines).
Lines inside a table's box are left to the table. Lines in a larger font than the body text are headings, the
largest being level 1. Wrapped lines are joined into paragraphs; numbered lines and ends of sentences start new
ones. Page numbers ("— 3 —", "第 3 页", "Page 3 of 9") are dropped.

A PDF whose pages have images but no text is a scan: those pages go through the OCR engine (RapidOCR by default),
tables included (``office_agent.policy.ingest.from_ocr``).
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from office_agent.errors import CorruptFile, EmptyFile, NeedsOcr
from office_agent.ingest.pdf import open_pdf
from office_agent.policy.ingest.pdf_layout import (
    PageLine,
    PageTable,
    join_split_tables,
    merge_rows,
    running_lines,
)
from office_agent.policy.ingest.structure import RawBlock, ends_block, is_heading_line, join_wrapped, starts_new_block
from office_agent.policy_models import DocLimits

log = logging.getLogger(__name__)

PAGE_NUMBER = re.compile(r"^(?:[-—–\s]*\d+[-—–\s]*|第\s*\d+\s*页.*|Page\s+\d+(?:\s+of\s+\d+)?|\d+\s*/\s*\d+)$", re.I)
HEADING_RATIO = 1.15
ROW_WRAP_TOLERANCE = 3.0  # points
LABEL = re.compile(r"^[^\s:：，,。；;（(]{2,10}[:：]")  # "办理地点：…" opens a line of its own


def _page_lines(page: pdfium.PdfPage, number: int) -> list[PageLine]:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        height = page.get_height()
        exact = len(text) == textpage.count_chars()  # char index ↔ string index (no surrogate pairs)
        lines: list[PageLine] = []
        index = 0
        for raw_line in re.split(r"\r\n|\r|\n", text):
            first = index + (len(raw_line) - len(raw_line.lstrip()))
            index += len(raw_line) + 2
            line = raw_line.strip()
            if not line or PAGE_NUMBER.match(line):
                continue
            size, top, bottom, left = 0.0, 0.0, 0.0, 0.0
            if exact:
                size = float(pdfium_c.FPDFText_GetFontSize(textpage.raw, first))
                left, low, _, high = textpage.get_charbox(first)
                top, bottom = height - high, height - low
            lines.append(PageLine(line, number, top, bottom, size, left=left))
        return lines
    finally:
        textpage.close()


OCR_DPI = 200.0


def _ocr_page(page: pdfium.PdfPage, number: int) -> tuple[list[PageLine], list[PageTable]]:
    """A scanned page through the OCR engine (see ``office_agent.policy.ingest.from_ocr``): its lines and tables."""
    from office_agent.ingest.ocr import OcrFailed, OcrUnavailable
    from office_agent.policy.ingest.from_ocr import ocr_available, ocr_page

    engine = ocr_available()
    if engine is None:
        return [], []
    try:
        pixels = np.asarray(page.render(scale=OCR_DPI / 72.0).to_pil().convert("RGB"))
        return ocr_page(pixels, number, engine, OCR_DPI, find_paper=False)
    except (pdfium.PdfiumError, OcrUnavailable, OcrFailed) as exc:
        log.info("page %d: OCR failed (%s)", number, exc)
        return [], []


def _has_rules(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2))


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _tables(plumber: pdfplumber.PDF, number: int) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    """Ruled tables of a page. A table cut by a page break has no rule where the page ends (or where it resumes):
    the ends of the vertical rules stand in for it, so the cut row is read too."""
    page = plumber.pages[number - 1]
    try:
        found = []
        verticals = [e for e in page.edges if e.get("orientation") == "v"]
        settings = {}
        if verticals:
            ends = [min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)]
            settings = {"explicit_horizontal_lines": ends}
        for table in page.find_tables(table_settings=settings):
            rows = [[(c or "").replace("\n", "") for c in row] for row in table.extract()]
            rows = [r for r in rows if any(c.strip() for c in r)]
            if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                found.append((table.bbox, rows))
        return found
    finally:
        page.close()


def _inside(line: PageLine, bbox: tuple[float, float, float, float]) -> bool:
    middle = (line.top + line.bottom) / 2
    return bbox[1] - 1 <= middle <= bbox[3] + 1


@dataclass
class _Read:
    """What the pages read so far gave."""

    data: bytes
    limits: DocLimits
    lines: list[PageLine] = field(default_factory=list)
    ocr_lines: list[PageLine] = field(default_factory=list)
    tables: list[PageTable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    images: bool = False
    table_pages: int = 0
    ocr_pages: int = 0
    plumber: pdfplumber.PDF | None = None

    def page(self, page: pdfium.PdfPage, number: int) -> None:
        page_lines = _page_lines(page, number)
        self.heights[number] = float(page.get_height())
        if not page_lines and _has_images(page):
            self.images = True
            self.ocr_pages += 1
            if self.ocr_pages > self.limits.max_ocr_pages:
                if self.ocr_pages == self.limits.max_ocr_pages + 1:
                    self.warnings.append(f"only the first {self.limits.max_ocr_pages} scanned pages were read by OCR")
                return
            page_lines, page_tables = _ocr_page(page, number)
            self.tables += page_tables
            self.ocr_lines += page_lines
            if page_lines or page_tables:
                self.warnings.append(f"page {number} has no text layer: read by OCR")
        elif self.table_pages < self.limits.max_table_pages and _has_rules(page):
            self.table_pages += 1
            if self.plumber is None:
                self.plumber = pdfplumber.open(io.BytesIO(self.data))
            for bbox, rows in _tables(self.plumber, number):
                page_lines = [ln for ln in page_lines if not _inside(ln, bbox)]
                self.tables.append(PageTable(number, bbox[1], rows, bottom=bbox[3]))
            page_lines = merge_rows(page_lines)
        else:
            page_lines = merge_rows(page_lines)
        self.lines.extend(page_lines)

    def finish(self) -> None:
        """Running headers and footers out, tables cut by page breaks joined."""
        by_page: dict[int, tuple[float, list[PageLine]]] = {}
        for ln in self.lines + self.ocr_lines:
            by_page.setdefault(ln.page, (self.heights.get(ln.page, 0.0), []))[1].append(ln)
        running = running_lines(by_page)
        if running:
            self.lines = [ln for ln in self.lines if id(ln) not in running]
            self.ocr_lines = [ln for ln in self.ocr_lines if id(ln) not in running]
        join_split_tables(self.tables, self.lines + self.ocr_lines, self.heights)


def read_pdf_blocks(data: bytes, limits: DocLimits) -> tuple[list[RawBlock], int, list[str]]:
    """Blocks, the page count and warnings. Raises NeedsOcr for a scan, EmptyFile for a PDF with no text."""
    pdf = open_pdf(data)
    read = _Read(data, limits)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise CorruptFile("PDF has no pages")
        if n_pages > limits.max_pages:
            read.warnings.append(f"PDF has {n_pages} pages; only the first {limits.max_pages} were read")
        for i in range(min(n_pages, limits.max_pages)):
            try:
                page = pdf[i]
            except pdfium.PdfiumError as exc:  # a broken page costs that page only
                read.warnings.append(f"page {i + 1} could not be read ({exc})")
                continue
            try:
                read.page(page, i + 1)
            finally:
                page.close()
        read.finish()
        if read.table_pages >= limits.max_table_pages:
            read.warnings.append(f"tables were looked for on the first {limits.max_table_pages} ruled pages only")
        if not read.lines and not read.tables:
            if read.images:
                raise NeedsOcr(
                    "scanned PDF without a text layer, and OCR read nothing from it (no OCR engine installed, or "
                    "the scan is blank); use a PDF with selectable text (or the DOCX/HTML version of the guide)"
                )
            raise EmptyFile("PDF has no text")
        if read.ocr_lines:
            from office_agent.policy.ingest.from_ocr import snap_sizes

            snap_sizes(read.ocr_lines)  # one size scale over every scanned page
        return assemble_blocks(read.lines, read.tables), n_pages, read.warnings
    finally:
        if read.plumber is not None:
            read.plumber.close()
        pdf.close()


def _heading_levels(lines: list[PageLine]) -> dict[float, int]:
    weights: Counter[float] = Counter()
    for ln in lines:
        weights[round(ln.size, 1)] += len(ln.text)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    bigger = sorted((s for s in weights if s >= body * HEADING_RATIO), reverse=True)
    return {s: min(i + 1, 6) for i, s in enumerate(bigger)}


def assemble_blocks(lines: list[PageLine], tables: list[PageTable]) -> list[RawBlock]:
    levels = _heading_levels(lines)
    events: list[tuple[int, int, float, int, PageLine | PageTable]] = [
        (ln.page, ln.order, ln.top, 1, ln) for ln in lines
    ]
    events += [(t.page, t.order, t.top, 0, t) for t in tables]
    events.sort(key=lambda e: (e[0], e[1], e[2], e[3]))
    out: list[RawBlock] = []
    current: PageLine | None = None
    text = ""

    def flush() -> None:
        nonlocal current, text
        if current is not None and text:
            out.append(RawBlock(text, heading_level=levels.get(round(current.size, 1)), page=current.page))
        current, text = None, ""

    for *_, item in events:
        if isinstance(item, PageTable):
            flush()
            header, body = (item.rows[0], item.rows[1:]) if item.header is None else (item.header, item.rows)
            out.extend(RawBlock("", page=item.page, cells=r, header=header) for r in body)
            continue
        line = item
        if current is not None and _continues(current, text, line, levels):
            text = join_wrapped(text, line.text)
            current = replace(current, bottom=line.bottom)
            continue
        flush()
        current, text = line, line.text
    flush()
    return out


def _continues(current: PageLine, text: str, line: PageLine, levels: dict[float, int]) -> bool:
    """Whether ``line`` wraps on from the paragraph ``text`` (same page, same size, close below, not numbered)."""
    if line.page != current.page or line.order != current.order or abs(line.size - current.size) > 0.5:
        return False
    if round(current.size, 1) in levels or line.parts > 1:
        return False
    if current.parts > 1 and abs(line.left - current.wrap_left) > ROW_WRAP_TOLERANCE:
        return False  # below a label | value row, only a line under the value wraps it
    if starts_new_block(line.text) or ends_block(text) or is_heading_line(text) or LABEL.match(line.text):
        return False
    height = max(current.size, 1.0)
    gap = line.top - current.bottom  # glyph boxes of tight lines overlap a little
    return -0.3 * height <= gap <= height * 1.2 or (current.size == 0 and line.top == 0)
