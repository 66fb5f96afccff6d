"""The layout extractor: on the six real PDFs (values written by hand from the documents) and on small pages
built by hand, one per habit of real text layers (spaced labels, label and value in one run, values before
labels, wrapped item names, discount lines, touching columns, ``***`` tax)."""

from __future__ import annotations

import hashlib
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from office_agent.extract.layout import GUESSED, extract_page
from office_agent.extract.normalize import digits_only, parse_date, parse_money
from office_agent.ingest.pdf import read_pdf
from office_agent.models import Extraction, LineItem, Page, Source, Word

# ------------------------------------------------------------------------------------------------------
# Real files

MONEY = {"amount_without_tax", "tax_amount", "total_amount"}
DIGITS = {"invoice_code", "invoice_number", "check_code", "machine_number"}

# Printed values, read off each document (and checked against ../shared/eval/dev_labels.jsonl).
# None: the field is not printed (数电 has no code or check code; ``***`` tax is no amount).
REAL: dict[str, dict[str, str | None]] = {
    "vat_electronic_general_jd_1.pdf": {
        "title": "天津增值税电子普通发票",
        "invoice_code": "012001900211",
        "invoice_number": "61876678",
        "issue_date": "2019-11-18",
        "check_code": "83454623591883368905",
        "machine_number": "661911949661",
        "buyer_name": "信睿吉科技（北京）有限公司",
        "buyer_tax_id": "91110108MA01GUF37R",
        "seller_name": "天津京东达业贸易有限公司",
        "seller_tax_id": "91120110MA06J3WLX8",
        "amount_without_tax": "23.89",
        "tax_amount": "3.11",
        "total_amount": "27.00",
        "total_amount_in_words": "贰拾柒圆整",
        "drawer": "王梅",
        "remarks": "订单号:106383362118",
    },
    "toll_hubei_1.pdf": {
        "title": "湖北增值税电子普通发票",
        "invoice_code": "042001700112",
        "invoice_number": "10077287",
        "issue_date": "2018-03-23",
        "check_code": "16167883775201694087",
        "machine_number": "499099656098",
        "buyer_name": "武汉市车城物流有限公司",
        "buyer_tax_id": "914201007483062457",
        "seller_name": "湖北省汉蔡高速公路有限公司",
        "seller_tax_id": "91420112792429656B",
        "amount_without_tax": "124.80",
        "tax_amount": "3.74",
        "total_amount": "128.54",
        "total_amount_in_words": "壹佰贰拾捌元伍角肆分",
        "drawer": "徐黄裔",
        "remarks": None,
    },
    "toll_guangdong_1.pdf": {
        "title": "广东增值税电子普通发票",
        "invoice_code": "044001700112",
        "invoice_number": "36151707",
        "issue_date": "2018-03-23",
        "check_code": "13610032493225906141",
        "machine_number": "499098892970",
        "buyer_name": "武汉市车城物流有限公司",
        "buyer_tax_id": "914201007483062457",
        "seller_name": "广东省路桥建设发展有限公司广韶分公司",
        "seller_tax_id": "91440106556656312W",
        "amount_without_tax": "51.20",
        "tax_amount": "1.54",
        "total_amount": "52.74",
        "total_amount_in_words": "伍拾贰元柒角肆分",
        "drawer": "罗煜琳",
        "remarks": None,
    },
    "digital_special_1.pdf": {
        "title": "电子发票（增值税专用发票）",
        "invoice_code": None,
        "invoice_number": "25317000002228021821",
        "issue_date": "2025-10-20",
        "check_code": None,
        "machine_number": None,
        "buyer_name": "龙腾半导体股份有限公司",
        "buyer_tax_id": "91610132688983884K",
        "seller_name": "上海积塔半导体有限公司",
        "seller_tax_id": "91310115MA1H9HD02E",
        "amount_without_tax": "31468.75",
        "tax_amount": "4090.94",
        "total_amount": "35559.69",
        "total_amount_in_words": "叁万伍仟伍佰伍拾玖圆陆角玖分",
        "drawer": "田梦",
        "remarks": "0070309510/PO.LTG2025070403/BR./A0B8682;\n收款人:积塔; 复核人:司璐;",
    },
    "digital_general_fuel_1.pdf": {
        "title": "电子发票（普通发票）",
        "invoice_code": None,
        "invoice_number": "26427000000145891963",
        "issue_date": "2026-01-08",
        "check_code": None,
        "machine_number": None,
        "buyer_name": "安徽燕之坊食品有限公司",
        "buyer_tax_id": "91340100728526312J",
        "seller_name": "中国石化销售股份有限公司湖北武汉石油分公司",
        "seller_tax_id": "914201006791228986",
        "amount_without_tax": "194.69",
        "tax_amount": "25.31",
        "total_amount": "220.00",
        "total_amount_in_words": "贰佰贰拾圆整",
        "drawer": "陈钢",
        "remarks": "收款人：熊静; 复核人：谌皋;",
    },
    "digital_toll_1.pdf": {
        "title": "电子发票（普通发票）",
        "invoice_code": None,
        "invoice_number": "26377000000217799580",
        "issue_date": "2026-03-06",
        "check_code": None,
        "machine_number": None,
        "buyer_name": "北汽福田汽车股份有限公司时代销售分公司",
        "buyer_tax_id": "91370782MAEW4MTN67",
        "seller_name": "山东高速集团有限公司",
        "seller_tax_id": "913700002671781071",
        "amount_without_tax": "39.00",
        "tax_amount": None,  # printed as *** (not deductible)
        "total_amount": "39.00",
        "total_amount_in_words": "叁拾玖元整",
        "drawer": "周顺航",
        "remarks": (
            "车牌号：鲁G835Y3\n车辆类型：货车\n通行日期起/止：2026-02-06 12:31:04/2026-02-06 13:43:48\n"
            "入/出口站：山东张家坡站-山东诸城东站（不可用于增值税进项抵扣）"
        ),
    },
}

