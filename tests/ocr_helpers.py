"""Shared by the OCR-path tests (test_ocr, test_ocr_paddle*, test_ocr_slow, test_taxi, test_tickets): the chain
run on pages that are ready (ingest skipped), recorded OCR replayed as a page, an inked picture to hand an engine,
and, for the tests that run a real engine, a CJK font, a page of text lines and sockets that refuse."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from office_agent.extract.chain import chain_steps
from office_agent.fontfiles import MICROHEI
from office_agent.ingest.ocr.page import A4_LONG_SIDE_PT, page_from_boxes
from office_agent.ingest.ocr.replay import Recording
from office_agent.ingest.sources import Blob
from office_agent.models import DocFormat, Document, Invoice, Page

FIXTURES = Path(__file__).parent / "fixtures" / "ocr"
FONT = MICROHEI


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


def cjk_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        pytest.skip("the CJK font (fonts-wqy-microhei) is not installed")


def invoice_like(lines: list[str]) -> Image.Image:
    """Black 36-pixel lines on white, 70 pixels apart, the first at (80, 80)."""
    im = Image.new("RGB", (1400, 200 + 70 * len(lines)), "white")
    draw = ImageDraw.Draw(im)
    for i, text in enumerate(lines):
        draw.text((80, 80 + 70 * i), text, fill="black", font=cjk_font(36))
    return im


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way out through a socket raises (until the test ends): a test passes only if nothing is fetched."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
