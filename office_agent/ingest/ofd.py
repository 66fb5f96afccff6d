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
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PIL import Image

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import CorruptFile, UnsafeArchive
from office_agent.ingest.archive import Member, SafeZip, safe_member_name
from office_agent.ingest.jbig2 import MAGIC as JBIG2_MAGIC
from office_agent.ingest.jbig2 import decode_jbig2
from office_agent.ingest.ofd_text import MM, Box, Layout, TextObject, floats, page_words, read_layout
from office_agent.ingest.qr import decode_qr
from office_agent.ingest.safexml import child, children, local, parse_xml
from office_agent.models import BBox, Candidate, DocFormat, Document, EmbeddedFile, Page, Provenance, Source

log = logging.getLogger(__name__)

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
    box = floats(_text(child(el, "PhysicalBox")), 4)
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
    annotations: str | None = None  # Annotations.xml: per page, stamps and watermarks drawn over it


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
        info.annotations = pkg.resolve(info.dir, _text(child(root, "Annotations")), "annotations")
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
        ``Format="GBIG2"`` in real files, sic: the QR of legacy invoices) through PDFium's decoder."""
        if res_id not in self._qr:
            self._qr[res_id] = []
            path = self.media(res_id)
            data = self.pkg.read(path) if path else None
            if path is None:
                self.pkg.warn(f"image object names resource {res_id}, which no resource file declares")
            elif data is None:
                self.pkg.warn(f"image {path} is missing from the package")
            elif data.startswith(JBIG2_MAGIC):
                image = decode_jbig2(data)
                self._qr[res_id] = decode_qr(image) if image is not None else []
            elif not data.startswith(_DECODABLE):
                log.debug("image %s is not in a format PIL reads; its QR is not decoded", path)
            else:
                self._qr[res_id] = _decode_image(data, path)
        return self._qr[res_id]


_DECODABLE = (b"\x89PNG", b"\xff\xd8", b"BM", b"GIF8", b"II*\x00", b"MM\x00*")


def _qr_payloads(layouts: list[Layout], res: _Resources) -> list[str]:
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
    def __init__(self, pkg: _Package, info: _DocInfo, res: _Resources):
        self.pkg = pkg
        self.info = info
        self.res = res
        self._templates: dict[str, Layout | None] = {}
        self.objects: dict[int, dict[str, tuple[TextObject, Box]]] = {}  # page number → object ID → object

    def template(self, tpl_id: str, page_no: int) -> Layout | None:
        path = self.info.templates.get(tpl_id)
        if path is None:
            self.pkg.warn(f"page {page_no} uses template {tpl_id}, which Document.xml does not declare")
            return None
        if path not in self._templates:
            root = self.pkg.xml(path, "template", missing="the printed labels of its pages are not read")
            self._templates[path] = read_layout(root) if root is not None else None
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
        box = Box(physical)
        page = Page(number=number, width=box.w * MM, height=box.h * MM)
        if root is None:
            return page
        background: list[Layout] = []
        foreground: list[Layout] = []
        for tpl in children(root, "Template"):
            layout = self.template((tpl.get("TemplateID") or "").strip(), number)
            if layout is not None:
                (foreground if tpl.get("ZOrder") == "Foreground" else background).append(layout)
        content = read_layout(root)
        layouts = [*background, content, *foreground]
        page.words = page_words([layout.texts for layout in layouts], box)
        page.qr_payloads = _qr_payloads([content, *background, *foreground], self.res)
        index: dict[str, tuple[TextObject, Box]] = {}
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


@dataclass
class OpenOfd:
    """An opened package, for readers of its parts (the page renderer): safe part access, the document root's
    declarations, and its image resources. Warnings about damaged parts collect in ``warnings``."""

    pkg: _Package
    body: ET.Element
    info: _DocInfo
    resources: _Resources
    warnings: list[str]


@contextmanager
def open_ofd(data: bytes, limits: Limits = DEFAULT_LIMITS, warnings: list[str] | None = None) -> Iterator[OpenOfd]:
    """Open an OFD package through the safe ZIP and XML readers: ``OFD.xml``, its first document and
    ``Document.xml``. Raises as :func:`read_ofd` does for a package with no ``OFD.xml`` or no ``DocBody``."""
    try:
        zf = SafeZip(data, limits)
    except NotImplementedError as exc:  # zipfile's "zip file version N.N", which SafeZip lets through
        raise CorruptFile(f"not a readable ZIP archive ({exc})") from exc
    try:
        warned = [] if warnings is None else warnings
        pkg = _Package(zf, limits, warned)
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
        doc_root = _text(child(body, "DocRoot"))
        doc_path = resolve_loc("", doc_root) if doc_root else "Doc_0/Document.xml"
        if not doc_root:
            pkg.warn("OFD.xml names no DocRoot; Doc_0/Document.xml assumed")
        doc_xml = pkg.xml(doc_path, "document root", missing="pages are looked for by file name")
        info = _read_doc_info(pkg, doc_path, doc_xml)
        yield OpenOfd(pkg, body, info, _Resources(pkg, info.res_files), warned)
    finally:
        zf.close()


def read_ofd(source: str, sha256: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read an OFD package: CustomData and CustomTag candidates, embedded invoice XML, page words and QR codes.

    Raises :class:`CorruptFile` when the package has no ``OFD.xml`` or nothing readable at all,
    :class:`UnsafeArchive` for escaping paths and bombs, :class:`UnsafeXml` for DTDs/entities in any part.
    Damaged or missing parts (a page, a template, an attachment, a tag file) become ``Document.warnings``.
    """
    doc = Document(source=source, sha256=sha256, format=DocFormat.OFD)
    with open_ofd(data, limits, doc.warnings) as ofd:
        pkg, info = ofd.pkg, ofd.info
        doc.candidates.extend(_custom_data(child(ofd.body, "DocInfo")))
        pages = _PageReader(pkg, info, ofd.resources)
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
