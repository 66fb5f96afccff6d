"""Hostile guides, generated: every class of bad input the checklist path must survive, each with its outcome.

    python -m hostile.guides OUT_DIR [--heavy]        (from tests/; tests call build_guide_corpus themselves)

Next to them sit two good guides, which must still be answered. ``heavy`` adds the sizes the issue names: a DOCX
member inflating to 1.5 GB, a 300,000-row HTML table and a 5,000-page PDF (the light corpus has smaller ones that
cross the same limits). Every file is built here from scratch.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from hostile.generate import FAILED, GOOD, PARTIAL, Case, _writer, png_header

GOOD_MD = "# 居住证办理指南\n\n## 申请材料\n\n1. 居民身份证原件\n2. 近期一寸免冠照片2张\n3. 居住证申领登记表\n"
_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document_xml(paragraphs: list[str], prolog: str = "") -> str:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    head = f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{_W}">'
    return f"{head}<w:body>{body}</w:body></w:document>"


def docx_of(document: str | bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal DOCX package (content types, relationships, document) plus ``extra`` members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def docx_bomb(inflated: int) -> bytes:
    """A DOCX whose ``word/media/image1.bin`` inflates to ``inflated`` bytes of zeros (written in streaming)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document_xml(["申请材料", "居民身份证"]))
        block = bytes(1 << 20)
        info = zipfile.ZipInfo("word/media/image1.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            for _ in range(inflated >> 20):
                fh.write(block)
    return buf.getvalue()


def docx_many_members(count: int) -> bytes:
    return docx_of(document_xml(["申请材料"]), {f"word/media/m{i}.xml": b"<a/>" for i in range(count)})


def docx_nested(depth: int) -> bytes:
    inner = "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    nested = "<w:sdt><w:sdtContent>" * depth + inner + "</w:sdtContent></w:sdt>" * depth
    return docx_of(f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>{nested}</w:body></w:document>')


def docx_huge_text(size: int) -> bytes:
    return docx_of(document_xml(["申请材料", "材" * (size // 3)]))


def html_table(rows: int) -> bytes:
    body = "".join(f"<tr><td>{i}</td><td>材料{i}</td><td>原件</td></tr>" for i in range(rows))
    head = "<html><body><h1>申请材料</h1><table><tr><th>序号</th><th>材料</th><th>形式</th></tr>"
    return f"{head}{body}</table>".encode()


def html_nested(depth: int) -> bytes:
    return ("<html><body>" + "<div>" * depth + "申请材料" + "</div>" * depth + "</body></html>").encode()


def pdf_pages(count: int) -> bytes:
    """``count`` pages, each with a line of text (reportlab: fast, and every page holds text to read)."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(300, 200), invariant=True)
    for i in range(count):
        c.setFont("Helvetica", 10)
        c.drawString(20, 150, f"Page {i + 1}. Documents required: identity card")
        c.showPage()
    c.save()
    return buf.getvalue()


def build_guide_corpus(root: Path, heavy: bool = False) -> list[Case]:
    """Write the hostile guides (and two good ones) under ``root``; returns one :class:`Case` per file."""
    write = _writer(root)
    cases: list[Case] = []

    def add(rel: str, data: bytes, cls: str, statuses: set[str], reason: str | None = None) -> None:
        write(rel, data)
        cases.append(Case(rel, cls, statuses, reason, invariant="reason names the file; the good guides answered"))

    add("good_guide.md", GOOD_MD.encode(), "guide control: valid Markdown guide", GOOD)
    add("good_guide.docx", docx_of(document_xml(["申请材料", "1. 居民身份证原件"])), "guide control: valid DOCX", GOOD)
    bomb = (1536 if heavy else 300) << 20
    add("bomb.docx", docx_bomb(bomb), f"DOCX member inflating to {bomb >> 20} MB", {FAILED}, "over the limit")
    add("members.docx", docx_many_members(3000), "DOCX with 3,000 members", {FAILED}, "more than the limit of 2000")
    entity = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    add("entities.docx", docx_of(document_xml(["&b;"], entity)), "DOCX part declaring entities", {FAILED}, "DTD")
    add("nested.docx", docx_nested(5000), "DOCX nested 5,000 levels deep", {FAILED}, "compresses")
    add("huge_text.docx", docx_huge_text(12 << 20), "DOCX with a 12 MB text node", {FAILED}, "compresses")
    add("truncated.docx", docx_of(document_xml(["申请材料"]))[:300], "truncated DOCX", {FAILED})
    add("not_docx.docx", _zip_without_document(), "ZIP that is not a DOCX", {FAILED}, "not a DOCX")
    rows = 300_000 if heavy else 120_000
    add("table.html", html_table(rows), f"HTML table of {rows:,} rows", {FAILED}, "elements, over the limit")
    add("nested.html", html_nested(100_000), "HTML nested 100,000 levels deep", {FAILED}, "deep, over the limit")
    add("bomb.png", png_header(100_000, 100_000), "guide image with an enormous declared size", {FAILED, "skipped"})
    add("empty.md", b"", "zero-byte guide", {FAILED}, "file is empty")
    pages = 5000 if heavy else 2500
    add("pages.pdf", pdf_pages(pages), f"PDF guide of {pages:,} pages", {PARTIAL}, "only the first 2000")
    return cases


def _zip_without_document() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a document")
    return buf.getvalue()


if __name__ == "__main__":
    out = Path(sys.argv[1])
    for case in build_guide_corpus(out, heavy="--heavy" in sys.argv):
        print(f"{case.path}\t{case.cls}")
