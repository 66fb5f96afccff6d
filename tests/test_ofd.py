"""OFD reader and the legacy/XBRL invoice XML mappings.

Real files are read from ../shared/realdata/cn/ofd at run time (skipped when absent); their expected values were
checked by hand against the printed documents (and ../shared/eval/dev_labels.jsonl). Hostile and damaged packages
are built here, in memory.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from office_agent.config import Limits
from office_agent.errors import CorruptFile, OfficeAgentError, UnsafeArchive, UnsafeXml
from office_agent.extract.normalize import digits_only, normalize_tax_id, parse_date, parse_money
from office_agent.extract.xml_legacy import extract_legacy_einvoice, extract_xbrl, is_legacy_einvoice, is_xbrl
from office_agent.ingest.ofd import read_ofd, resolve_loc
from office_agent.ingest.ofd_text import MM, deltas
from office_agent.ingest.safexml import parse_xml
from office_agent.models import Candidate, Document, Extraction, Source

# --- helpers ----------------------------------------------------------------------------------------------

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def zip_bytes(files: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def ofd_xml(doc_root: str = "Doc_0/Document.xml", custom: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} DocType="OFD" Version="1.1"><ofd:DocBody>'
        f"<ofd:DocInfo><ofd:CustomDatas>{custom}</ofd:CustomDatas></ofd:DocInfo>"
        f"<ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )


def document_xml(pages: str = '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>', extra: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData>'
        '<ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/>'
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData>"
        f"<ofd:Pages>{pages}</ofd:Pages>{extra}</ofd:Document>"
    )


def text_obj(obj_id: str, x: float, y: float, text: str, dx: str | None = None, code_x: float = 0) -> str:
    delta = f' DeltaX="{dx}"' if dx else ""
    return (
        f'<ofd:TextObject ID="{obj_id}" Boundary="{x} {y} 60 5" Font="1" Size="3.175">'
        f'<ofd:TextCode X="{code_x}" Y="4"{delta}>{text}</ofd:TextCode></ofd:TextObject>'
    )


def page_xml(objects: str, template: str = '<ofd:Template TemplateID="2" ZOrder="Background"/>') -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}>{template}'
        f'<ofd:Content><ofd:Layer ID="9">{objects}</ofd:Layer></ofd:Content></ofd:Page>'
    )


def basic_files() -> dict[str, str | bytes]:
    """A small but complete invoice OFD: labels in the template, values on the page, tags, CustomData."""
    labels = (
        text_obj("20", 148.5, 11, "发票号码：", "3.175 3.175 3.175 3.175")
        + text_obj("21", 13, 31, "名")
        + text_obj("22", 20, 31, "称")
        + text_obj("23", 24, 31, "：")
    )
    values = (
        text_obj("30", 164, 11.7, "83089647", "g 7 1.5875")
        + text_obj("31", 36, 30, "江苏测试有限公司", "g 7 3.175")
        + text_obj("32", 168, 96, "¥")
        + text_obj("33", 168, 96, "526.00", "g 5 2.3284", code_x=2.3284)
        + text_obj("34", 32, 285.9, "于俪", "3.5278")  # the off-page duplicate real files carry
    )
    tags = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:root {NS}>'
        '<ofd:InvoiceNo><ofd:ObjectRef PageRef="1">30</ofd:ObjectRef></ofd:InvoiceNo>'
        '<ofd:Buyer><ofd:BuyerName><ofd:ObjectRef PageRef="1">31</ofd:ObjectRef></ofd:BuyerName></ofd:Buyer>'
        '<ofd:TaxInclusiveTotalAmount><ofd:ObjectRef PageRef="1">32</ofd:ObjectRef>'
        '<ofd:ObjectRef PageRef="1">33</ofd:ObjectRef></ofd:TaxInclusiveTotalAmount>'
        '<ofd:InvoiceClerk><ofd:ObjectRef PageRef="1">34</ofd:ObjectRef></ofd:InvoiceClerk>'
        "</ofd:root>"
    )
    return {
        "OFD.xml": ofd_xml(
            custom='<ofd:CustomData Name="发票号码">83089647</ofd:CustomData>'
            '<ofd:CustomData Name="template-version">1.0</ofd:CustomData>'
            '<ofd:CustomData Name="价税合计">526.00</ofd:CustomData>'
        ),
        "Doc_0/Document.xml": document_xml(extra="<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags>"),
        "Doc_0/DocumentRes.xml": f'<ofd:Res {NS} BaseLoc="Res"><ofd:MultiMedias></ofd:MultiMedias></ofd:Res>',
        "Doc_0/Pages/Page_0/Content.xml": page_xml(values),
        "Doc_0/Tpls/Tpl_0/Content.xml": page_xml(labels, template=""),
        "Doc_0/Tags/CustomTags.xml": f"<ofd:CustomTags {NS}><ofd:CustomTag><ofd:FileLoc>CustomTag.xml"
        "</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>",
        "Doc_0/Tags/CustomTag.xml": tags,
    }


def read(files: dict[str, str | bytes], limits: Limits | None = None) -> Document:
    data = zip_bytes(files)
    return read_ofd("test.ofd", "0" * 64, data, limits) if limits else read_ofd("test.ofd", "0" * 64, data)


def words(doc: Document, page: int = 0) -> list[str]:
    return [w.text for w in doc.pages[page].words]


def cands(doc: Document, field: str) -> list[Candidate]:
    return [c for c in doc.candidates if c.field == field]


# --- synthetic packages -----------------------------------------------------------------------------------


def test_synthetic_package_words_candidates_and_geometry() -> None:
    doc = read(basic_files())
    assert doc.warnings == []
    page = doc.pages[0]
    assert (round(page.width, 1), round(page.height, 1)) == (round(210 * MM, 1), round(140 * MM, 1))
    texts = words(doc)
    assert "发票号码：" in texts
    assert "名 称：" in texts  # one object per label letter: merged into one run, letter-spaced like a PDF
    assert "江苏测试有限公司" in texts
    assert "¥526.00" in texts  # ¥ and the amount are separate objects
    assert "于俪" not in texts  # placed at y = 286 mm on a 140 mm page
    word = next(w for w in page.words if w.text == "江苏测试有限公司")
    # Boundary x = 36 mm, baseline = 30 + 4 mm: converted to points from the top-left corner
    assert word.bbox[0] == pytest.approx(36 * MM)
    assert word.bbox[1] < 34 * MM < word.bbox[3]

    by_detail = {c.provenance.detail: c for c in doc.candidates}
    assert by_detail["OFD.xml:CustomData[发票号码]"].value == "83089647"
    assert by_detail["OFD.xml:CustomData[价税合计]"].field == "total_amount"
    assert not any("template-version" in (c.provenance.detail or "") for c in doc.candidates)
    tag = by_detail["Doc_0/Tags/CustomTag.xml:BuyerName"]
    assert (tag.field, tag.value, tag.provenance.source, tag.provenance.page) == (
        "buyer_name",
        "江苏测试有限公司",
        Source.OFD,
        1,
    )
    assert tag.provenance.bbox is not None and tag.provenance.bbox[0] == pytest.approx(36 * MM)
    assert by_detail["Doc_0/Tags/CustomTag.xml:TaxInclusiveTotalAmount"].value == "¥526.00"
    assert cands(doc, "drawer") == []  # its only object is off the page


def test_missing_ofd_xml_is_corrupt() -> None:
    files = basic_files()
    del files["OFD.xml"]
    with pytest.raises(CorruptFile, match=r"OFD\.xml"):
        read(files)


def test_member_escaping_the_archive_is_refused() -> None:
    files = basic_files()
    files["../evil.xml"] = "<x/>"
    with pytest.raises(UnsafeArchive):
        read(files)


@pytest.mark.parametrize("part", ["OFD.xml", "Doc_0/Pages/Page_0/Content.xml", "Doc_0/Tags/CustomTag.xml"])
def test_dtd_and_entities_are_refused_in_any_part(part: str) -> None:
    files = basic_files()
    bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    original = files[part]
    assert isinstance(original, str)
    files[part] = bomb + original.split("?>", 1)[1]
    with pytest.raises(UnsafeXml):
        read(files)


def test_part_encodings() -> None:
    files = basic_files()
    files["OFD.xml"] = (
        ofd_xml(custom='<ofd:CustomData Name="发票号码">83089647</ofd:CustomData>')
        .replace('encoding="UTF-8"', 'encoding="GBK"')
        .encode("gbk")
    )
    assert cands(read(files), "invoice_number")[0].provenance.detail == "OFD.xml:CustomData[发票号码]"
    files["OFD.xml"] = ofd_xml().replace('encoding="UTF-8"', 'encoding="UT0-8"')
    with pytest.raises(CorruptFile, match="unknown encoding"):
        read(files)


def test_truncated_zip_is_corrupt() -> None:
    data = zip_bytes(basic_files())
    with pytest.raises(CorruptFile):
        read_ofd("t.ofd", "0" * 64, data[: len(data) // 2])


def test_not_a_zip_is_corrupt() -> None:
    with pytest.raises(CorruptFile):
        read_ofd("t.ofd", "0" * 64, b"PK\x03\x04 this is not really a zip")


def garbled(files: dict[str, str | bytes], member: str) -> bytes:
    """The package with the deflated bytes of one member overwritten (inflate or the CRC check fails)."""
    data = bytearray(zip_bytes(files))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + 8] = b"\xff" * 8
    return bytes(data)


def test_damaged_member_is_a_warning() -> None:
    doc = read_ofd("t.ofd", "0" * 64, garbled(basic_files(), "Doc_0/Pages/Page_0/Content.xml"))
    assert doc.pages[0].words == []
    assert any("Content.xml" in w and "cannot be read" in w for w in doc.warnings)
    with pytest.raises(CorruptFile):
        read_ofd("t.ofd", "0" * 64, garbled(basic_files(), "OFD.xml"))


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_flipped_bytes_raise_only_project_errors(data: st.DataObject) -> None:
    package = bytearray(zip_bytes(basic_files()))
    for _ in range(data.draw(st.integers(1, 4))):
        package[data.draw(st.integers(0, len(package) - 1))] = data.draw(st.integers(0, 255))
    with contextlib.suppress(OfficeAgentError):
        read_ofd("t.ofd", "0" * 64, bytes(package))


def test_missing_page_part_is_a_warning_and_the_rest_is_read() -> None:
    files = basic_files()
    del files["Doc_0/Pages/Page_0/Content.xml"]
    doc = read(files)
    assert len(doc.pages) == 1 and doc.pages[0].words == []  # page numbering stays aligned
    assert any("Page_0/Content.xml is missing" in w for w in doc.warnings)
    assert cands(doc, "invoice_number")[0].value == "83089647"  # CustomData still read
    assert [c.provenance.detail for c in cands(doc, "invoice_number")] == ["OFD.xml:CustomData[发票号码]"]


def test_broken_page_xml_is_a_warning() -> None:
    files = basic_files()
    files["Doc_0/Pages/Page_0/Content.xml"] = "<ofd:Page><unclosed>"
    doc = read(files)
    assert any("not well-formed" in w for w in doc.warnings)
    assert doc.pages[0].words == []


def test_missing_template_is_a_warning() -> None:
    files = basic_files()
    del files["Doc_0/Tpls/Tpl_0/Content.xml"]
    doc = read(files)
    assert "江苏测试有限公司" in words(doc)
    assert "发票号码：" not in words(doc)
    assert any("template" in w and "missing" in w for w in doc.warnings)


def test_undeclared_template_id_is_a_warning() -> None:
    files = basic_files()
    files["Doc_0/Pages/Page_0/Content.xml"] = page_xml(
        text_obj("30", 10, 10, "12345678"), '<ofd:Template TemplateID="77"/>'
    )
    doc = read(files)
    assert "12345678" in words(doc)
    assert any("template 77" in w for w in doc.warnings)


def test_upper_case_folder_names_are_found() -> None:
    files = {
        (k.replace("Doc_0", "DOC_0").replace("Pages/Page_0", "PAGES/PAGE_0") if k != "OFD.xml" else k): v
        for k, v in basic_files().items()
    }
    doc = read(files)
    assert "江苏测试有限公司" in words(doc)
    assert doc.warnings == []


def test_reference_outside_the_package_is_refused() -> None:
    files = basic_files()
    files["OFD.xml"] = ofd_xml(doc_root="../../etc/Document.xml")
    with pytest.raises(UnsafeArchive):
        read(files)
    files = basic_files()
    files["Doc_0/Document.xml"] = document_xml(pages='<ofd:Page ID="1" BaseLoc="../../../x/Content.xml"/>')
    doc = read(files)  # a page that points outside is not read, the rest is
    assert any("outside the archive" in w for w in doc.warnings)
    with pytest.raises(UnsafeArchive):
        resolve_loc("Doc_0", "C:\\Windows\\win.ini")
    assert resolve_loc("Doc_0/Tags", "/Doc_0/Signs/Signatures.xml") == "Doc_0/Signs/Signatures.xml"


def test_orphan_page_and_missing_page_list() -> None:
    files = basic_files()
    files["Doc_0/Pages/Page_9/Content.xml"] = page_xml(text_obj("90", 10, 10, "orphan"))
    doc = read(files)
    assert len(doc.pages) == 1 and any("Page_9" in w for w in doc.warnings)

    files = basic_files()
    files["Doc_0/Document.xml"] = document_xml(pages="")
    doc = read(files)
    assert "江苏测试有限公司" in words(doc)
    assert any("lists no pages" in w for w in doc.warnings)


def test_missing_object_id_in_tags_is_a_warning() -> None:
    files = basic_files()
    tags = files["Doc_0/Tags/CustomTag.xml"]
    assert isinstance(tags, str)
    files["Doc_0/Tags/CustomTag.xml"] = tags.replace(">30<", ">999<")
    doc = read(files)
    assert [c.provenance.detail for c in cands(doc, "invoice_number")] == ["OFD.xml:CustomData[发票号码]"]
    assert any("'999'" in w for w in doc.warnings)


def test_malformed_custom_tag_file_is_read_leniently() -> None:
    """Two real files write ``<:eInvoice xmlns:="">`` with an undeclared ``ofd:`` prefix."""
    files = basic_files()
    files["Doc_0/Tags/CustomTag.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<:eInvoice xmlns:=""><InvoiceNo>'
        '<ofd:ObjectRef PageRef="1">30</ofd:ObjectRef></InvoiceNo></:eInvoice>'
    )
    doc = read(files)
    assert [c.value for c in cands(doc, "invoice_number") if "CustomTag" in (c.provenance.detail or "")] == ["83089647"]
    assert any("not well-formed" in w for w in doc.warnings)


def test_max_pages_is_respected() -> None:
    files = basic_files()
    files["Doc_0/Document.xml"] = document_xml(
        pages="".join(f'<ofd:Page ID="{i}" BaseLoc="Pages/Page_0/Content.xml"/>' for i in range(1, 6))
    )
    doc = read(files, Limits(max_pages=2))
    assert len(doc.pages) == 2
    assert any("only the first 2" in w for w in doc.warnings)


def test_attachments_listed_missing_and_found_by_name() -> None:
    files = basic_files()
    files["Doc_0/Document.xml"] = document_xml(extra="<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>")
    files["Doc_0/Attachs/Attachments.xml"] = (
        f'<ofd:Attachments {NS}><ofd:Attachment ID="98" Name="original_invoice" Format="xml">'
        "<ofd:FileLoc>original_invoice.xml</ofd:FileLoc></ofd:Attachment></ofd:Attachments>"
    )
    files["Doc_0/Attachs/original_invoice.xml"] = "<eInvoice/>"
    doc = read(files)
    assert [e.name for e in doc.embedded] == ["Doc_0/Attachs/original_invoice.xml"]

    del files["Doc_0/Attachs/original_invoice.xml"]
    files["Doc_0/Attachs/inv_ord_issuer_20240101_1.xml"] = "<xbrl/>"
    doc = read(files)  # the listed file is missing; the XBRL instance is found by its name
    assert [e.name for e in doc.embedded] == ["Doc_0/Attachs/inv_ord_issuer_20240101_1.xml"]
    assert any("listed but missing" in w for w in doc.warnings)


def test_qr_png_is_decoded_and_a_broken_jbig2_is_skipped() -> None:
    segno = pytest.importorskip("segno")
    payload = "01,10,033002000211,83089647,510.68,20200723,16197833567414507415,0941,"
    png = io.BytesIO()
    segno.make(payload, error="m").save(png, kind="png", scale=4)
    files = basic_files()
    files["Doc_0/DocumentRes.xml"] = (
        f'<ofd:Res {NS} BaseLoc="Res"><ofd:MultiMedias>'
        '<ofd:MultiMedia ID="78" Type="Image" Format="PNG"><ofd:MediaFile>qr.png</ofd:MediaFile></ofd:MultiMedia>'
        '<ofd:MultiMedia ID="79" Type="Image" Format="GBIG2"><ofd:MediaFile>qr.jb2</ofd:MediaFile></ofd:MultiMedia>'
        "</ofd:MultiMedias></ofd:Res>"
    )
    files["Doc_0/Res/qr.png"] = png.getvalue()
    files["Doc_0/Res/qr.jb2"] = b"\x97JB2\r\n\x1a\n" + b"\x00" * 40
    images = '<ofd:ImageObject ID="5" Boundary="8.5 3.5 20 20" ResourceID="79"/>'
    files["Doc_0/Pages/Page_0/Content.xml"] = page_xml(images)
    assert read(files).pages[0].qr_payloads == []  # a JBIG2 stream PDFium cannot decode: skipped without failing
    files["Doc_0/Pages/Page_0/Content.xml"] = page_xml(images.replace('"79"', '"78"'))
    assert read(files).pages[0].qr_payloads == [payload]
    files["Doc_0/Res/qr.png"] = b"\x89PNG\r\n\x1a\n broken"
    assert read(files).pages[0].qr_payloads == []


def test_text_layout_facts() -> None:
    """Vertical labels, the four-line 密码区 TextCode, CTM scaling and a hostile ``g`` repeat count."""
    objects = (
        '<ofd:TextObject ID="1" Boundary="6.6 32.8 4.11 17.2" Size="3.175">'
        '<ofd:TextCode X="0.25" Y="3.15" DeltaY="6.35 6.35">购买方</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject ID="2" Boundary="126.3 31 77 20" Size="4.2333">'
        '<ofd:TextCode X="3" Y="4.6" DeltaX="g 3 2.5 -7.5 g 3 2.5" DeltaY="g 3 0 4.5 g 3 0">ABCDEFGH</ofd:TextCode>'
        "</ofd:TextObject>"
        '<ofd:TextObject ID="3" CTM="0.89 0 0 1 0 0" Boundary="11 44 67.5 3.3" Size="3.175">'
        '<ofd:TextCode X="0" Y="3" DeltaX="3.175 3.175">名称：</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject ID="4" Boundary="11 60 67.5 3.3" Size="3.175">'
        '<ofd:TextCode X="0" Y="3" DeltaX="g 999999999999 1 nan inf">12</ofd:TextCode></ofd:TextObject>'
    )
    files = basic_files()
    files["Doc_0/Pages/Page_0/Content.xml"] = page_xml(objects, template="")
    doc = read(files)
    page = doc.pages[0]
    texts = [w.text for w in page.words]
    assert texts[:3] == ["购", "买", "方"]
    vertical = page.words[:3]
    assert vertical[0].bbox[0] == pytest.approx(vertical[2].bbox[0])  # x stays put in vertical text
    assert vertical[0].bbox[1] < vertical[1].bbox[1] < vertical[2].bbox[1]
    assert "ABCD" in texts and "EFGH" in texts
    scaled = next(w for w in page.words if w.text == "名称：")
    assert scaled.bbox[2] - scaled.bbox[0] == pytest.approx(3 * 3.175 * 0.89 * MM, rel=0.01)
    assert "12" in texts


# --- property tests ---------------------------------------------------------------------------------------


@given(st.text(alphabet="g0123456789.-e naif", max_size=40), st.integers(min_value=-2, max_value=50))
def test_deltas_never_raise(spec: str, need: int) -> None:
    out = deltas(spec, need)
    assert len(out) <= max(need, 0)


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=20).filter(lambda s: "]]>" not in s),
    st.text(alphabet="0123456789 .-geE", max_size=20),
    st.text(alphabet="0123456789 .-,", max_size=20),
)
def test_odd_text_objects_never_raise_foreign_errors(text: str, delta: str, boundary: str) -> None:
    obj = (
        f'<ofd:TextObject ID="1" Boundary="{boundary}" Size="{delta[:5]}" CTM="{boundary}">'
        f'<ofd:TextCode X="{delta[:3]}" Y="4" DeltaX="{delta}" DeltaY="{delta[::-1]}"><![CDATA[{text}]]>'
        "</ofd:TextCode></ofd:TextObject>"
    )
    files = basic_files()
    files["Doc_0/Pages/Page_0/Content.xml"] = page_xml(obj)
    with contextlib.suppress(OfficeAgentError):
        read(files)


# --- the XML mappings -------------------------------------------------------------------------------------

LEGACY = """<?xml version="1.0" encoding="utf-8"?>
<eInvoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019" Version="1.0">
  <fp:InvoiceCode>011001900311</fp:InvoiceCode><fp:InvoiceNo>21010038</fp:InvoiceNo><fp:TypeCode>1</fp:TypeCode>
  <fp:IssueDate>2020年04月07日</fp:IssueDate><fp:InvoiceCheckCode>01731581649436515692</fp:InvoiceCheckCode>
  <fp:Buyer><fp:BuyerName>测试购方</fp:BuyerName><fp:BuyerTaxID>
  </fp:BuyerTaxID></fp:Buyer>
  <fp:Seller><fp:SellerName>测试销方</fp:SellerName><fp:SellerTaxID>91500102563638729E</fp:SellerTaxID></fp:Seller>
  <fp:TaxInclusiveTotalAmount>-113.00</fp:TaxInclusiveTotalAmount>
  <fp:TaxInclusiveTotalAmountWithWords>（负数）壹佰壹拾叁圆整</fp:TaxInclusiveTotalAmountWithWords>
  <fp:TaxTotalAmount>-13.00</fp:TaxTotalAmount><fp:TaxExclusiveTotalAmount>-100.00</fp:TaxExclusiveTotalAmount>
  <fp:GraphCode>01,04,011001900311,21010038,-100.00,20200407,01731581649436515692,ABCD</fp:GraphCode>
  <fp:Note>对应正数发票代码:011001900311号码:21010037</fp:Note><fp:InvoiceClerk>张三</fp:InvoiceClerk>
  <fp:OriginalInvoiceNo>21010037</fp:OriginalInvoiceNo>
  <fp:GoodsInfos>
    <fp:GoodsInfo><fp:Item>*谷物*稻谷</fp:Item><fp:Specification></fp:Specification>
      <fp:MeasurementDimension>克</fp:MeasurementDimension><fp:Price>97.09</fp:Price><fp:Quantity>-1</fp:Quantity>
      <fp:Amount>-100.00</fp:Amount><fp:TaxScheme>0.13</fp:TaxScheme><fp:TaxAmount>-13.00</fp:TaxAmount></fp:GoodsInfo>
    <fp:GoodsInfo><fp:Item>坏数字</fp:Item><fp:Quantity>一</fp:Quantity><fp:Amount>1,2x</fp:Amount>
      <fp:TaxScheme>免税</fp:TaxScheme><fp:TaxAmount>***</fp:TaxAmount></fp:GoodsInfo>
  </fp:GoodsInfos>
