"""OFD reader (GB/T 33190): an OFD is a ZIP of XML parts, read here without rendering anything.

What an invoice OFD holds, as seen in the real files (``realdata/cn/ofd``):
- ``OFD.xml``: ``DocBody/DocInfo/CustomDatas/CustomData[@Name]`` key/value pairs (发票号码, 合计金额, …) and
  ``DocBody/DocRoot`` → ``Doc_0/Document.xml``.
- ``Document.xml``: ``CommonData`` (``PageArea/PhysicalBox`` = default page size, ``TemplatePage[@ID,@BaseLoc]``,
  ``DocumentRes``/``PublicRes``), ``Pages/Page[@ID,@BaseLoc]``, ``Attachments``, ``CustomTags``.
- Page ``Content.xml``: ``Area/PhysicalBox`` (optional), ``Template[@TemplateID]`` (the labels live in the
  template), ``Content/Layer/…`` with ``TextObject`` and ``ImageObject`` (the QR). Values sit in the page, labels
  in the template; both are read.
- ``Attachs/Attachments.xml`` lists attachments; legacy invoices carry ``original_invoice.xml`` (root
  ``eInvoice``), others an XBRL instance. They go to ``Document.embedded`` under their package path.
- ``Tags/CustomTags.xml`` → ``CustomTag.xml`` (or ``Tag_Invoice.xml``): semantic names (``InvoiceNo``,
  ``BuyerName``…) → ``ObjectRef[@PageRef]`` = TextObject ids. Two real files write it as malformed XML
  (``<:eInvoice xmlns:="">`` and an undeclared ``ofd:`` prefix); it is re-read with prefixes stripped.

Geometry: every length is in millimetres with a top-left origin. A TextObject's ``Boundary`` is ``x y w h`` on
the page; its ``TextCode`` ``X``/``Y`` are relative to the Boundary's origin, ``Y`` is the *baseline*;
``DeltaX``/``DeltaY`` give the advance to each next glyph (``g N v`` repeats ``v`` N times; extra entries are
ignored); an optional ``CTM`` maps object space into boundary space. Words are converted to PDF points.

Paths (``ST_Loc``) are relative to the part that names them; one starting with ``/`` starts at the package root
(the real files write ``/Doc_0/Signs/Signatures.xml``). A reference that climbs out with ``..`` or names a
drive or URL is refused (:class:`~office_agent.errors.UnsafeArchive` via :mod:`archive`).
"""

from __future__ import annotations

import io
import logging
import math
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from PIL import Image

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import CorruptFile, UnsafeArchive
from office_agent.ingest.archive import Member, SafeZip, safe_member_name
from office_agent.ingest.qr import decode_qr
from office_agent.ingest.safexml import child, children, local, parse_xml
from office_agent.models import BBox, Candidate, DocFormat, Document, EmbeddedFile, Page, Provenance, Source, Word

log = logging.getLogger(__name__)

MM = 72 / 25.4  # millimetres → PDF points
_A4 = (0.0, 0.0, 210.0, 297.0)
_MAX_QR_PIXELS = 16_000_000

# OFD.xml CustomData names (white space and colons removed) → contract field names.
CUSTOM_DATA_FIELDS: dict[str, str] = {
    "发票代码": "invoice_code",
    "发票号码": "invoice_number",
    "开票日期": "issue_date",
    "校验码": "check_code",
    "机器编号": "machine_number",
    "合计金额": "amount_without_tax",
    "不含税金额": "amount_without_tax",
    "合计税额": "tax_amount",
    "价税合计": "total_amount",
    "价税合计（小写）": "total_amount",
    "价税合计（大写）": "total_amount_in_words",
    "购买方名称": "buyer_name",
    "购买方纳税人识别号": "buyer_tax_id",
    "购买方统一社会信用代码/纳税人识别号": "buyer_tax_id",
    "销售方名称": "seller_name",
    "销售方纳税人识别号": "seller_tax_id",
    "销售方统一社会信用代码/纳税人识别号": "seller_tax_id",
    "开票人": "drawer",
    "备注": "remarks",
}