# name, spec, unit, quantity, unit_price, amount, tax_rate, tax_amount
ItemRow = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str | None, str | None]
REAL_ITEMS: dict[str, list[ItemRow]] = {
    "vat_electronic_general_jd_1.pdf": [
        ("*其他食品*食品", None, None, "1", "34.51", "34.51", "13%", "4.49"),
        ("*其他食品*食品", None, None, None, None, "-10.62", "13%", "-1.38"),  # discount line
    ],
    # Toll columns 车牌号/类型/通行日期起/通行日期止 are not kept (no contract field for them).
    "toll_hubei_1.pdf": [("*经营租赁*通行费", None, None, None, None, "124.80", "3%", "3.74")],
    "toll_guangdong_1.pdf": [("*经营租赁*通行费", None, None, None, None, "51.20", "3%", "1.54")],
    "digital_special_1.pdf": [
        ("*微电子组件*芯片", "LSG10R042BHC", "片", "25", "1258.75", "31468.75", "13%", "4090.94")
    ],
    "digital_general_fuel_1.pdf": [
        # the name wraps: "…车用乙醇" / "汽油(E10)(VIB)"; the spec "92号" shares a run with the name's first line
        ("*乙醇汽油*92号车用乙醇汽油(E10)(VIB)", "92号", "升", "27.70780856", "7.02653909", "194.69", "13%", "25.31")
    ],
    "digital_toll_1.pdf": [("*经营租赁*通行费", "货车", "次", "1", "39.00", "39.00", "***", None)],
}


