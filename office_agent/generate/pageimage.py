"""A small picture of an invoice's page, for the review report and for notebooks.

PDF pages are rendered with pypdfium2 (its crop box, the same frame the PDF reader measured boxes in, so a
provenance ``bbox`` in points maps straight onto the picture). Images are shown as they are, without boxes (their
boxes are in the pixels of the straightened page, which the picture is not). OFD and XML have no page picture here.
Files inside ZIPs are found again through the same safe expansion the batch used.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from office_agent.config import DEFAULT_LIMITS
from office_agent.errors import InputError
from office_agent.ingest.detect import sniff
from office_agent.ingest.sources import Blob, expand
from office_agent.models import DocFormat, Invoice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageImage:
    """A JPEG as a data URI, and the page size in points that boxes are measured against (None: no boxes)."""

    data_uri: str
    width_px: int
    height_px: int
    page_size: tuple[float, float] | None
    source: str
    page: int


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


def page_image(inv: Invoice, root: Path | None = None, width: int = 560) -> PageImage | None:
    """A picture of the invoice's page from the first of its files that has one (a bundle's PDF, say)."""
    candidates = [inv.source, *(s for s in inv.sources if s != inv.source)]
    for source in candidates:
        data = read_source(source, root)
        if data is None:
            continue
        fmt = sniff(data)
        page = inv.page if source == inv.source else 1
        if fmt == DocFormat.PDF:
            rendered = render_pdf_page(data, page, width)
            if rendered is not None:
                img, size = rendered
                return PageImage(_jpeg(img), img.width, img.height, size, source, page)
        elif fmt == DocFormat.IMAGE:
            try:
                with Image.open(io.BytesIO(data)) as im:
                    im.thumbnail((width, width * 4))
                    return PageImage(_jpeg(im), im.width, im.height, None, source, page)
            except (OSError, Image.DecompressionBombError, ValueError):
                continue
    return None
