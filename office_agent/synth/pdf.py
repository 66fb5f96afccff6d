"""Synthetic invoice PDFs drawn with reportlab, laid out like the real faces (see ../shared/realdata/cn/pdf).

A CJK TrueType font is embedded (subset), so the text extracts with PDFium and pdfminer and renders anywhere;
the QR code is a PNG image in the top-left corner, as on real e-invoices. Coordinates below are written
top-down in points, as they are read on the real documents, and flipped for reportlab.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from functools import lru_cache

import segno
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from office_agent.fontfiles import GBSN, MICROHEI, require_font
from office_agent.synth.converters import CONVERTERS
from office_agent.synth.model import SynthInvoice

FONT_PREFERENCE = (GBSN, MICROHEI)  # the Song face as on real invoices; the order decides the samples' bytes
BROWN = (0.61, 0.32, 0.14)


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The reportlab name of the embedded CJK font (registered on first use)."""
    pdfmetrics.registerFont(TTFont("SynthCJK", require_font(FONT_PREFERENCE, "synthetic invoice PDFs")))
    return "SynthCJK"


@lru_cache(maxsize=4096)
def qr_png(payload: str) -> bytes:
    buf = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buf, kind="png", scale=4, border=2)
    return buf.getvalue()


class Face:
    """A canvas with top-down coordinates on a page of the invoice size (A5 landscape-ish, as real invoices)."""

    def __init__(self, c: canvas.Canvas, height: float, rng: random.Random) -> None:
        self.c = c
        self.h = height
        self.rng = rng
        self.font = cjk_font()
        self.convert: Callable[[str], str] = str  # a converter's habit (``synth.converters``), none by default

    def text(self, x: float, top: float, s: str | None, size: float = 9, color: tuple[float, ...] = (0, 0, 0)) -> None:
        if not s:
            return
        self.c.setFillColorRGB(*color)
        self.c.setFont(self.font, size)
        self.c.drawString(x, self.h - top - size * 0.85, self.convert(s))

    def right(self, x: float, top: float, s: str, size: float = 9) -> None:
        self.c.setFillColorRGB(0, 0, 0)
        self.c.setFont(self.font, size)
        self.c.drawRightString(x, self.h - top - size * 0.85, self.convert(s))

    def label(self, x: float, top: float, s: str, size: float = 9) -> None:
        self.text(x, top, s, size, BROWN)

    def vertical(self, x: float, top: float, s: str, step: float = 10, size: float = 8) -> None:
        for i, ch in enumerate(s):
            self.label(x, top + i * step, ch, size)

    def line(self, x0: float, top0: float, x1: float, top1: float) -> None:
        self.c.setStrokeColorRGB(*BROWN)
        self.c.setLineWidth(0.6)
        self.c.line(x0, self.h - top0, x1, self.h - top1)

    def rect(self, x: float, top: float, w: float, h: float) -> None:
        self.c.setStrokeColorRGB(*BROWN)
        self.c.setLineWidth(0.8)
        self.c.rect(x, self.h - top - h, w, h)

    def qr(self, payload: str, x: float, top: float, size: float = 56) -> None:
        self.c.drawImage(ImageReader(io.BytesIO(qr_png(payload))), x, self.h - top - size, size, size)

    def yen(self) -> str:
        """Real invoices print either sign; only the ones the embedded font can draw are used."""
        glyphs = pdfmetrics.getFont(self.font).face.charToGlyph
        return self.rng.choice([c for c in "¥￥" if ord(c) in glyphs] or ["￥"])


def render_pdf(inv: SynthInvoice, rng: random.Random, converter: str | None = None) -> bytes:
    """The invoice's PDF; ``converter`` (a name in ``synth.converters.CONVERTERS``) writes its text as that
    converter would."""
    buf = io.BytesIO()
    width, height = (595.28, 396.85) if inv.digital else (609.44, 394.01)
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=True, pageCompression=1)
    c.setTitle(inv.title)
    c.setAuthor("office-agent synthetic sample")
    face = Face(c, height, rng)
    if converter is not None:
        face.convert = CONVERTERS[converter]
    if inv.digital:
        _digital(face, inv)
    else:
        _legacy(face, inv)
    c.showPage()
    c.save()
    return buf.getvalue()


