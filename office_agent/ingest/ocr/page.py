"""Pixels of one page → :class:`~office_agent.models.Page` s of OCR words (one per invoice found on it).

Steps: find the paper(s) on a desk and flatten the perspective → turn a page lying on its side → straighten
skew → wash out red seals → recognise → if the text reads badly, try the page upside down and keep the better
reading → on a Latin-script page, read the lines that matter again (:mod:`office_agent.ingest.ocr.reread`) →
boxes to words in points (top-left origin) → split a page holding two invoices into two pages.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass

import numpy as np
import zxingcpp

from office_agent.ingest import preprocess as pp
from office_agent.ingest.ocr import OcrBox, OcrEngine, OcrWord, run_engine
from office_agent.ingest.ocr.reread import reread_lines
from office_agent.models import Page, PageFrame

log = logging.getLogger(__name__)

MAX_SIDE = 2000  # pixels on the longer side of what the recogniser sees (≈170 dpi on A4)
A4_LONG_SIDE_PT = 842.0  # page size assumed when the image says nothing about its resolution
FLIP_BELOW = 0.85  # a reading with a mean score under this is tried upside down as well
# The multilingual recogniser sometimes answers a traditional form for a simplified character; mainland invoices
# print only simplified ones, and the labels the extractors look for are simplified.
_TRADITIONAL = "統會納稅別貨額號碼開購銷單價數規務應發電話備註項計專證聯區復戶銀資車類據舊機編員"  # fmt: skip
_TRADITIONAL += "實際總體費點時間廣東蘇屆營業處歲條寫漢粵陽場鐵飛運輸"
_SIMPLE = "统会纳税别货额号码开购销单价数规务应发电话备注项计专证联区复户银资车类据旧机编员"
_SIMPLE += "实际总体费点时间广东苏届营业处岁条写汉粤阳场铁飞运输"
_SIMPLIFIED = str.maketrans(_TRADITIONAL, _SIMPLE)
# The ⊗ printed before the amount in words, read as a letter on its own: a mark, not a value.
_MARKS = frozenset({"X", "x", "×", "⊗", "ⓧ", "Ⓧ", "⊕"})
_QR_FORMATS = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
# One of these per invoice: where two appear far apart, the page holds two invoices. At half a sheet's resolution
# PaddleOCR may drop the 码 (发票号：…) and misread 日 (开票1期), so 码 is optional.
_ANCHOR = re.compile(r"开\s*票\s*日\s*期|发\s*票\s*号\s*码?")


@dataclass(frozen=True, slots=True)
class Reading:
    """What the recogniser saw on one prepared image."""

    image: np.ndarray
    boxes: list[OcrBox]
    turns: int  # quarter turns clockwise applied before recognition
    back: np.ndarray  # 3 × 3: pixels of ``image`` → pixels of the image given to :func:`recognise`

    @property
    def quality(self) -> float:
        return reading_quality(self.boxes)


def reading_quality(boxes: list[OcrBox]) -> float:
    """Mean recogniser score weighted by text length (0 when nothing was read)."""
    total = sum(len(b.text) for b in boxes)
    return sum(b.score * len(b.text) for b in boxes) / total if total else 0.0


def read_pixels(
    image: np.ndarray, number: int, engine: OcrEngine, dpi: float | None = None, find_paper: bool = True
) -> list[Page]:
    """Every invoice-sized document on one image, each as a page of OCR words (possibly none when blank)."""
    docs = [image]
    backs = [np.eye(3)]
    if find_paper:
        regions = pp.find_documents(image)
        if regions:
            docs = [pp.warp(image, r) for r in regions]
            backs = [np.linalg.inv(pp.warp_matrix(r)[0]) for r in regions]
            dpi = None  # the flattened paper has no meaningful resolution
            log.debug("page %d: %d document(s) found on the background", number, len(regions))
    pages: list[Page] = []
    for doc, back in zip(docs, backs, strict=True):
        found = read_document_image(doc, number, engine, dpi)
        for page in found:
            reframe(page, back)
        pages.extend(found)
    return pages


def reframe(page: Page, outer: np.ndarray) -> None:
    """Follow a page's frame out through one more step (``outer``: that step's output pixels → its input)."""
    if page.frame is not None:
        inner = np.asarray(page.frame.to_source, dtype=np.float64).reshape(3, 3)
        page.frame.to_source = [float(v) for v in (outer @ inner).ravel()]


def prepare(image: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Downscale, deskew, remove red seals; also the 3 × 3 map from the result's pixels back to ``image``'s."""
    work, factor = pp.downscale(image, MAX_SIDE)
    back = pp.scaling(image.shape[1] / work.shape[1], image.shape[0] / work.shape[0])
    angle = pp.skew_angle(work)
    if abs(angle) >= 0.2:
        m, _ = pp.rotation_matrix(work.shape, angle)
        work = pp.rotate(work, angle)
        back = back @ np.linalg.inv(pp.homogeneous(m))
    return pp.suppress_red(work), factor, back


