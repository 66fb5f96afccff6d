"""Screenshots and low-resolution pictures of invoice pages, as people capture them, for tests and benchmarks.

A page of a PDF (drawn by PDFium) or of an OFD (drawn by :mod:`office_agent.generate.ofdrender`) becomes: a plain
render at 100 or 150 dpi; a desktop viewer window (title bar and toolbar, the page on a grey background, ~140 dpi);
a 1080-px-wide phone screenshot with the app's bars above and below (status bar, a "发票详情" title bar, a bottom
button bar); a cropped screenshot without the QR code; a dark-theme phone screenshot. The page's ground truth is
the truth of every picture made from it. Nothing here reads the network or writes outside what it is given.

    from office_agent.synth.screenshots import SHOT_STYLES, page_images, screenshot
    for page in page_images(pdf_or_ofd_bytes, dpi=300):
        png = screenshot(page, SHOT_STYLES["phone"], seed=1)
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from office_agent.fontfiles import font_file
from office_agent.generate.ofdrender import render_ofd

RENDER_DPI = 300.0  # pages are drawn once at this resolution and shrunk to each style's


@dataclass(frozen=True)
class ShotStyle:
    name: str
    dpi: float = 140.0  # the page's resolution in the picture (phone styles: from the 1080-px width)
    chrome: str = "none"  # none | viewer | phone
    dark: bool = False  # the app's dark theme around the page
    crop_qr: bool = False  # cropped close to the print, and the QR code left out
    jpeg_quality: int = 0  # 0: PNG (what screenshot tools write)


SHOT_STYLES: dict[str, ShotStyle] = {
    "render_100": ShotStyle("render_100", dpi=100.0),
    "render_150": ShotStyle("render_150", dpi=150.0, jpeg_quality=85),
    "viewer": ShotStyle("viewer", dpi=140.0, chrome="viewer"),
    "phone": ShotStyle("phone", chrome="phone"),
    "phone_dark": ShotStyle("phone_dark", chrome="phone", dark=True, jpeg_quality=90),
    "crop_noqr": ShotStyle("crop_noqr", dpi=120.0, crop_qr=True),
    "viewer_110": ShotStyle("viewer_110", dpi=110.0, chrome="viewer", jpeg_quality=80),
}
PHONE_WIDTH = 1080


def page_images(data: bytes, dpi: float = RENDER_DPI) -> Iterator[tuple[Image.Image, float]]:
    """Each page of a PDF or an OFD as an RGB picture and its page width in inches."""
    if data[:4] == b"%PDF":
        doc = pdfium.PdfDocument(data)
        try:
            for i in range(len(doc)):
                page = doc[i]
                try:
                    yield page.render(scale=dpi / 72.0).to_pil().convert("RGB"), page.get_width() / 72.0
                finally:
                    page.close()
        finally:
            doc.close()
        return
    number = 1
    while True:
        first = render_ofd(data, number, width=100)
        if first is None:
            return
        inches = first.size_pt[0] / 72.0
        picture = render_ofd(data, number, width=round(inches * dpi))
        if picture is None:
            return
        yield picture.image.convert("RGB"), inches
        number += 1


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_file("hei")  # the app's own words; Pillow's font when no CJK font is installed
    return ImageFont.load_default() if path is None else ImageFont.truetype(path, size)


def _at_dpi(page: Image.Image, inches: float, dpi: float) -> Image.Image:
    width = max(1, round(inches * dpi))
    height = max(1, round(page.height * width / page.width))
    return page.resize((width, height), Image.Resampling.LANCZOS)


def _without_qr(page: Image.Image) -> Image.Image:
    """The page cropped close to its print (the margins cut off) and without its QR code: a capture of a viewer
    that did not draw the code, or one painted over; the labels and values around it are all there."""
    w, h = page.size
    qr = _dark_square(page)
    out = page.copy()
    if qr is not None:
        pad = round(0.004 * w)
        ImageDraw.Draw(out).rectangle((qr[0] - pad, qr[1] - pad, qr[2] + pad, qr[3] + pad), fill=(255, 255, 255))
    return out.crop((round(0.015 * w), round(0.03 * h), w - round(0.015 * w), h - round(0.03 * h)))


def _dark_square(page: Image.Image) -> tuple[int, int, int, int] | None:
    """The box of the page's QR code, as zxing-cpp finds it; None when there is none."""
    for found in zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        corners = (found.position.top_left, found.position.top_right, found.position.bottom_left,
                   found.position.bottom_right)  # fmt: skip
        xs, ys = [c.x for c in corners], [c.y for c in corners]
        margin = (max(xs) - min(xs)) // 12  # the quiet zone's finder edges
        return min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin
    return None


