"""What a print pack puts in a slot for one invoice: its PDF page as it is (vector), or a drawing of it.

For each record the first of its files that can be printed best is taken (a bundle's PDF before its OFD before its
XML): a PDF page is kept as the page itself and later imported as a vector XObject; an OFD page is drawn from the
package (:mod:`office_agent.generate.ofdrender`) and an XML-only record as a 数电-style page
(:mod:`office_agent.generate.xmlrender`), both at :data:`RASTER_DPI`; a photo or a scanned page read by OCR is the
straightened page the recogniser read (:func:`office_agent.generate.pageimage.straighten`), which the OCR frame has
already cut to the invoice. A file's pages that no record claims (the 销货清单 pages after an invoice) follow the
invoice they come after, so nothing of a document is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from office_agent.errors import InputError
from office_agent.generate.pack_layout import MM
from office_agent.generate.pageimage import read_source, render_pdf_page, straighten
from office_agent.ingest.detect import sniff
from office_agent.models import DocFormat, Invoice, PageFrame

log = logging.getLogger(__name__)

RASTER_DPI = 200  # drawings of OFD and XML pages: sharp when printed, ~100–250 KB a page
PHOTO_DPI = 200
PRINT_ORDER = (DocFormat.PDF, DocFormat.OFD, DocFormat.IMAGE, DocFormat.XML)


@dataclass(frozen=True)
class VectorPage:
    """Page ``index`` (0-based) of the PDF in ``data``; ``size``: its crop box in points."""

    data: bytes
    index: int
    size: tuple[float, float]
    source: str
    kind: str = "pdf"
    enlarge: bool = False


@dataclass(frozen=True)
class RasterPage:
    """A drawn or straightened page; ``size``: the size it prints at, in points (a photo's is only its shape)."""

    image: Image.Image
    size: tuple[float, float]
    source: str
    kind: str  # ofd, xml, photo, scan
    enlarge: bool = False


Piece = VectorPage | RasterPage


def _pdf_size(pdf: pdfium.PdfDocument, index: int) -> tuple[float, float] | None:
    page = pdf[index]
    try:
        left, bottom, right, top = page.get_cropbox()
        rotation = page.get_rotation()
    finally:
        page.close()
    w, h = right - left, top - bottom
    if w <= 0 or h <= 0:
        return None
    return (h, w) if rotation in (90, 270) else (w, h)


def pdf_pages(data: bytes, source: str, pages: list[int], frame: PageFrame | None) -> list[Piece]:
    """Pages ``pages`` (1-based) of a PDF: vector, or the straightened page for a scan read by OCR."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InputError(f"PDFium cannot open it again ({exc})") from exc
    out: list[Piece] = []
    try:
        for number in pages:
            if not 1 <= number <= len(pdf):
                continue
            if frame is not None and number == pages[0]:
                out.append(_straight_scan(data, number, frame, source))
                continue
            size = _pdf_size(pdf, number - 1)
            if size is not None:
                out.append(VectorPage(data, number - 1, size, source))
    finally:
        pdf.close()
    return out


def _frame_px(frame: PageFrame, dpi: int) -> int:
    return max(200, min(4000, round(frame.width / 72 * dpi)))


def _straight_scan(data: bytes, page: int, frame: PageFrame, source: str) -> RasterPage:
    width = _frame_px(frame, PHOTO_DPI)
    rendered = render_pdf_page(data, page, 2 * width)
    if rendered is None:
        raise InputError(f"page {page} cannot be rendered again")
    img, size = rendered
    straight = straighten(np.asarray(img.convert("RGB")), img.width / size[0], frame, width)
    return RasterPage(straight, (frame.width, frame.height), source, "scan", enlarge=True)


def image_pages(data: bytes, source: str, page: int, frame: PageFrame | None) -> list[Piece]:
    from office_agent.ingest.image import load_frames

    frames = load_frames(data)
    if not 1 <= page <= len(frames):
        return []
    pixels = frames[page - 1][0]
    if frame is not None:
        img = straighten(pixels, 1.0, frame, _frame_px(frame, PHOTO_DPI))
        return [RasterPage(img, (frame.width, frame.height), source, "photo", enlarge=True)]
    im = Image.fromarray(pixels)
    return [RasterPage(im, (im.width * 72 / PHOTO_DPI, im.height * 72 / PHOTO_DPI), source, "photo", enlarge=True)]


def ofd_pages(data: bytes, source: str, pages: list[int]) -> list[Piece]:
    from office_agent.generate.ofdrender import render_ofd

    out: list[Piece] = []
    for number in pages:
        # drawn as wide as a 210-mm page at RASTER_DPI: the print scale of a slot is at most 1, so no finer
        picture = render_ofd(data, number, round(210 * MM / 72 * RASTER_DPI), supersample=1)
        if picture is not None:
            out.append(RasterPage(picture.image, picture.size_pt, source, "ofd"))
    return out


def xml_page(inv: Invoice, source: str) -> Piece:
    from office_agent.generate.xmlrender import render_fields

    drawn = render_fields(inv, round(210 * MM / 72 * RASTER_DPI), supersample=1)
    return RasterPage(drawn.image, drawn.size_pt, source, "xml")


def page_count(data: bytes, fmt: DocFormat) -> int:
    """How many pages the file has (1 when that cannot be told: the record's own page is printed anyway)."""
    try:
        if fmt == DocFormat.PDF:
            pdf = pdfium.PdfDocument(data)
            try:
                return len(pdf)
            finally:
                pdf.close()
        if fmt == DocFormat.OFD:
            from office_agent.ingest.ofd import open_ofd

            with open_ofd(data) as ofd:
                return len(ofd.info.pages)
    except (pdfium.PdfiumError, InputError):
        return 1
    return 1


def _candidates(inv: Invoice) -> Iterator[str]:
    yield inv.source
    yield from (s for s in inv.sources if s != inv.source)


def pieces_for(inv: Invoice, root: Path | None, claimed: dict[str, set[int]]) -> list[Piece]:
    """The record's page (and the unclaimed pages after it) from its best printable file.

    ``claimed``: source → pages that some record of the batch stands for. Raises :class:`InputError` when no
    file of the record can be read again (moved, changed) or drawn.
    """
    found: dict[DocFormat, tuple[str, bytes]] = {}
    for source in _candidates(inv):
        data = read_source(source, root)
        if data is not None:
            found.setdefault(sniff(data), (source, data))
    for fmt in PRINT_ORDER:
        if fmt not in found:
            continue
        source, data = found[fmt]
        own = source == inv.source
        first = inv.page if own else 1
        pages = [first, *_unclaimed_after(first, page_count(data, fmt), claimed.get(source, set()))]
        try:
            got = _draw(fmt, data, source, inv, pages, inv.page_frame if own else None)
        except InputError as exc:
            log.info("%s: cannot print (%s); trying the bundle's other files", source, exc)
            continue
        if got:
            return got
    if not found:
        raise InputError("the file is gone or unreadable since it was read (moved or changed?)")
    raise InputError("no page of it could be printed")


def _draw(fmt: DocFormat, data: bytes, source: str, inv: Invoice, pages: list[int], frame: PageFrame | None
          ) -> list[Piece]:  # fmt: skip
    if fmt == DocFormat.PDF:
        return pdf_pages(data, source, pages, frame)
    if fmt == DocFormat.OFD:
        return ofd_pages(data, source, pages)
    if fmt == DocFormat.IMAGE:
        return image_pages(data, source, pages[0], frame)
    return [xml_page(inv, source)]


def _unclaimed_after(first: int, count: int, claimed: set[int]) -> list[int]:
    """Pages after ``first`` up to the next page a record stands for (a goods list belongs to its invoice)."""
    out = []
    for number in range(first + 1, count + 1):
        if number in claimed:
            break
        out.append(number)
    return out
