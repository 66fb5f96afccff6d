"""Policy documents that are pictures: photographed or scanned guides (JPG, PNG, TIFF pages, WebP, HEIC, BMP, GIF)
and the scanned pages of a PDF, read through the OCR engine the invoices use.

Per page: the paper is found on the desk and flattened (photos), turned upright, deskewed and its seals washed out
(``office_agent.ingest.ocr.page``); the recogniser's boxes then become

1. tables, rebuilt from the ruling lines (OpenCV morphology) or, without rules, from the columns the boxes keep
   (``office_agent.policy.ingest.ocr_tables``) — the same header + rows the text-layer PDF reader gets from pdfplumber;
2. lines in reading order: regions cut along empty bands and column gutters (XY-cut), rows inside each;
3. line heights in points, snapped so body text shares one size and larger lines read as headings.

The lines and tables go through the PDF reader's assembly (wrapped lines → paragraphs, numbered lines → blocks,
large lines → headings), so a scan gets the same structure, sections and citations (file + page + quoted span)
as the PDF it was printed from.
"""

from __future__ import annotations

import logging
import statistics

import numpy as np

from office_agent.config import DEFAULT_LIMITS
from office_agent.errors import EmptyFile, NeedsOcr
from office_agent.ingest import preprocess as pp
from office_agent.ingest.ocr import OcrEngine, OcrFailed, OcrUnavailable, get_engine
from office_agent.ingest.ocr.layout import (
    Box,
    Segment,
    group_rows,
    merge_close,
    segments_from_boxes,
    text_height,
    xy_cut,
)
from office_agent.ingest.ocr.page import A4_LONG_SIDE_PT, MAX_SIDE, recognise
from office_agent.policy.ingest.from_pdf import PAGE_NUMBER, PageLine, PageTable, assemble_blocks
from office_agent.policy.ingest.ocr_tables import aligned_tables, ruled_tables
from office_agent.policy.ingest.structure import RawBlock
from office_agent.policy_models import DocLimits

log = logging.getLogger(__name__)

NO_ENGINE = (
    "a photographed or scanned guide is read by OCR, and no OCR engine is available here (--ocr-engine null, or "
    "rapidocr is not installed: pip install rapidocr onnxruntime); use the guide's PDF with selectable text, DOCX "
    "or HTML version instead"
)
SNAP = 0.12  # line sizes within this share of each other are one font size
# A size estimated from OCR boxes is good to about ±8%: only lines clearly larger than the body are headings by size
# (a sub-heading one point larger reads as body text, and its numbering makes it a heading, as in the text layer).
OCR_HEADING_RATIO = 1.3


def ocr_available() -> OcrEngine | None:
    engine = get_engine()
    return None if engine.name == "null" else engine


def read_image_blocks(data: bytes, limits: DocLimits) -> tuple[list[RawBlock], int, list[str]]:
    """Blocks, the page (frame) count and warnings of an image file. Raises NeedsOcr without an OCR engine."""
    from office_agent.ingest.image import BlankImage, ImageTooSmall, load_frames

    engine = ocr_available()
    if engine is None:
        raise NeedsOcr(f"image file: {NO_ENGINE}")
    bounds = DEFAULT_LIMITS.model_copy(
        update={"max_pages": min(limits.max_pages, limits.max_ocr_pages), "max_image_pixels": limits.max_image_pixels}
    )
    try:
        frames = load_frames(data, bounds)
    except (ImageTooSmall, BlankImage) as exc:
        raise EmptyFile(str(exc).replace("an invoice", "a readable page")) from exc
    warnings: list[str] = []
    lines: list[PageLine] = []
    tables: list[PageTable] = []
    for number, (pixels, dpi) in enumerate(frames, 1):
        try:
            page_lines, page_tables = ocr_page(pixels, number, engine, dpi, find_paper=True)
        except OcrUnavailable as exc:
            raise NeedsOcr(f"image file: {exc}") from exc
        except OcrFailed as exc:
            warnings.append(f"page {number}: {exc}")
            continue
        if not page_lines and not page_tables:
            warnings.append(f"page {number}: no text found (blank, or too blurred to read)")
        lines += page_lines
        tables += page_tables
    if not lines and not tables:
        raise EmptyFile(warnings[0] if warnings else "no text found in the image")
    snap_sizes(lines)
    if len(frames) > 1:
        warnings.append(f"{len(frames)} pages read by OCR ({engine.name})")
    else:
        warnings.append(f"read by OCR ({engine.name})")
    return assemble_blocks(lines, tables), len(frames), warnings


