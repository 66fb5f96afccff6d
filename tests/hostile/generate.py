"""A hostile corpus, generated: every class of bad input the tool must survive, each with its expected outcome.

    python -m hostile.generate OUT_DIR          (from tests/; the test suite calls build_corpus itself)

Each :class:`Case` names a file (relative to the corpus root), its class, the statuses it may end with, and a
piece of the reason it must give. Nothing here is copied from elsewhere: every file is built from scratch.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

OK, PARTIAL, FAILED, SKIPPED = "ok", "partial", "failed", "skipped"
GOOD = {OK, PARTIAL}


@dataclass
class Case:
    path: str  # relative to the corpus root; "a.zip!member" for an archive member
    cls: str
    statuses: set[str]
    reason: str | None = None  # a substring the reason must contain (failed / skipped cases)
    invariant: str = "no crash, reason given, batch completed"
    members: list[str] = field(default_factory=list)


NUMBER = "25330000000000000{:03d}"


def einvoice_xml(n: int, seller: str = "杭州测试科技有限公司", total: str = "106.00") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><EInvoice><Header><EIid>{NUMBER.format(n)}</EIid></Header>'
        f"<EInvoiceData><SellerInformation><SellerIdNum>91330106MA2AX1PX2J</SellerIdNum>"
        f"<SellerName>{seller}</SellerName></SellerInformation><BuyerInformation>"
        f"<BuyerIdNum>91310115MA1H9HD02E</BuyerIdNum><BuyerName>上海乙有限公司</BuyerName></BuyerInformation>"
        f"<BasicInformation><TotalAmWithoutTax>100.00</TotalAmWithoutTax><TotalTaxAm>6.00</TotalTaxAm>"
        f"<TotalTax-includedAmount>{total}</TotalTax-includedAmount></BasicInformation></EInvoiceData>"
        f"<TaxSupervisionInfo><IssueTime>2025-05-06</IssueTime></TaxSupervisionInfo></EInvoice>"
    ).encode()


def invoice_pdf(n: int) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 397), invariant=True)
    c.setFont("STSong-Light", 10)
    c.drawString(180, 360, "电子发票（普通发票）")
    c.drawString(420, 360, f"发票号码：{NUMBER.format(n)}")
    c.drawString(420, 345, "开票日期：2025年05月06日")
    c.drawString(300, 100, "价税合计（大写） 壹佰零陆圆整 （小写）¥106.00")
    c.showPage()
    c.save()
    return buf.getvalue()


def ofd_package(ofd_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", ofd_xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def ofd_xml(n: int, doc_root: str = "Doc_0/Document.xml", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
        f'Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID><ofd:CustomDatas>'
        f'<ofd:CustomData Name="发票号码">{NUMBER.format(n)}</ofd:CustomData>'
        f'<ofd:CustomData Name="开票日期">2025年05月06日</ofd:CustomData>'
        f'<ofd:CustomData Name="合计金额">100.00</ofd:CustomData>'
        f'<ofd:CustomData Name="合计税额">6.00</ofd:CustomData>'
        f"</ofd:CustomDatas></ofd:DocInfo><ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    ).encode()


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def symlink_zip(target: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link.xml")
        info.create_system = 3  # Unix
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, target)
        zf.writestr("ok.xml", einvoice_xml(90))
    return buf.getvalue()


def encrypted_member_zip() -> bytes:
    data = bytearray(zip_of({"secret.xml": einvoice_xml(91)}, zipfile.ZIP_STORED))
    # set the "encrypted" flag bit in the local header and the central directory: the member cannot be read
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(sig)
        flags = struct.unpack_from("<H", data, pos + offset)[0]
        struct.pack_into("<H", data, pos + offset, flags | 0x1)
    return bytes(data)


def gbk_zip(name: str, payload: bytes) -> bytes:
    gbk = name.encode("gbk")
    placeholder = b"p" * len(gbk)
    raw = zip_of({placeholder.decode(): payload})
    return raw.replace(placeholder, gbk)


def nested_bomb() -> bytes:
    inner = zip_of({"zeros.xml": b"<a>" + b"0" * 50_000_000 + b"</a>"})  # ~50 MB of zeros, ~50 KB packed
    return zip_of({"level1.zip": zip_of({"level2.zip": inner})})


def many_members(count: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(f"m{i}.txt", b"x")
    return buf.getvalue()


def pdf_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_encrypted(user: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(invoice_pdf(3))))
    writer.encrypt(user_password=user, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(invoice_pdf(5))))
    js = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('pwned');")}
    )
    writer._root_object[NameObject("/OpenAction")] = js
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_broken_xref() -> bytes:
    data = invoice_pdf(6)
    start = data.rfind(b"startxref")
    return data[:start] + b"startxref\n999999999\n%%EOF\n"


def pdf_reference_loop() -> bytes:
    """A page tree whose /Kids points back at itself, and an object that references itself: naive walkers loop."""
    return (
        b"%PDF-1.7\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 1000000000 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Self 3 0 R >> endobj\n"
        b"4 0 obj << /Length 5 0 R >> stream\nBT ET\nendstream endobj\n"
        b"5 0 obj 5 0 R endobj\n"
        b"trailer << /Root 1 0 R /Size 6 >>\n%%EOF\n"
    )


def pdf_unloadable_page() -> bytes:
    """Two pages, the first of which is not a page object (``42``): PDFium fails to load it; the second is blank."""
    return (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n"
        b"3 0 obj 42 endobj\n"
        b"4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
        b"trailer << /Root 1 0 R /Size 5 >>\n%%EOF\n"
    )


def png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def small_jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


XXE = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE r [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)
EXTERNAL_DTD = '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">'


def _writer(root: Path) -> Callable[[str, bytes], None]:
    def write(rel: str, data: bytes) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return write


def build_corpus(root: Path, heavy: bool = True) -> list[Case]:
    """Write every hostile file under ``root``; ``heavy`` adds the 10,000-page PDF and the 100,000-member ZIP."""
    write = _writer(root)
    cases: list[Case] = []

    def add(rel: str, data: bytes, cls: str, statuses: set[str], reason: str | None = None, **kw: object) -> None:
        write(rel, data)
        cases.append(Case(rel, cls, statuses, reason, **kw))  # type: ignore[arg-type]

    good = {
        "pdf": invoice_pdf(1),
        "ofd": ofd_package(ofd_xml(2)),
        "xml": einvoice_xml(3),
        "zip": zip_of({"inner.xml": einvoice_xml(4)}),
        "png": png_header(32, 32),
        "jpg": small_jpeg(),
    }
    # control cases: valid files, so the corpus proves the good still pass beside the bad
    add("control/invoice.xml", einvoice_xml(10), "control: valid invoice", GOOD)
    add("control/invoice.pdf", invoice_pdf(11), "control: valid invoice", GOOD)
    for ext, data in good.items():
        add(f"truncated/half.{ext}", data[: len(data) // 2], "truncated file", {FAILED, SKIPPED}, "")
        add(f"empty/zero.{ext}", b"", "zero-byte file", {FAILED}, "empty")
    add("pdf/encrypted-empty-password.pdf", pdf_encrypted(""), "PDF encrypted, empty user password", GOOD)
    add("pdf/encrypted-password.pdf", pdf_encrypted("s3cret"), "PDF encrypted with a password", {FAILED}, "qpdf")
    add("pdf/broken-xref.pdf", pdf_broken_xref(), "PDF with a broken xref table", GOOD | {FAILED})
    add("pdf/javascript.pdf", pdf_with_javascript(), "PDF with a JavaScript action", GOOD)
    add("pdf/reference-loop.pdf", pdf_reference_loop(), "PDF with a self-referencing object loop", {FAILED})
    if heavy:
        add("pdf/ten-thousand-pages.pdf", pdf_pages(10_000), "PDF with 10,000 pages", {FAILED}, "not recognised")
    add("img/bomb.png", png_header(100_000, 100_000), "image with an enormous declared size", {FAILED, SKIPPED})
    add("img/truncated.jpg", small_jpeg()[:200], "truncated JPEG", {FAILED, SKIPPED})
    add("img/picture-named.pdf", png_header(16, 16), "wrong extension (PNG named .pdf)", {FAILED, SKIPPED}, "")
    add("zip/dotdot.zip", zip_of({"../../escape.xml": einvoice_xml(20)}), "ZIP member with ../", {FAILED}, "outside")
    absolute = zip_of({"/etc/cron.d/x.xml": einvoice_xml(21)})
    add("zip/absolute.zip", absolute, "ZIP absolute member", {FAILED}, "absolute")
    add("zip/symlink.zip", symlink_zip("/etc/passwd"), "ZIP symlink member", {FAILED}, "symbolic link",
        members=["ok.xml"])  # fmt: skip
    add("zip/nested-bomb.zip", nested_bomb(), "nested ZIP bomb", {FAILED}, "ZIP bomb")
    if heavy:
        add("zip/many-members.zip", many_members(100_000), "ZIP with 100,000 tiny members", {FAILED}, "members")
    add("zip/gbk-names.zip", gbk_zip("发票/数电发票.xml", einvoice_xml(22)), "ZIP with GBK-encoded names", GOOD,
        members=["发票/数电发票.xml"])  # fmt: skip
    add("zip/encrypted-member.zip", encrypted_member_zip(), "ZIP with an encrypted member", {FAILED}, "encrypted")
    add("ofd/xxe.ofd", ofd_package(ofd_xml(30, prolog=XXE)), "OFD whose XML declares an external entity",
        {FAILED}, "DTD")  # fmt: skip
    add("ofd/laughs.ofd", ofd_package(ofd_xml(31, prolog=LAUGHS)), "OFD with billion-laughs entities", {FAILED}, "DTD")
    add("ofd/outside.ofd", ofd_package(ofd_xml(32, doc_root="../../../etc/passwd")),
        "OFD referencing a file outside the package", {FAILED} | GOOD)  # fmt: skip
    add("ofd/missing-parts.ofd", ofd_package(ofd_xml(33)), "OFD with missing parts (no Document.xml)", GOOD)
    add("ofd/no-ofd-xml.ofd", zip_of({"Doc_0/Document.xml": b"<x/>"}), "OFD without OFD.xml", {FAILED}, "")
    add("xml/xxe.xml", XXE.encode() + b"<r>&x;</r>", "XML with an external entity (XXE)", {FAILED}, "DTD")
    add("xml/laughs.xml", LAUGHS.encode() + b"<r>&d;</r>", "XML billion laughs", {FAILED}, "DTD")
    add("xml/external-dtd.xml", EXTERNAL_DTD.encode() + b"<r/>", "XML with an external DTD", {FAILED}, "DTD")
    for i, seller in enumerate(["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,2)"]):
        add(f"formula/inject-{i}.xml", einvoice_xml(40 + i, seller=seller), "text field starting with = + - @",
            GOOD, invariant="never run as a formula in the workbook or CSV")  # fmt: skip
    names = ["new\nline.xml", "tab\tand\x1bescape.xml", ("长" * 83) + "ab.xml"]  # the last: 255 bytes of UTF-8
    for i, name in enumerate(names):
        add(f"names/{name}", einvoice_xml(50 + i), "file name with newline, control characters or 255 bytes", GOOD)
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.xml").write_bytes(einvoice_xml(60))
    link = root / "links" / "to-outside.xml"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        os.symlink(outside / "secret.xml", link)
    cls = "symlink in the input folder pointing outside"
    cases.append(Case("links/to-outside.xml", cls, {SKIPPED}, "not followed"))
    return cases


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for case in build_corpus(out):
        print(f"{case.cls:55s} {case.path}")
