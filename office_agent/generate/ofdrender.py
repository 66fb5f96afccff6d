"""An OFD page drawn offline with Pillow, as the package describes it (GB/T 33190), for the review report.

What is drawn, in order: the page's background templates (``Template[@ZOrder!="Foreground"]``), its own content,
its foreground templates, then its annotations (stamps and watermarks, ``Annots``). Within each, layers and page
blocks in document order:

- ``PathObject``: ``AbbreviatedData`` (``M``/``S``, ``L``, ``B`` cubic, ``Q`` quadratic, ``A`` arc, ``C``
  close) in object space, through the ``CTM`` into the ``Boundary``; stroked by default, filled when
  ``Fill="true"`` (the default fill is transparent); ``LineWidth`` and colours from the object, its
  ``DrawParam`` or its layer's (``Relative`` chains followed);
- ``TextObject``: every glyph of every ``TextCode`` at its pen position (``X``/``Y`` on the baseline, then
  ``DeltaX``/``DeltaY`` with ``g N v`` runs, the same reading as :mod:`office_agent.ingest.ofd_text`), at
  ``Size`` through the ``CTM`` (rotated text too), in a system Chinese font chosen by the declared font name
  (宋体/楷体 → Song, others → Hei, Courier → mono; see :mod:`office_agent.generate.fonts`);
- ``ImageObject``: the ``MultiMedia`` named by ``ResourceID``, read from the package (PNG, JPEG, BMP, TIFF; JBIG2
  through PDFium) and mapped from the unit square through the ``CTM`` into the ``Boundary``; opaque images are
  combined with "darken" so a seal or QR on white does not hide the print beneath.

Coordinates are page millimetres from the ``PhysicalBox`` origin; the picture comes with the page size in points,
the frame the OFD reader measures text boxes in, so a field's provenance box lands on the text it was read from.
Everything is read through the OFD reader's safe package (:func:`office_agent.ingest.ofd.open_ofd`); parts that
are missing or broken cost what they hold and become warnings. Embedded fonts, clips, shadings and patterns are
not drawn.
"""

from __future__ import annotations

import io
import logging
import math
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageDraw

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.generate.fonts import AnyFont, face_for, font_for, font_note
from office_agent.ingest.jbig2 import decode_jbig2
from office_agent.ingest.ofd import OpenOfd, open_ofd
from office_agent.ingest.ofd_text import MM, deltas, floats
from office_agent.ingest.safexml import child, children, local

log = logging.getLogger(__name__)

SUPERSAMPLE = 2  # drawn at twice the size, then scaled down: smooth lines and text
MAX_OBJECTS = 20_000  # per page, templates included: a hostile page costs a bounded time
MAX_GLYPHS = 60_000
MAX_IMAGE_PIXELS = 40_000_000
MAX_ASPECT = 20.0
DEFAULT_LINE_WIDTH = 0.353  # mm (1 pt), the standard's default
_A4 = (0.0, 0.0, 210.0, 297.0)
_WIDE = "\u2e80"

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f: x' = a x + c y + e, y' = b x + d y + f
RGB = tuple[int, int, int]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def compose(outer: Matrix, inner: Matrix) -> Matrix:
    """``outer ∘ inner``: apply ``inner`` first."""
    a1, b1, c1, d1, e1, f1 = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (
        a1 * a2 + c1 * b2, b1 * a2 + d1 * b2, a1 * c2 + c1 * d2, b1 * c2 + d1 * d2,
        a1 * e2 + c1 * f2 + e1, b1 * e2 + d1 * f2 + f1,
    )  # fmt: skip


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


@dataclass
class Paint:
    """A graphic state: line width (mm), stroke and fill colours (None: not painted)."""

    line_width: float | None = None
    stroke: RGB | None = None
    fill: RGB | None = None

    def under(self, other: Paint) -> Paint:
        """This state, with what it leaves unset taken from ``other``."""
        return Paint(
            self.line_width if self.line_width is not None else other.line_width,
            self.stroke if self.stroke is not None else other.stroke,
            self.fill if self.fill is not None else other.fill,
        )


@dataclass
class OfdPicture:
    """A drawn page: the picture, the page size in points (the frame of provenance boxes), and what went wrong."""

    image: Image.Image
    size_pt: tuple[float, float]
    warnings: list[str] = field(default_factory=list)
    font_note: str | None = None