def mostly_vertical(boxes: list[OcrBox]) -> bool:
    """Most text runs are taller than wide: the page lies on its side."""
    runs = [b for b in boxes if len(b.text) >= 3]
    if len(runs) < 3:
        return False
    tall = sum(1 for b in runs if (b.bbox[3] - b.bbox[1]) > 1.5 * (b.bbox[2] - b.bbox[0]))
    return tall > len(runs) / 2


def recognise(image: np.ndarray, engine: OcrEngine) -> Reading:
    """Recognise the page upright.

    A page lying on its side shows up as tall text boxes; RapidOCR reads tall boxes turned a quarter
    counter-clockwise, so a good score means the page was turned clockwise (and a bad one the other way). An
    upside-down page reads with low scores; it is read again flipped and the better reading is kept.
    """
    work, _, back = prepare(image)
    reading = Reading(work, run_engine(engine, work), 0, back)
    if mostly_vertical(reading.boxes):
        k = 3 if reading.quality >= FLIP_BELOW else 1
        turned, _, again = prepare(pp.turn(work, k))
        reading = Reading(turned, run_engine(engine, turned), k, back @ pp.unturn(work.shape, k) @ again)
    if reading.boxes and reading.quality >= FLIP_BELOW:
        return reading
    flipped_img = pp.turn(reading.image, 2)
    flipped = Reading(flipped_img, run_engine(engine, flipped_img), reading.turns + 2,
                      reading.back @ pp.unturn(reading.image.shape, 2))  # fmt: skip
    return flipped if flipped.quality > reading.quality + 0.05 else reading


def read_document_image(
    image: np.ndarray, number: int, engine: OcrEngine, dpi: float | None, split: bool = True
) -> list[Page]:
    if pp.is_blank(image):
        return []
    reading = recognise(image, engine)
    boxes = reread_lines(reading.image, reading.boxes, engine)  # Latin-script pages only (receipts)
    h, w = reading.image.shape[:2]
    _, factor = pp.downscale(image, MAX_SIDE)
    scale = (72.0 / dpi / factor) if dpi else A4_LONG_SIDE_PT / max(h, w)
    qr = [(text, (x * scale, y * scale)) for text, (x, y) in qr_with_positions(reading.image)]
    page = page_from_boxes(boxes, w, h, scale, number)
    back = reading.back @ pp.scaling(1.0 / scale)
    page.frame = PageFrame(width=page.width, height=page.height, to_source=[float(v) for v in back.ravel()])
    pages = split_invoices(page, qr) if split else [page]
    if len(pages) > 1 and factor < 0.8:
        # Each invoice got a fraction of the recogniser's resolution: read each one again at its own.
        turned = pp.turn(image, reading.turns)
        bands = _reread_bands(turned, pages, page.height, number, engine, dpi)
        for band in bands:
            reframe(band, pp.unturn(image.shape, reading.turns))
        return bands or pages
    return pages


def _reread_bands(
    image: np.ndarray, bands: list[Page], height: float, number: int, engine: OcrEngine, dpi: float | None
) -> list[Page]:
    out: list[Page] = []
    top = 0.0
    rows = image.shape[0]
    for band in bands:
        a, b = int(top / height * rows), int((top + band.height) / height * rows)
        top += band.height
        found = read_document_image(np.ascontiguousarray(image[a:b]), number, engine, dpi, split=False)
        for page in found:
            reframe(page, pp.shift(0.0, a))
        out.extend(found)
    return out


