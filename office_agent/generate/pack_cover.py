"""The 报销单 cover of a print pack, drawn with reportlab onto the pack's first page (figures: :mod:`.claim`)."""

from __future__ import annotations

import functools
import logging
from decimal import Decimal

from office_agent.generate.claim import ClaimForm
from office_agent.generate.pack_layout import MM

log = logging.getLogger(__name__)


@functools.cache
def cjk_font_name() -> str:
    """A reportlab font name that holds Chinese: the system's Song or Hei face embedded (subset), else the Adobe
    CID font STSong-Light (not embedded: the viewer supplies it; the pack says so in its log)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    from office_agent.fontfiles import font_file

    for face in ("song", "hei"):
        path = font_file(face)
        if path is None:
            continue
        try:
            pdfmetrics.registerFont(TTFont(f"PackCJK-{face}", path, subfontIndex=0))
            return f"PackCJK-{face}"
        except (TTFError, OSError) as exc:
            log.debug("font %s cannot be embedded: %s", path, exc)
    log.warning("no Chinese font to embed (install fonts-wqy-microhei): the cover uses STSong-Light, not embedded")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _money(v: Decimal) -> str:
    return f"￥{v:,.2f}"  # full-width: the one that STSong-Light (the no-font fallback) has


def draw_cover(c: object, form: ClaimForm, size: tuple[float, float]) -> None:
    """The 报销单 on the current page of reportlab canvas ``c`` (``size``: the page, points)."""
    from reportlab.pdfgen.canvas import Canvas

    assert isinstance(c, Canvas)
    font = cjk_font_name()
    w, h = size
    left, right = 18 * MM, w - 18 * MM
    y = h - 24 * MM
    c.setFont(font, 20)
    c.drawCentredString(w / 2, y, "报  销  单")
    y -= 12 * MM
    c.setFont(font, 10.5)
    head = [("报销人", form.claimant), ("部门", form.department), ("期间", form.period_text())]
    col = (right - left) / 3
    for i, (label, value) in enumerate(head):
        c.drawString(left + i * col, y, f"{label}：{value}")
    y -= 7 * MM
    c.drawString(left, y, f"事由：{form.purpose}")
    y -= 6 * MM
    y = _table(c, font, form, left, right, y)
    y -= 9 * MM
    c.setFont(font, 10.5)
    extra = f"（另附行程单等 {form.supporting} 张，不计金额）" if form.supporting else ""
    c.drawString(left, y, f"附单据 {form.attachments} 张{extra}")
    if form.left_out:
        y -= 6 * MM
        c.setFont(font, 9)
        c.drawString(left, y, f"未打印：重复或无法读取的记录 {form.left_out} 张（见 pack.json）")
    y -= 22 * MM
    c.setFont(font, 10.5)
    for i, label in enumerate(("报销人签字", "部门负责人", "财务审核", "领款人")):
        x = left + i * (right - left) / 4
        c.drawString(x, y, f"{label}：")
        c.line(x, y - 9 * MM, x + (right - left) / 4 - 6 * MM, y - 9 * MM)
    c.drawString(left, y - 18 * MM, "日期：      年    月    日")


def _table(c: object, font: str, form: ClaimForm, left: float, right: float, top: float) -> float:
    """序号 | 类别 | 张数 | 金额（小写） rows, then 合计 and 大写; returns the y below the table."""
    from reportlab.pdfgen.canvas import Canvas

    assert isinstance(c, Canvas)
    row_h = 8 * MM
    xs = [left, left + 16 * MM, left + 80 * MM, left + 104 * MM, right]
    rows: list[tuple[str, str, str, str]] = [("序号", "类别", "张数", "金额（小写）")]
    rows += [(str(i), ln.category, str(ln.count), _money(ln.amount)) for i, ln in enumerate(form.lines, 1)]
    rows.append(("", "合计", str(form.attachments), _money(form.total)))
    y = top
    c.setLineWidth(0.6)
    for r, cells in enumerate(rows):
        c.setFont(font, 10.5 if r else 10)
        for i, text in enumerate(cells):
            if i == 3 and r:
                c.drawRightString(xs[4] - 3 * MM, y - row_h + 2.6 * MM, text)
            else:
                c.drawString(xs[i] + 2.5 * MM, y - row_h + 2.6 * MM, text)
        y -= row_h
    c.setFont(font, 10.5)
    c.drawString(xs[0] + 2.5 * MM, y - row_h + 2.6 * MM, f"合计金额（大写）：{form.total_in_words}")
    bottom = y - row_h
    for i in range(len(rows) + 2):
        c.line(left, top - i * row_h, right, top - i * row_h)
    for x in xs:
        c.line(x, top, x, bottom + row_h if x not in (left, right) else bottom)
    return bottom
