"""OCR for PDF pages whose text cannot be used: no text layer (a scan saved as PDF) or a garbled one.

The page is rendered with PDFium at :data:`RENDER_DPI` and read like a photo of it; its words are replaced by
the OCR words (points, top-left origin, as any page). A page holding two invoices becomes two pages.
"""

from __future__ import annotations

import logging

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from office_agent.ingest import preprocess as pp
from office_agent.ingest.ocr import OcrUnavailable, get_engine
from office_agent.ingest.ocr.page import read_pixels, reframe
from office_agent.models import Document, Page

log = logging.getLogger(__name__)

RENDER_DPI = 200.0
FEW_CHARS = 20  # a page with less text than this over a page-sized image is a scan with a stamp or page number
SCAN_COVER = 0.5  # share of the page an image must cover to be a scan


def pages_needing_ocr(
    pdf: pdfium.PdfDocument, doc: Document, garbled: dict[int, float], threshold: float
) -> list[int]:
    """Indexes of pages with no text, little text over a page-sized image, or text that stays garbled."""
    out = []
    for index, page in enumerate(doc.pages):
        chars = sum(len(w.text.strip()) for w in page.words)
        if (
            chars == 0
            or garbled.get(index, 0.0) > threshold
            or (chars < FEW_CHARS and _image_cover(pdf, index, page.width * page.height) >= SCAN_COVER)
        ):
            out.append(index)
    return out


def _image_cover(pdf: pdfium.PdfDocument, index: int, area: float) -> float:
    """The largest share of the page covered by one image object."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        return 0.0
    try:
        best = 0.0
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            left, bottom, right, top = obj.get_pos()
            best = max(best, (right - left) * (top - bottom) / max(area, 1.0))
        return best
    except pdfium.PdfiumError:
        return 0.0
    finally:
        page.close()


def ocr_pdf_pages(pdf: pdfium.PdfDocument, doc: Document, indexes: list[int]) -> None:
    """Replace the words of the given pages by OCR words. Without an OCR engine the pages stay as they are."""
    if not indexes:
        return
    engine = get_engine()
    if engine.name == "null":
        doc.warnings.append(f"{len(indexes)} page(s) need OCR (no usable text layer) and no OCR engine is installed")
        return
    replaced: dict[int, list[Page]] = {}
    for index in indexes:
        old = doc.pages[index]
        try:
            page = pdf[index]
        except pdfium.PdfiumError:
            continue  # the reader has already said this page cannot be read
        try:
            bitmap = page.render(scale=RENDER_DPI / 72.0)
            pixels = np.asarray(bitmap.to_pil().convert("RGB"))
        except pdfium.PdfiumError as exc:
            doc.warnings.append(f"page {index + 1}: could not be rendered for OCR ({exc})")
            continue
        finally:
            page.close()
        try:
            pages = read_pixels(pixels, old.number, engine, dpi=RENDER_DPI, find_paper=True)
        except OcrUnavailable as exc:
            doc.warnings.append(str(exc))
            return
        for p in pages:
            p.qr_payloads = p.qr_payloads or ([] if len(pages) > 1 else list(old.qr_payloads))
            reframe(p, pp.scaling(72.0 / RENDER_DPI))  # rendered pixels → the PDF page's points
        if pages and any(p.words for p in pages):
            replaced[index] = pages
            doc.warnings.append(f"page {index + 1}: read by OCR ({engine.name})")
    new_pages: list[Page] = []
    for index, page in enumerate(doc.pages):
        new_pages.extend(replaced.get(index, [page]) or [page])
    doc.pages = new_pages
