"""OFD text geometry: TextObjects and their TextCodes (with DeltaX/DeltaY, CTM) → positioned :class:`Word` runs.

An OFD page places each piece of text as a TextObject whose ``Boundary`` (x y w h, millimetres) is the object's
box; its TextCodes give a pen position (X, Y on the baseline, relative to the boundary) and per-glyph advances.
Pieces on one baseline are then joined into runs the way the PDF reader joins characters, and converted to
PDF points with a top-left origin (the convention of :mod:`office_agent.models`).
"""

from __future__ import annotations

import logging
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from office_agent.ingest.safexml import local
from office_agent.models import BBox, Word

MM = 72 / 25.4  # millimetres → PDF points

log = logging.getLogger(__name__)


# --- text geometry ----------------------------------------------------------------------------------------


# A piece: the glyphs of one TextCode on one baseline, ``(text, x0, top, x1, bottom)`` in page millimetres.
_Piece = tuple[str, float, float, float, float]


@dataclass(slots=True)
class TextObject:
    text: str  # the TextCode strings as written (what a CustomTag value is)
    pieces: list[_Piece]
    bbox: tuple[float, float, float, float] | None  # page millimetres


@dataclass
class Layout:
    """The objects of one page or template content part."""

    texts: list[TextObject] = field(default_factory=list)
    by_id: dict[str, TextObject] = field(default_factory=dict)
    images: list[tuple[str, tuple[float, ...]]] = field(default_factory=list)  # (ResourceID, Boundary)


def floats(value: str | None, n: int) -> tuple[float, ...] | None:
    if not value:
        return None
    try:
        parts = tuple(map(float, value.replace(",", " ").split()[:n]))
    except ValueError:
        return None
    if len(parts) < n or not all(map(math.isfinite, parts)):
        return None
    return parts


def _num(value: str | None, default: float) -> float:
    if value:
        try:
            v = float(value)
        except ValueError:
            return default
        if math.isfinite(v):
            return v
    return default


def deltas(spec: str | None, need: int) -> list[float]:
    """``"g 3 1.5 2"`` → ``[1.5, 1.5, 1.5, 2.0]``, cut at ``need`` (a hostile ``g 1e9`` costs nothing)."""
    out: list[float] = []
    if not spec or need <= 0:
        return out
    tokens = spec.split()
    i = 0
    try:
        while i < len(tokens) and len(out) < need:
            if tokens[i] == "g" and i + 2 < len(tokens):
                count, value = int(float(tokens[i + 1])), float(tokens[i + 2])
                out.extend([value if math.isfinite(value) else 0.0] * max(0, min(count, need - len(out))))
                i += 3
            else:
                value = float(tokens[i])
                out.append(value if math.isfinite(value) else 0.0)
                i += 1
    except (ValueError, OverflowError):
        log.debug("unreadable delta list %r", spec[:80])
    return out


_WIDE = "\u2e80"  # from here on (CJK, full-width forms) a glyph's nominal advance is one em, before it half


def _lay_code(
    text: str, x: float, y: float, dx: list[float], dy: list[float], size: float
) -> tuple[list[tuple[str, float, float, float]], float, float]:
    """Split one TextCode into baseline segments ``(text, x0, x1, baseline)`` in object space.

    A new segment starts where the pen moves down/up (DeltaY) or back (a negative DeltaX: the 密码区 writes
    four lines in one TextCode). A gap wider than 0.6 em inside a segment becomes one space (``名 称：``).
    Glyphs without a delta advance by their nominal width, except in vertical text (a DeltaY and no
    DeltaX, as in the template's ``购买方``), where x stays put.
    """
    segments: list[tuple[str, float, float, float]] = []
    half, space_gap = 0.5 * size, 0.6 * size
    n_dx, n_dy = len(dx), len(dy)
    buf: list[str] = []
    seg_x0 = seg_x1 = seg_y = 0.0
    pending_space = False
    gx, gy = x, y
    prev = ""
    for i, ch in enumerate(text):
        if i:
            j = i - 1
            if j < n_dy:
                step_y = dy[j]
                step_x = dx[j] if j < n_dx else 0.0
            else:
                step_y = 0.0
                step_x = dx[j] if j < n_dx else (size if prev >= _WIDE else half)
            gx += step_x
            gy += step_y
            if step_y > 1e-6 or step_y < -1e-6 or step_x < -1e-6:
                if buf:
                    segments.append(("".join(buf), seg_x0, seg_x1, seg_y))
                    buf = []
                pending_space = False
        prev = ch
        if ch.isspace():
            pending_space = bool(buf)
            continue
        if buf:
            if pending_space or gx - seg_x1 > space_gap:
                buf.append(" ")
        else:
            seg_x0, seg_y = gx, gy
        buf.append(ch)
        seg_x1 = gx + (size if ch >= _WIDE else half)
        pending_space = False
    if buf:
        segments.append(("".join(buf), seg_x0, seg_x1, seg_y))
    return segments, gx + (size if prev >= _WIDE else half), gy