# CustomTag semantic names → contract field names. Line-item tags (Item, Amount, TaxAmount, Price…) are left
# out on purpose: the 数电 file tags its item cells at the top level, where ``TaxAmount`` is one line's tax.
TAG_FIELDS: dict[str, str] = {
    "InvoiceCode": "invoice_code",
    "InvoiceNo": "invoice_number",
    "IssueDate": "issue_date",
    "InvoiceCheckCode": "check_code",
    "MachineNo": "machine_number",
    "BuyerName": "buyer_name",
    "BuyerTaxID": "buyer_tax_id",
    "SellerName": "seller_name",
    "SellerTaxID": "seller_tax_id",
    "TaxExclusiveTotalAmount": "amount_without_tax",
    "TaxTotalAmount": "tax_amount",
    "TaxInclusiveTotalAmount": "total_amount",
    "TaxInclusiveTotalAmountWithWords": "total_amount_in_words",
    "InvoiceClerk": "drawer",
    "Note": "remarks",
}


# --- text geometry ----------------------------------------------------------------------------------------


# A piece: the glyphs of one TextCode on one baseline, ``(text, x0, top, x1, bottom)`` in page millimetres.
_Piece = tuple[str, float, float, float, float]


@dataclass(slots=True)
class _TextObject:
    text: str  # the TextCode strings as written (what a CustomTag value is)
    pieces: list[_Piece]
    bbox: tuple[float, float, float, float] | None  # page millimetres


@dataclass
class _Layout:
    """The objects of one page or template content part."""

    texts: list[_TextObject] = field(default_factory=list)
    by_id: dict[str, _TextObject] = field(default_factory=dict)
    images: list[tuple[str, tuple[float, ...]]] = field(default_factory=list)  # (ResourceID, Boundary)


def _floats(value: str | None, n: int) -> tuple[float, ...] | None:
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


def _deltas(spec: str | None, need: int) -> list[float]:
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


def _text_object(el: ET.Element) -> _TextObject | None:
    boundary = _floats(el.get("Boundary"), 4)
    if boundary is None:
        return None
    bx, by = boundary[0], boundary[1]
    size = _num(el.get("Size"), 3.5)
    ctm = _floats(el.get("CTM"), 6) if "CTM" in el.attrib else None
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
            _deltas(code.get("DeltaX"), need),
            _deltas(code.get("DeltaY"), need),
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
    return _TextObject("".join(texts), pieces, (left, top, right, bottom) if pieces else None)


def _layout(root: ET.Element) -> _Layout:
    """Every TextObject and ImageObject of a content part, in drawing order (PageBlocks included)."""
    out = _Layout()
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
            boundary = _floats(el.get("Boundary"), 4)
            res = el.get("ResourceID")
            if boundary and res:
                out.images.append((res.strip(), boundary))
    return out


class _Box:
    """A page's PhysicalBox (mm) and the conversions to points relative to it."""

    def __init__(self, box: tuple[float, ...]):
        self.x, self.y, self.w, self.h = box[0], box[1], box[2], box[3]

    def to_pt(self, b: tuple[float, float, float, float]) -> BBox:
        return ((b[0] - self.x) * MM, (b[1] - self.y) * MM, (b[2] - self.x) * MM, (b[3] - self.y) * MM)

    def shows(self, b: tuple[float, float, float, float]) -> bool:
        """Centre inside the page: real files park a duplicate 开票人 name at y = 289 mm on a 140 mm page."""
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        return self.x <= cx <= self.x + self.w and self.y <= cy <= self.y + self.h


def _words(streams: list[list[_TextObject]], box: _Box) -> list[Word]:
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