def _normalized(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    if field in MONEY:
        return str(parse_money(value))
    if field in DIGITS:
        return digits_only(value)
    if field == "issue_date":
        d = parse_date(value)
        return d.isoformat() if d else None
    return value


def _row(item: LineItem) -> ItemRow:
    def s(v: Decimal | None) -> str | None:
        return None if v is None else str(v)

    return (
        item.name, item.spec, item.unit, s(item.quantity), s(item.unit_price), s(item.amount), item.tax_rate,
        s(item.tax_amount),
    )  # fmt: skip


# Real PDFs whose text layer PDFium reads differently without a system CJK font (found on a machine without the
# Debian fonts: the toll invoice's unit 次 is lost, and a field of the JD invoice reads otherwise).
SYSTEM_FONT_PDFS = {"vat_electronic_general_jd_1.pdf", "digital_toll_1.pdf"}


def _read_real(realdata: Path, name: str) -> tuple[Page, Extraction]:
    path = realdata / "cn" / "pdf" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    from office_agent.generate.fonts import has_cjk_font

    if name in SYSTEM_FONT_PDFS and not has_cjk_font():
        pytest.skip(f"{name} uses a CJK font it does not embed, which PDFium reads through the system's fonts, and "
                    "there is none: apt-get install fonts-wqy-microhei fonts-arphic-gbsn00lp")  # fmt: skip
    data = path.read_bytes()
    doc = read_pdf(str(path), hashlib.sha256(data).hexdigest(), data)
    page = doc.pages[0]
    return page, extract_page(page)


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_pdf_fields(realdata: Path, name: str) -> None:
    _, ext = _read_real(realdata, name)
    got = {field: _normalized(field, ext.get(field)) for field in REAL[name]}
    assert got == REAL[name]
    for cand in ext.candidates:
        assert cand.provenance.source == Source.TEXT
        assert cand.provenance.page == 1
        assert cand.provenance.bbox is not None
        assert 0 < cand.provenance.confidence <= 1


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL_ITEMS))
def test_real_pdf_items(realdata: Path, name: str) -> None:
    _, ext = _read_real(realdata, name)
    assert [_row(i) for i in ext.items] == REAL_ITEMS[name]
    assert ext.items_provenance is not None



# ------------------------------------------------------------------------------------------------------
# Hand-built pages


def w(text: str, x: float, y: float, h: float = 9.0) -> Word:
    """A run whose width follows its characters (CJK 9 pt, others 5 pt), like a 9 pt font."""
    width = sum(9.0 if ord(c) >= 0x2E80 else 5.0 for c in text)
    return Word(text=text, bbox=(x, y, x + width, y + h))


def page(words: list[Word]) -> Page:
    return Page(number=1, width=600.0, height=400.0, words=words)


def legacy_words(rows: list[list[Word]] | None = None) -> list[Word]:
    """A legacy e-invoice: header block at the top right, buyer block above the table, seller block below,
    vertical block labels, 密码区 cipher text on the buyer lines, labels letter-spaced in several ways."""
    words = [
        w("北京增值税电子普通发票", 200, 20, h=20),
        w("发 票 代 码:", 430, 12),
        w("011001900111", 482, 12),
        w("发 票 号 码:", 430, 27),
        w("12345678", 482, 27),
        w("开票日期:", 430, 42),
        w("2019 11 18", 482, 42),
        w("年 月 日", 500, 42),  # printed over the date's gaps
        w("校 验 码：", 430, 57),
        *(w(group, 482 + 30 * i, 57) for i, group in enumerate(("83454", "62359", "18833", "68905"))),
        w("机器编号:", 30, 64),
        w("661911949661", 75, 64),
        # buyer block
        w("购", 28, 92),
        w("买", 28, 108),
        w("方", 28, 124),
        w("名", 48, 86),
        w("称:", 93, 86),  # one label in two runs
        w("甲科技（北京）有限公司", 108, 86),
        w("-4389><7182+78>1>643>8*+0++", 380, 88),
        w("密", 351, 90),
        w("码", 351, 109),
        w("区", 351, 129),
        w("纳税人识别号:", 48, 102),
        w("91110108MA01GUF37R", 108, 102),
        w(">16-27--*5>*76/1212674145+6", 380, 103),
        w("地 址、电 话:", 48, 117),
        w("北京市海淀区某路1号 010-12345678", 108, 117),
        # item table
        w("货物或应税劳务、服务名称", 44, 148),
        w("规格型号", 180, 148),
        w("单位", 228, 148),
        w("数 量", 275, 148),
        w("单 价", 344, 148),
        w("金 额", 423, 148),
        w("税率", 484, 148),
        w("税 额", 537, 148),
        # totals
        w("合", 61, 258),
        w("计", 101, 258),
        w("¥23.89", 438, 260),
        w("¥3.11", 557, 260),
        w("价税合计(大写)", 61, 276),
        w("贰拾柒圆整", 190, 276),
        w("(小写)", 448, 276),
        w("¥27.00", 480, 276),
        # seller block
        w("销", 29, 302),
        w("售", 29, 316),
        w("方", 29, 330),
        w("名　　　　称:", 48, 295),  # ideographic spaces
        w("乙贸易有限公司", 108, 295),
        w("纳税人识别号:", 48, 310),
        w("91120110MA06J3WLX8", 108, 310),
        w("备", 351, 302),
        w("注", 351, 332),
        w("订单号:106383362118", 370, 294),
        w("收款人:", 33, 356),
        w("王陆", 65, 356),
        w("开票人:", 314, 356),
        w("王梅", 347, 356),
        w("销售方:(章)", 436, 356),
    ]
    for row in rows or []:
        words.extend(row)
    return words


