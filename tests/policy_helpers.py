"""Helpers for the policy-checklist tests: sample paths, truth files, small generated documents."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from office_agent.fontfiles import MICROHEI

ROOT = Path(__file__).resolve().parents[1]
POLICY_SAMPLES = ROOT / "samples" / "policy"
POLICY_REALDATA = ROOT.parent / "shared" / "realdata" / "policy"
CJK_FONT = Path(MICROHEI)


def truths() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(POLICY_SAMPLES.glob("*.truth.json"))]


def pdf_bytes(pages: list[list[tuple[float, str]]], *, rules: bool = False) -> bytes:
    """A PDF whose pages hold lines of (font size, text), CJK font when installed (else Helvetica, ASCII only)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if CJK_FONT.exists():
        pdfmetrics.registerFont(TTFont("CJKTest", str(CJK_FONT)))
        font = "CJKTest"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for lines in pages:
        y = 800.0
        for size, text in lines:
            c.setFont(font, size)
            c.drawString(72, y, text)
            y -= size * 1.6
        if rules:
            c.rect(72, 60, 400, 20)
        c.showPage()
    c.save()
    return buf.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A PDF with one page that is only a picture (no text layer), as a scanner makes."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).text((50, 50), "scanned page", fill="black")
    img = io.BytesIO()
    image.save(img, format="PNG")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(img.getvalue())), 0, 0, width=595, height=842)
    c.showPage()
    c.save()
    return buf.getvalue()
