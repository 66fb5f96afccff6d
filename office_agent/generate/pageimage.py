"""A small picture of an invoice's page, for the review report and for notebooks, with the boxes of its fields.

- PDF pages are rendered with pypdfium2 (its crop box, the same frame the PDF reader measured boxes in, so a
  provenance ``bbox`` in points maps straight onto the picture).
- OFD pages are drawn from the package by :mod:`office_agent.generate.ofdrender` (page size from the
  ``PhysicalBox``, the frame the OFD reader measures text boxes in).
- Images, and PDF pages that were read by OCR, are shown as the page the recogniser read: the file's pixels
  flattened, turned and straightened through the record's :class:`~office_agent.models.PageFrame`, so OCR boxes
  land where the words are. Without a frame (an old record) the image is shown as it is, without boxes.
- XML invoices have no layout: :mod:`office_agent.generate.xmlrender` draws the record's fields as a standard
  数电 page, labelled as a rendering of the XML data, with a box for each field it places.

Files inside ZIPs are found again through the same safe expansion the batch used.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from office_agent.config import DEFAULT_LIMITS
from office_agent.errors import InputError
from office_agent.generate.fonts import font_note
from office_agent.ingest.detect import sniff
from office_agent.ingest.sources import Blob, expand
from office_agent.models import BBox, DocFormat, Invoice, PageFrame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageImage:
    """A JPEG as a data URI, the page size that ``boxes`` are measured against (None: no boxes), and the boxes.

    ``kind``: ``pdf``, ``ofd``, ``image`` (as the file is), ``straightened`` (the page OCR read) or ``xml`` (a
    rendering of the record's fields); ``note``: what the reader should know (a missing font).
    """

    data_uri: str
    width_px: int
    height_px: int
    page_size: tuple[float, float] | None
    source: str
    page: int
    kind: str = "pdf"
    boxes: dict[str, BBox] = field(default_factory=dict)
    note: str | None = None


def read_source(source: str, root: Path | None = None) -> bytes | None:
    """The bytes of ``source`` (``a.zip!b/c.pdf`` too), or None when the file is gone or unreadable."""
    outer, _, inner = source.partition("!")
    path = Path(outer)
    if not path.is_absolute() and root is not None:
        path = root / path
    try:
        if path.stat().st_size > DEFAULT_LIMITS.max_file_bytes:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if not inner:
        return data
    try:
        for entry in expand(outer, data):
            if isinstance(entry, Blob) and entry.source == source:
                return entry.data
    except InputError:
        return None
    return None


def _jpeg(img: Image.Image, quality: int = 78) -> str:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def render_pdf_page(data: bytes, page: int, width: int) -> tuple[Image.Image, tuple[float, float]] | None:
    """Page ``page`` (1-based) at ``width`` pixels, and the crop box size in points."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        if not 1 <= page <= len(pdf):
            return None
        pg = pdf[page - 1]
        try:
            left, bottom, right, top = pg.get_cropbox()
            size = (right - left, top - bottom)
            if size[0] <= 0 or size[1] <= 0:
                return None
            bitmap = pg.render(scale=width / size[0], rotation=0)
            return bitmap.to_pil(), size
        finally:
            pg.close()
    except pdfium.PdfiumError as exc:
        log.debug("render failed: %s", exc)
        return None
    finally:
        pdf.close()


BOXED_FIELDS = (
    "invoice_code", "invoice_number", "issue_date", "check_code", "buyer_name", "buyer_tax_id", "seller_name",
    "seller_tax_id", "amount_without_tax", "tax_amount", "total_amount",
)  # fmt: skip


def provenance_boxes(inv: Invoice, page: int) -> dict[str, BBox]:
    """The provenance box of each field read on ``page`` of the record's own file."""
    return {name: p.bbox for name, p in inv.provenance.items() if p.bbox is not None and (p.page or 1) == page}


def straighten(pixels: np.ndarray, px_per_unit: float, frame: PageFrame, width: int) -> Image.Image:
    """The page OCR read, ``width`` pixels wide, cut from ``pixels`` (the file's image; ``px_per_unit``: its
    pixels per unit of ``frame.to_source``) through the frame's homography."""
    to_source = np.asarray(frame.to_source, dtype=np.float64).reshape(3, 3)
    t = width / frame.width
    height = max(1, round(frame.height * t))
    corners = np.array([[0, 0, 1], [frame.width, 0, 1]], dtype=np.float64) @ to_source.T
    span = float(np.hypot(*(corners[1, :2] / corners[1, 2] - corners[0, :2] / corners[0, 2]))) * px_per_unit
    shrink = min(1.0, 2.0 * width / span) if span > 0 else 1.0
    if shrink < 1.0:  # shrink the source first: no aliasing, and a 12-MP photo costs little
        h, w = pixels.shape[:2]
        size = (max(1, round(w * shrink)), max(1, round(h * shrink)))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    scale = px_per_unit * shrink
    m = np.diag([scale, scale, 1.0]) @ to_source @ np.diag([1 / t, 1 / t, 1.0])
    out = cv2.warpPerspective(pixels, m, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderValue=(255, 255, 255))  # fmt: skip
    return Image.fromarray(out)


def _image_page(data: bytes, inv: Invoice, own: bool, page: int, width: int) -> PageImage | None:
    from office_agent.ingest.image import load_frames

    frame = inv.page_frame if own else None
    try:
        frames = load_frames(data)
    except InputError:
        return None
    if not 1 <= page <= len(frames):
        return None
    pixels = frames[page - 1][0]
    if frame is not None:
        img = straighten(pixels, 1.0, frame, width)
        boxes = provenance_boxes(inv, page)
        return PageImage(_jpeg(img), img.width, img.height, (frame.width, frame.height), "", page, "straightened",
                         boxes)  # fmt: skip
    im = Image.fromarray(pixels)
    im.thumbnail((width, width * 4))
    return PageImage(_jpeg(im), im.width, im.height, None, "", page, "image")


def _pdf_page(data: bytes, inv: Invoice, own: bool, page: int, width: int) -> PageImage | None:
    frame = inv.page_frame if own else None
    if frame is not None:  # a scanned page read by OCR: show the page the recogniser read
        rendered = render_pdf_page(data, page, 2 * width)
        if rendered is not None:
            img, size = rendered
            straight = straighten(np.asarray(img.convert("RGB")), img.width / size[0], frame, width)
            return PageImage(_jpeg(straight), straight.width, straight.height, (frame.width, frame.height), "",
                             page, "straightened", provenance_boxes(inv, page))  # fmt: skip
    rendered = render_pdf_page(data, page, width)
    if rendered is None:
        return None
    img, size = rendered
    return PageImage(_jpeg(img), img.width, img.height, size, "", page, "pdf", provenance_boxes(inv, page))


def _agrees(value: object, text: str) -> bool:
    """Whether the printed ``text`` shows the record's ``value`` (money, date or text, loosely compared)."""
    if isinstance(value, Decimal):
        figures = re.sub(r"[^0-9.\-]", "", text)
        try:
            return Decimal(figures) == value
        except InvalidOperation:
            return False
    if isinstance(value, dt.date):
        return re.sub(r"\D", "", text)[:8] == value.strftime("%Y%m%d")
    plain = str.maketrans("（）：", "():", " \t\n\r")
    return str(value).translate(plain) == text.translate(plain)


def _shows(value: object, text: str) -> bool:
    """Whether a printed run ``text`` contains the record's ``value``."""
    if isinstance(value, Decimal):
        return re.search(rf"(?<![\d.]){re.escape(f'{value:.2f}')}(?![\d])", text.replace(",", "")) is not None
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d") in re.sub(r"\D", "", text)
    plain = str.maketrans("（）：", "():", " \t\n\r")
    wanted = str(value).translate(plain)
    return len(wanted) >= 2 and wanted in text.translate(plain)


def tagged_boxes(data: bytes, inv: Invoice, page: int, known: dict[str, BBox]) -> dict[str, BBox]:
    """Boxes for fields whose winning value came without one (an OFD's embedded XML or CustomData): the
    package's tagged text (CustomTag → TextObject) for the same field where it shows the same value, else the
    printed run that shows it (for money, one with ``¥``: the total, not an item line)."""
    from office_agent.ingest.ofd import read_ofd

    try:
        doc = read_ofd(inv.source, inv.sha256 or "", data)
    except InputError:
        return {}
    out: dict[str, BBox] = {}
    for cand in doc.candidates:
        prov = cand.provenance
        name = cand.field
        if name in known or name in out or prov.bbox is None or (prov.page or 1) != page:
            continue
        value = getattr(inv, name, None)
        if value is not None and _agrees(value, cand.value):
            out[name] = prov.bbox
    words = doc.pages[page - 1].words if 1 <= page <= len(doc.pages) else []
    for name in BOXED_FIELDS:
        value = getattr(inv, name, None)
        if value is None or name in known or name in out:
            continue
        hits = [w for w in words if _shows(value, w.text)]
        if isinstance(value, Decimal):
            hits = [w for w in hits if "¥" in w.text] or hits
        if len(hits) == 1 or (hits and isinstance(value, Decimal)):
            out[name] = hits[-1].bbox
    return out


def _ofd_page(data: bytes, inv: Invoice, page: int, width: int) -> PageImage | None:
    from office_agent.generate.ofdrender import render_ofd

    try:
        picture = render_ofd(data, page, width)
    except InputError as exc:
        log.debug("OFD page cannot be drawn: %s", exc)
        return None
    if picture is None:
        return None
    img = picture.image
    boxes = provenance_boxes(inv, page)
    boxes.update(tagged_boxes(data, inv, page, boxes))
    return PageImage(_jpeg(img), img.width, img.height, picture.size_pt, "", page, "ofd", boxes,
                     picture.font_note)  # fmt: skip


def _xml_page(inv: Invoice, source: str, width: int) -> PageImage:
    from office_agent.generate.xmlrender import render_fields

    drawn = render_fields(inv, width)
    img = drawn.image
    return PageImage(_jpeg(img), img.width, img.height, drawn.size_pt, source, 1, "xml", drawn.boxes, font_note())


def _picture(fmt: DocFormat, data: bytes, inv: Invoice, own: bool, page: int, width: int) -> PageImage | None:
    if fmt == DocFormat.PDF:
        return _pdf_page(data, inv, own, page, width)
    if fmt == DocFormat.OFD:
        return _ofd_page(data, inv, page, width)
    if fmt == DocFormat.IMAGE:
        return _image_page(data, inv, own, page, width)
    return None


def page_image(inv: Invoice, root: Path | None = None, width: int = 560) -> PageImage | None:
    """A picture of the invoice's page from the first of its files that has a layout (a bundle's PDF, say);
    for a record read from XML only, a rendering of its fields."""
    candidates = [inv.source, *(s for s in inv.sources if s != inv.source)]
    xml_source: str | None = None
    for source in candidates:
        data = read_source(source, root)
        if data is None:
            continue
        fmt = sniff(data)
        own = source == inv.source
        page = inv.page if own else 1
        if fmt == DocFormat.XML:
            xml_source = xml_source or source
            continue
        try:
            found = _picture(fmt, data, inv, own, page, width)
        except Exception as exc:  # a picture that cannot be made never takes the report down
            log.warning("%s: no page picture (%s: %s)", source, type(exc).__name__, exc)
            found = None
        if found is not None:  # boxes too on another file of a bundle: its fields may have been read there
            return PageImage(found.data_uri, found.width_px, found.height_px, found.page_size, source, found.page,
                             found.kind, found.boxes, found.note)  # fmt: skip
    if xml_source is not None or inv.format == DocFormat.XML:
        return _xml_page(inv, xml_source or inv.source, width)
    return None
