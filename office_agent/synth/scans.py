"""Scanned and photographed versions of invoice PDFs, for tests and benchmarks of the OCR path.

A PDF page is rendered with PDFium, then made to look like what arrives in a reimbursement folder: a flatbed
scan (slight skew, noise, JPEG artefacts), a page scanned upside down or sideways, a red seal stamped over the
text, two invoices on one sheet, or a phone photo (the page in perspective on a desk, uneven light, blur,
12 MP). The ground truth of the PDF is the ground truth of every version made from it.

    from office_agent.synth.scans import STYLES, scan_pdf
    jpeg = scan_pdf(pdf_bytes, STYLES["photo"], seed=1)
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from office_agent.fontfiles import GBSN, MICROHEI, find_font

SEAL_FONTS = (MICROHEI, GBSN)  # the seal's words; Pillow's own font when neither is installed


@dataclass(frozen=True)
class Style:
    name: str
    dpi: float = 300.0
    skew: float = 0.0  # degrees, counter-clockwise; a random ±jitter of a quarter of it is added
    quarter_turns: int = 0  # clockwise
    seal: bool = False
    noise: float = 3.0  # grey-level sigma
    blur: float = 0.0  # Gaussian sigma, pixels
    jpeg_quality: int = 85
    photo: bool = False  # on a desk, in perspective, uneven light
    photo_size: tuple[int, int] = (4032, 3024)  # 12 MP
    two_up: bool = False


STYLES: dict[str, Style] = {
    "scan": Style("scan", skew=1.5, seal=True),
    "scan_upside_down": Style("scan_upside_down", skew=-1.0, quarter_turns=2),
    "scan_sideways": Style("scan_sideways", quarter_turns=1, skew=0.8),
    "two_up": Style("two_up", two_up=True, skew=0.7),
    "photo": Style("photo", dpi=300.0, seal=True, noise=4.0, blur=1.0, jpeg_quality=80, photo=True),
}


def render_page(pdf: bytes, index: int = 0, dpi: float = 300.0) -> Image.Image:
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[index]
        try:
            return page.render(scale=dpi / 72.0).to_pil().convert("RGB")
        finally:
            page.close()
    finally:
        doc.close()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = find_font(SEAL_FONTS)
    return ImageFont.load_default() if path is None else ImageFont.truetype(path, size)


def add_seal(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A red oval 发票专用章 stamped over the lower right (the seller's block), half transparent like ink."""
    w, h = img.size
    sw, sh = int(0.2 * w), int(0.13 * w)
    cx = int(w * rng.uniform(0.55, 0.75))
    cy = int(h * rng.uniform(0.7, 0.85))
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red = (220, 30, 40, 170)
    draw.ellipse((cx - sw // 2, cy - sh // 2, cx + sw // 2, cy + sh // 2), outline=red, width=max(3, sw // 40))
    font = _font(max(10, sh // 7))
    draw.text((cx, cy - sh // 5), "某某有限公司", fill=red, font=font, anchor="mm")
    draw.text((cx, cy + sh // 5), "发票专用章", fill=red, font=font, anchor="mm")
    draw.text((cx, cy), "91110108MA01GUF37R", fill=red, font=_font(max(8, sh // 10)), anchor="mm")
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def _two_up(page: Image.Image) -> Image.Image:
    """Two copies of an invoice page, one above the other, on a portrait sheet."""
    w, h = page.size
    half = page.resize((w, h)) if h < w else page.resize((w, h // 2))
    sheet = Image.new("RGB", (w, max(2 * half.height + h // 8, int(1.41 * w))), "white")
    sheet.paste(half, (0, h // 20))
    sheet.paste(half, (0, h // 20 + half.height + h // 16))
    return sheet


def _desk(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    w, h = size
    base = np.array([120, 85, 55], dtype=np.float32) * rng.uniform(0.8, 1.1)
    small = rng.normal(0, 1, (h // 64 + 1, w // 64 + 1)).astype(np.float32)
    grain = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)[:, :, None] * 12
    stripes = (np.sin(np.linspace(0, 40, w, dtype=np.float32))[None, :, None] * 6).repeat(h, 0)
    return np.clip(base[None, None, :] + grain + stripes, 0, 255).astype(np.uint8)


def _photo(page: np.ndarray, style: Style, rng: np.random.Generator) -> np.ndarray:
    cw, ch = style.photo_size
    desk = _desk((cw, ch), rng)
    ph, pw = page.shape[:2]
    fit = min(0.8 * cw / pw, 0.8 * ch / ph)
    tw, th = pw * fit, ph * fit
    x0, y0 = (cw - tw) / 2 + rng.uniform(-0.05, 0.05) * cw, (ch - th) / 2 + rng.uniform(-0.04, 0.04) * ch
    corners = np.array([[x0, y0], [x0 + tw, y0], [x0 + tw, y0 + th], [x0, y0 + th]], dtype=np.float32)
    corners += rng.uniform(-0.05, 0.05, (4, 2)).astype(np.float32) * np.array([tw, th], dtype=np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, corners)
    warped = cv2.warpPerspective(page, m, (cw, ch), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (cw, ch), flags=cv2.INTER_AREA)
    alpha = (mask.astype(np.float32) / 255)[:, :, None]
    img = warped.astype(np.float32) * alpha + desk.astype(np.float32) * (1 - alpha)
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    lx, ly = rng.uniform(0, cw), rng.uniform(0, ch)
    light = 1.05 - 0.3 * np.sqrt((xx - lx) ** 2 + (yy - ly) ** 2) / np.hypot(cw, ch)
    return np.clip(img * light[:, :, None], 0, 255).astype(np.uint8)


def degrade(page: Image.Image, style: Style, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    if style.seal:
        page = add_seal(page, rng)
    if style.two_up:
        page = _two_up(page)
    img = np.asarray(page.convert("RGB"))
    angle = style.skew + rng.uniform(-0.25, 0.25) * abs(style.skew)
    if style.photo:
        img = _photo(img, style, rng)
    elif angle:
        h, w = img.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        img = cv2.warpAffine(img, m, (w, h), borderValue=(250, 250, 250))
    if style.quarter_turns:
        img = np.ascontiguousarray(np.rot90(img, -style.quarter_turns))
    if style.blur:
        img = cv2.GaussianBlur(img, (0, 0), style.blur)
    if style.noise:
        img = np.clip(img.astype(np.float32) + rng.normal(0, style.noise, img.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(img)


def scan_pdf(pdf: bytes, style: Style, seed: int = 0, index: int = 0) -> bytes:
    """A JPEG of page ``index`` of ``pdf`` made to look like ``style``."""
    dpi = style.dpi if not style.photo else 220.0
    image = degrade(render_page(pdf, index, dpi), style, seed)
    buf = io.BytesIO()
    extra = {} if style.photo else {"dpi": (round(style.dpi), round(style.dpi))}  # a phone says nothing useful
    image.save(buf, format="JPEG", quality=style.jpeg_quality, **extra)
    return buf.getvalue()


def with_dpi(style: Style, dpi: float) -> Style:
    return replace(style, dpi=dpi)
