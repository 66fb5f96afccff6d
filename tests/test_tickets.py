"""Travel documents and foreign receipts, read from positioned words (as OCR or a text layer gives them)."""

from __future__ import annotations

from office_agent.extract.paper import extract_paper
from office_agent.extract.receipts import extract_receipt
from office_agent.extract.tickets import extract_ticket
from office_agent.ingest.ocr import OcrWord
from office_agent.models import Page, Source, Word


def page(rows: list[list[str]], width: float = 600) -> Page:
    """Rows of runs, laid out left to right, 20 pt apart."""
    words: list[Word] = []
    for i, row in enumerate(rows):
        x = 20.0
        for text in row:
            w = 9.0 * len(text)
            words.append(Word(text=text, bbox=(x, 20 + 20 * i, x + w, 32 + 20 * i)))
            x += w + 30
    return Page(number=1, width=width, height=40 + 20 * len(rows), words=words)


def fields(ext: object) -> dict[str, str]:
    assert ext is not None
    return {c.field: c.value for c in ext.candidates}  # type: ignore[attr-defined]


def test_railway_e_ticket() -> None:
    p = page([
        ["电子发票（铁路电子客票）"],
        ["发票号码:25119110000012345678", "开票日期:2025年01月02日"],
        ["南京南", "站", "G7", "上海虹桥", "站"],
        ["2025年01月03日 08:00开", "05车12A号", "二等座"],
        ["￥139.50"],
        ["3201**********1234", "张三"],
        ["电子客票号:E123456789012345678"],
    ])  # fmt: skip
    f = fields(extract_ticket(p, Source.OCR))
    assert f["route"] == "南京南-上海虹桥" and f["trip_number"] == "G7"
    assert f["travel_date"] == "2025-01-03" and f["seat_class"] == "二等座"
    assert f["fare"] == f["total_amount"] == "139.50" and f["passenger"] == "张三"


def test_flight_itinerary() -> None:
    p = page([
        ["电子发票（航空运输电子客票行程单）"],
        ["旅客姓名", "李四", "有效身份证件号码", "110101199001011234"],
        ["自 北京首都", "CA1831", "Y", "2025-01-03", "08:00"],
        ["至 上海虹桥"],
        ["航班号", "CA1831", "座位等级", "Y"],
        ["票价", "1200.00", "增值税税额", "102.94", "合计", "1280.00"],
    ])  # fmt: skip
    f = fields(extract_ticket(p, Source.TEXT))
    assert f["passenger"] == "李四" and f["route"] == "北京首都-上海虹桥"
    assert f["trip_number"] == "CA1831" and f["seat_class"] == "Y" and f["travel_date"] == "2025-01-03"
    assert (f["fare"], f["tax_amount"], f["total_amount"]) == ("1200.00", "102.94", "1280.00")


def test_ride_hailing_trip_table_is_recognised() -> None:
    p = page([
        ["滴滴出行-行程单"],
        ["申请日期：2025-02-01", "行程起止日期：2025-01-01 至 2025-01-31"],
        ["共3笔行程，合计86.50元"],
        ["序号", "车型", "上车时间", "起点", "终点", "金额"],
    ])  # fmt: skip
    f = fields(extract_ticket(p, Source.TEXT))
    assert f["title"] == "滴滴出行-行程单" and f["total_amount"] == "86.50"
    assert f["travel_date"] == "2025-01-01" and f["issue_date"] == "2025-02-01"


def test_an_ordinary_invoice_is_no_ticket_and_no_receipt() -> None:
    p = page([["电子发票（普通发票）"], ["发票号码：25000000000000000001"], ["价税合计（小写）¥106.00"]])
    assert extract_ticket(p, Source.TEXT) is None and extract_receipt(p, Source.TEXT) is None


def test_foreign_receipt() -> None:
    p = page([
        ["TAN WOON YANN"],
        ["INDAH GIFT & HOME DECO"],
        ["27,JALAN DEDAP 13,"],
        ["TAMAN JOHOR JAYA,"],
        ["81100 JOHOR BAHRU,JOHOR."],
        ["TEL:07-3507405"],
        ["19/10/2018 20:49:59"],
        ["GF-TABLE LAMP", "55.90"],
        ["TOTAL AMT", "RM", "60.31"],
        ["ROUNDING ADJ", "-0.01"],
        ["RM", "60.30"],
        ["CASH", "RM", "100.00"],
    ])  # fmt: skip
    f = fields(extract_receipt(p, Source.OCR))
    assert f["seller_name"] == "INDAH GIFT & HOME DECO"
    assert f["seller_address"] == "27,JALAN DEDAP 13, TAMAN JOHOR JAYA, 81100 JOHOR BAHRU,JOHOR."
    assert f["issue_date"] == "2018-10-19" and f["total_amount"] == "60.30" and f["currency"] == "MYR"


def test_foreign_invoice_number_and_a_spaced_month_date() -> None:
    p = page([
        ["Amazon Web Services Invoice"],
        ["Invoice Number:", "42183017"],
        ["Invoice Date:", "August 3 , 2014"],
        ["TOTAL AMOUNT DUE ON August 3 , 2014", "$4.11"],
    ])  # fmt: skip
    f = fields(extract_receipt(p, Source.OCR))
    assert f["invoice_number"] == "42183017" and f["issue_date"] == "2014-08-03" and f["total_amount"] == "4.11"
    p = page([["Retail Invoices/Bill"], ["Invoice No : # BLR_WFLD20151000982590"], ["Grand Total", "₹ 319.00"]])
    f = fields(extract_receipt(p, Source.OCR))
    assert f["invoice_number"] == "BLR_WFLD20151000982590" and f["currency"] == "INR"