JD_ROWS = [
    [
        w("*其他食品*食品", 27, 161),
        w("1", 315, 161),
        w("34.51", 371, 161),
        w("34.51 13%", 459, 161),
        w("4.49", 575, 161),
    ],
    [w("*其他食品*食品", 27, 173), w("-10.62 13%", 456, 173), w("-1.38", 572, 173)],
]


def digital_words(rows: list[list[Word]], subtotal: list[Word] | None = None) -> list[Word]:
    """A 数电 invoice: buyer left, seller right, label and value in one run, the title running into a label."""
    words = [
        Word(text="电子发票（普通发票） 发票号码：", bbox=(160, 22, 483, 42)),  # one run with a wide gap
        w("26427000000145891963", 480, 30),
        w("开票日期：2026年01月08日", 440, 48),
        *(w(c, 17, 92 + 10 * i) for i, c in enumerate("购买方信息")),
        *(w(c, 301, 92 + 10 * i) for i, c in enumerate("销售方信息")),
        w("名称：安徽燕之坊食品有限公司", 32, 95),
        w("名称：中国石化销售股份有限公司湖北武汉石油分公司", 316, 95),
        w("统一社会信用代码/纳税人识别号：91340100728526312J", 32, 122),
        w("统一社会信用代码/纳税人识别号：914201006791228986", 316, 122),
        w("项目名称", 44, 150),
        w("规格型号", 116, 150),
        w("单 位", 191, 150),
        w("数 量", 265, 150),
        w("单 价", 336, 150),
        w("金 额 税率/征收率", 407, 150),
        w("税 额", 550, 150),
        w("合", 58, 263),
        w("计", 103, 263),
        *(subtotal or [w("¥194.69", 405, 263), w("¥25.31", 556, 263)]),
        w("价税合计（大写）", 49, 280),
        w("贰佰贰拾圆整", 174, 279),
        w("（小写）¥220.00", 401, 279),
        w("开票人: 陈钢", 57, 368),
    ]
    for row in rows:
        words.extend(row)
    return words


FUEL_ROWS = [
    [
        w("*乙醇汽油*92号车用乙醇 92号", 12.5, 162),
        w("升", 200, 162),
        w("27.70780856", 237, 162),
        w("7.02653909", 313, 162),
        w("194.69", 404, 162),
        w("13%", 462, 162),
        w("25.31", 556, 162),
    ],
    [w("汽油(E10)(VIB)", 12.5, 175)],  # the name continues inside its cell
]


def test_spaced_and_split_labels() -> None:
    ext = extract_page(page(legacy_words(JD_ROWS)))
    assert ext.get("invoice_code") == "011001900111"  # 发 票 代 码:
    assert ext.get("invoice_number") == "12345678"
    assert ext.get("issue_date") == "2019 11 18"  # 年 月 日 printed as a separate run is left out
    assert digits_only(ext.get("check_code")) == "83454623591883368905"  # 校 验 码： + four runs of digits
    assert ext.get("machine_number") == "661911949661"
    assert ext.get("buyer_name") == "甲科技（北京）有限公司"  # "名" + "称:" in two runs, cipher text beside
    assert ext.get("buyer_tax_id") == "91110108MA01GUF37R"
    assert ext.get("seller_name") == "乙贸易有限公司"  # 名　　　　称:
    assert ext.get("seller_tax_id") == "91120110MA06J3WLX8"
    assert ext.get("amount_without_tax") == "¥23.89"
    assert ext.get("tax_amount") == "¥3.11"
    assert ext.get("total_amount_in_words") == "贰拾柒圆整"
    assert ext.get("total_amount") == "¥27.00"
    assert ext.get("drawer") == "王梅"
    assert ext.get("title") == "北京增值税电子普通发票"
    assert ext.get("remarks") == "订单号:106383362118"