def _color(el: ET.Element | None, spaces: dict[str, str]) -> RGB | None:
    if el is None:
        return None
    values = floats(el.get("Value"), 1)
    if values is None:
        return None
    parts = [float(v) for v in (el.get("Value") or "").split()[:4]]
    kind = spaces.get((el.get("ColorSpace") or "").strip(), "RGB" if len(parts) >= 3 else "GRAY")
    try:
        if kind.upper() == "GRAY" or len(parts) < 3:
            g = int(parts[0])
            return (g, g, g)
        if kind.upper() == "CMYK" and len(parts) == 4:
            c, m, y, k = (min(255.0, max(0.0, p)) / 255 for p in parts)
            return (round(255 * (1 - c) * (1 - k)), round(255 * (1 - m) * (1 - k)), round(255 * (1 - y) * (1 - k)))
        r, g, b = (int(min(255.0, max(0.0, p))) for p in parts[:3])
        return (r, g, b)
    except (ValueError, OverflowError):
        return None


def _num(value: str | None, default: float) -> float:
    v = floats(value, 1)
    return v[0] if v else default


class _Resources:
    """Fonts, colour spaces, draw parameters and images declared by the document's resource files."""

    def __init__(self, ofd: OpenOfd):
        self.ofd = ofd
        self.fonts: dict[str, str] = {}  # ID → font name
        self.spaces: dict[str, str] = {}  # ID → GRAY / RGB / CMYK
        self.params: dict[str, Paint] = {}
        self._images: dict[str, Image.Image | None] = {}
        relative: dict[str, str] = {}
        for path in ofd.info.res_files:
            root = ofd.pkg.xml(path, "resource file", missing="its fonts and colours are not used")
            if root is None:
                continue
            for el in root.iter():
                tag = local(el.tag)
                rid = (el.get("ID") or "").strip()
                if not rid:
                    continue
                if tag == "Font":
                    self.fonts.setdefault(rid, el.get("FontName") or el.get("FamilyName") or "")
                elif tag == "ColorSpace":
                    self.spaces.setdefault(rid, (el.get("Type") or "RGB").upper())
            for el in root.iter():
                if local(el.tag) == "DrawParam" and el.get("ID"):
                    rid = (el.get("ID") or "").strip()
                    lw = floats(el.get("LineWidth"), 1)
                    self.params.setdefault(rid, Paint(lw[0] if lw else None, _color(child(el, "StrokeColor"),
                                                      self.spaces), _color(child(el, "FillColor"), self.spaces)))
                    if el.get("Relative"):
                        relative[rid] = (el.get("Relative") or "").strip()
        for rid in list(self.params):  # follow Relative chains (bounded: a loop stops)
            seen = {rid}
            parent = relative.get(rid)
            while parent and parent in self.params and parent not in seen:
                seen.add(parent)
                self.params[rid] = self.params[rid].under(self.params[parent])
                parent = relative.get(parent)

    def param(self, rid: str | None) -> Paint:
        return self.params.get((rid or "").strip(), Paint())

    def image(self, rid: str) -> Image.Image | None:
        if rid not in self._images:
            self._images[rid] = self._load(rid)
        return self._images[rid]

    def _load(self, rid: str) -> Image.Image | None:
        path = self.ofd.resources.media(rid)
        if path is None:
            self.ofd.pkg.warn(f"image object names resource {rid}, which no resource file declares")
            return None
        data = self.ofd.pkg.read(path)
        if data is None:
            self.ofd.pkg.warn(f"image {path} is missing from the package")
            return None
        return decode_image(data, path, self.ofd.warnings)


def decode_image(data: bytes, name: str, warnings: list[str]) -> Image.Image | None:
    """An image resource as RGBA; JBIG2 through PDFium; None (with a warning) when it cannot be read."""
    if data.startswith(b"\x97JB2"):
        img = decode_jbig2(data)
        if img is None:
            warnings.append(f"image {name} is JBIG2 that could not be decoded; not drawn")
        return img.convert("RGBA") if img is not None else None
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > MAX_IMAGE_PIXELS:
                warnings.append(f"image {name} is {im.width}x{im.height} pixels, over the limit; not drawn")
                return None
            im.load()
            return im.convert("RGBA")
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        warnings.append(f"image {name} cannot be decoded ({exc}); not drawn")
        return None