def ocr_page(
    pixels: np.ndarray, number: int, engine: OcrEngine, dpi: float | None, *, find_paper: bool
) -> tuple[list[PageLine], list[PageTable]]:
    """One page's pixels → its lines and tables in points, in reading order. The lines' sizes are estimates: pass
    all the document's OCR lines through :func:`snap_sizes` before assembling them."""
    image = pixels
    if find_paper:
        regions = pp.find_documents(image, max_docs=1)
        if regions:
            image, dpi = pp.warp(image, regions[0]), None  # the flattened paper has no meaningful resolution
    if pp.is_blank(image):
        return [], []
    reading = recognise(image, engine)
    h, w = reading.image.shape[:2]
    _, factor = pp.downscale(image, MAX_SIDE)
    scale = (72.0 / dpi / factor) if dpi else A4_LONG_SIDE_PT / max(h, w)
    segments = segments_from_boxes(reading.boxes)
    if not segments:
        return [], []
    return layout_page(reading.image, segments, number, scale)


def layout_page(
    image: np.ndarray | None, segments: list[Segment], number: int, scale: float
) -> tuple[list[PageLine], list[PageTable]]:
    """Segments (pixels of ``image``) → lines and tables in points. ``image`` None: no ruled-table search."""
    height = text_height(segments)
    found = ruled_tables(image, segments, height) if image is not None else []
    used = set().union(*(t.used for t in found)) if found else set()
    rest = [s for i, s in enumerate(segments) if i not in used]
    rows = [merge_close(r) for r in group_rows(rest)]
    # Regions for reading order: the tables as one box each, the rest as their segments.
    items: list[tuple[Box, Segment | list[list[str]]]] = [(t.box, t.rows) for t in found]
    taken: set[int] = set()
    for start, end, cells in aligned_tables(rows, height):
        box = (
            min(s.x0 for r in rows[start:end] for s in r.segments), rows[start].top,
            max(s.x1 for r in rows[start:end] for s in r.segments), rows[end - 1].bottom,
        )  # fmt: skip
        items.append((box, cells))
        taken.update(range(start, end))
    items += [(s.box, s) for k, r in enumerate(rows) if k not in taken for s in r.segments]
    lines: list[PageLine] = []
    tables: list[PageTable] = []
    for order, region in enumerate(xy_cut(items, lambda it: it[0], height)):
        segs = [it[1] for it in region if isinstance(it[1], Segment)]
        for box, obj in region:
            if not isinstance(obj, Segment):
                tables.append(PageTable(number, box[1] * scale, obj, order))
        for row in group_rows(segs):
            text = merge_close(row).text.strip()
            if text and not PAGE_NUMBER.match(text):
                top, bottom = row.top * scale, row.bottom * scale
                lines.append(PageLine(text, number, top, bottom, merge_close(row).glyph_size * scale, order))
    return lines, tables


def snap_sizes(lines: list[PageLine]) -> None:
    """Give the body text one size and each larger cluster of line heights one size, so headings are told apart."""
    if not lines:
        return
    weighted = sorted((ln.size, len(ln.text)) for ln in lines)
    half, acc, body = sum(n for _, n in weighted) / 2, 0, weighted[-1][0]
    for size, n in weighted:
        acc += n
        if acc >= half:
            body = size
            break
    clusters: list[list[float]] = []
    for size in sorted({ln.size for ln in lines}):
        if clusters and size <= clusters[-1][0] * (1 + SNAP):
            clusters[-1].append(size)
        else:
            clusters.append([size])
    snapped: dict[float, float] = {}
    for cluster in clusters:
        value = statistics.mean(cluster)
        if cluster[0] <= body <= cluster[-1] or value < body * OCR_HEADING_RATIO:
            value = body
        for size in cluster:
            snapped[size] = round(value, 1)
    for ln in lines:
        ln.size = snapped[ln.size]
