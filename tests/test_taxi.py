"""Taxi receipts (出租汽车统一发票): the generator's arithmetic and truth, the extractor on replayed OCR of its scans,
and one slow test through the real model."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest
from ocr_helpers import build_records, records_of, replayed_page

from office_agent.extract.assemble import NORMALIZERS
from office_agent.extract.normalize import NormalizeError
from office_agent.extract.taxi import extract_taxi, is_taxi_receipt
from office_agent.generate.records import invoice_record
from office_agent.ingest.ocr import OcrBox
from office_agent.ingest.ocr.page import page_from_boxes
from office_agent.models import DocFormat, Invoice, InvoiceKind, Page, Source, Word
from office_agent.synth.taxi import CITIES, make_taxi, render_taxi, write_taxi_corpus


def replayed(fixture: str) -> Invoice:
    (inv,) = records_of(replayed_page(fixture), source=fixture)
    return inv


def got(inv: Invoice, field: str) -> str | None:
    v = getattr(inv, field)
    if v is None:
        return None
    if field == "distance_km":
        return f"{v:.1f}"
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    return str(v.value) if isinstance(v, InvoiceKind) else str(v)


# ----------------------------------------------------------------------------------------------------------
# Generator


def test_meter_arithmetic_holds() -> None:
    prices = {city: (flag, price) for city, _, flag, price in CITIES}
    for i in range(200):
        taxi = make_taxi(random.Random(f"t:{i}"))
        city = next(c for c in prices if taxi.title.startswith(c))
        flag, price = prices[city]
        assert taxi.unit_price == price
        minimum = flag + max(Decimal(0), taxi.distance - 3) * price
        # waiting time and a surcharge of up to 2 yuan come on top; the meter rounds to the yuan
        assert minimum - Decimal("0.5") <= taxi.total <= minimum + Decimal("2.5") + Decimal(15 * 60) / 300 * price
        assert taxi.total == taxi.total.to_integral_value()
        assert len(taxi.code) == 12 and taxi.code.isdigit() and len(taxi.number) == 8
        assert taxi.pickup < taxi.dropoff or taxi.dropoff < "02:00"  # a ride may run past midnight


def test_corpus_is_deterministic_and_has_truth(tmp_path: Path) -> None:
    a = write_taxi_corpus(tmp_path / "a", 3, seed=9)
    b = write_taxi_corpus(tmp_path / "b", 3, seed=9)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    lines = (tmp_path / "a" / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all('"invoice_kind": "other"' in ln and '"category": "交通"' in ln for ln in lines)


def test_the_text_layer_of_a_generated_receipt_reads_back() -> None:
    from office_agent.ingest import read_document

    rng = random.Random("taxi:text")
    taxi = make_taxi(rng)
    doc = read_document("taxi.pdf", "0", render_taxi(taxi, rng))
    (inv,) = build_records(doc)
    truth = taxi.truth()
    for field in ("invoice_code", "invoice_number", "issue_date", "total_amount", "vehicle_plate", "pickup_time",
                  "dropoff_time", "unit_price", "distance_km", "invoice_kind", "category"):  # fmt: skip
        assert got(inv, field) == truth[field], field


# ----------------------------------------------------------------------------------------------------------
# Replayed OCR of generated scans (truth from the generator with the seed noted in the fixture)


@pytest.mark.parametrize(("fixture", "index"), [("taxi_receipt_3_scan.json", 3), ("taxi_receipt_4_photo.json", 4)])
def test_replayed_scan_of_a_taxi_receipt(fixture: str, index: int) -> None:
    truth = make_taxi(random.Random(f"taxi:7:{index}")).truth()
    inv = replayed(fixture)
    for field in ("invoice_code", "invoice_number", "issue_date", "travel_date", "total_amount", "vehicle_plate",
                  "pickup_time", "dropoff_time", "unit_price", "distance_km", "title"):  # fmt: skip
        assert got(inv, field) == truth[field], field
    assert inv.invoice_kind == InvoiceKind.OTHER and inv.category == "交通"
    assert inv.seller_tax_id is None and inv.provenance["total_amount"].source == Source.OCR
    trip = invoice_record(inv)["trip"]
    assert trip["vehicle_plate"] == truth["vehicle_plate"] and trip["distance_km"] == truth["distance_km"]


def _page(lines: list[str]) -> Page:
    words = [Word(text=t, bbox=(20.0, 20.0 + 20 * i, 200.0, 34.0 + 20 * i)) for i, t in enumerate(lines)]
    return Page(number=1, width=230, height=420, words=words)


def test_label_and_value_in_separate_boxes_and_full_width_colons() -> None:
    page = _page(["北京市出租汽车统一发票", "车号：", "日 期 2021.3.5", "上车 9:05", "下车 09：41", "金额 ￥45.00元"])
    page.words[1] = Word(text="车号：", bbox=(20.0, 40.0, 60.0, 54.0))
    page.words.insert(2, Word(text="BQ1234", bbox=(90.0, 40.0, 150.0, 54.0)))
    ext = extract_taxi(page, Source.OCR)
    assert ext is not None
    found = {c.field: c.value for c in ext.candidates}
    assert found["vehicle_plate"] == "BQ1234" and found["issue_date"] == "2021-03-05"
    assert (found["pickup_time"], found["dropoff_time"]) == ("09:05", "09:41")
    assert found["total_amount"] == "45.00"


def test_not_a_taxi_receipt() -> None:
    assert not is_taxi_receipt("电子发票(普通发票)发票号码开票日期*经营租赁*通行费车牌号")
    assert not is_taxi_receipt("出租汽车统一发票")  # a title alone, no meter lines
    assert extract_taxi(_page(["增值税电子普通发票", "*运输服务*客运服务费", "金额 12.00"]), Source.OCR) is None


@pytest.mark.parametrize(("field", "bad"), [("pickup_time", "25:61"), ("vehicle_plate", "京"), ("distance_km", "x")])
def test_bad_values_are_refused_by_the_normalisers(field: str, bad: str) -> None:
    with pytest.raises((NormalizeError, ValueError, ArithmeticError)):
        NORMALIZERS[field](bad)


def test_ocr_boxes_out_of_order_still_pair_label_and_value() -> None:
    boxes = [
        OcrBox.from_rect("18.6km", 300, 400, 420, 430, 0.97),
        OcrBox.from_rect("里程", 60, 402, 130, 428, 0.99),
        OcrBox.from_rect("上海市出租汽车统一发票", 60, 20, 500, 60, 0.99),
        OcrBox.from_rect("上车", 60, 302, 130, 328, 0.99),
        OcrBox.from_rect("21:05", 300, 300, 400, 330, 0.98),
    ]
    ext = extract_taxi(page_from_boxes(boxes, 560, 900, 0.4), Source.OCR)
    assert ext is not None
    found = {c.field: c.value for c in ext.candidates}
    assert (found["distance_km"], found["pickup_time"]) == ("18.6", "21:05")


# ----------------------------------------------------------------------------------------------------------
# The real model


@pytest.mark.slow
def test_real_model_reads_a_photographed_taxi_receipt() -> None:
    from office_agent.ingest.ocr.rapid import is_available

    if not is_available():
        pytest.skip("rapidocr + onnxruntime are not installed")
    from office_agent.batch import process_blob
    from office_agent.ingest.sources import Blob
    from office_agent.synth.scans import STYLES, scan_pdf

    rng = random.Random("taxi:slow")
    taxi = make_taxi(rng)
    photo = scan_pdf(render_taxi(taxi, rng), STYLES["photo"], seed=11)
    result = process_blob(Blob("taxi.jpg", photo, "0" * 64, DocFormat.IMAGE))
    (inv,) = result.invoices
    truth = taxi.truth()
    for field in ("invoice_number", "issue_date", "total_amount", "vehicle_plate", "distance_km", "invoice_kind"):
        assert got(inv, field) == truth[field], field


def test_plates_have_no_letters_i_and_o() -> None:
    """Seen on every scan of one generated receipt: OCR reads the digit 0 of 京B0AEV3 as the letter O."""
    assert NORMALIZERS["vehicle_plate"]("京BOAEV3") == "京B0AEV3"
    assert NORMALIZERS["vehicle_plate"]("b-q12i4") == "B-Q1214"


def test_traditional_forms_of_city_names_read_back_simplified() -> None:
    boxes = [
        OcrBox.from_rect("武漢市出租汽车发票", 60, 20, 500, 60, 0.99),
        OcrBox.from_rect("粵H271MF", 60, 80, 300, 110, 0.9),
    ]
    page = page_from_boxes(boxes, 560, 900, 0.4)
    assert [w.text for w in page.words] == ["武汉市出租汽车发票", "粤H271MF"]


def test_code_and_number_whose_red_labels_were_washed_out() -> None:
    """Seen on a photo of a receipt printed in red: the head's labels go with the seals, the digits stay."""
    ext = extract_taxi(_page(["上海市出租汽车发票", "143022138093", "73099571", "电话 96222", "车号 沪AVFX91",
                              "上车 10:08", "金额 25.00元", "12345678"]), Source.OCR)  # fmt: skip
    assert ext is not None
    found = [(c.field, c.value) for c in ext.candidates]
    assert ("invoice_code", "143022138093") in found and ("invoice_number", "73099571") in found
    assert ("invoice_number", "12345678") not in found  # below the meter's lines: not the number
