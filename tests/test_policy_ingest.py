"""Policy documents in: structure, numbering levels, sections, offsets, and bad input."""

from __future__ import annotations

import io
import time

import psutil
import pytest
from hostile.generate import pdf_unloadable_page
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import CJK_FONT, POLICY_SAMPLES, pdf_bytes, scanned_pdf_bytes

from office_agent.errors import CorruptFile, EmptyFile, NeedsOcr, UnsupportedFormat
from office_agent.policy.ingest.docs import detect_kind, read_policy_bytes
from office_agent.policy.ingest.structure import split_marker
from office_agent.policy_models import BlockKind, DocKind, DocLimits, ItemKind, PolicyDocument


def _offsets_hold(doc: PolicyDocument) -> None:
    for block in doc.blocks:
        assert doc.text[block.location.start : block.location.end] == block.text


@pytest.mark.parametrize(
    ("text", "marker", "rank"),
    [
        ("一、申请材料", "一、", 4),
        ("（一）首次申请", "（一）", 5),
        ("(二) 换发", "(二)", 5),
        ("1. 居民身份证", "1.", 6),
        ("3、户口簿", "3、", 6),
        ("（1）原件", "（1）", 7),
        ("①复印件", "①", 8),
        ("第六条 公民申请普通护照", "第六条", 3),
        ("第二章 出差审批", "第二章", 1),
        ("(a) proof of citizenship", "(a)", 7),
        ("(iv) a photo", "(iv)", 8),
        ("- bullet", "-", 9),
        ("Step 2: submit", "Step 2:", 6),
    ],
)
def test_numbering_levels(text: str, marker: str, rank: int) -> None:
    got_marker, got_rank, rest = split_marker(text)
    assert (got_marker, got_rank) == (marker, rank)
    assert rest and not rest.startswith(" ")


def test_numbers_that_are_not_markers() -> None:
    assert split_marker("1.5万元以下")[0] is None
    assert split_marker("2025年1月1日起施行")[0] is None


def test_chinese_text_levels_and_sections() -> None:
    text = (
        "杭州市某事项办理指南\n\n一、申请材料\n（一）首次申请\n1. 居民身份证原件。\n2. 户口簿原件。\n"
        "（二）未满16周岁的\n1. 出生医学证明。\n二、收费标准\n每本120元。\n"
    )
    doc = read_policy_bytes("guide.txt", text.encode())
    _offsets_hold(doc)
    assert doc.kind == DocKind.TEXT and doc.title == "杭州市某事项办理指南"
    by_text = {b.text: b for b in doc.blocks}
    assert by_text["申请材料"].kind == BlockKind.HEADING
    assert by_text["首次申请"].kind == BlockKind.HEADING
    id_card = by_text["居民身份证原件。"]
    assert id_card.kind == BlockKind.LIST_ITEM and id_card.marker == "1."
    assert id_card.location.section[-2:] == ("一、申请材料", "（一）首次申请")
    assert by_text["出生医学证明。"].location.section[-1] == "（二）未满16周岁的"
    assert by_text["每本120元。"].location.section[-1] == "二、收费标准"


def test_short_numbered_siblings_are_items_not_headings() -> None:
    doc = read_policy_bytes("x.txt", "材料清单\n\n（一）居民身份证\n（二）户口簿\n（三）照片\n".encode())
    kinds = {b.text: b.kind for b in doc.blocks}
    assert kinds["居民身份证"] == kinds["户口簿"] == kinds["照片"] == BlockKind.LIST_ITEM


def test_markdown_lists_tables_and_navigation() -> None:
    md = (
        "1. [Home](/)\n2. [Travel](/travel)\n\n# Apply\n\n## What you need\n\n"
        "1. **Personal documents** including:\n   * Original proof of citizenship\n   * A photo ID\n"
        "2. [**Passport photo**](https://example.gov/photos)\n\n"
        "| Item | Fee |\n|---|---|\n| Book | $130 |\n"
    )
    doc = read_policy_bytes("page.md", md.encode())
    _offsets_hold(doc)
    texts = [b.text for b in doc.blocks]
    assert "Home" not in texts and "Travel" not in texts  # site navigation dropped
    assert "Passport photo" in texts  # a link to another site is content
    proof = next(b for b in doc.blocks if b.text == "Original proof of citizenship")
    assert doc.blocks[proof.parent or 0].text == "Personal documents including:"
    row = next(b for b in doc.blocks if b.kind == BlockKind.TABLE_ROW)
    assert row.cells == ["Book", "$130"] and row.header == ["Item", "Fee"]


