"""A picture for an invoice that came as XML only (数电 ``EInvoice``, legacy ``eInvoice``, XBRL): the record's
fields drawn as a standard 数电 page, so a reviewer sees the invoice as it would look, with a box on every field.

It is a rendering of the data, not a scan: the page says so in its corner and across it in faint letters, and
the report captions it. The layout follows the 210 × 140 mm 数电 page (title, number and date at the top right,
buyer and seller side by side, the item table, 合计, 价税合计 in words and figures, 备注, 开票人); boxes are
returned in points of that page, the frame the report draws provenance boxes in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from PIL import Image, ImageDraw

from office_agent.generate.fonts import AnyFont, Face, font, font_for
from office_agent.ingest.ofd_text import MM
from office_agent.models import BBox, Invoice, InvoiceKind

PAGE_MM = (210.0, 140.0)
INK = (40, 40, 40)
FORM = (150, 75, 40)  # the brown of the printed form
NOTE = (130, 80, 220)
SUPERSAMPLE = 2
MAX_ROWS = 7

TITLES = {
    InvoiceKind.DIGITAL_SPECIAL: "电子发票（增值税专用发票）",
    InvoiceKind.DIGITAL_GENERAL: "电子发票（普通发票）",
}


@dataclass
class DrawnFields:
    image: Image.Image
    size_pt: tuple[float, float]
    boxes: dict[str, BBox] = field(default_factory=dict)


def _money(v: Decimal | None) -> str:
    return "" if v is None else f"{v:.2f}"


def _date(v: dt.date | None) -> str:
    return f"{v.year}年{v.month:02d}月{v.day:02d}日" if v else ""


class _Page:
    def __init__(self, width: int, supersample: int = SUPERSAMPLE):
        self.s = width * supersample / PAGE_MM[0]  # canvas pixels per mm
        self.image = Image.new("RGB", (width * supersample, round(PAGE_MM[1] * self.s)), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.boxes: dict[str, BBox] = {}

    def font(self, size_mm: float, face: Face = "song", text: str = "") -> AnyFont:
        return font_for(face, text, round(size_mm * self.s))

    def text(self, x: float, y: float, text: str, size: float = 3.2, *, color: tuple[int, int, int] = INK,
             max_w: float | None = None, anchor: str = "ls", name: str | None = None, face: Face = "song") -> None:
        """``text`` with its baseline at (x, y) mm, shrunk to fit ``max_w`` mm; its box recorded as ``name``."""
        if not text:
            return
        fnt = self.font(size, face, text)
        if max_w is not None:
            w = self.draw.textlength(text, font=fnt) / self.s
            if w > max_w:
                fnt = self.font(max(1.2, size * max_w / w), face, text)
        pos = (x * self.s, y * self.s)
        self.draw.text(pos, text, fill=color, font=fnt, anchor=anchor)
        if name:
            x0, y0, x1, y1 = self.draw.textbbox(pos, text, font=fnt, anchor=anchor)
            pad = 0.4 * self.s
            k = MM / self.s
            self.boxes[name] = ((x0 - pad) * k, (y0 - pad) * k, (x1 + pad) * k, (y1 + pad) * k)

    def lines(self, text: str, x: float, y: float, w: float, size: float, max_lines: int, name: str | None = None
              ) -> None:
        """Wrapped text from the top-left (x, y), at most ``max_lines`` lines; one box around all of it."""
        fnt = self.font(size)
        out: list[str] = []
        for para in text.splitlines() or [text]:
            cur = ""
            for ch in para:
                if self.draw.textlength(cur + ch, font=fnt) / self.s > w and cur:
                    out.append(cur)
                    cur = ""
                cur += ch
            out.append(cur)
        out = out[:max_lines]
        for i, line in enumerate(out):
            self.text(x, y + size * (1.3 * i + 1), line, size, name=f"{name}#{i}" if name else None)
        if name:
            parts = [self.boxes.pop(f"{name}#{i}") for i in range(len(out)) if f"{name}#{i}" in self.boxes]
            if parts:
                self.boxes[name] = (min(p[0] for p in parts), min(p[1] for p in parts), max(p[2] for p in parts),
                                    max(p[3] for p in parts))  # fmt: skip

    def rule(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.3) -> None:
        self.draw.line([(x0 * self.s, y0 * self.s), (x1 * self.s, y1 * self.s)], fill=FORM,
                       width=max(1, round(width * self.s)))  # fmt: skip


def _header(p: _Page, inv: Invoice) -> None:
    title = inv.title or TITLES.get(inv.invoice_kind, "电子发票")
    p.text(105, 18, title, 6.0, color=FORM, anchor="ms", max_w=110, name="title")
    p.rule(62, 20.5, 148, 20.5, 0.3)
    p.rule(62, 21.6, 148, 21.6, 0.3)
    rows = [
        ("发票代码：", inv.invoice_code, "invoice_code"),
        ("发票号码：", inv.invoice_number, "invoice_number"),
        ("开票日期：", _date(inv.issue_date), "issue_date"),
        ("校 验 码：", inv.check_code, "check_code"),
    ]
    y = 10.0
    for label, value, name in rows:
        if not value:
            continue
        p.text(150, y, label, 3.0, color=FORM)
        p.text(167, y, value, 3.0, max_w=40, name=name)
        y += 5.5
    # what this picture is, where a QR would be
    p.draw.rectangle([6 * p.s, 6 * p.s, 46 * p.s, 24 * p.s], outline=NOTE, width=max(1, round(0.3 * p.s)))
    p.text(26, 13, "XML 数据生成", 3.2, color=NOTE, anchor="ms", face="hei")
    p.text(26, 18, "非原件 · 仅供核对", 2.6, color=NOTE, anchor="ms", face="hei")
    p.text(26, 22.2, "rendered from XML", 2.2, color=NOTE, anchor="ms", face="hei")


def _parties(p: _Page, inv: Invoice) -> None:
    p.rule(4.5, 30, 205.5, 30)
    p.rule(4.5, 52, 205.5, 52)
    p.rule(4.5, 30, 4.5, 124)
    p.rule(205.5, 30, 205.5, 124)
    for x0, label, prefix in ((4.5, "购买方信息", "buyer"), (105, "销售方信息", "seller")):
        p.rule(x0 + 6, 30, x0 + 6, 52)
        if x0 > 5:
            p.rule(x0, 30, x0, 52)
        for i, ch in enumerate(label):
            p.text(x0 + 3, 34.5 + 4 * i, ch, 3.0, color=FORM, anchor="ms")
        p.text(x0 + 8, 39, "名称：", 3.0, color=FORM)
        p.text(x0 + 18, 39, getattr(inv, f"{prefix}_name") or "", 3.2, max_w=80, name=f"{prefix}_name")
        p.text(x0 + 8, 47, "统一社会信用代码/纳税人识别号：", 2.6, color=FORM)
        p.text(x0 + 50, 47, getattr(inv, f"{prefix}_tax_id") or "", 3.2, max_w=48, name=f"{prefix}_tax_id")


_COLS = ((4.5, 47, "项目名称"), (47, 70, "规格型号"), (70, 82, "单位"), (82, 100, "数量"), (100, 125, "单价"),
         (125, 155, "金额"), (155, 178, "税率/征收率"), (178, 205.5, "税额"))  # fmt: skip


def _items(p: _Page, inv: Invoice) -> None:
    for x0, x1, head in _COLS:
        p.text((x0 + x1) / 2, 56.5, head, 2.8, color=FORM, anchor="ms")
    shown = inv.items[:MAX_ROWS] if len(inv.items) <= MAX_ROWS else inv.items[: MAX_ROWS - 1]
    y = 61.0
    for item in shown:
        cells = (item.name or "", item.spec or "", item.unit or "", f"{item.quantity.normalize():f}" if item.quantity
                 is not None else "", f"{item.unit_price.normalize():f}" if item.unit_price is not None else "",
                 _money(item.amount), item.tax_rate or "", _money(item.tax_amount))  # fmt: skip
        for (x0, x1, _), value in zip(_COLS, cells, strict=True):
            left = x0 < 47
            p.text(x0 + 1 if left else x1 - 1, y, value, 2.8, anchor="ls" if left else "rs", max_w=x1 - x0 - 2)
        y += 4.2
    if len(shown) < len(inv.items):
        p.text(6, y, f"… 另有 {len(inv.items) - len(shown)} 行明细", 2.6, color=NOTE)
    p.text(25, 93.5, "合　　计", 3.0, color=FORM, anchor="ms")
    p.text(154, 93.5, f"¥{_money(inv.amount_without_tax)}" if inv.amount_without_tax is not None else "", 3.0,
           anchor="rs", name="amount_without_tax")  # fmt: skip
    p.text(204, 93.5, f"¥{_money(inv.tax_amount)}" if inv.tax_amount is not None else "", 3.0, anchor="rs",
           name="tax_amount")  # fmt: skip


def _totals(p: _Page, inv: Invoice) -> None:
    p.rule(4.5, 96, 205.5, 96)
    p.rule(4.5, 104, 205.5, 104)
    p.rule(56, 96, 56, 104)
    p.text(30, 101.3, "价税合计（大写）", 3.0, color=FORM, anchor="ms")
    p.text(60, 101.3, f"⊗ {inv.total_amount_in_words}" if inv.total_amount_in_words else "", 3.2, max_w=80,
           name="total_amount_in_words")  # fmt: skip
    p.text(145, 101.3, "（小写）", 3.0, color=FORM)
    total = f"¥{_money(inv.total_amount)}" if inv.total_amount is not None else ""
    p.text(160, 101.5, total, 3.6, max_w=44, name="total_amount")
    p.rule(11, 104, 11, 124)
    for i, ch in enumerate("备注"):
        p.text(7.7, 111 + 6 * i, ch, 3.0, color=FORM, anchor="ms")
    if inv.remarks:
        p.lines(inv.remarks, 13, 105.5, 190, 2.8, 5, name="remarks")
    p.rule(4.5, 124, 205.5, 124)
    p.text(20, 131, "开票人：", 3.0, color=FORM)
    p.text(33, 131, inv.drawer or "", 3.0, max_w=40, name="drawer")


def _watermark(p: _Page) -> None:
    layer = Image.new("L", p.image.size, 0)
    draw = ImageDraw.Draw(layer)
    fnt = font("hei", round(11 * p.s))
    draw.text((p.image.width / 2, p.image.height / 2), "XML 数据生成 · 非原件", fill=255, font=fnt, anchor="mm")
    layer = layer.rotate(12, resample=Image.Resampling.BILINEAR, center=(p.image.width / 2, p.image.height / 2))
    tint = Image.new("RGB", p.image.size, (225, 215, 245))
    p.image.paste(tint, (0, 0), layer.point(lambda v: v * 110 // 255))


def render_fields(inv: Invoice, width: int = 560, supersample: int = SUPERSAMPLE) -> DrawnFields:
    """The record as a 数电 page, ``width`` pixels wide, with the box (in points) of every field drawn
    (``supersample``: drawn that much larger and shrunk, for small pictures; 1 at print resolution)."""
    p = _Page(width, supersample)
    _watermark(p)
    _header(p, inv)
    _parties(p, inv)
    _items(p, inv)
    _totals(p, inv)
    boxes = {k: v for k, v in p.boxes.items() if k != "title"}
    size = (width, round(p.image.height / supersample))
    image = p.image if p.image.size == size else p.image.resize(size, Image.Resampling.LANCZOS)
    return DrawnFields(image, (PAGE_MM[0] * MM, PAGE_MM[1] * MM), boxes)