def test_label_and_value_in_one_run() -> None:
    ext = extract_page(page(digital_words(FUEL_ROWS)))
    assert ext.get("title") == "电子发票（普通发票）"  # cut before the label it runs into
    assert ext.get("invoice_number") == "26427000000145891963"
    assert ext.get("issue_date") == "2026年01月08日"
    assert ext.get("buyer_name") == "安徽燕之坊食品有限公司"
    assert ext.get("seller_name") == "中国石化销售股份有限公司湖北武汉石油分公司"
    assert ext.get("buyer_tax_id") == "91340100728526312J"
    assert ext.get("seller_tax_id") == "914201006791228986"
    assert ext.get("total_amount") == "¥220.00"
    assert ext.get("drawer") == "陈钢"


@pytest.mark.parametrize("words", [legacy_words(JD_ROWS), digital_words(FUEL_ROWS)], ids=["legacy", "digital"])
def test_values_emitted_before_labels(words: list[Word]) -> None:
    """Text order is not layout order: reversing or shuffling the runs changes nothing."""
    expected = extract_page(page(words))
    shuffled = list(words)
    random.Random(7).shuffle(shuffled)
    for order in (list(reversed(words)), shuffled):
        ext = extract_page(page(order))
        assert sorted((c.field, c.value) for c in ext.candidates) == sorted(
            (c.field, c.value) for c in expected.candidates
        )
        assert ext.items == expected.items


def test_wrapped_item_name() -> None:
    ext = extract_page(page(digital_words(FUEL_ROWS)))
    assert [_row(i) for i in ext.items] == [
        ("*乙醇汽油*92号车用乙醇汽油(E10)(VIB)", "92号", "升", "27.70780856", "7.02653909", "194.69", "13%", "25.31")
    ]


def test_discount_line_and_amount_drifting_under_the_rate_header() -> None:
    """JD prints ``34.51 13%`` as one run that starts under 金额 and ends under 税率."""
    ext = extract_page(page(legacy_words(JD_ROWS)))
    assert [_row(i) for i in ext.items] == [
        ("*其他食品*食品", None, None, "1", "34.51", "34.51", "13%", "4.49"),
        ("*其他食品*食品", None, None, None, None, "-10.62", "13%", "-1.38"),
    ]


def test_touching_columns() -> None:
    rows = [[w("*服务*咨询费", 27, 161), w("50.1813%", 455, 161), w("6.52", 575, 161)]]
    ext = extract_page(page(legacy_words(rows)))
    assert [_row(i) for i in ext.items] == [("*服务*咨询费", None, None, None, None, "50.18", "13%", "6.52")]


def test_star_tax_is_no_amount() -> None:
    rows = [
        [
            w("*经营租赁*通行费", 12, 162),
            w("货车", 116, 162),
            w("次", 200, 162),
            w("1", 280, 162),
            w("39.00", 333, 162),
            w("39.00", 404, 162),
            w("***", 470, 162),
            w("***", 556, 162),
        ],
        [w("*农产品*蔬菜", 12, 175), w("10.00", 404, 175), w("免税", 466, 175), w("***", 556, 175)],
    ]
    ext = extract_page(page(digital_words(rows, subtotal=[w("¥49.00", 405, 263), w("***", 556, 263)])))
    assert [_row(i) for i in ext.items] == [
        ("*经营租赁*通行费", "货车", "次", "1", "39.00", "39.00", "***", None),
        ("*农产品*蔬菜", None, None, None, None, "10.00", "免税", None),
    ]
    assert ext.get("amount_without_tax") == "¥49.00"
    assert ext.get("tax_amount") is None  # *** is not 0.00


