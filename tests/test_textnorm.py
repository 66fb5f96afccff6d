"""Text normalisation at the boundary: look-alikes, full-width digits, spaced-out runs — on strings, and on generated
PDFs and OFDs written the way the converters that do this write them (synth.converters)."""

from __future__ import annotations

import hashlib
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from office_agent.extract.chain import document_chain
from office_agent.extract.normalize import clean_text as clean_value
from office_agent.fontfiles import GBSN, MICROHEI, find_font
from office_agent.ingest.detect import sniff
from office_agent.ingest.sources import Blob
from office_agent.ingest.textnorm import clean_page, clean_text
from office_agent.models import Page, Word
from office_agent.synth import make_invoice
from office_agent.synth.converters import full_width, look_alikes, spaced
from office_agent.synth.ofd import render_ofd
from office_agent.synth.pdf import render_pdf


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("价税合计（⼤写）", "价税合计（大写）"),  # U+2F24 Kangxi radical BIG
        ("纳税⼈识别号：", "纳税人识别号："),  # U+2F08
        ("⼀", "一"),
        ("⻓沙市", "长沙市"),  # U+2ED3, CJK Radicals Supplement: NFKC leaves it
        ("⻋辆通行费", "车辆通行费"),  # U+2ECB
        ("９１３１０１１５ＭＡ１Ｈ９ＨＤ０２Ｅ", "91310115MA1H9HD02E"),
        ("¥ 2 1 2 9 . 3 4", "¥2129.34"),
        ("2 0 2 5 年 1 0 月 2 0 日", "2025年10月20日"),
        ("名 称 :   龙 腾 半 导 体", "名称: 龙腾半导体"),  # a real space (three after spacing) stays a gap
        ("9131\u200b0115", "91310115"),
        ("购 买 方", "购买方"),  # a letter-spaced label in one run: the layout squeezes it anyway
    ],
)
def test_look_alikes_full_width_and_spaced_runs_become_plain(raw: str, plain: str) -> None:
    assert clean_text(raw) == plain


@pytest.mark.parametrize(
    "printed",
    ["¥ 228.00", "校 验 码:83454 62359 18833 68905", "名 称:", "信睿吉科技（北京）有限公司", "（小写）¥35559.69",
     "2019 年 11 月 18 日", "ⓧ 叁万伍仟伍佰伍拾玖圆陆角玖分", "合          计"],
)  # fmt: skip
def test_printed_text_that_is_already_plain_is_kept(printed: str) -> None:
    assert clean_text(printed) == printed


def test_structured_values_lose_the_supplement_look_alikes_too() -> None:
    assert clean_value("⻓沙⼤学") == "长沙大学"


@given(st.text(max_size=40))
def test_clean_text_is_idempotent_and_never_raises(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


def test_clean_page_keeps_the_page_when_nothing_changes_and_the_word_type_when_it_does() -> None:
    from office_agent.ingest.ocr.base import OcrWord

    page = Page(number=1, width=100, height=100, words=[Word(text="发票号码", bbox=(0, 0, 10, 10))])
    assert clean_page(page) is page
    ocr_page = Page(number=1, width=100, height=100, words=[OcrWord(text="⼤写", bbox=(0, 0, 10, 10), confidence=0.9)])
    cleaned = clean_page(ocr_page)
    assert cleaned.words[0].text == "大写" and isinstance(cleaned.words[0], OcrWord)
    assert ocr_page.words[0].text == "⼤写"  # the input is not changed


def _read(data: bytes, name: str) -> dict[str, object]:
    invoices = document_chain.invoke(Blob(name, data, hashlib.sha256(data).hexdigest(), sniff(data)))
    assert len(invoices) == 1
    return invoices[0].model_dump()


FIELDS = ("invoice_number", "buyer_tax_id", "seller_tax_id", "total_amount", "tax_amount", "total_amount_in_words")


def _truth(kind: str, seed: int) -> tuple[object, dict[str, object]]:
    inv = make_invoice(random.Random(seed), kind)
    want = {"invoice_number": inv.number, "buyer_tax_id": inv.buyer_tax_id, "seller_tax_id": inv.seller_tax_id,
            "total_amount": inv.total, "tax_amount": inv.tax, "total_amount_in_words": inv.words}  # fmt: skip
    return inv, want


@pytest.mark.parametrize("converter", ["look_alikes", "spaced", "full_width"])
@pytest.mark.parametrize("kind", ["digital_general", "vat_electronic_general"])
def test_generated_ofd_written_by_such_a_converter_reads_like_the_clean_one(converter: str, kind: str) -> None:
    inv, want = _truth(kind, 7)
    got = _read(render_ofd(inv, converter=converter, tags=False), "converted.ofd")  # positioned text only
    assert {f: got[f] for f in FIELDS} == want
    assert isinstance(got["total_amount"], Decimal)


def test_the_converters_really_change_the_text() -> None:
    assert look_alikes("价税合计（大写）") != "价税合计（大写）"
    assert spaced("¥12.30") == "¥ 1 2 . 3 0"
    assert full_width("913") == "９１３"


@pytest.mark.skipif(find_font((GBSN, MICROHEI)) is None, reason="the PDF generator's CJK font is not installed")
# look-alikes only in the OFD: the fonts the PDF generator embeds have no glyphs for the Kangxi radicals
@pytest.mark.parametrize("converter", ["spaced", "full_width"])
def test_generated_pdf_written_by_such_a_converter_reads_like_the_clean_one(converter: str) -> None:
    inv, want = _truth("digital_special", 9)
    got = _read(render_pdf(inv, random.Random(9), converter=converter), "converted.pdf")
    assert {f: got[f] for f in FIELDS} == want