def _text_object(el: ET.Element) -> TextObject | None:
    boundary = floats(el.get("Boundary"), 4)
    if boundary is None:
        return None
    bx, by = boundary[0], boundary[1]
    size = _num(el.get("Size"), 3.5)
    ctm = floats(el.get("CTM"), 6) if "CTM" in el.attrib else None
    ascent, descent = 0.85 * size, 0.15 * size  # em box around the baseline
    texts: list[str] = []
    pieces: list[_Piece] = []
    pen_x = pen_y = 0.0
    left = top = math.inf
    right = bottom = -math.inf
    for code in el:
        if not code.tag.endswith("TextCode"):
            continue
        s = code.text or ""
        texts.append(s)
        need = len(s) - 1
        segments, pen_x, pen_y = _lay_code(
            s,
            _num(code.get("X"), pen_x),
            _num(code.get("Y"), pen_y),
            deltas(code.get("DeltaX"), need),
            deltas(code.get("DeltaY"), need),
            size,
        )
        for seg_text, sx0, sx1, base in segments:
            y0, y1 = base - ascent, base + descent
            if ctm:
                a, b, c, d, e, f = ctm
                xs = (a * sx0 + c * y0 + e, a * sx0 + c * y1 + e, a * sx1 + c * y0 + e, a * sx1 + c * y1 + e)
                ys = (b * sx0 + d * y0 + f, b * sx0 + d * y1 + f, b * sx1 + d * y0 + f, b * sx1 + d * y1 + f)
                piece = (seg_text, bx + min(xs), by + min(ys), bx + max(xs), by + max(ys))
            else:
                piece = (seg_text, bx + sx0, by + y0, bx + sx1, by + y1)
            pieces.append(piece)
            left, top = min(left, piece[1]), min(top, piece[2])
            right, bottom = max(right, piece[3]), max(bottom, piece[4])
    return TextObject("".join(texts), pieces, (left, top, right, bottom) if pieces else None)


def read_layout(root: ET.Element) -> Layout:
    """Every TextObject and ImageObject of a content part, in drawing order (PageBlocks included)."""
    out = Layout()
    for el in root.iter():
        tag = el.tag
        if tag.endswith("TextObject") and local(tag) == "TextObject":
            obj = _text_object(el)
            if obj is None:
                continue
            out.texts.append(obj)
            obj_id = el.get("ID")
            if obj_id:
                out.by_id.setdefault(obj_id.strip(), obj)
        elif tag.endswith("ImageObject") and local(tag) == "ImageObject":
            boundary = floats(el.get("Boundary"), 4)
            res = el.get("ResourceID")
            if boundary and res:
                out.images.append((res.strip(), boundary))
    return out


class Box:
    """A page's PhysicalBox (mm) and the conversions to points relative to it."""

    def __init__(self, box: tuple[float, ...]):
        self.x, self.y, self.w, self.h = box[0], box[1], box[2], box[3]

    def to_pt(self, b: tuple[float, float, float, float]) -> BBox:
        return ((b[0] - self.x) * MM, (b[1] - self.y) * MM, (b[2] - self.x) * MM, (b[3] - self.y) * MM)

    def shows(self, b: tuple[float, float, float, float]) -> bool:
        """Centre inside the page: real files park a duplicate 开票人 name at y = 289 mm on a 140 mm page."""
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        return self.x <= cx <= self.x + self.w and self.y <= cy <= self.y + self.h


def page_words(streams: list[list[TextObject]], box: Box) -> list[Word]:
    """Pieces → runs, merging neighbours on one line the way ``pdf._runs`` merges characters.

    Streams (templates, then the page content) are merged separately, so a template label never swallows the
    value printed after it. Single-character pieces (label letters placed one object each, e.g. ``合`` ``计``)
    merge across a gap of up to two ems, with a space; other pieces only when they touch (``¥`` + ``526.00``).
    """
    words: list[Word] = []
    for stream in streams:
        cur: list[str] = []
        run: list[float] = []  # x0, top, x1, bottom in points
        last_single = False
        for obj in stream:
            for text, px0, ptop, px1, pbottom in obj.pieces:
                if not box.shows((px0, ptop, px1, pbottom)):
                    continue
                x0, top, x1, bottom = box.to_pt((px0, ptop, px1, pbottom))
                single = len(text) == 1 and not text.isascii()
                if run:
                    h = max(bottom - top, run[3] - run[1], 1.0)
                    same_line = top < run[3] - 0.3 * h and bottom > run[1] + 0.3 * h
                    gap = x0 - run[2]
                    limit = 2.0 * h if (single and last_single) else 0.6 * h
                    if same_line and -0.3 * h <= gap <= limit:
                        cur.append((" " if gap > 0.5 * h else "") + text)
                        run[0], run[1] = min(run[0], x0), min(run[1], top)
                        run[2], run[3] = max(run[2], x1), max(run[3], bottom)
                        last_single = single
                        continue
                    _flush(words, cur, run)
                cur.append(text)
                run.extend((x0, top, x1, bottom))
                last_single = single
        _flush(words, cur, run)
    return words


def _flush(words: list[Word], cur: list[str], run: list[float]) -> None:
    text = "".join(cur).strip()
    if text and run:
        words.append(Word(text=text, bbox=(run[0], run[1], run[2], run[3])))
    cur.clear()
    run.clear()


# --- package navigation -----------------------------------------------------------------------------------