def test_html_scripts_and_navigation_are_dropped() -> None:
    doc = read_policy_bytes(str(POLICY_SAMPLES / "residence_permit.html"),
                            (POLICY_SAMPLES / "residence_permit.html").read_bytes())  # fmt: skip
    _offsets_hold(doc)
    assert doc.title == "杭州市居住证申领指南"
    for chrome in ("gtag", "脚本", "首页", "版权所有", "积分落户", "Cookie", "分享到", "访问量"):
        assert chrome not in doc.text, chrome
    assert any(b.kind == BlockKind.TABLE_ROW and "上城区" in b.text for b in doc.blocks)


def test_html_that_is_only_scripts_and_navigation() -> None:
    page = b"<html><head><script>var a=1;</script></head><body><nav><a href='/'>Home</a></nav>" \
           b"<script>track()</script><footer>(c) gov</footer></body></html>"  # fmt: skip
    with pytest.raises(EmptyFile, match="scripts and navigation"):
        read_policy_bytes("menu.html", page)


@pytest.mark.parametrize("data", [b"", b"   \n\t  "])
def test_empty_documents(data: bytes) -> None:
    with pytest.raises(EmptyFile, match="empty"):
        read_policy_bytes("empty.md", data)


def test_empty_docx_and_pdf_without_text(tmp_path: object) -> None:
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    with pytest.raises(EmptyFile):
        read_policy_bytes("blank.docx", buf.getvalue())
    with pytest.raises(EmptyFile, match="no text"):
        read_policy_bytes("blank.pdf", pdf_bytes([[]]))


def test_scanned_pdf_without_an_ocr_engine_says_so() -> None:
    from office_agent.ingest.ocr import default_engine_name, set_default_engine

    before = default_engine_name()
    set_default_engine("null")
    try:
        with pytest.raises(NeedsOcr, match="OCR read nothing"):
            read_policy_bytes("scan.pdf", scanned_pdf_bytes())
    finally:
        set_default_engine(before)


@pytest.mark.slow
def test_scanned_guide_is_read_by_ocr() -> None:
    """The sample ID-card guide printed and scanned (pages as pictures only): OCR recovers its materials."""
    import io
    import json

    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from office_agent.policy.checklist import build_checklist

    source = POLICY_SAMPLES / "id_card_renewal.pdf"
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in pdfium.PdfDocument(source):
        w, h = page.get_size()
        png = io.BytesIO()
        page.render(scale=200 / 72).to_pil().convert("L").save(png, "PNG")
        c.setPageSize((w, h))
        c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, width=w, height=h)
        c.showPage()
    c.save()
    doc = read_policy_bytes("scan.pdf", buf.getvalue())
    assert any("read by OCR" in w for w in doc.warnings)
    truth = json.loads((POLICY_SAMPLES / "id_card_renewal.truth.json").read_text(encoding="utf-8"))
    # every material is in the OCR text ...
    assert all(any(k in doc.text for k in m["match"]) for m in truth["materials"])
    # ... and the scan's ruled table is rebuilt, so the rows that name a condition become conditional items
    items = build_checklist([doc], None).items(ItemKind.MATERIAL)
    for m in truth["materials"]:
        item = next((i for i in items if all(k in i.text for k in m["match"])), None)
        assert item is not None, (m["id"], [i.text for i in items])
        assert set(m["conditions"]) <= {c.kind.value for c in item.conditions}, (m["id"], item.conditions)


