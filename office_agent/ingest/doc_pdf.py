"""PDF reader for policy documents: the text layer with font sizes (PDFium), ruled tables (pdfplumber).

PDFium reads a page's text in about a millisecond; pdfplumber (pdfminer) needs tens of milliseconds, so it is only
asked for tables, and only on pages that draw lines or boxes (a table without rules is read as text lines).
Lines inside a table's box are left to the table. Lines in a larger font than the body text are headings, the
largest being level 1. Wrapped lines are joined into paragraphs; numbered lines and ends of sentences start new
ones. Page numbers ("— 3 —", "第 3 页", "Page 3 of 9") are dropped.

A PDF whose pages have images but no text is a scan: those pages go through the OCR engine (RapidOCR by default).
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from office_agent.errors import CorruptFile, EmptyFile, NeedsOcr
from office_agent.ingest.doc_structure import RawBlock, ends_block, is_heading_line, join_wrapped, starts_new_block
from office_agent.ingest.pdf import open_pdf
from office_agent.models import Word
from office_agent.policy_models import DocLimits

log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"^(?:[-—–\s]*\d+[-—–\s]*|第\s*\d+\s*页.*|Page\s+\d+(?:\s+of\s+\d+)?|\d+\s*/\s*\d+)$", re.I)
HEADING_RATIO = 1.15


@dataclass
class _Line:
    text: str
    page: int
    top: float
    bottom: float
    size: float


@dataclass
class _Table:
    page: int
    top: float
    rows: list[list[str]]


def _page_lines(page: pdfium.PdfPage, number: int) -> list[_Line]:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        height = page.get_height()
        exact = len(text) == textpage.count_chars()  # char index ↔ string index (no surrogate pairs)
        lines: list[_Line] = []
        index = 0
        for raw_line in re.split(r"\r\n|\r|\n", text):
            first = index + (len(raw_line) - len(raw_line.lstrip()))
            index += len(raw_line) + 2
            line = raw_line.strip()
            if not line or _PAGE_NUMBER.match(line):
                continue
            size, top, bottom = 0.0, 0.0, 0.0
            if exact:
                size = float(pdfium_c.FPDFText_GetFontSize(textpage.raw, first))
                _, low, _, high = textpage.get_charbox(first)
                top, bottom = height - high, height - low
            lines.append(_Line(line, number, top, bottom, size))
        return lines
    finally:
        textpage.close()


OCR_DPI = 200.0


def _ocr_lines(page: pdfium.PdfPage, number: int) -> list[_Line]:
    """A scanned page through the OCR engine (see ``office_agent.ingest.ocr``): its words grouped into lines."""
    from office_agent.ingest.ocr import OcrUnavailable, get_engine
    from office_agent.ingest.ocr.page import read_pixels

    engine = get_engine()
    if engine.name == "null":
        return []
    try:
        pixels = np.asarray(page.render(scale=OCR_DPI / 72.0).to_pil().convert("RGB"))
        pages = read_pixels(pixels, number, engine, dpi=OCR_DPI, find_paper=False)
    except (pdfium.PdfiumError, OcrUnavailable) as exc:
        log.info("page %d: OCR failed (%s)", number, exc)
        return []
    words = sorted((w for p in pages for w in p.words if w.text.strip()), key=lambda w: (w.bbox[1] + w.bbox[3]) / 2)
    lines: list[list[Word]] = []
    for w in words:
        if lines:
            top = min(x.bbox[1] for x in lines[-1])
            bottom = max(x.bbox[3] for x in lines[-1])
            if (w.bbox[1] + w.bbox[3]) / 2 < bottom and (w.bbox[1] + w.bbox[3]) / 2 > top:
                lines[-1].append(w)
                continue
        lines.append([w])
    out = []
    for line in lines:
        line.sort(key=lambda w: w.bbox[0])
        top, bottom = min(w.bbox[1] for w in line), max(w.bbox[3] for w in line)
        text = _join(w.text for w in line).strip()
        if text and not _PAGE_NUMBER.match(text):
            out.append(_Line(text, number, top, bottom, bottom - top))
    return out


def _join(parts: Iterable[str]) -> str:
    """OCR boxes of one line: no space between Chinese characters, one between Latin words."""
    out = ""
    for part in parts:
        if out and part and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def _has_rules(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2))


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _tables(plumber: pdfplumber.PDF, number: int) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    page = plumber.pages[number - 1]
    try:
        found = []
        for table in page.find_tables():
            rows = [[(c or "").replace("\n", "") for c in row] for row in table.extract()]
            rows = [r for r in rows if any(c.strip() for c in r)]
            if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                found.append((table.bbox, rows))
        return found
    finally:
        page.close()


def _inside(line: _Line, bbox: tuple[float, float, float, float]) -> bool:
    middle = (line.top + line.bottom) / 2
    return bbox[1] - 1 <= middle <= bbox[3] + 1


def read_pdf_blocks(data: bytes, limits: DocLimits) -> tuple[list[RawBlock], int, list[str]]:
    """Blocks, the page count and warnings. Raises NeedsOcr for a scan, EmptyFile for a PDF with no text."""
    pdf = open_pdf(data)
    plumber: pdfplumber.PDF | None = None
    warnings: list[str] = []
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise CorruptFile("PDF has no pages")
        if n_pages > limits.max_pages:
            warnings.append(f"PDF has {n_pages} pages; only the first {limits.max_pages} were read")
        lines: list[_Line] = []
        tables: list[_Table] = []
        images = False
        table_pages = 0
        for i in range(min(n_pages, limits.max_pages)):
            try:
                page = pdf[i]
            except pdfium.PdfiumError as exc:  # a broken page costs that page only
                warnings.append(f"page {i + 1} could not be read ({exc})")
                continue
            try:
                page_lines = _page_lines(page, i + 1)
                if not page_lines and _has_images(page):
                    images = True
                    page_lines = _ocr_lines(page, i + 1)
                    if page_lines:
                        warnings.append(f"page {i + 1} has no text layer: read by OCR")
                elif table_pages < limits.max_table_pages and _has_rules(page):
                    table_pages += 1
                    if plumber is None:
                        plumber = pdfplumber.open(io.BytesIO(data))
                    for bbox, rows in _tables(plumber, i + 1):
                        page_lines = [ln for ln in page_lines if not _inside(ln, bbox)]
                        tables.append(_Table(i + 1, bbox[1], rows))
                lines.extend(page_lines)
            finally:
                page.close()
        if table_pages >= limits.max_table_pages:
            warnings.append(f"tables were looked for on the first {limits.max_table_pages} ruled pages only")
        if not lines and not tables:
            if images:
                raise NeedsOcr(
                    "scanned PDF without a text layer, and OCR read nothing from it (no OCR engine installed, or "
                    "the scan is blank); use a PDF with selectable text (or the DOCX/HTML version of the guide)"
                )
            raise EmptyFile("PDF has no text")
        return _assemble(lines, tables), n_pages, warnings
    finally:
        if plumber is not None:
            plumber.close()
        pdf.close()


def _heading_levels(lines: list[_Line]) -> dict[float, int]:
    weights: Counter[float] = Counter()
    for ln in lines:
        weights[round(ln.size, 1)] += len(ln.text)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    bigger = sorted((s for s in weights if s >= body * HEADING_RATIO), reverse=True)
    return {s: min(i + 1, 6) for i, s in enumerate(bigger)}


def _assemble(lines: list[_Line], tables: list[_Table]) -> list[RawBlock]:
    levels = _heading_levels(lines)
    events: list[tuple[int, float, int, _Line | _Table]] = [(ln.page, ln.top, 1, ln) for ln in lines]
    events += [(t.page, t.top, 0, t) for t in tables]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    out: list[RawBlock] = []
    current: _Line | None = None
    text = ""

    def flush() -> None:
        nonlocal current, text
        if current is not None and text:
            out.append(RawBlock(text, heading_level=levels.get(round(current.size, 1)), page=current.page))
        current, text = None, ""

    for _, _, _, item in events:
        if isinstance(item, _Table):
            flush()
            header, body = item.rows[0], item.rows[1:]
            out.extend(RawBlock("", page=item.page, cells=r, header=header) for r in body)
            continue
        line = item
        if current is not None and _continues(current, text, line, levels):
            text = join_wrapped(text, line.text)
            current = _Line(current.text, current.page, current.top, line.bottom, current.size)
            continue
        flush()
        current, text = line, line.text
    flush()
    return out


def _continues(current: _Line, text: str, line: _Line, levels: dict[float, int]) -> bool:
    """Whether ``line`` wraps on from the paragraph ``text`` (same page, same size, close below, not numbered)."""
    if line.page != current.page or abs(line.size - current.size) > 0.5:
        return False
    if round(current.size, 1) in levels:
        return False
    if starts_new_block(line.text) or ends_block(text) or is_heading_line(text):
        return False
    height = max(current.size, 1.0)
    return 0 <= line.top - current.bottom <= height * 1.2 or (current.size == 0 and line.top == 0)