def test_a_foreign_invoice_number_keeps_its_letters_in_the_record() -> None:
    from ocr_helpers import records_of

    p = page([["Invoice No : # BLR_WFLD20151000982590"], ["Invoice Date: 20-10-2015"], ["Grand Total", "₹ 319.00"]])
    (inv,) = records_of(p, source="x.png")
    assert inv.invoice_number == "BLR_WFLD20151000982590" and str(inv.total_amount) == "319.00"


def test_receipt_habits_seen_on_sroie() -> None:
    """A name whose 'Sdn Bhd' wraps; a state that looks like a registration number (JOHOR); a date run into the
    time; a 'TAXINVOICE' line after the address; a GST summary's Total row after the real total."""
    p = page([
        ["Nando's Chickenland Malaysia"],
        ["Sdn Bhd"],
        ["(JM0352019-K)"],
        ["NO.53 JALAN PUTRA 1,"],
        ["81200 JOHOR BAHRU"],
        ["JOHOR"],
        ["TAXINVOICE"],
        ["ORD #50 -REG #19- 18/01/201810:27:03"],
        ["Total (RM) :", "112.45"],
        ["GST SUMMARY"],
        ["Total:", "106.10", "6.37"],
    ])  # fmt: skip
    f = fields(extract_receipt(p, Source.OCR))
    assert f["seller_name"] == "Nando's Chickenland Malaysia Sdn Bhd"
    assert f["seller_address"] == "NO.53 JALAN PUTRA 1, 81200 JOHOR BAHRU JOHOR"
    assert f["issue_date"] == "2018-01-18" and f["total_amount"] == "112.45"


def test_address_ends_with_the_branch_in_brackets_and_starts_at_a_level() -> None:
    p = page([
        ["MR. D.I.Y. (M) SDN BHD"],
        ["LEVEL 6, BANGUNAN TH, DAMANSARA UPTOWN3"],
        ["43300 SERI KEMBANGAN, SELANGOR"],
        ["(MR DIY TESCO TERBAU)"],
        ["CHOPPING BOARD 35.5X25.5CM"],
        ["TOTAL", "9.00"],
    ])  # fmt: skip
    f = fields(extract_receipt(p, Source.OCR))
    assert f["seller_address"] == (
        "LEVEL 6, BANGUNAN TH, DAMANSARA UPTOWN3 43300 SERI KEMBANGAN, SELANGOR (MR DIY TESCO TERBAU)"
    )


def test_an_invoice_that_names_its_seller_and_its_invoice_date() -> None:
    """Not the buyer at the top (Bill to), the seller named by its label; the invoice date over the order date;
    a whole amount marked by its currency."""
    p = page([
        ["Bill to Address:"],
        ["ATTN: iViveLabs Limited"],
        ["Order Date: 15-10-2015"],
        ["Invoice Date: 20-10-2015"],
        ["Grand Total", "Rs 1939"],
        ["Service Provider:"],
        ["(Not to be used for payment remittance)"],
        ["Amazon Web Services, Inc."],
    ])  # fmt: skip
    f = fields(extract_receipt(p, Source.OCR))
    assert f["seller_name"] == "Amazon Web Services, Inc."
    assert f["issue_date"] == "2015-10-20" and f["total_amount"] == "1939.00"
    f = fields(extract_receipt(page([["Sold By : WS Retail Services Pvt. Ltd.,"], ["Total", "319.00"]]), Source.OCR))
    assert f["seller_name"] == "WS Retail Services Pvt. Ltd."


def test_paper_invoice_number_code_and_sealed_title() -> None:
    words = [
        OcrWord(text="值税专用发票", bbox=(250, 10, 380, 35), confidence=0.99),
        OcrWord(text="No87654321", bbox=(420, 15, 520, 35), confidence=0.98),
        OcrWord(text="1100094140", bbox=(100, 20, 190, 36), confidence=1.0),
        OcrWord(text="机器编号", bbox=(50, 60, 90, 72), confidence=1.0),
        OcrWord(text="000000000001", bbox=(92, 60, 170, 72), confidence=1.0),
    ]
    f = fields(extract_paper(Page(number=1, width=600, height=350, words=words), Source.OCR))
    assert f == {"invoice_number": "87654321", "invoice_code": "1100094140", "title": "增值税专用发票"}


def test_trip_table_is_linked_to_its_invoice() -> None:
    from decimal import Decimal

    from office_agent.extract.supporting import link_supporting
    from office_agent.models import Invoice, InvoiceKind

    invoice = Invoice(source="didi/invoice.pdf", sha256="a", total_amount=Decimal("86.50"),
                      invoice_kind=InvoiceKind.DIGITAL_GENERAL)  # fmt: skip
    other = Invoice(source="x/other.pdf", sha256="b", total_amount=Decimal("86.50"))
    trip = Invoice(source="didi/trips.pdf", sha256="c", total_amount=Decimal("86.50"),
                   invoice_kind=InvoiceKind.RIDE_ITINERARY)  # fmt: skip
    ((t, match),) = link_supporting([other, invoice, trip])
    assert t is trip and match is invoice
    assert "not counted" in trip.warnings[0]