def _viewer(page: Image.Image, style: ShotStyle) -> Image.Image:
    """A desktop PDF viewer: a dark title bar with the file name, a toolbar with the zoom, grey around the page."""
    margin, title, tools = round(0.12 * page.width), 34, 40
    w, h = page.width + 2 * margin, page.height + title + tools + 2 * margin // 2
    img = Image.new("RGB", (w, h), (82, 86, 89))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, w, title), fill=(50, 54, 57))
    draw.text((12, 8), "发票预览 - 文件 (1).pdf", fill=(230, 230, 230), font=_font(16))
    draw.rectangle((0, title, w, title + tools), fill=(66, 70, 73))
    draw.text((w // 2 - 40, title + 11), "1 / 1   −  100%  +", fill=(220, 220, 220), font=_font(15))
    top = title + tools + margin // 2
    draw.rectangle((margin + 4, top + 4, margin + page.width + 4, top + page.height + 4), fill=(60, 60, 60))
    img.paste(page, (margin, top))
    return img


def _phone(page: Image.Image, style: ShotStyle) -> Image.Image:
    """A 1080-px phone screenshot of an app's invoice view: status bar, "发票详情" title, the page in a card,
    a row of app details under it, and a bottom button bar."""
    dark = ((18, 18, 18), (235, 235, 235), (32, 32, 32))
    bg, fg, bar = dark if style.dark else ((243, 244, 246), (20, 20, 20), (255, 255, 255))
    pad = 24
    page = page.resize((PHONE_WIDTH - 2 * pad, round(page.height * (PHONE_WIDTH - 2 * pad) / page.width)),
                       Image.Resampling.LANCZOS)  # fmt: skip
    status, title, info, buttons = 72, 132, 260, 190
    h = status + title + pad + page.height + pad + info + buttons
    img = Image.new("RGB", (PHONE_WIDTH, h), bg)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, PHONE_WIDTH, status + title), fill=bar)
    draw.text((40, 18), "9:41", fill=fg, font=_font(34))
    draw.text((PHONE_WIDTH - 190, 20), "5G  87%", fill=fg, font=_font(30))
    draw.text((36, status + 38), "＜", fill=fg, font=_font(46))
    draw.text((PHONE_WIDTH // 2, status + title // 2), "发票详情", fill=fg, font=_font(44), anchor="mm")
    draw.text((PHONE_WIDTH - 90, status + 38), "···", fill=fg, font=_font(46))
    top = status + title + pad
    img.paste(page, (pad, top))
    y = top + page.height + pad
    draw.rectangle((pad, y, PHONE_WIDTH - pad, y + info - pad), fill=bar)
    for i, (label, text) in enumerate((("来源", "电子发票文件"), ("状态", "已查验 · 未报销"), ("备注", "添加备注"))):
        draw.text((pad + 30, y + 22 + 70 * i), label, fill=(140, 140, 140), font=_font(34))
        draw.text((pad + 190, y + 22 + 70 * i), text, fill=fg, font=_font(34))
    y = h - buttons
    draw.rectangle((0, y, PHONE_WIDTH, h), fill=bar)
    for i, label in enumerate(("下载", "转发", "发送邮箱")):
        cx = PHONE_WIDTH * (2 * i + 1) // 6
        draw.rounded_rectangle((cx - 150, y + 40, cx + 150, y + 140), radius=50, fill=(22, 119, 255))
        draw.text((cx, y + 90), label, fill=(255, 255, 255), font=_font(38), anchor="mm")
    return img


def screenshot(page: Image.Image, inches: float, style: ShotStyle) -> bytes:
    """The picture of ``page`` (``inches`` wide) in ``style``: PNG bytes, or JPEG where the style says so."""
    if style.chrome == "phone":
        img = _phone(page, style)
    else:
        shrunk = _at_dpi(page, inches, style.dpi)
        if style.crop_qr:
            shrunk = _without_qr(shrunk)
        img = _viewer(shrunk, style) if style.chrome == "viewer" else shrunk
    buf = io.BytesIO()
    if style.jpeg_quality:
        img.save(buf, format="JPEG", quality=style.jpeg_quality)
    else:
        img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def screenshots(data: bytes, styles: list[ShotStyle]) -> Iterator[tuple[int, ShotStyle, bytes]]:
    """(1-based page number, style, picture) for every page of a PDF or OFD and every style."""
    for number, (page, inches) in enumerate(page_images(data), start=1):
        for style in styles:
            yield number, style, screenshot(page, inches, style)
