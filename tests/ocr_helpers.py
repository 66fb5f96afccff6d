"""Shared by the tests that run a real OCR engine: a CJK font, a page of text lines, sockets that refuse."""

from __future__ import annotations

import socket

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


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
