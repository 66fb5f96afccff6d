"""Synthetic ride-hailing trip tables (行程单) with ground truth: a supporting document, never an expense.

Platforms print a head (高德: ``高德打车电子行程单``, 申请时间 and 行程时间 with clock times; 滴滴: ``滴滴出行-行程单``,
申请日期 and 行程起止日期), ``共N笔行程，合计X元`` and a table of rides; some put the table on pages 2+ of the
invoice's own PDF. :func:`invoice_with_trip_pages` writes that PDF from a synthetic invoice.

    pdf, truth = invoice_with_trip_pages(inv, rng, style="gaode", pages=2)
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
from reportlab.pdfgen import canvas

from office_agent.synth.model import SynthInvoice
from office_agent.synth.pdf import cjk_font, render_pdf

STYLES = ("gaode", "didi")
ROWS_PER_PAGE = 18
COLUMNS = (40, 80, 150, 220, 330, 420, 520)  # x of each column of the table


@dataclass
class SynthTrips:
    style: str
    applied: dt.date  # 申请日期 / 申请时间
    start: dt.date
    end: dt.date
    fares: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.fares, Decimal("0.00"))

    def truth(self) -> dict[str, Any]:
        return {"invoice_kind": "ride_itinerary", "issue_date": self.applied.isoformat(),
                "travel_date": self.start.isoformat(), "total_amount": f"{self.total:.2f}"}  # fmt: skip


def make_trips(rng: random.Random, total: Decimal, issued: dt.date, count: int, style: str) -> SynthTrips:
    """``count`` rides in the month before ``issued`` whose fares add up to ``total``."""
    cents = int(total * 100)
    cuts = sorted(rng.sample(range(1, cents), count - 1)) if count > 1 else []
    fares = [Decimal(b - a) / 100 for a, b in zip([0, *cuts], [*cuts, cents], strict=True)]
    start = issued - dt.timedelta(days=rng.randint(10, 30))
    return SynthTrips(style, issued, start, issued - dt.timedelta(days=rng.randint(1, 5)), fares)


def render_trips(trips: SynthTrips, rng: random.Random) -> bytes:
    """The trip table as an A4 PDF of as many pages as its rows need."""
    width, height = 595.28, 841.89
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=True, pageCompression=1)
    font = cjk_font()

    def text(x: float, top: float, s: str, size: float = 9) -> None:
        c.setFont(font, size)
        c.drawString(x, height - top - size * 0.85, s)

    gaode = trips.style == "gaode"
    title = "高德打车电子行程单" if gaode else "滴滴出行-行程单"
    applied = f"申请时间：{trips.applied:%Y-%m-%d}" if gaode else f"申请日期：{trips.applied:%Y-%m-%d}"
    span = (f"行程时间：{trips.start:%Y-%m-%d} 08:{rng.randint(10, 59)}至{trips.end:%Y-%m-%d} 18:{rng.randint(10, 59)}"
            if gaode else f"行程起止日期：{trips.start:%Y-%m-%d} 至 {trips.end:%Y-%m-%d}")  # fmt: skip
    rows = list(enumerate(trips.fares, start=1))
    for first in range(0, len(rows), ROWS_PER_PAGE):
        if first == 0:
            text(200, 40, title, 16)
            text(40, 80, f"{applied}    {span}", 9)
            text(40, 100, f"共{len(rows)}笔行程，合计{trips.total:.2f}元", 10)
        top = 130.0
        for x, head in zip(COLUMNS, ("序号", "服务商", "车型", "上车时间", "起点", "终点", "金额"), strict=True):
            text(x, top, head)
        for i, fare in rows[first : first + ROWS_PER_PAGE]:
            top += 20
            day = trips.start + dt.timedelta(days=min(i, (trips.end - trips.start).days))
            cells = (str(i), "曹操出行", "经济型", f"{day:%m-%d} 09:{i % 60:02d}", "软件园", "东站", f"{fare:.2f}元")
            for x, cell in zip(COLUMNS, cells, strict=True):
                text(x, top, cell, 8)
        c.showPage()
    c.save()
    return buf.getvalue()


def invoice_with_trip_pages(
    inv: SynthInvoice, rng: random.Random, style: str = "gaode", rides: int = 20
) -> tuple[bytes, SynthTrips]:
    """The invoice on page 1 and its trip table on the pages after, in one PDF (as some platforms send it)."""
    trips = make_trips(rng, inv.total, inv.issue_date, rides, style)
    merged = pdfium.PdfDocument.new()
    for part in (render_pdf(inv, rng), render_trips(trips, rng)):
        src = pdfium.PdfDocument(part)
        merged.import_pages(src)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue(), trips
