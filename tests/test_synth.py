"""The synthetic invoice generator (office_agent.synth) checked on its own, independently of the extraction side.

tests/test_samples.py reads the committed samples back through the whole pipeline; a failure there can be the
generator or the reader. These tests look at the generator's output directly, and the reference checks they use
(大写 parsing, the 统一社会信用代码 check character, line tax rounding) are written here again on purpose rather
than imported from office_agent.extract, so the ground truth is not checked by the code it is meant to test.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from office_agent.synth import bundle, render_file, write_corpus
from office_agent.synth.data import BUYERS
from office_agent.synth.model import KINDS, SynthInvoice, make_invoice

CENT = Decimal("0.01")
OFD_NS = {"ofd": "http://www.ofdspec.org/2016"}
LEGACY_NS = "http://www.edrm.org.cn/schema/e-invoice/2019"

# --- independent references ------------------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_ok(code: str) -> bool:
    """FORMATS.md: check char = (31 − Σ value × weight mod 31) mod 31 over the first 17 characters."""
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def words_value(words: str) -> Decimal:
    """叁万伍仟伍佰伍拾玖圆陆角玖分 → 35559.69 (strict: only the spellings invoices print)."""
    sign = 1
    if words.startswith("（负数）"):
        sign, words = -1, words.removeprefix("（负数）")
    m = re.fullmatch(r"(?:([零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+)[圆元])?(?:零?([壹贰叁肆伍陆柒捌玖])角)?"
                     r"(?:零?([壹贰叁肆伍陆柒捌玖])分)?([整正]?)", words)  # fmt: skip
    assert m and any(m.groups()[:3]), f"not an amount in words: {words!r}"
    integer_part, jiao, fen, whole = m.groups()
    assert not (whole and (jiao or fen)), f"整 after cents: {words!r}"
    total = section = digit = 0
    for ch in integer_part or "":
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        elif ch in _SMALL:
            assert digit, f"a unit without its digit (拾 must be 壹拾): {words!r}"
            section += digit * _SMALL[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        else:  # 亿
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    value = Decimal(total + section + digit) + Decimal(_DIGIT.get(jiao or "零", 0)) / 10
    value += Decimal(_DIGIT.get(fen or "零", 0)) / 100
    return sign * value.quantize(CENT)


def invoices(n: int, seed: int = 11) -> list[SynthInvoice]:
    rng = random.Random(seed)
    out = [make_invoice(rng, KINDS[i % len(KINDS)], toll=(i % 9 == 4)) for i in range(n)]
    out += [make_invoice(rng, "digital_general", red_of="24332000000012345678") for _ in range(n // 10)]
    return out


def decode_qr(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


# --- the data ------------------------------------------------------------------------------------------------


def test_reference_parser_on_amounts_printed_on_real_invoices() -> None:
    assert words_value("叁万伍仟伍佰伍拾玖圆陆角玖分") == Decimal("35559.69")
    assert words_value("贰拾柒圆整") == Decimal("27.00")
    assert words_value("伍拾贰元柒角肆分") == Decimal("52.74")
    assert words_value("壹佰贰拾捌元伍角肆分") == Decimal("128.54")
    assert words_value("壹拾万零壹佰圆整") == Decimal("100100.00")
    assert words_value("壹拾圆零伍分") == Decimal("10.05")
    assert words_value("伍角") == Decimal("0.50")
    assert words_value("（负数）叁佰圆整") == Decimal("-300.00")


def test_tax_ids_carry_valid_check_characters() -> None:
    assert all(uscc_ok(tax_id) for _, tax_id in BUYERS)
    for inv in invoices(300):
        assert uscc_ok(inv.seller_tax_id), inv.seller_tax_id
        assert uscc_ok(inv.buyer_tax_id), inv.buyer_tax_id
    assert uscc_ok("91310115MA1H9HD02E") and not uscc_ok("91310115MA1H9HD02F")  # a real code, and one altered


def test_amounts_add_up_and_words_match_the_total() -> None:
    for inv in invoices(400):
        for item in inv.items:
            if item.rate is None:
                assert item.tax is None and item.rate_text == "免税"
            else:
                assert item.tax == (item.amount * item.rate).quantize(CENT, rounding=ROUND_HALF_UP)
            if item.quantity is not None and item.unit_price is not None:
                assert (item.quantity * item.unit_price).quantize(CENT, rounding=ROUND_HALF_UP) == item.amount
        assert inv.amount == sum(i.amount for i in inv.items)
        assert inv.total == inv.amount + (inv.tax or 0)
        assert words_value(inv.words) == inv.total, inv.words
        if inv.red_of:
            assert inv.total < 0 and inv.words.startswith("（负数）") and inv.red_of in (inv.remarks or "")
        else:
            assert inv.total > 0


def test_truth_uses_the_contract_keys_and_null_for_absent_values() -> None:
    keys = {
        "invoice_kind", "invoice_code", "invoice_number", "issue_date", "check_code", "buyer_name", "buyer_tax_id",
        "seller_name", "seller_tax_id", "amount_without_tax", "tax_amount", "total_amount", "total_amount_in_words",
        "currency", "items", "remarks", "qr_payload", "files", "format",
    }  # fmt: skip
    for inv in invoices(120):
        truth = inv.truth("pdf")
        assert keys <= truth.keys()
        assert "" not in truth.values()
        assert all("" not in item.values() for item in truth["items"])
        assert re.fullmatch(r"-?\d+\.\d\d", truth["total_amount"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", truth["issue_date"])
        if inv.digital:
            assert truth["invoice_code"] is None and truth["check_code"] is None
            assert re.fullmatch(r"\d{20}", truth["invoice_number"])
        else:
            assert re.fullmatch(r"\d{12}", truth["invoice_code"]) and re.fullmatch(r"\d{8}", truth["invoice_number"])
            assert re.fullmatch(r"\d{20}", truth["check_code"])


def test_qr_payloads_have_the_issuers_shape() -> None:
    for inv in invoices(200):
        date = inv.issue_date.strftime("%Y%m%d")
        if inv.digital:
            t = "31" if inv.kind == "digital_special" else "32"
            assert re.fullmatch(rf"01,{t},,{inv.number},-?[\d.]+,{date},,[0-9A-Fa-f]{{4}}", inv.qr_payload)
            assert Decimal(inv.qr_payload.split(",")[4]) == inv.total
        else:
            t = "08" if inv.kind == "vat_electronic_special" else "10"
            pattern = rf"01,{t},{inv.code},{inv.number},[\d.]+,{date},{inv.check_code},[0-9A-F]{{4}},?"
            assert re.fullmatch(pattern, inv.qr_payload)
            amount = inv.qr_payload.split(",")[4]
            assert Decimal(amount) == inv.amount and not (("." in amount) and amount.endswith("0"))


# --- the files -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_text_layer_embedded_font_and_qr(kind: str) -> None:
    import pdfplumber
    import pypdfium2 as pdfium

    rng = random.Random(3)
    inv = make_invoice(rng, kind)
    data = render_file(inv, "pdf", rng)
    assert b"/FontFile2" in data  # the CJK TrueType font is embedded (subset)
    doc = pdfium.PdfDocument(data)
    page = doc[0]
    text = page.get_textpage().get_text_range()
    assert inv.number in text and str(inv.total) in text and inv.seller_name in text and inv.title in text
    with pdfplumber.open(BytesIO(data)) as pdf:
        plumber = pdf.pages[0].extract_text()
        assert pdf.pages[0].images, "the QR code is a raster image"
    assert inv.number in plumber and inv.buyer_name in plumber and inv.words in plumber
    assert decode_qr(page.render(scale=2).to_pil()) == [inv.qr_payload]


@pytest.mark.parametrize("kind", KINDS)
def test_ofd_package_parses_and_carries_the_invoice(kind: str) -> None:
    rng = random.Random(4)
    inv = make_invoice(rng, kind)
    with zipfile.ZipFile(BytesIO(render_file(inv, "ofd", rng))) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        trees = {n: ET.fromstring(zf.read(n)) for n in names if n.endswith(".xml")}
        root = trees["OFD.xml"]
        assert root.findtext("ofd:DocBody/ofd:DocRoot", namespaces=OFD_NS) == "Doc_0/Document.xml"
        custom = {e.get("Name"): e.text for e in root.iterfind(".//ofd:CustomData", OFD_NS)}
        assert custom["发票号码"] == inv.number
        assert custom["合计金额"] == str(inv.amount)
        document = trees["Doc_0/Document.xml"]
        assert document.find(".//ofd:PageArea/ofd:PhysicalBox", OFD_NS) is not None
        # the CustomTag for InvoiceNo points at the TextObject that prints the number
        tag = trees["Doc_0/Tags/CustomTag.xml"]
        ref = tag.find("InvoiceNo/ofd:ObjectRef", OFD_NS)
        assert ref is not None
        page = trees["Doc_0/Pages/Page_0/Content.xml"]
        obj = page.find(f".//ofd:TextObject[@ID='{ref.text}']", OFD_NS)
        assert obj is not None and obj.get("Boundary")
        assert obj.findtext("ofd:TextCode", namespaces=OFD_NS) == inv.number
        pngs = [n for n in names if n.endswith(".png")]
        assert pngs and decode_qr(Image.open(BytesIO(zf.read(pngs[0])))) == [inv.qr_payload]
        if not inv.digital:
            original = trees["Doc_0/Attachs/original_invoice.xml"]
            assert original.tag == "eInvoice"
            assert original.findtext(f"{{{LEGACY_NS}}}GraphCode") == inv.qr_payload
            assert original.findtext(f"{{{LEGACY_NS}}}InvoiceCheckCode") == inv.check_code
            assert len(original.findall(f"{{{LEGACY_NS}}}GoodsInfos/{{{LEGACY_NS}}}GoodsInfo")) == len(inv.items)
            assert "Doc_0/Attachs/Attachments.xml" in names


def test_digital_xml_download() -> None:
    rng = random.Random(5)
    for kind in ("digital_general", "digital_special"):
        inv = make_invoice(rng, kind)
        root = ET.fromstring(render_file(inv, "xml", rng))
        assert root.tag == "EInvoice" and root.findtext("Header/EIid") == inv.number
        basic = root.find("EInvoiceData/BasicInformation")
        assert basic is not None
        assert basic.findtext("TotalAmWithoutTax") == str(inv.amount)
        assert basic.findtext("TotalTax-includedAmount") == str(inv.total)
        assert words_value(basic.findtext("TotalTax-includedAmountInChinese") or "") == inv.total
        lines = root.findall("EInvoiceData/IssuItemInformation")
        assert [e.findtext("ItemName") for e in lines] == [i.name for i in inv.items]
        assert sum(Decimal(e.findtext("Amount") or "0") for e in lines) == inv.amount


@pytest.mark.parametrize("gbk", [False, True])
def test_bundle_member_names(gbk: bool) -> None:
    rng = random.Random(6)
    inv = make_invoice(rng, "digital_general")
    with zipfile.ZipFile(BytesIO(bundle(inv, rng, gbk=gbk))) as zf:
        infos = zf.infolist()
        assert sorted(Path(i.filename).suffix for i in infos) == [".ofd", ".pdf", ".xml"]
        for info in infos:
            if gbk:
                assert not info.flag_bits & 0x800  # no UTF-8 flag: zipfile shows CP437 mojibake
                assert inv.seller_name not in info.filename
                real = info.filename.encode("cp437").decode("gbk")
            else:
                real = info.filename
            assert real.startswith(f"dzfp_{inv.number}_{inv.seller_name}_")
        assert inv.files == [i.filename.encode("cp437").decode("gbk") if gbk else i.filename for i in infos]


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    formats = ["pdf", "ofd", "xml", "zip"]
    a = write_corpus(tmp_path / "a", 3, seed=9, formats=formats)
    b = write_corpus(tmp_path / "b", 3, seed=9, formats=formats)
    c = write_corpus(tmp_path / "c", 3, seed=10, formats=formats)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
    assert any(x.read_bytes() != z.read_bytes() for x, z in zip(a, c, strict=True))