def page_from_boxes(boxes: list[OcrBox], width: int, height: int, scale: float, number: int = 1) -> Page:
    """OCR boxes (pixels) → a page of :class:`OcrWord` s in points, top to bottom; ``scale``: points per pixel."""
    words = [
        OcrWord(text=b.text.translate(_SIMPLIFIED), bbox=_scaled(b.bbox, scale), confidence=round(b.score, 4))
        for b in sorted(boxes, key=lambda b: (b.bbox[1], b.bbox[0]))
        if b.text not in _MARKS
    ]
    return Page(number=number, width=width * scale, height=height * scale, words=list(words))


def _scaled(bbox: tuple[float, float, float, float], scale: float) -> tuple[float, float, float, float]:
    return (bbox[0] * scale, bbox[1] * scale, bbox[2] * scale, bbox[3] * scale)


def qr_with_positions(image: np.ndarray) -> list[tuple[str, tuple[float, float]]]:
    """QR payloads and their centres (pixels). Never raises."""
    try:
        found = zxingcpp.read_barcodes(np.ascontiguousarray(image), formats=_QR_FORMATS)
    except Exception as exc:  # a decoder failure costs the QR, not the page
        log.debug("QR decoding failed: %s", exc)
        return []
    out = []
    for r in found:
        if r.valid and r.text:
            p = r.position
            cx = (p.top_left.x + p.top_right.x + p.bottom_right.x + p.bottom_left.x) / 4
            cy = (p.top_left.y + p.top_right.y + p.bottom_right.y + p.bottom_left.y) / 4
            out.append((r.text, (float(cx), float(cy))))
    return out


# ----------------------------------------------------------------------------------------------------------
# Two invoices on one page


def split_invoices(page: Page, qr: list[tuple[str, tuple[float, float]]]) -> list[Page]:
    """One page per invoice: cut between the invoices' anchors (开票日期 / 发票号码) at the widest empty band."""
    anchors = _anchor_rows(page)
    cuts: list[float] = []
    for (_a_top, a_bottom), (b_top, _) in itertools.pairwise(anchors):
        # An invoice's anchor sits near its top, so the border with the next one lies late in the span;
        # searching only there keeps an empty item table inside one invoice from being taken for the border.
        cuts.append(_widest_gap(page, a_bottom + 0.6 * (b_top - a_bottom), b_top))
    if not cuts:
        page.qr_payloads = [t for t, _ in qr]
        return [page]
    bounds = [0.0, *cuts, page.height]
    pages = []
    for top, bottom in itertools.pairwise(bounds):
        words = [w for w in page.words if top <= (w.bbox[1] + w.bbox[3]) / 2 < bottom]
        shifted = [w.model_copy(update={"bbox": (w.bbox[0], w.bbox[1] - top, w.bbox[2], w.bbox[3] - top)})
                   for w in words]  # fmt: skip
        codes = [t for t, (_, y) in qr if top <= y < bottom]
        band = Page(number=page.number, width=page.width, height=bottom - top, words=shifted, qr_payloads=codes)
        if page.frame is not None:
            to_source = np.asarray(page.frame.to_source).reshape(3, 3) @ pp.shift(0.0, top)
            band.frame = PageFrame(width=band.width, height=band.height, to_source=[float(v) for v in to_source.flat])
        pages.append(band)
    log.debug("page %d holds %d invoices", page.number, len(pages))
    return pages


def _anchor_rows(page: Page) -> list[tuple[float, float]]:
    """Vertical spans of anchor rows that lie far apart (one row per invoice), top to bottom."""
    rows: list[tuple[float, float]] = []
    for w in page.words:
        if not _ANCHOR.search(w.text):
            continue
        top, bottom = w.bbox[1], w.bbox[3]
        if rows and top - rows[-1][1] < 0.2 * page.height:
            continue  # the other anchor of the same invoice
        rows.append((top, bottom))
    rows.sort()
    return rows


def _widest_gap(page: Page, lo: float, hi: float) -> float:
    """The middle of the widest horizontal band in (lo, hi) that no word crosses; ``hi`` minus a margin if none."""
    spans = sorted((w.bbox[1], w.bbox[3]) for w in page.words if w.bbox[3] > lo and w.bbox[1] < hi)
    best, best_width, y = hi - 0.05 * page.height, 0.0, lo
    for top, bottom in spans:
        if top > y and top - y > best_width:
            best, best_width = (y + top) / 2, top - y
        y = max(y, bottom)
    if hi - y > best_width:
        best = (y + hi) / 2
    return max(lo, min(best, hi))