def test_without_block_labels_the_buyer_comes_first() -> None:
    """OCR may lose the vertical 购买方 / 销售方: reading order decides, with a low confidence."""
    words = [x for x in digital_words(FUEL_ROWS) if x.text not in set("购买方销售信息")]
    ext = extract_page(page(words))
    assert ext.get("buyer_name") == "安徽燕之坊食品有限公司"
    assert ext.get("seller_name") == "中国石化销售股份有限公司湖北武汉石油分公司"
    conf = {c.field: c.provenance.confidence for c in ext.candidates}
    assert conf["buyer_name"] <= GUESSED
    assert conf["invoice_number"] > GUESSED


def test_vertical_block_labels_cut_into_pieces_by_ocr() -> None:
    """PaddleOCR reads the vertical 购买方信息 as 购买方信 + 息: still the block labels (seller left here, so reading
    order alone would get them backwards)."""

    def swapped(x: Word) -> Word:  # the two blocks' columns exchanged
        if not x.text.startswith(("名称", "统一社会")):
            return x
        x0, top, x1, bottom = x.bbox
        shift = 284.0 if x0 < 300 else -284.0
        return Word(text=x.text, bbox=(x0 + shift, top, x1 + shift, bottom))

    words = [swapped(x) for x in digital_words(FUEL_ROWS) if x.text not in set("购买方销售信息")]
    words += [
        Word(text="销售方信", bbox=(17, 92, 26, 132)),
        Word(text="息", bbox=(17, 134, 26, 143)),
        Word(text="购买方", bbox=(301, 92, 310, 122)),
        Word(text="信息", bbox=(301, 123, 310, 143)),
    ]
    ext = extract_page(page(words))
    assert ext.get("buyer_name") == "安徽燕之坊食品有限公司"  # right of 购买方 + 信息
    assert ext.get("seller_name") == "中国石化销售股份有限公司湖北武汉石油分公司"  # right of 销售方信 + 息
    assert ext.get("seller_tax_id") == "914201006791228986"
    conf = {c.field: c.provenance.confidence for c in ext.candidates}
    assert conf["buyer_name"] > GUESSED


@pytest.mark.parametrize("sign", ["¥", "Y", "?", "？"])
def test_total_after_a_misread_yen_sign(sign: str) -> None:
    """RapidOCR may read the ¥ of （小写）¥220.00 as Y, PaddleOCR's PP-OCRv4 as ?: the total is still read."""
    words = [
        x if x.text != "（小写）¥220.00" else w(f"（小写）{sign}220.00", 401, 279) for x in digital_words(FUEL_ROWS)
    ]
    assert extract_page(page(words)).get("total_amount") == "¥220.00"


def test_source_and_boxes_are_recorded() -> None:
    ext = extract_page(page(legacy_words(JD_ROWS)), Source.OCR)
    number = next(c for c in ext.candidates if c.field == "invoice_number")
    assert number.provenance.source == Source.OCR
    assert number.provenance.bbox == (482.0, 27.0, 522.0, 36.0)
    assert ext.items_provenance is not None and ext.items_provenance.source == Source.OCR


def test_empty_page() -> None:
    ext = extract_page(page([]))
    assert ext.candidates == [] and ext.items == []


_TEXTS = st.sampled_from(
    ["名称:", "名", "称:", "合计", "¥1.00", "***", "13%", "50.1813%", "金额", "项目名称", "税额", "购", "买", "方",
     "发票号码：", "(小写)", "价税合计(大写)", "备", "注", "开票人", " ", "a b", "１２"]
) | st.text(min_size=1, max_size=8)  # fmt: skip
_WORDS = st.lists(
    st.builds(
        lambda t, x, y, wd, h: Word(text=t, bbox=(x, y, x + wd, y + h)),
        _TEXTS,
        st.floats(0, 600),
        st.floats(0, 400),
        st.floats(0, 200),
        st.floats(0, 30),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_WORDS)
def test_never_raises_on_odd_pages(words: list[Word]) -> None:
    ext = extract_page(page(words))
    assert all(c.value for c in ext.candidates)
