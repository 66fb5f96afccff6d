"""A print pack: ``pack.pdf``, the invoices of a batch laid out n-up behind a 报销单 cover, ready to hand in.

- What is printed, and in which order, is the ledger's view (:func:`office_agent.generate.ledger_view.build_view`,
  with its filters): each counted invoice once; a duplicate is left out (listed in ``pack.json`` and counted on
  the cover as not printed); a supporting document (行程单) is printed right after the invoice it supports and
  never counted; order by date, category or person (the sub-folder below an input folder).
- Invoices go ``layout`` to a sheet; small tickets (railway and air tickets, taxi receipts) go ``tickets`` to a
  sheet of their own, after the invoice sheets: per-kind layouts in one pack. Each slot has a caption line (number,
  date, category, total, file) and dashed cut lines between slots.
- PDF pages stay vector: each is imported as a Form XObject (PDFium's ``FPDF_NewXObjectFromPage``) and placed with
  a matrix, so text stays sharp and a page costs its own size. OFD and XML drawings, photos and scans are JPEG
  images placed the same way.
- The page-independent parts (the cover, cut lines, captions) are drawn with reportlab; PDFium then adds the
  pieces onto those pages and writes the file (atomically).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pypdfium2 as pdfium

from office_agent.errors import InputError
from office_agent.extract.supporting import is_supporting
from office_agent.generate.claim import ClaimForm, claim_form
from office_agent.generate.ledger import atomic_write
from office_agent.generate.ledger_view import LedgerOptions, LedgerView, build_view
from office_agent.generate.pack_cover import cjk_font_name, draw_cover
from office_agent.generate.pack_layout import PAPERS, Box, Grid, PaperName, Placement, grid_for, place
from office_agent.generate.pack_pages import Piece, RasterPage, VectorPage, pieces_for
from office_agent.models import BatchResult, Invoice, InvoiceKind, Status
from office_agent.rules.check import policy_flags

log = logging.getLogger(__name__)

Order = Literal["date", "category", "person"]
ORDERS: tuple[Order, ...] = ("date", "category", "person")
Role = Literal["invoice", "supporting", "continuation"]
TICKET_KINDS = frozenset({InvoiceKind.RAILWAY_TICKET, InvoiceKind.FLIGHT_ITINERARY})
JPEG_QUALITY = 85  # 4:2:0: 100–250 KB a drawn page; a 100-invoice pack of drawings stays under 20 MB


@dataclass(frozen=True)
class PackOptions:
    """How to lay the pack out. ``ledger``: which invoices (the ledger's filters); ``tickets``: the layout of
    small tickets (``same``: like the invoices)."""

    layout: str = "2up"
    tickets: str = "6up"
    paper: PaperName = "a4"
    order: Order = "date"
    cover: bool = True
    cut_lines: bool = True
    claimant: str = ""
    department: str = ""
    purpose: str = ""
    period: tuple[dt.date | None, dt.date | None] | None = None
    ledger: LedgerOptions = field(default_factory=LedgerOptions)


@dataclass(frozen=True)
class Placed:
    """One piece on one sheet: ``sheet`` is the 1-based page of pack.pdf; ``seq`` the caption's number."""

    sheet: int
    slot: int
    slot_box: Box
    placement: Placement
    source: str
    sha256: str
    invoice_number: str | None
    role: Role
    kind: str  # pdf, ofd, xml, photo, scan
    seq: int
    size: tuple[float, float]  # the piece's own size, points
    stream: str  # main or tickets


@dataclass(frozen=True)
class LeftOut:
    source: str
    reason: str
    invoice_number: str | None = None


@dataclass
class PackResult:
    path: Path
    pages: int
    placed: list[Placed]
    left_out: list[LeftOut]
    form: ClaimForm
    grids: dict[str, Grid]
    cover: bool = True
    flags: list[dict[str, str]] = field(default_factory=list)  # expense-policy flags of the printed invoices

    def sheets_of(self, stream: str) -> int:
        """How many sheets ``stream`` (main or tickets) takes: what its layout promises for its pieces."""
        n = sum(1 for p in self.placed if p.stream == stream)
        return -(-n // self.grids[stream].per_sheet)


@dataclass
class _Entry:
    inv: Invoice
    role: Role
    seq: int
    caption: str
    stream: str
    piece: Piece | None = None


def is_ticket(inv: Invoice) -> bool:
    """Small tickets, printed ``tickets`` to a sheet: railway and air tickets, taxi receipts (a meter's lines)."""
    return inv.invoice_kind in TICKET_KINDS or bool(inv.vehicle_plate or inv.pickup_time)


def _order_key(order: Order, category_rank: dict[str | None, int]) -> Callable[[tuple[Invoice, str | None]], tuple]:
    def key(item: tuple[Invoice, str | None]) -> tuple:
        inv, group = item
        date = (inv.issue_date is None, inv.issue_date or dt.date.max)
        base = (*date, inv.source, inv.page)
        if order == "category":
            return (category_rank.get(inv.category, len(category_rank)), *base)
        if order == "person":
            return (group is None, group or "", *base)
        return base

    return key


def _caption(inv: Invoice, seq: int) -> str:
    parts = [f"{seq}.", inv.issue_date.isoformat() if inv.issue_date else "无日期", inv.category or ""]
    if inv.total_amount is not None:
        parts.append(f"￥{inv.total_amount:,.2f}")
    if inv.invoice_number:
        parts.append(f"No.{inv.invoice_number}")
    return "  ".join(p for p in parts if p) + "   " + _short(inv.source)


def _short(source: str, limit: int = 60) -> str:
    name = source.rsplit("/", 1)[-1]
    return name if len(name) <= limit else "…" + name[-limit:]


def plan_entries(view: LedgerView, order: Order) -> tuple[list[_Entry], list[LeftOut]]:
    """What is printed, in order: each counted invoice, then the trip tables that support it; and what is not."""
    left: list[LeftOut] = [LeftOut(f.source, f.reason or f.status.value) for f in view.problem_files]
    trips: dict[tuple[str, str], list[Invoice]] = {}
    orphans: list[Invoice] = []
    chosen: list[tuple[Invoice, str | None]] = []
    for row in view.rows:
        inv = row.invoice
        if inv.duplicate_of:
            left.append(LeftOut(inv.source, f"duplicate of {inv.duplicate_of.get('source', '?')}", inv.invoice_number))
        elif is_supporting(inv):
            key = (inv.supports or {}).get("source", ""), (inv.supports or {}).get("sha256", "")
            (trips.setdefault(key, []) if inv.supports else orphans).append(inv)
        elif inv.status == Status.FAILED:
            left.append(LeftOut(inv.source, "no record could be made", inv.invoice_number))
        else:
            chosen.append((inv, row.group))
    rank = {c: i for i, c in enumerate(view.categories)}
    chosen.sort(key=_order_key(order, rank))
    entries: list[_Entry] = []
    for inv, _group in chosen:
        seq = len(entries) + 1
        stream = "tickets" if is_ticket(inv) else "main"
        entries.append(_Entry(inv, "invoice", seq, _caption(inv, seq), stream))
        for trip in trips.pop((inv.source, inv.sha256), []):
            entries.append(_Entry(trip, "supporting", len(entries) + 1, f"{len(entries) + 1}. 行程单（附第 {seq} 张，"
                                  f"不计金额）   {_short(trip.source)}", stream))  # fmt: skip
    for trip in [*orphans, *(t for ts in trips.values() for t in ts)]:
        seq = len(entries) + 1
        caption = f"{seq}. 行程单（未找到对应发票，不计金额）   {_short(trip.source)}"
        entries.append(_Entry(trip, "supporting", seq, caption, "main"))
    return entries, left


def _expand(entries: list[_Entry], root: Path | None, claimed: dict[str, set[int]], left: list[LeftOut]
            ) -> list[_Entry]:  # fmt: skip
    """One entry per piece (a goods list's pages after their invoice); a record that cannot be printed is left
    out with the reason, and its neighbours go on."""
    out: list[_Entry] = []
    for e in entries:
        try:
            pieces = pieces_for(e.inv, root, claimed)
        except InputError as exc:
            left.append(LeftOut(e.inv.source, f"cannot print: {exc}", e.inv.invoice_number))
            continue
        except Exception as exc:  # one bad drawing never takes the pack down
            log.warning("%s: cannot print", e.inv.source, exc_info=True)
            left.append(LeftOut(e.inv.source, f"cannot print: internal error ({type(exc).__name__}: {exc})"))
            continue
        for i, piece in enumerate(pieces):
            if i == 0:
                out.append(replace(e, piece=piece))
            else:
                out.append(replace(e, role="continuation", piece=piece, caption=f"{e.seq}. 续页 {i + 1}/{len(pieces)}"
                                   f"   {_short(piece.source)}"))  # fmt: skip
    return out


def _claimed(result: BatchResult) -> dict[str, set[int]]:
    claimed: dict[str, set[int]] = {}
    for inv in result.invoices:
        claimed.setdefault(inv.source, set()).add(inv.page)
        for other in inv.sources:
            if other != inv.source:
                claimed.setdefault(other, set()).add(1)
    return claimed


def build_pack(result: BatchResult, out: Path, options: PackOptions | None = None, source_root: Path | None = None
               ) -> PackResult:  # fmt: skip
    """Write ``out`` (pack.pdf) and, beside it, ``pack.json`` (what went where, and what was left out and why)."""
    opts = options or PackOptions()
    ledger = opts.ledger
    if opts.order == "person" and ledger.group_by is None:
        ledger = replace(ledger, group_by="person")
    grids = {"main": grid_for(opts.layout, opts.paper)}
    grids["tickets"] = grids["main"] if opts.tickets == "same" else grid_for(opts.tickets, opts.paper)
    view = build_view(result, ledger)
    entries, left = plan_entries(view, opts.order)
    pieces = _expand(entries, source_root, _claimed(result), left)
    supporting = sum(1 for e in entries if e.role == "supporting")
    form = claim_form(view, opts.claimant, opts.department, opts.purpose, opts.period, supporting,
                      sum(1 for x in left if x.invoice_number is not None or "duplicate" in x.reason))  # fmt: skip
    sheets = _sheets(pieces, grids)
    placed = _write(out, sheets, form if opts.cover else None, opts)
    flags = policy_flags(e.inv for e in entries if e.role == "invoice")
    pack = PackResult(out, len(sheets) + (1 if opts.cover else 0), placed, left, form, grids, opts.cover, flags)
    _manifest(pack, out.with_name(out.stem + ".json"))
    return pack


Sheet = tuple[Grid, list[_Entry]]


def _sheets(entries: Sequence[_Entry], grids: dict[str, Grid]) -> list[Sheet]:
    sheets: list[Sheet] = []
    for stream in ("main", "tickets"):
        grid = grids[stream]
        mine = [e for e in entries if e.stream == stream]
        sheets += [(grid, mine[i : i + grid.per_sheet]) for i in range(0, len(mine), grid.per_sheet)]
    return sheets


def _write(out: Path, sheets: list[Sheet], form: ClaimForm | None, opts: PackOptions) -> list[Placed]:
    from reportlab.pdfgen.canvas import Canvas

    base = io.BytesIO()
    c = Canvas(base, pagesize=PAPERS[opts.paper], pageCompression=1, invariant=1)
    c.setTitle("报销单据" if form else "invoices")
    c.setCreator("office-agent pack")
    if form is not None:
        draw_cover(c, form, PAPERS[opts.paper])
        c.showPage()
    first = 2 if form is not None else 1
    placed: list[Placed] = []
    for n, (grid, entries) in enumerate(sheets):
        here = []
        for slot, e in enumerate(entries):
            assert e.piece is not None
            box = grid.slot(slot)
            at = place(e.piece.size, box, e.piece.enlarge)
            here.append(Placed(first + n, slot, box, at, e.piece.source, e.inv.sha256, e.inv.invoice_number, e.role,
                               e.piece.kind, e.seq, e.piece.size, e.stream))  # fmt: skip
        c.setPageSize(grid.size)
        _decorate(c, grid, [e.caption for e in entries], here, opts.cut_lines)
        c.showPage()
        placed += here
    c.save()
    _add_pieces(out, base.getvalue(), sheets, placed)
    return placed


def _decorate(c: object, grid: Grid, captions: Sequence[str], placed: Sequence[Placed], cut_lines: bool) -> None:
    """Cut lines between the slots, and each piece's caption just below it (in its slot's caption band)."""
    from reportlab.pdfgen.canvas import Canvas

    assert isinstance(c, Canvas)
    if cut_lines:
        c.saveState()
        c.setStrokeColorRGB(0.55, 0.55, 0.55)
        c.setLineWidth(0.4)
        c.setDash(4, 3)
        for x0, y0, x1, y1 in grid.cut_lines():
            c.line(x0, y0, x1, y1)
        c.restoreState()
    c.setFillColorRGB(0.35, 0.35, 0.35)
    font = cjk_font_name()
    size = 6.5
    c.setFont(font, size)
    for text, p in zip(captions, placed, strict=True):
        while len(text) > 8 and c.stringWidth(text, font, size) > p.slot_box.w:
            text = text[:-2]
        y = max(p.slot_box.y + 1.5, p.placement.box.y - size - 1.5)
        c.drawString(max(p.slot_box.x, p.placement.box.x), y, text)


def _matrix(piece_size: tuple[float, float], at: Placement, unit: bool) -> pdfium.PdfMatrix:
    """The matrix that puts a piece on ``at``: a page's Form XObject (its crop box as displayed, lower-left corner
    at the origin) or an image's unit square (``unit``)."""
    w, h = piece_size
    m = np.diag([w, h, 1.0]) if unit else np.eye(3)
    if at.rotated:  # a quarter turn counter-clockwise: the piece's top edge along the box's left edge
        m = np.array([[0, -1, h], [1, 0, 0], [0, 0, 1]], dtype=float) @ m
    s = at.scale
    m = np.array([[s, 0, at.box.x], [0, s, at.box.y], [0, 0, 1]], dtype=float) @ m
    return pdfium.PdfMatrix(m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2])


def _add_pieces(out: Path, base: bytes, sheets: list[Sheet], placed: list[Placed]) -> None:
    pdf = pdfium.PdfDocument(base)
    sources: dict[int, pdfium.PdfDocument] = {}
    pieces = [e.piece for _grid, entries in sheets for e in entries]
    by_sheet: dict[int, list[tuple[Placed, Piece | None]]] = {}
    for p, piece in zip(placed, pieces, strict=True):
        by_sheet.setdefault(p.sheet, []).append((p, piece))
    try:
        for sheet, here in by_sheet.items():
            page = pdf[sheet - 1]
            try:
                for p, piece in here:
                    if isinstance(piece, VectorPage):
                        _put_vector(pdf, page, piece, p.placement, sources)
                    elif isinstance(piece, RasterPage):
                        _put_raster(pdf, page, piece, p.placement)
                page.gen_content()  # once a sheet: it writes the page's whole content stream again
            finally:
                page.close()
        with atomic_write(out, "wb") as fh:
            pdf.save(fh)
    finally:
        for doc in sources.values():
            doc.close()
        pdf.close()


def _put_vector(pdf: pdfium.PdfDocument, page: pdfium.PdfPage, piece: VectorPage, at: Placement,
                sources: dict[int, pdfium.PdfDocument]) -> None:  # fmt: skip
    src = sources.get(id(piece.data))
    if src is None:
        src = sources[id(piece.data)] = pdfium.PdfDocument(piece.data)
    xobj = src.page_as_xobject(piece.index, pdf)
    obj = xobj.as_pageobject()
    # PDFium's form is the page as displayed: its crop box (it clips to it, so what lies outside, a browser's
    # header line, stays hidden) with the lower-left corner at the origin, /Rotate applied.
    obj.transform(_matrix(piece.size, at, unit=False))
    page.insert_obj(obj)
    xobj.close()


def _put_raster(pdf: pdfium.PdfDocument, page: pdfium.PdfPage, piece: RasterPage, at: Placement) -> None:
    buf = io.BytesIO()
    piece.image.convert("RGB").save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    buf.seek(0)
    image = pdfium.PdfImage.new(pdf)
    image.load_jpeg(buf, pages=[page], inline=False)
    image.set_matrix(_matrix(piece.size, at, unit=True))
    page.insert_obj(image)


def _manifest(pack: PackResult, path: Path) -> None:
    data = {
        "pdf": pack.path.name,
        "pages": pack.pages,
        "placed": [
            {
                "page": p.sheet,
                "slot": p.slot + 1,
                "number": p.seq,
                "role": p.role,
                "kind": p.kind,
                "source": p.source,
                "invoice_number": p.invoice_number,
                "scale": round(p.placement.scale, 4),
                "rotated": p.placement.rotated,
            }
            for p in pack.placed
        ],
        "policy_flags": pack.flags,
        "left_out": [
            {"source": x.source, "reason": x.reason, "invoice_number": x.invoice_number} for x in pack.left_out
        ],
        "claim": {
            "claimant": pack.form.claimant,
            "department": pack.form.department,
            "purpose": pack.form.purpose,
            "period": pack.form.period_text(),
            "total": f"{pack.form.total:.2f}",
            "total_in_words": pack.form.total_in_words,
            "attachments": pack.form.attachments,
            "lines": [
                {"category": ln.category, "count": ln.count, "amount": f"{ln.amount:.2f}"} for ln in pack.form.lines
            ],
        },
    }
    with atomic_write(path) as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