</eInvoice>"""

XBRL = """<?xml version="1.0" encoding="UTF-8"?>
<xbrli:xbrl xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:inv="http://xbrl.mof.gov.cn/taxonomy/inv">
  <xbrli:context id="c1"><xbrli:entity><xbrli:identifier scheme="x">91330681MA2BFRQ360</xbrli:identifier>
  </xbrli:entity></xbrli:context>
  <inv:TypeOfInvoice contextRef="c1">增值税专用发票</inv:TypeOfInvoice>
  <inv:CodeOfInvoice contextRef="c1">3300232130</inv:CodeOfInvoice>
  <inv:NumberOfInvoice contextRef="c1">02630221</inv:NumberOfInvoice>
  <inv:DateOfIssue contextRef="c1">2023-09-26</inv:DateOfIssue>
  <inv:IdentifyingCode contextRef="c1">69995434391259060960</inv:IdentifyingCode>
  <inv:NameOfPurchaser contextRef="c1">测试购方有限公司</inv:NameOfPurchaser>
  <inv:TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfPurchaser contextRef="c1">91330681MA7F19UC27
  </inv:TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfPurchaser>
  <inv:NameOfSeller contextRef="c1">测试销方有限公司</inv:NameOfSeller>
  <inv:TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfSeller contextRef="c1">91330681MA2BFRQ360
  </inv:TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfSeller>
  <inv:TotalAmountExcludingTax contextRef="c1" unitRef="CNY" decimals="2">9849.06</inv:TotalAmountExcludingTax>
  <inv:TotalTaxAmount contextRef="c1" unitRef="CNY" decimals="2">590.94</inv:TotalTaxAmount>
  <inv:TaxIncludedAmountInFigures contextRef="c1" unitRef="CNY" decimals="2">10440.00</inv:TaxIncludedAmountInFigures>
  <inv:TaxIncludedAmountInWords contextRef="c1">壹万零肆佰肆拾圆整</inv:TaxIncludedAmountInWords>
  <inv:Issuer contextRef="c1">王丽理</inv:Issuer>
  <inv:Remarks contextRef="c1"></inv:Remarks>
  <inv:InformationOfTaxableGoodsOrServicesDetailItemsTuple>
    <inv:NameOfTaxableGoodsOrServices contextRef="c1">*现代服务*后勤服务</inv:NameOfTaxableGoodsOrServices>
    <inv:UnitPriceOfGoodsOrServices contextRef="c1">9849.06</inv:UnitPriceOfGoodsOrServices>
    <inv:QuantityOfGoodsOrServices contextRef="c1">1</inv:QuantityOfGoodsOrServices>
    <inv:AmountExcludingTax contextRef="c1">9849.06</inv:AmountExcludingTax>
    <inv:TaxRate contextRef="c1">6.00%</inv:TaxRate>
    <inv:TaxAmount contextRef="c1">590.94</inv:TaxAmount>
  </inv:InformationOfTaxableGoodsOrServicesDetailItemsTuple>