_OUTSIDE = re.compile(r"^[A-Za-z]:|^[A-Za-z][A-Za-z0-9+.-]*://")
_XMLNS_ATTR = re.compile(rb"""\sxmlns(?::[\w.-]*)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_ELEMENT_PREFIX = re.compile(rb"<(/?)[\w.-]*:")
_ATTR_PREFIX = re.compile(rb"(\s)[\w.-]+:([\w.-]+\s*=)")


def resolve_loc(base_dir: str, loc: str) -> str:
    """A package path for an ``ST_Loc`` written in a part that lives in ``base_dir``."""
    loc = loc.strip().replace("\\", "/")
    if _OUTSIDE.match(loc):
        raise UnsafeArchive(f"reference {loc!r} points outside the package")
    path = loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc)
    return safe_member_name(path)


def _parse(data: bytes, what: str, limits: Limits) -> ET.Element:
    return parse_xml(data, what, limits)


def _read_member(zf: SafeZip, member: Member) -> bytes:
    return zf.read(member)


class _Package:
    def __init__(self, zf: SafeZip, limits: Limits, warnings: list[str]):
        self.zf = zf
        self.limits = limits
        self.warnings = warnings

    def warn(self, message: str) -> None:
        log.debug("OFD: %s", message)
        self.warnings.append(message)

    def resolve(self, base_dir: str, loc: str | None, what: str) -> str | None:
        if not loc or not loc.strip():
            return None
        try:
            return resolve_loc(base_dir, loc)
        except UnsafeArchive as exc:
            self.warn(f"{what}: {exc}; not read")
            return None

    def has(self, path: str) -> bool:
        return self.zf.find(path) is not None

    def read(self, path: str | Member) -> bytes | None:
        """A part's bytes; None when it is absent, or damaged (bad CRC, truncated data: a warning)."""
        member = self.zf.find(path) if isinstance(path, str) else path
        if member is None:
            return None
        try:
            return _read_member(self.zf, member)
        except CorruptFile as exc:
            self.warn(str(exc))
            return None

    def xml(self, path: str | None, what: str, missing: str | None = None, lenient: bool = False) -> ET.Element | None:
        """Parse a part; a missing or broken part is a warning (``missing`` says what is lost), never fatal.

        DTDs, entities, and parts over the size limits still raise: that is a hostile file, not a damaged one.
        """
        if path is None:
            return None
        member = self.zf.find(path)
        if member is None:
            if missing:
                self.warn(f"{what} {path} is missing: {missing}")
            return None
        data = self.read(member)
        if data is None:
            return None
        try:
            return _parse(data, f"{what} {path}", self.limits)
        except CorruptFile as exc:
            if lenient:
                try:
                    root = _parse(_strip_prefixes(data), f"{what} {path}", self.limits)
                    self.warn(f"{what} {path} is not well-formed XML; read with namespace prefixes removed")
                    return root
                except CorruptFile:
                    pass
            self.warn(f"{exc}; {missing or 'ignored'}")
            return None


def _strip_prefixes(data: bytes) -> bytes:
    """``<:eInvoice xmlns:=""><ofd:ObjectRef>`` (undeclared prefix) → plain element names."""
    data = _XMLNS_ATTR.sub(b"", data)
    data = _ELEMENT_PREFIX.sub(rb"<\1", data)
    return _ATTR_PREFIX.sub(rb"\1\2", data)


def _text(el: ET.Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def _physical_box(el: ET.Element | None) -> tuple[float, ...] | None:
    if el is None:
        return None
    box = _floats(_text(child(el, "PhysicalBox")), 4)
    return box if box and box[2] > 0 and box[3] > 0 else None


@dataclass
class _DocInfo:
    """What ``Document.xml`` declares."""

    dir: str
    box: tuple[float, ...] | None = None
    templates: dict[str, str] = field(default_factory=dict)  # TemplatePage ID → path
    res_files: list[str] = field(default_factory=list)
    pages: list[tuple[str | None, str | None]] = field(default_factory=list)  # (Page ID, path)
    attachments: str | None = None
    custom_tags: str | None = None


def _read_doc_info(pkg: _Package, doc_path: str, root: ET.Element | None) -> _DocInfo:
    info = _DocInfo(dir=posixpath.dirname(doc_path))
    if root is not None:
        common = child(root, "CommonData")
        if common is not None:
            info.box = _physical_box(child(common, "PageArea"))
            for tpl in children(common, "TemplatePage"):
                path = pkg.resolve(info.dir, tpl.get("BaseLoc"), "template page")
                if tpl.get("ID") and path:
                    info.templates[tpl.get("ID", "").strip()] = path
            for name in ("DocumentRes", "PublicRes"):
                for res in children(common, name):
                    path = pkg.resolve(info.dir, _text(res), name)
                    if path:
                        info.res_files.append(path)
        pages = child(root, "Pages")
        for page in children(pages, "Page") if pages is not None else []:
            info.pages.append((page.get("ID"), pkg.resolve(info.dir, page.get("BaseLoc"), "page")))
        info.attachments = pkg.resolve(info.dir, _text(child(root, "Attachments")), "attachments")
        info.custom_tags = pkg.resolve(info.dir, _text(child(root, "CustomTags")), "custom tags")
    _check_pages(pkg, info)
    return info


_PAGE_PART = re.compile(r"pages/page_(\d+)/content\.xml$")


def _check_pages(pkg: _Package, info: _DocInfo) -> None:
    """Warn about page parts no Page points at; with no page list at all, read them in file-name order."""
    prefix = f"{info.dir}/".lower() if info.dir else ""
    found: list[tuple[int, str]] = []
    for member in pkg.zf:
        name = member.name.lower()
        if name.startswith(prefix):
            m = _PAGE_PART.fullmatch(name[len(prefix) :])
            if m:
                found.append((int(m.group(1)), member.name))
    found.sort()
    if not info.pages:
        if found:
            pkg.warn(f"Document.xml lists no pages; read {len(found)} page part(s) found in the package")
            info.pages = [(None, name) for _, name in found]
        return
    listed = {p.lower() for _, p in info.pages if p}
    orphans = [name for _, name in found if name.lower() not in listed]
    if orphans:
        pkg.warn(f"page part(s) not listed in Document.xml, ignored: {', '.join(orphans[:5])}")


class _Resources:
    """MultiMedia ID → package path (read from the Res files on first use), and the QR codes of those images."""

    def __init__(self, pkg: _Package, res_files: list[str]):
        self.pkg = pkg
        self.res_files = res_files
        self._media: dict[str, str] | None = None  # ID → path
        self._qr: dict[str, list[str]] = {}  # ID → payloads, so an image shared by many pages is decoded once

    def media(self, res_id: str) -> str | None:
        if self._media is None:
            self._media = {}
            for path in self.res_files:
                self._media.update((k, v) for k, v in self._load(path).items() if k not in self._media)
        return self._media.get(res_id)

    def _load(self, res_path: str) -> dict[str, str]:
        found: dict[str, str] = {}
        root = self.pkg.xml(res_path, "resource file", missing="its images are not read")
        if root is None:
            return found
        base = posixpath.dirname(res_path)
        if root.get("BaseLoc"):
            base = self.pkg.resolve(base, root.get("BaseLoc"), "resource folder") or base
        for group in children(root, "MultiMedias"):
            for mm in children(group, "MultiMedia"):
                path = self.pkg.resolve(base, _text(child(mm, "MediaFile")), "image")
                if mm.get("ID") and path:
                    found.setdefault(mm.get("ID", "").strip(), path)
        return found

    def qr(self, res_id: str) -> list[str]:
        """QR payloads of one image resource. PNG/JPEG/BMP decode with PIL; JBIG2 (``.jb2``, declared
        ``Format="GBIG2"`` in real files, sic) has no decoder here and is skipped: legacy invoices repeat the QR
        text in the embedded XML's ``GraphCode``."""
        if res_id not in self._qr:
            self._qr[res_id] = []
            path = self.media(res_id)
            data = self.pkg.read(path) if path else None
            if path is None:
                self.pkg.warn(f"image object names resource {res_id}, which no resource file declares")
            elif data is None:
                self.pkg.warn(f"image {path} is missing from the package")
            elif not data.startswith(_DECODABLE):
                log.debug("image %s is not in a format PIL reads; its QR is not decoded", path)
            else:
                self._qr[res_id] = _decode_image(data, path)
        return self._qr[res_id]


_DECODABLE = (b"\x89PNG", b"\xff\xd8", b"BM", b"GIF8", b"II*\x00", b"MM\x00*")


def _qr_payloads(layouts: list[_Layout], res: _Resources) -> list[str]:
    """Decode square image objects: the QR is a ~20 mm image on every invoice page."""
    found: list[str] = []
    for layout in layouts:
        for res_id, boundary in layout.images:
            w, h = boundary[2], boundary[3]
            if w >= 5 and h >= 5 and 0.75 <= w / h <= 1.33:
                found.extend(p for p in res.qr(res_id) if p not in found)
    return found


def _decode_image(data: bytes, name: str) -> list[str]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > _MAX_QR_PIXELS:
                log.debug("image %s is %dx%d; too large to be a QR", name, image.width, image.height)
                return []
            image.load()
            return decode_qr(image)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        log.debug("image %s cannot be decoded: %s", name, exc)
        return []


# --- pages ------------------------------------------------------------------------------------------------


class _PageReader:
    def __init__(self, pkg: _Package, info: _DocInfo):
        self.pkg = pkg
        self.info = info
        self.res = _Resources(pkg, info.res_files)
        self._templates: dict[str, _Layout | None] = {}
        self.objects: dict[int, dict[str, tuple[_TextObject, _Box]]] = {}  # page number → object ID → object

    def template(self, tpl_id: str, page_no: int) -> _Layout | None:
        path = self.info.templates.get(tpl_id)
        if path is None:
            self.pkg.warn(f"page {page_no} uses template {tpl_id}, which Document.xml does not declare")
            return None
        if path not in self._templates:
            root = self.pkg.xml(path, "template", missing="the printed labels of its pages are not read")
            self._templates[path] = _layout(root) if root is not None else None
        return self._templates[path]

    def read(self, number: int, path: str | None) -> Page:
        root = self.pkg.xml(path, "page", missing=f"page {number} is empty") if path else None
        if path is None:
            self.pkg.warn(f"page {number} has no readable content location")
        physical = _physical_box(child(root, "Area")) if root is not None else None
        if physical is None:
            physical = self.info.box
        if physical is None:
            self.pkg.warn(f"page {number} declares no page size; A4 assumed")
            physical = _A4
        box = _Box(physical)
        page = Page(number=number, width=box.w * MM, height=box.h * MM)
        if root is None:
            return page
        background: list[_Layout] = []
        foreground: list[_Layout] = []
        for tpl in children(root, "Template"):
            layout = self.template((tpl.get("TemplateID") or "").strip(), number)
            if layout is not None:
                (foreground if tpl.get("ZOrder") == "Foreground" else background).append(layout)
        content = _layout(root)
        layouts = [*background, content, *foreground]
        page.words = _words([layout.texts for layout in layouts], box)
        page.qr_payloads = _qr_payloads([content, *background, *foreground], self.res)
        index: dict[str, tuple[_TextObject, _Box]] = {}
        for layout in [*background, *foreground, content]:  # the page's own objects win over template ones
            for obj_id, obj in layout.by_id.items():
                index[obj_id] = (obj, box)
        self.objects[number] = index
        return page


# --- structured data: CustomData, CustomTags, attachments -------------------------------------------------


def _custom_data(doc_info: ET.Element | None) -> list[Candidate]:
    out: list[Candidate] = []
    datas = child(doc_info, "CustomDatas") if doc_info is not None else None
    for cd in children(datas, "CustomData") if datas is not None else []:
        name = cd.get("Name") or ""
        key = re.sub(r"[\s:：]", "", name)
        field_name = CUSTOM_DATA_FIELDS.get(key) or TAG_FIELDS.get(key)
        value = _text(cd)
        if field_name and value:
            prov = Provenance(source=Source.OFD, confidence=1.0, detail=f"OFD.xml:CustomData[{name}]")
            out.append(Candidate(field=field_name, value=value, provenance=prov))
    return out


def _tag_candidates(pkg: _Package, info: _DocInfo, pages: _PageReader, page_ids: dict[str, int]) -> list[Candidate]:
    """CustomTag names → the text of the TextObjects they point at, with page and box."""
    if info.custom_tags is None:
        return []
    index = pkg.xml(info.custom_tags, "custom tag list", missing="the tagged fields are not read")
    if index is None:
        return []
    out: list[Candidate] = []
    base = posixpath.dirname(info.custom_tags)
    for tag in children(index, "CustomTag"):
        path = pkg.resolve(base, _text(child(tag, "FileLoc")), "custom tag file")
        root = pkg.xml(path, "custom tag file", missing="the tagged fields are not read", lenient=True)
        if root is None or path is None:
            continue
        for el in root.iter():
            field_name = TAG_FIELDS.get(local(el.tag))
            refs = [r for r in el if local(r.tag) == "ObjectRef"] if field_name else []
            if field_name and refs:
                cand = _tag_value(pkg, pages, page_ids, field_name, refs, f"{path}:{local(el.tag)}")
                if cand is not None:
                    out.append(cand)
    return out


def _tag_value(
    pkg: _Package,
    pages: _PageReader,
    page_ids: dict[str, int],
    field_name: str,
    refs: list[ET.Element],
    detail: str,
) -> Candidate | None:
    parts: list[str] = []
    boxes: list[BBox] = []
    page_no: int | None = None
    last_bottom: float | None = None  # of the previous object, in mm
    for ref in refs:
        obj_id = _text(ref)
        number = page_ids.get((ref.get("PageRef") or "").strip())
        if number is not None and number not in pages.objects:
            continue  # a page past max_pages, or a missing page (already warned about)
        numbers = [number] if number is not None else list(pages.objects)  # no usable PageRef: look everywhere
        hit = next(((n, pages.objects[n][obj_id]) for n in numbers if obj_id and obj_id in pages.objects[n]), None)
        if hit is None:
            pkg.warn(f"{detail} points at object {obj_id!r}, which page {ref.get('PageRef')} does not hold")
            continue
        n, (obj, box) = hit
        if obj.bbox is None or not box.shows(obj.bbox):
            continue  # an off-page duplicate (the 数电 file tags its hidden 开票人 copy too)
        text = obj.text.strip()
        if not text:
            continue
        # Remarks keep their line breaks; a name or amount split over objects is one string (``¥`` + ``526.00``).
        if parts and field_name == "remarks" and last_bottom is not None and obj.bbox[1] >= last_bottom - 0.1:
            parts.append("\n")
        parts.append(text)
        boxes.append(box.to_pt(obj.bbox))
        last_bottom = obj.bbox[3]
        page_no = page_no or n
    if not parts:
        return None
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    prov = Provenance(source=Source.OFD, page=page_no, bbox=bbox, confidence=0.95, detail=detail)
    return Candidate(field=field_name, value="".join(parts), provenance=prov)


_INVOICE_XML_NAME = re.compile(r"(?:^|/)(?:original_invoice|inv_[a-z]+_(?:issuer|receiver)[^/]*)\.xml$", re.I)


def _attachments(pkg: _Package, info: _DocInfo) -> list[EmbeddedFile]:
    """XML attachments listed in Attachments.xml; without a usable list, invoice XMLs found by name."""
    paths: list[str] = []
    if info.attachments is not None:
        root = pkg.xml(info.attachments, "attachment list", missing="looking for invoice XML by name")
        base = posixpath.dirname(info.attachments)
        for att in children(root, "Attachment") if root is not None else []:
            path = pkg.resolve(base, _text(child(att, "FileLoc")), "attachment")
            if path is None:
                continue
            if (att.get("Format") or "").lower() != "xml" and not path.lower().endswith(".xml"):
                continue
            if pkg.has(path):
                paths.append(path)
            else:
                pkg.warn(f"attachment {path} is listed but missing from the package")
    if not paths:
        paths = [m.name for m in pkg.zf if _INVOICE_XML_NAME.search(m.name)]
    out: list[EmbeddedFile] = []
    for path in paths:
        member = pkg.zf.find(path)
        if member is None:
            continue
        if member.info.file_size > pkg.limits.xml_max_bytes:
            pkg.warn(f"attachment {path} is {member.info.file_size:,} bytes, over the XML limit; not read")
            continue
        data = pkg.read(member)
        if data is not None:
            out.append(EmbeddedFile(name=member.name, data=data))
    return out


# --- entry point ------------------------------------------------------------------------------------------


def read_ofd(source: str, sha256: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read an OFD package: CustomData and CustomTag candidates, embedded invoice XML, page words and QR codes.

    Raises :class:`CorruptFile` when the package has no ``OFD.xml`` or nothing readable at all,
    :class:`UnsafeArchive` for escaping paths and bombs, :class:`UnsafeXml` for DTDs/entities in any part.
    Damaged or missing parts (a page, a template, an attachment, a tag file) become ``Document.warnings``.
    """
    try:
        zf = SafeZip(data, limits)
    except NotImplementedError as exc:  # zipfile's "zip file version N.N", which SafeZip lets through
        raise CorruptFile(f"not a readable ZIP archive ({exc})") from exc
    try:
        doc = Document(source=source, sha256=sha256, format=DocFormat.OFD)
        pkg = _Package(zf, limits, doc.warnings)
        ofd_member = zf.find("OFD.xml")
        if ofd_member is None:
            raise CorruptFile("not an OFD package: the entry file OFD.xml is missing (a plain ZIP archive?)")
        root = _parse(_read_member(zf, ofd_member), "OFD.xml", limits)
        bodies = children(root, "DocBody")
        if not bodies:
            raise CorruptFile("OFD.xml has no DocBody: the package names no document")
        if len(bodies) > 1:
            pkg.warn(f"OFD.xml holds {len(bodies)} documents; only the first was read")
        body = bodies[0]
        doc.candidates.extend(_custom_data(child(body, "DocInfo")))

        doc_root = _text(child(body, "DocRoot"))
        doc_path = resolve_loc("", doc_root) if doc_root else "Doc_0/Document.xml"
        if not doc_root:
            pkg.warn("OFD.xml names no DocRoot; Doc_0/Document.xml assumed")
        doc_xml = pkg.xml(doc_path, "document root", missing="pages are looked for by file name")
        info = _read_doc_info(pkg, doc_path, doc_xml)

        pages = _PageReader(pkg, info)
        page_ids = {pid.strip(): n for n, (pid, _) in enumerate(info.pages, start=1) if pid}  # CustomTag PageRef
        if len(info.pages) > limits.max_pages:
            pkg.warn(f"OFD has {len(info.pages)} pages; only the first {limits.max_pages} were read")
        for number, (_, path) in enumerate(info.pages[: limits.max_pages], start=1):
            doc.pages.append(pages.read(number, path))

        doc.embedded = _attachments(pkg, info)
        doc.candidates.extend(_tag_candidates(pkg, info, pages, page_ids))
        if not (doc.pages or doc.embedded or doc.candidates):
            raise CorruptFile(f"OFD package holds no readable document ({'; '.join(doc.warnings) or 'no pages'})")
        return doc
    finally:
        zf.close()