def _digital(f: Face, inv: SynthInvoice) -> None:
    f.qr(inv.qr_payload, 14, 10)
    f.text(164, 22, inv.title, 16, BROWN)
    f.line(200, 44, 400, 44)
    f.label(439, 24, "发票号码：", 8)
    f.text(482, 24, inv.number, 8)
    f.label(439, 41, "开票日期：", 8)
    f.text(482, 41, inv.date_text, 8)
    f.rect(12, 84, 572, 290)
    f.line(297, 84, 297, 152)
    f.line(12, 152, 584, 152)
    f.vertical(17, 92, "购买方信息")
    f.vertical(302, 92, "销售方信息")
    f.label(33, 96, "名称：", 8)
    f.text(57, 96, inv.buyer_name, 9)
    f.label(33, 126, "统一社会信用代码/纳税人识别号：", 7.5)
    f.text(155, 126, inv.buyer_tax_id, 8)
    f.label(318, 96, "名称：", 8)
    f.text(341, 96, inv.seller_name, 9)
    f.label(318, 126, "统一社会信用代码/纳税人识别号：", 7.5)
    f.text(440, 126, inv.seller_tax_id, 8)
    heads = [(46, "项目名称"), (120, "规格型号"), (191, "单 位"), (264, "数 量"), (335, "单 价"), (407, "金 额"),
             (447, "税率/征收率"), (551, "税 额")]  # fmt: skip
    for x, h in heads:
        f.label(x, 156, h, 8)
    top = 166.0
    for item in inv.items:
        f.text(14, top, item.name, 7.5)
        f.text(119, top, item.spec, 7.5)
        f.text(199, top, item.unit, 7.5)
        if item.quantity_text is not None:
            f.right(292, top, item.quantity_text, 7.5)
        if item.unit_price_text is not None:
            f.right(362, top, item.unit_price_text, 7.5)
        f.right(434, top, str(item.amount), 7.5)
        f.text(466, top, item.rate_text, 7.5)
        f.right(582, top, "***" if item.tax is None else str(item.tax), 7.5)
        top += 11
    f.line(12, 258, 584, 258)
    f.label(58, 262, "合", 8)
    f.label(104, 262, "计", 8)
    f.right(435, 262, f"{f.yen()}{inv.amount}", 8)
    f.right(582, 262, "***" if inv.tax is None else f"{f.yen()}{inv.tax}", 8)
    f.line(12, 276, 584, 276)
    f.label(48, 281, "价税合计（大写）", 8)
    f.text(179, 280, inv.words, 9)
    f.label(412, 281, "（小写）", 8)
    f.text(441, 280, f"{f.yen()}{inv.total}", 9)
    f.line(12, 296, 584, 296)
    f.vertical(17, 306, "备注", step=16)
    f.text(32, 300, inv.remarks, 7.5)
    f.label(56, 380, "开票人：", 8)
    f.text(92, 380, inv.drawer, 8)


