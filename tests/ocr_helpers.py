"""Shared by the OCR-path tests (test_ocr, test_ocr_paddle, test_taxi, test_tickets): the chain run on pages
that are ready (ingest skipped), recorded OCR replayed as a page, and an inked picture to hand an engine."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from office_agent.extract.chain import chain_steps
from office_agent.ingest.ocr.page import A4_LONG_SIDE_PT, page_from_boxes
from office_agent.ingest.ocr.replay import Recording
from office_agent.ingest.sources import Blob
from office_agent.models import DocFormat, Document, Invoice, Page

FIXTURES = Path(__file__).parent / "fixtures" / "ocr"


def build_records(doc: Document) -> list[Invoice]:
    """The chain from a ready Document (ingest skipped): extract → normalise → validate → classify."""
    s = chain_steps()
    chain = s["extract"] | s["normalise"] | s["validate"] | s["classify"]
    return chain.invoke(doc)  # type: ignore[no-any-return]


def records_of(*pages: Page, source: str = "t.png") -> list[Invoice]:
    """The records of an image file whose pages (OCR already done) are ``pages``."""
    return build_records(Document(source=source, sha256="0" * 64, format=DocFormat.IMAGE, pages=list(pages)))


def replayed_page(fixture: str) -> Page:
    """The page a recorded OCR run (``fixtures/ocr/<fixture>``) gives, its long side an A4 page's, as the engine's."""
    rec = Recording.load(FIXTURES / fixture)
    return page_from_boxes(rec.boxes, rec.width, rec.height, A4_LONG_SIDE_PT / max(rec.width, rec.height))


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def page_image(size: tuple[int, int] = (900, 560)) -> Image.Image:
    """Something with ink on it (the pipeline skips blank images before OCR)."""
    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    for y in range(60, size[1] - 40, 40):
        draw.rectangle((60, y, size[0] - 60, y + 12), fill="black")
    return im


def image_blob(data: bytes, name: str = "scan.png") -> Blob:
    return Blob(name, data, "0" * 64, DocFormat.IMAGE)