def test_unsupported_and_corrupt_inputs() -> None:
    with pytest.raises(UnsupportedFormat, match="docx"):
        read_policy_bytes("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(CorruptFile, match="not a readable image"):
        read_policy_bytes("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    with pytest.raises(CorruptFile):
        read_policy_bytes("broken.pdf", b"%PDF-1.7\n garbage")
    assert detect_kind("notes", "标题\n\n正文".encode()) == DocKind.TEXT
    assert detect_kind("notes", b"# Title\n\n- item\n") == DocKind.MARKDOWN


def test_gb18030_text_is_decoded() -> None:
    doc = read_policy_bytes("gbk.txt", "申请材料\n\n1. 居民身份证原件\n".encode("gb18030"))
    assert any(b.text == "居民身份证原件" for b in doc.blocks)


@pytest.mark.skipif(not CJK_FONT.exists(), reason="fonts-wqy-microhei is not installed")
def test_pdf_headings_by_font_size_and_wrapped_lines() -> None:
    data = pdf_bytes([[(18, "护照办理指南"), (14, "一、申请材料"), (10.5, "1. 居民身份证原件及复印件，复印件须"),
                       (10.5, "使用A4纸。"), (10.5, "2. 户口簿原件。")]])  # fmt: skip
    doc = read_policy_bytes("g.pdf", data)
    _offsets_hold(doc)
    assert doc.title == "护照办理指南" and doc.pages == 1
    assert [b.text for b in doc.blocks if b.kind == BlockKind.LIST_ITEM] == [
        "居民身份证原件及复印件，复印件须使用A4纸。",
        "户口簿原件。",
    ]
    assert all(b.location.page == 1 for b in doc.blocks)


def test_pdf_sample_table_rows_come_from_pdfplumber() -> None:
    path = POLICY_SAMPLES / "id_card_renewal.pdf"
    doc = read_policy_bytes(str(path), path.read_bytes())
    rows = [b for b in doc.blocks if b.kind == BlockKind.TABLE_ROW]
    assert len(rows) == 6 and rows[0].header[1] == "材料名称" and rows[3].cells[1] == "监护人居民身份证"
    assert "监护人居民身份证" not in [b.text for b in doc.blocks if b.kind != BlockKind.TABLE_ROW]


@pytest.mark.slow
def test_500_page_pdf_is_read_in_bounded_time_and_memory() -> None:
    from office_agent.policy.checklist import build_checklist

    page = [(16.0, "Chapter {n} General provisions")] + [
        (10.5, f"Article {k}. The applicant shall submit the application form and a recent photo.") for k in range(30)
    ]
    pages = [[(size, text.format(n=n)) for size, text in page] for n in range(500)]
    data = pdf_bytes(pages, rules=True)
    process = psutil.Process()
    rss = process.memory_info().rss
    started = time.perf_counter()
    doc = read_policy_bytes("huge.pdf", data, DocLimits(max_table_pages=50))
    checklist = build_checklist([doc], "application form")
    elapsed = time.perf_counter() - started
    grown = (process.memory_info().rss - rss) / 2**20
    assert doc.pages == 500 and len(doc.blocks) > 15_000
    assert checklist.procedures and checklist.items()
    assert elapsed < 90, f"{elapsed:.1f} s"
    assert grown < 1024, f"{grown:.0f} MiB"
    assert any("tables were looked for" in w for w in doc.warnings)


def test_unloadable_page_costs_that_page_only() -> None:
    data = pdf_unloadable_page()
    with pytest.raises(EmptyFile, match="no text"):  # the broken page is skipped; the other one is blank
        read_policy_bytes("broken-page.pdf", data)


def test_page_limit_is_reported() -> None:
    data = pdf_bytes([[(12.0, f"Page {n} text about fees")] for n in range(5)])
    doc = read_policy_bytes("p.pdf", data, DocLimits(max_pages=2))
    assert doc.pages == 5 and any("only the first 2" in w for w in doc.warnings)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一二（）()、.1２ ①\n第条章材料a-*:：# |")), max_size=80))
def test_any_text_gives_consistent_offsets_or_a_clear_error(text: str) -> None:
    try:
        doc = read_policy_bytes("fuzz.md", text.encode())
    except EmptyFile:
        return
    _offsets_hold(doc)