def _legacy(f: Face, inv: SynthInvoice) -> None:
    rng = f.rng
    f.qr(inv.qr_payload, 20, 8, 52)
    f.text(187, 24, inv.title, 17, BROWN)
    f.line(220, 48, 390, 48)
    f.label(31, 65, "机器编号:", 8)
    f.text(75, 65, inv.machine_number, 8)
    f.label(435, 13, "发票代码:", 8)
    f.text(475, 13, inv.code, 8)
    f.label(435, 31, "发票号码:", 8)
    f.text(475, 31, inv.number, 8)
    f.label(435, 48, "开票日期:", 8)
    f.text(475, 48, inv.date_text, 8)
    f.label(435, 66, "校 验 码:", 8)
    f.text(475, 66, inv.check_code_text, 8)
    f.rect(24, 82, 570, 292)
    f.vertical(29, 92, "购买方", step=13)
    f.label(49, 87, rng.choice(["名 称:", "名　　　　称:"]), 8)
    f.text(108, 87, inv.buyer_name, 8.5)
    f.label(49, 102, "纳税人识别号:", 8)
    f.text(109, 102, inv.buyer_tax_id, 8.5)
    f.label(49, 117, "地 址、电 话:", 8)
    f.label(49, 132, "开户行及账号:", 8)
    f.vertical(352, 90, "密码区", step=20)
    for i in range(4):
        f.text(382, 89 + i * 15, "".join(rng.choice("0123456789+-*/<>") for _ in range(27)), 8.5)
    f.line(24, 145, 594, 145)
    if inv.toll:
        heads = [(30, "项目名称"), (120, "车牌号"), (185, "类型"), (230, "通行日期起"), (300, "通行日期止"),
                 (424, "金　额"), (484, "税率"), (537, "税　额")]  # fmt: skip
    else:
        heads = [(45, "货物或应税劳务、服务名称"), (181, "规格型号"), (226, "单位"), (276, "数 量"), (345, "单 价"),
                 (424, "金 额"), (484, "税率"), (537, "税 额")]  # fmt: skip
    for x, h in heads:
        f.label(x, 148, h, 8)
    top = 161.0
    for item in inv.items:
        f.text(28, top, item.name, 7.5)
        if inv.toll:
            f.text(120, top, item.plate, 7.5)
            f.text(185, top, item.vehicle, 7.5)
            if item.travel_dates:
                f.text(230, top, item.travel_dates[0], 7.5)
                f.text(300, top, item.travel_dates[1], 7.5)
        else:
            f.text(181, top, item.spec, 7.5)
            f.text(228, top, item.unit, 7.5)
            if item.quantity_text is not None:
                f.right(318, top, item.quantity_text, 7.5)
            if item.unit_price_text is not None:
                f.right(390, top, item.unit_price_text, 7.5)
        f.right(478, top, str(item.amount), 7.5)
        f.text(488, top, item.rate_text, 7.5)
        f.right(591, top, "***" if item.tax is None else str(item.tax), 7.5)
        top += 12
    f.label(62, 258, "合", 8)
    f.label(102, 258, "计", 8)
    f.text(438, 261, f"{f.yen()}{inv.amount}", 8)
    f.text(557, 261, "***" if inv.tax is None else f"{f.yen()}{inv.tax}", 8)
    f.line(24, 272, 594, 272)
    f.label(62, 277, "价税合计（大写）", 8)
    f.text(190, 277, inv.words, 8.5)
    f.label(449, 277, "（小写）", 8)
    f.text(474, 277, f"{f.yen()}{inv.total}", 8.5)
    f.line(24, 290, 594, 290)
    f.vertical(30, 302, "销售方", step=15)
    f.label(48, 296, rng.choice(["名 称:", "名　　　　称:"]), 8)
    f.text(108, 296, inv.seller_name, 8.5)
    f.label(48, 310, "纳税人识别号:", 8)
    f.text(109, 311, inv.seller_tax_id, 8.5)
    f.label(48, 324, "地 址、电 话:", 8)
    f.text(108, 325, inv.seller_address, 7.5)
    f.label(48, 338, "开户行及账号:", 8)
    f.text(109, 338, inv.seller_bank, 7.5)
    f.vertical(352, 302, "备注", step=31)
    f.text(370, 295, inv.remarks, 7.5)
    f.label(34, 356, "收款人:", 8)
    f.text(66, 357, rng.choice(["", inv.drawer]), 8)
    f.label(193, 357, "复核:", 8)
    f.label(315, 357, "开票人:", 8)
    f.text(348, 357, inv.drawer, 8)
    f.label(437, 357, "销售方:(章)", 8)