</xbrli:xbrl>"""


def fields(ext: Extraction) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in ext.candidates:
        out.setdefault(c.field, c.value)
    return out


def test_legacy_einvoice_mapping() -> None:
    root = parse_xml(LEGACY.encode())
    assert is_legacy_einvoice(root) and not is_xbrl(root)
    ext = extract_legacy_einvoice(root, Source.XML, "Doc_0/Attachs/original_invoice.xml:")
    got = fields(ext)
    assert got["invoice_code"] == "011001900311"
    assert got["invoice_number"] == "21010038"
    assert got["issue_date"] == "2020年04月07日"
    assert "buyer_tax_id" not in got  # white space only: absent, never ""
    assert got["seller_tax_id"] == "91500102563638729E"
    assert (got["amount_without_tax"], got["tax_amount"], got["total_amount"]) == ("-100.00", "-13.00", "-113.00")
    assert got["total_amount_in_words"] == "（负数）壹佰壹拾叁圆整"
    assert got["qr_payload"].startswith("01,04,") and got["qr_type"] == "04"
    assert got["is_red"] == "true" and got["original_invoice_number"] == "21010037"
    assert got["drawer"] == "张三" and got["remarks"].startswith("对应正数")
    detail = next(c.provenance.detail for c in ext.candidates if c.field == "buyer_name")
    assert detail == "Doc_0/Attachs/original_invoice.xml:Buyer/BuyerName"
    first, bad = ext.items
    assert first.name == "*谷物*稻谷" and first.spec is None and first.unit == "克"
    assert (first.quantity, first.unit_price, first.amount, first.tax_amount) == (
        Decimal("-1"),
        Decimal("97.09"),
        Decimal("-100.00"),
        Decimal("-13.00"),
    )
    assert first.tax_rate == "13%"
    assert bad.name == "坏数字" and bad.quantity is None and bad.amount is None  # one bad cell, not the line
    assert bad.tax_rate == "免税" and bad.tax_amount is None
    assert ext.items_provenance is not None
    assert ext.items_provenance.detail == "Doc_0/Attachs/original_invoice.xml:GoodsInfos"


def test_legacy_graphcode_that_is_not_qr_text_is_ignored() -> None:
    root = parse_xml(
        LEGACY.replace(
            "01,04,011001900311,21010038,-100.00,20200407,01731581649436515692,ABCD", "iVBORw0KGgoAAAANSUhEUgAA"
        ).encode()
    )
    assert "qr_payload" not in fields(extract_legacy_einvoice(root, Source.XML, ""))


def test_xbrl_mapping() -> None:
    root = parse_xml(XBRL.encode())
    assert is_xbrl(root)
    ext = extract_xbrl(root, Source.XML, "Doc_0/Attachs/inv_ord_issuer.xml:")
    got = fields(ext)
    assert got == {
        "invoice_code": "3300232130",
        "invoice_number": "02630221",
        "issue_date": "2023-09-26",
        "check_code": "69995434391259060960",
        "buyer_name": "测试购方有限公司",
        "buyer_tax_id": "91330681MA7F19UC27",
        "seller_name": "测试销方有限公司",
        "seller_tax_id": "91330681MA2BFRQ360",
        "amount_without_tax": "9849.06",
        "tax_amount": "590.94",
        "total_amount": "10440.00",
        "total_amount_in_words": "壹万零肆佰肆拾圆整",
        "drawer": "王丽理",
        "title": "增值税专用发票",
    }
    (item,) = ext.items
    assert item.name == "*现代服务*后勤服务"
    assert (item.quantity, item.unit_price, item.amount, item.tax_amount) == (
        Decimal("1"),
        Decimal("9849.06"),
        Decimal("9849.06"),
        Decimal("590.94"),
    )
    assert item.tax_rate == "6%"


# --- the real files ---------------------------------------------------------------------------------------

# file: code, number, date, buyer, buyer tax id, seller, seller tax id, amount, tax, total, QR text, QR as PNG
REAL: dict[str, tuple[str | None, str, str, str, str | None, str, str, str, str, str, str, bool]] = {
    "ofdrw_1.ofd": (
        "033002000211", "83089647", "2020-07-23", "江苏京利华新材料有限公司", "91320115MA202UKD7X",
        "兰溪市悦济舫餐厅", "92330781MA2EDMFU50", "510.68", "15.32", "526.00",
        "01,10,033002000211,83089647,510.68,20200723,16197833567414507415,0941,", False,
    ),
    "ofdrw_999.ofd": (
        "050001700111", "12235358", "2020-08-05", "个人", None,
        "财天下科技有限公司", "91500102563638729E", "10000.00", "600.00", "10600.00",
        "01,10,050001700111,12235358,10000.00,20200805,16630282980991510014,7257", True,
    ),
    "ofdrw_fptpl.ofd": (
        "050001700111", "12235358", "2020-08-05", "个人", None,
        "财天下科技有限公司", "91500102563638729E", "10000.00", "600.00", "10600.00",
        "01,10,050001700111,12235358,10000.00,20200805,16630282980991510014,7257", True,
    ),
    "ofdrw_keyword2.ofd": (
        "032001600511", "31471858", "2020-10-04", "上海后衍品牌管理有限公司钟楼分公司", "91320404MA22FHG7XX",
        "新北区河海华昇印章雕刻社", "32040419760706081301", "198.04", "1.96", "200.00",
        "01,10,032001600511,31471858,198.04,20201004,01897109054748898321,0813,", False,
    ),
    "ofdrw_reader_digital_invoice.ofd": (
        None, "24112000000048542163", "2024-05-28", "海南麒麟云服科技有限公司", "91460300MAA92DJN95",
        "北京互联三六五科技有限公司", "91110108690017781B", "4197.17", "251.83", "4449.00",
        "01,31,,24112000000048542163,4449.00,20240528,,B2B6", True,
    ),
}  # fmt: skip

FIELDS = (
    "invoice_code", "invoice_number", "issue_date", "buyer_name", "buyer_tax_id", "seller_name",
    "seller_tax_id", "amount_without_tax", "tax_amount", "total_amount",
)  # fmt: skip


# fptpl.ofd has no tags and no XML, and its CustomData lacks 合计税额
ONLY_IN_WORDS = {"ofdrw_fptpl.ofd": ("tax_amount",)}


def normalized(field: str, value: str) -> str | None:
    if field in ("invoice_code", "invoice_number", "check_code"):
        return digits_only(value)
    if field == "issue_date":
        date = parse_date(value)
        return date.isoformat() if date else None
    if field.endswith("_tax_id"):
        return normalize_tax_id(value)
    if field in ("amount_without_tax", "tax_amount", "total_amount"):
        money = parse_money(value)
        return str(money) if money is not None else None
    return re.sub(r"\s+", "", value)


def real_doc(realdata: Path, name: str) -> tuple[Document, list[Extraction]]:
    path = realdata / "cn" / "ofd" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    doc = read_ofd(str(path), "0" * 64, path.read_bytes())
    extractions = []
    for emb in doc.embedded:
        root = parse_xml(emb.data)
        prefix = f"{emb.name}:"
        if is_legacy_einvoice(root):
            extractions.append(extract_legacy_einvoice(root, Source.XML, prefix))
        elif is_xbrl(root):
            extractions.append(extract_xbrl(root, Source.XML, prefix))
    return doc, extractions


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_ofd_fields_agree_across_sources(realdata: Path, name: str) -> None:
    """Every source (CustomData, CustomTag, embedded XML) that gives a field gives the expected value."""
    doc, extractions = real_doc(realdata, name)
    expected = dict(zip(FIELDS, REAL[name][:10], strict=True))
    all_cands = list(doc.candidates) + [c for e in extractions for c in e.candidates]
    for field, want in expected.items():
        got = {(normalized(field, c.value), c.provenance.detail) for c in all_cands if c.field == field}
        if want is None:
            assert not got, f"{name}: {field} should be absent, got {got}"
            continue
        if field in ONLY_IN_WORDS.get(name, ()):
            # no structured source carries it: the printed value is in the page words for the text extractor
            assert not got and f"¥{want}" in words(doc), f"{name}: {field}"
            continue
        assert got, f"{name}: no candidate for {field}"
        wrong = {g for g in got if g[0] != normalized(field, want)}
        assert not wrong, f"{name}: {field} expected {want}, got {wrong}"


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_ofd_tags_words_and_qr(realdata: Path, name: str) -> None:
    doc, extractions = real_doc(realdata, name)
    qr_text, qr_png = REAL[name][10], REAL[name][11]
    page = doc.pages[0]
    assert (round(page.width), round(page.height)) == (595, 397)  # 210 x 140 mm
    # the CustomTag side gives number, parties and totals with page and box on every real file
    tagged = {c.field for c in doc.candidates if c.provenance.page == 1 and c.provenance.bbox}
    if name != "ofdrw_fptpl.ofd":  # the template copy carries no tags
        assert {"invoice_number", "issue_date", "buyer_name", "seller_name", "total_amount"} <= tagged
    texts = {re.sub(r"\s+", "", w.text) for w in page.words}
    assert {"发票号码：", "开票日期：", "名称：", "价税合计（大写）", "（小写）"} <= texts
    assert REAL[name][1] in texts and REAL[name][5] in texts
    assert all(0 <= (w.bbox[1] + w.bbox[3]) / 2 <= page.height for w in page.words)
    assert page.qr_payloads == [qr_text]
    if not qr_png:  # JBIG2, decoded through PDFium: the printed code says what the embedded XML's GraphCode says
        assert [c.value for e in extractions for c in e.candidates if c.field == "qr_payload"] == [qr_text]


@pytest.mark.realdata
def test_real_ofd_details(realdata: Path) -> None:
    doc, _ = real_doc(realdata, "ofdrw_reader_digital_invoice.ofd")
    assert doc.warnings == [] and doc.embedded == []
    # 开票人 is tagged twice; the second object sits at y = 286 mm on the 140 mm page and is dropped
    assert [c.value for c in doc.candidates if c.field == "drawer"] == ["于俪"]
    assert "电子发票（增值税专用发票）" in words(doc)
    assert "¥4449.00" in words(doc)

    doc, (ext,) = real_doc(realdata, "ofdrw_999.ofd")
    assert len(doc.pages) == 5 and doc.warnings == []
    assert len(ext.items) == 100 and ext.items[0].amount == Decimal("100.00") and ext.items[0].tax_rate == "6%"
    assert "销售货物或者提供应税劳务、服务清单" in words(doc, 1)

    for name in ("ofdrw_1.ofd", "ofdrw_keyword2.ofd"):
        doc, (ext,) = real_doc(realdata, name)
        assert any("CustomTag.xml is not well-formed" in w for w in doc.warnings)
    item = ext.items[0]  # keyword2: 差额征税, rate printed ***
    assert (item.name, item.unit, item.quantity, item.tax_rate) == ("*印刷品*POP制作费", "组", Decimal("1"), "***")
    assert [c.value for c in ext.candidates if c.field == "remarks"] == ["差额征税：2.00。"]


@pytest.mark.realdata
def test_truncated_real_ofd_is_corrupt(realdata: Path) -> None:
    path = realdata / "cn" / "ofd" / "ofdrw_1.ofd"
    if not path.is_file():
        pytest.skip("absent")
    data = path.read_bytes()
    with pytest.raises(CorruptFile):
        read_ofd("t.ofd", "0" * 64, data[: len(data) - 200])


@pytest.mark.realdata
def test_real_ofd_read_is_fast(realdata: Path) -> None:
    """A loose bound (shared CI machines are slow); the measured figure is ~2 ms per single-page invoice."""
    path = realdata / "cn" / "ofd" / "ofdrw_reader_digital_invoice.ofd"
    if not path.is_file():
        pytest.skip("absent")
    data = path.read_bytes()
    read_ofd("t.ofd", "0" * 64, data)
    start = time.perf_counter()
    for _ in range(10):
        read_ofd("t.ofd", "0" * 64, data)
    assert (time.perf_counter() - start) / 10 < 0.05