# --- paths ------------------------------------------------------------------------------------------------


def _arc(x0: float, y0: float, args: list[float]) -> list[tuple[float, float]]:
    """SVG-style endpoint arc (rx ry angle large sweep x y) → points after the start."""
    rx, ry, phi_deg, large, sweep, x1, y1 = args
    rx, ry = abs(rx), abs(ry)
    if rx < 1e-9 or ry < 1e-9:
        return [(x1, y1)]
    phi = math.radians(phi_deg)
    cp, sp = math.cos(phi), math.sin(phi)
    dx, dy = (x0 - x1) / 2, (y0 - y1) / 2
    xp, yp = cp * dx + sp * dy, -sp * dx + cp * dy
    lam = (xp / rx) ** 2 + (yp / ry) ** 2
    if lam > 1:
        rx, ry = rx * math.sqrt(lam), ry * math.sqrt(lam)
    num = rx * rx * ry * ry - rx * rx * yp * yp - ry * ry * xp * xp
    den = rx * rx * yp * yp + ry * ry * xp * xp
    coef = math.sqrt(max(0.0, num / den)) if den else 0.0
    if bool(large) == bool(sweep):
        coef = -coef
    cxp, cyp = coef * rx * yp / ry, -coef * ry * xp / rx
    cx, cy = cp * cxp - sp * cyp + (x0 + x1) / 2, sp * cxp + cp * cyp + (y0 + y1) / 2

    def angle(ux: float, uy: float) -> float:
        return math.atan2(uy, ux)

    t1 = angle((xp - cxp) / rx, (yp - cyp) / ry)
    dt = angle((-xp - cxp) / rx, (-yp - cyp) / ry) - t1
    if sweep and dt < 0:
        dt += 2 * math.pi
    elif not sweep and dt > 0:
        dt -= 2 * math.pi
    steps = max(4, int(abs(dt) / (math.pi / 24)))
    out = []
    for i in range(1, steps + 1):
        t = t1 + dt * i / steps
        ex, ey = rx * math.cos(t), ry * math.sin(t)
        out.append((cp * ex - sp * ey + cx, sp * ex + cp * ey + cy))
    return out


_ARITY = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}


def parse_path(data: str, limit: int = 20_000) -> list[tuple[list[tuple[float, float]], bool]]:
    """``AbbreviatedData`` → subpaths (points in object space, closed?). Curves are flattened."""
    tokens = data.replace(",", " ").split()
    out: list[tuple[list[tuple[float, float]], bool]] = []
    cur: list[tuple[float, float]] = []
    pen = (0.0, 0.0)
    i = 0
    while i < len(tokens) and sum(len(p) for p, _ in out) + len(cur) < limit:
        op = tokens[i]
        n = _ARITY.get(op)
        if n is None:
            i += 1  # an unknown token: skip it
            continue
        try:
            args = [float(t) for t in tokens[i + 1 : i + 1 + n]]
        except ValueError:
            break
        if len(args) < n or not all(map(math.isfinite, args)):
            break
        i += 1 + n
        if op in ("M", "S", "C"):
            if len(cur) > 1:
                out.append((cur, op == "C"))
            pen = (args[0], args[1]) if op != "C" else (cur[0] if cur else pen)
            cur = [pen] if op != "C" else []
            continue
        cur = cur or [pen]
        cur.extend(_segment(op, pen, args))
        pen = cur[-1] if op != "A" else (args[5], args[6])
    if len(cur) > 1:
        out.append((cur, False))
    return out


def _segment(op: str, pen: tuple[float, float], args: list[float]) -> list[tuple[float, float]]:
    """The points after ``pen`` of one drawing operator (L, B, Q, A)."""
    if op == "L":
        return [(args[0], args[1])]
    if op == "B":
        return _bezier([pen, (args[0], args[1]), (args[2], args[3]), (args[4], args[5])])
    if op == "Q":
        return _bezier([pen, (args[0], args[1]), (args[2], args[3])])
    return _arc(pen[0], pen[1], args)


def _bezier(ctrl: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    out = []
    n = len(ctrl) - 1
    for i in range(1, steps + 1):
        t = i / steps
        pts = list(ctrl)
        for level in range(n):
            pts = [((1 - t) * pts[j][0] + t * pts[j + 1][0], (1 - t) * pts[j][1] + t * pts[j + 1][1])
                   for j in range(n - level)]  # fmt: skip
        out.append(pts[0])
    return out


# --- drawing ----------------------------------------------------------------------------------------------


class _Painter:
    def __init__(self, ofd: OpenOfd, res: _Resources, box: tuple[float, ...], scale: float, canvas: Image.Image):
        self.ofd = ofd
        self.res = res
        self.scale = scale  # canvas pixels per millimetre
        self.page_to_px: Matrix = (scale, 0.0, 0.0, scale, -box[0] * scale, -box[1] * scale)
        self.canvas = canvas
        self.draw = ImageDraw.Draw(canvas)
        self.objects = 0
        self.glyphs = 0
        self.skipped: set[str] = set()

    def content(self, root: ET.Element, offset: Matrix = IDENTITY) -> None:
        """Every layer of a page or template (``Content/Layer``)."""
        body = child(root, "Content")
        for layer in children(body, "Layer") if body is not None else []:
            self.block(layer, self.res.param(layer.get("DrawParam")), offset)

    def block(self, el: ET.Element, paint: Paint, offset: Matrix) -> None:
        for obj in el:
            if self.objects >= MAX_OBJECTS:
                if "objects" not in self.skipped:
                    self.skipped.add("objects")
                    self.ofd.pkg.warn(f"page has more than {MAX_OBJECTS} objects; the rest are not drawn")
                return
            tag = local(obj.tag)
            if tag == "PageBlock":
                self.block(obj, paint, offset)
                continue
            self.objects += 1
            try:
                self.draw_object(tag, obj, paint, offset)
            except (ValueError, OverflowError, ZeroDivisionError) as exc:  # a damaged object costs itself
                log.debug("OFD object %s %s not drawn: %s", tag, obj.get("ID"), exc)

    def draw_object(self, tag: str, obj: ET.Element, paint: Paint, offset: Matrix) -> None:
        boundary = floats(obj.get("Boundary"), 4)
        if boundary is None:
            return
        if obj.get("Visible", "true").strip().lower() == "false":
            return
        ctm = floats(obj.get("CTM"), 6) if obj.get("CTM") else None
        to_page = compose(offset, compose((1.0, 0.0, 0.0, 1.0, boundary[0], boundary[1]), ctm or IDENTITY))  # type: ignore[arg-type]
        own = Paint(
            _num(obj.get("LineWidth"), -1.0) if obj.get("LineWidth") else None,
            _color(child(obj, "StrokeColor"), self.res.spaces),
            _color(child(obj, "FillColor"), self.res.spaces),
        )
        paint = own.under(self.res.param(obj.get("DrawParam"))).under(paint)
        if tag == "PathObject":
            self.path(obj, paint, to_page)
        elif tag == "TextObject":
            self.text(obj, paint, to_page)
        elif tag == "ImageObject":
            self.image(obj, to_page)
        elif tag not in ("Clips", "Actions") and tag not in self.skipped:
            self.skipped.add(tag)
            log.debug("OFD %s objects are not drawn", tag)

    def _px(self, m: Matrix, x: float, y: float) -> tuple[float, float]:
        return apply(self.page_to_px, *apply(m, x, y))

    def path(self, obj: ET.Element, paint: Paint, to_page: Matrix) -> None:
        data = child(obj, "AbbreviatedData")
        if data is None or not data.text:
            return
        subpaths = parse_path(data.text)
        stroke = obj.get("Stroke", "true").strip().lower() != "false"
        fill = obj.get("Fill", "false").strip().lower() == "true"
        lw_mm = paint.line_width if paint.line_width is not None and paint.line_width >= 0 else DEFAULT_LINE_WIDTH
        lw = max(1, round(lw_mm * math.sqrt(abs(to_page[0] * to_page[3] - to_page[1] * to_page[2])) * self.scale))
        for points, closed in subpaths:
            px = [self._px(to_page, x, y) for x, y in points]
            if fill and paint.fill is not None and len(px) >= 3:
                self.draw.polygon(px, fill=paint.fill)
            if stroke:
                self.draw.line(px + ([px[0]] if closed else []), fill=paint.stroke or (0, 0, 0), width=lw,
                               joint="curve")  # fmt: skip

    def text(self, obj: ET.Element, paint: Paint, to_page: Matrix) -> None:
        size = _num(obj.get("Size"), 3.5)
        if not 0 < size < 500:
            return
        color = paint.fill or (0, 0, 0)
        face = face_for(self.res.fonts.get((obj.get("Font") or "").strip()))
        a, b, c, d = to_page[:4]
        em = size * math.hypot(c, d) * self.scale
        if em < 1.0:
            return
        px = round(em)
        rotation = math.degrees(math.atan2(b, a))
        pen_x = pen_y = 0.0
        for code in children(obj, "TextCode"):
            text = code.text or ""
            need = len(text) - 1
            glyphs, pen_x, pen_y = layout_glyphs(
                text, _num(code.get("X"), pen_x), _num(code.get("Y"), pen_y),
                deltas(code.get("DeltaX"), need), deltas(code.get("DeltaY"), need), size,
            )  # fmt: skip
            for ch, gx, gy in glyphs:
                if self.glyphs >= MAX_GLYPHS:
                    return
                self.glyphs += 1
                x, y = self._px(to_page, gx, gy)
                fnt = font_for(face, ch, px)
                if abs(rotation) < 0.5:
                    self.draw.text((x, y), ch, fill=color, font=fnt, anchor="ls")
                else:
                    self._rotated_glyph(ch, x, y, rotation, fnt, color)

    def _rotated_glyph(self, ch: str, x: float, y: float, rotation: float, fnt: AnyFont, color: RGB) -> None:
        em = int(getattr(fnt, "size", 12))
        c = em + 2
        tile = Image.new("L", (2 * c, 2 * c), 0)
        ImageDraw.Draw(tile).text((c, c), ch, fill=255, font=fnt, anchor="ls")
        tile = tile.rotate(-rotation, resample=Image.Resampling.BILINEAR, center=(c, c))
        self.canvas.paste(Image.new("RGB", tile.size, color), (round(x) - c, round(y) - c), tile)

    def image(self, obj: ET.Element, to_page: Matrix) -> None:
        rid = (obj.get("ResourceID") or "").strip()
        img = self.res.image(rid) if rid else None
        if img is None:
            return
        # the image fills the unit square, mapped by the CTM into the boundary: find where it lands on the canvas
        m = compose(self.page_to_px, to_page)
        corners = [apply(m, u, v) for u, v in ((0, 0), (1, 0), (1, 1), (0, 1))]
        x0, y0 = math.floor(min(p[0] for p in corners)), math.floor(min(p[1] for p in corners))
        x1, y1 = math.ceil(max(p[0] for p in corners)), math.ceil(max(p[1] for p in corners))
        w, h = x1 - x0, y1 - y0
        if w < 1 or h < 1 or w * h > 4 * self.canvas.width * self.canvas.height:
            return
        # inverse map: canvas pixel (relative to x0, y0) → unit square → image pixel
        a, b, c, d, e, f = m
        det = a * d - b * c
        if abs(det) < 1e-12:
            return
        ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
        ie, if_ = -(ia * e + ic * f), -(ib * e + id_ * f)
        sx, sy = img.width, img.height
        coeffs = (ia * sx, ic * sx, (ia * x0 + ic * y0 + ie) * sx, ib * sy, id_ * sy, (ib * x0 + id_ * y0 + if_) * sy)
        placed = img.transform((w, h), Image.Transform.AFFINE, coeffs, resample=Image.Resampling.BILINEAR,
                               fillcolor=(255, 255, 255, 0))  # fmt: skip
        region = (x0, y0, x1, y1)
        below = self.canvas.crop(region)
        alpha = placed.getchannel("A")
        darker = ImageChops.darker(below, placed.convert("RGB"))
        below.paste(darker, (0, 0), alpha)
        self.canvas.paste(below, region)


def layout_glyphs(
    text: str, x: float, y: float, dx: list[float], dy: list[float], size: float
) -> tuple[list[tuple[str, float, float]], float, float]:
    """Each glyph of one TextCode at its pen position (object space), and where the pen ends.

    The same reading as the text extractor's: a glyph without a delta advances by its nominal width (one em for
    Chinese, half for Latin), except in vertical text (a DeltaY and no DeltaX), where x stays put.
    """
    out: list[tuple[str, float, float]] = []
    gx, gy = x, y
    prev = ""
    for i, ch in enumerate(text):
        if i:
            j = i - 1
            if j < len(dy):
                gy += dy[j]
                gx += dx[j] if j < len(dx) else 0.0
            else:
                gx += dx[j] if j < len(dx) else (size if prev >= _WIDE else 0.5 * size)
        prev = ch
        if not ch.isspace():
            out.append((ch, gx, gy))
    return out, gx + (size if prev >= _WIDE else 0.5 * size), gy


def _annotations(ofd: OpenOfd, page_id: str | None) -> list[ET.Element]:
    """The ``Annot`` elements of one page (by its ID), from ``Annotations.xml`` and the files it names."""
    info = ofd.info
    if info.annotations is None or not page_id:
        return []
    index = ofd.pkg.xml(info.annotations, "annotation list", missing="stamps and watermarks are not drawn")
    out: list[ET.Element] = []
    base = posixpath.dirname(info.annotations)
    for page in children(index, "Page") if index is not None else []:
        if (page.get("PageID") or "").strip() != page_id.strip():
            continue
        loc = child(page, "FileLoc")
        path = ofd.pkg.resolve(base, loc.text if loc is not None else None, "annotation file")
        root = ofd.pkg.xml(path, "annotation file", missing="its stamps are not drawn")
        if root is not None:
            out.extend(a for a in children(root, "Annot") if a.get("Visible", "true").strip().lower() != "false")
    return out


def _page_box(ofd: OpenOfd, root: ET.Element | None) -> tuple[float, ...]:
    area = child(root, "Area") if root is not None else None
    physical = child(area, "PhysicalBox") if area is not None else None
    box = floats(physical.text if physical is not None else None, 4)
    if box is None or box[2] <= 0 or box[3] <= 0:
        box = ofd.info.box
    return box if box is not None else _A4


def render_ofd(
    data: bytes, page: int = 1, width: int = 560, limits: Limits = DEFAULT_LIMITS, supersample: int = SUPERSAMPLE
) -> OfdPicture | None:
    """Page ``page`` (1-based) of the OFD in ``data``, ``width`` pixels wide; None when there is no such page.
    ``supersample``: drawn that many times larger, then shrunk (smooth lines in small pictures; 1 for print
    resolution, where it would only cost time).

    Raises what :func:`open_ofd` raises for a package that is not an OFD or is hostile.
    """
    with open_ofd(data, limits) as ofd:
        if not 1 <= page <= min(len(ofd.info.pages), limits.max_pages):
            return None
        page_id, path = ofd.info.pages[page - 1]
        root = ofd.pkg.xml(path, "page", missing="the page is drawn empty") if path else None
        box = _page_box(ofd, root)
        if box[3] / box[2] > MAX_ASPECT or box[2] / box[3] > MAX_ASPECT:
            ofd.pkg.warn(f"page {page} is {box[2]:g} x {box[3]:g} mm; not drawn")
            return None
        scale = width * supersample / box[2]
        canvas = Image.new("RGB", (width * supersample, max(1, round(box[3] * scale))), "white")
        res = _Resources(ofd)
        painter = _Painter(ofd, res, box, scale, canvas)
        if root is not None:
            back: list[ET.Element] = []
            front: list[ET.Element] = []
            for tpl in children(root, "Template"):
                tpl_path = ofd.info.templates.get((tpl.get("TemplateID") or "").strip())
                tpl_root = ofd.pkg.xml(tpl_path, "template", missing="its labels are not drawn") if tpl_path else None
                if tpl_root is not None:
                    (front if tpl.get("ZOrder") == "Foreground" else back).append(tpl_root)
            for part in [*back, root, *front]:
                painter.content(part)
        for annot in _annotations(ofd, page_id):
            for appearance in children(annot, "Appearance"):
                at = floats(appearance.get("Boundary"), 4)
                if at is not None:
                    painter.block(appearance, Paint(), (1.0, 0.0, 0.0, 1.0, at[0], at[1]))
        size = (width, max(1, round(width * box[3] / box[2])))
        image = canvas if canvas.size == size else canvas.resize(size, Image.Resampling.LANCZOS)
        return OfdPicture(image, (box[2] * MM, box[3] * MM), list(ofd.warnings), font_note())
