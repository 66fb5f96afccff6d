"""The OCR path without the model: recorded OCR boxes replayed, bad images, engines that crash or hang.

Real-model tests are in ``test_ocr_slow.py`` (marked slow).
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from ocr_helpers import FIXTURES, build_records, page_image, png, records_of, replayed_page
from ocr_helpers import image_blob as blob
from PIL import Image, ImageDraw

from office_agent.batch import process_blob
from office_agent.errors import CorruptFile, NotAnInvoice, TooLarge
from office_agent.ingest import ocr, read_document
from office_agent.ingest.image import BlankImage, ImageTooLarge, ImageTooSmall, TruncatedImage, load_frames
from office_agent.ingest.ocr import OcrBox, OcrFailed, OcrTimeout, register_engine, run_engine
from office_agent.ingest.ocr.page import page_from_boxes, split_invoices
from office_agent.ingest.ocr.replay import Recording, ReplayEngine
from office_agent.models import DocFormat, Invoice, Source, Status


@pytest.fixture
def use_engine() -> Iterator[None]:
    yield
    ocr.set_default_engine(None)
    for name in ("replay", "crash", "hang"):
        ocr.FACTORIES.pop(name, None)
        ocr.forget_engine(name)


def use(name: str, engine: ocr.OcrEngine) -> None:
    register_engine(name, lambda: engine)
    ocr.set_default_engine(name)


# ----------------------------------------------------------------------------------------------------------
# Replayed OCR of a real scan


def test_replayed_scan_of_paper_special_invoice() -> None:
    (inv,) = records_of(replayed_page("vat_special_sample.json"), source="vat_special_sample.jpg")
    assert inv.invoice_number == "87654321"
    assert inv.invoice_code == "1100094140"
    assert str(inv.issue_date) == "2010-11-18"
    assert (inv.buyer_name, inv.seller_name) == ("测试购方企业", "测试销方企业")
    assert (inv.buyer_tax_id, inv.seller_tax_id) == ("410305123456789", "410305012345678")
    amounts = (str(inv.amount_without_tax), str(inv.tax_amount), str(inv.total_amount))
    assert amounts == ("5999.00", "1019.83", "7018.83")
    assert inv.invoice_kind.value == "vat_special"
    assert inv.items and inv.items[0].name == "计算机"
    prov = inv.provenance["total_amount"]
    assert prov.source == Source.OCR and prov.bbox is not None and 0 < prov.confidence <= 1


def test_ocr_confidence_is_carried_into_provenance() -> None:
    boxes = [
        OcrBox.from_rect("开票日期：2024年05月28日", 600, 40, 860, 70, 0.99),
        OcrBox.from_rect("发票号码：24112000000048542163", 600, 10, 900, 38, 0.55),
        OcrBox.from_rect("价税合计（大写）", 40, 500, 200, 530, 0.98),
        OcrBox.from_rect("（小写）¥4449.00", 600, 500, 800, 530, 0.97),
    ]
    (inv,) = records_of(page_from_boxes(boxes, 1000, 700, 0.7), source="x.png")
    assert inv.provenance["invoice_number"].confidence == pytest.approx(0.55)
    assert inv.provenance["issue_date"].confidence > 0.9


def _two_up(second: dict[str, str]) -> list[OcrBox]:
    """Two invoices' boxes, one 600 pixels under the other; ``second``: replacements in the lower one's texts."""
    one = [
        OcrBox.from_rect("电子发票（普通发票）", 300, 20, 600, 50, 0.99),
        OcrBox.from_rect("发票号码：25000000000000000001", 650, 20, 950, 45, 0.99),
        OcrBox.from_rect("开票日期：2025年03月04日", 650, 50, 950, 75, 0.99),
        OcrBox.from_rect("（小写）¥106.00", 650, 380, 850, 405, 0.99),
    ]
    two = []
    for b in one:
        text = b.text
        for old, new in second.items():
            text = text.replace(old, new)
        two.append(OcrBox(text, tuple((x, y + 600) for x, y in b.quad), b.score))  # type: ignore[arg-type]
    return one + two


def test_two_invoices_on_one_page_are_split() -> None:
    page = page_from_boxes(_two_up({"0001": "0002", "106": "212"}), 1000, 1250, 0.6)
    pages = split_invoices(page, [])
    assert len(pages) == 2
    invoices = records_of(*pages, source="two.jpg")
    assert [i.invoice_number for i in invoices] == ["25000000000000000001", "25000000000000000002"]
    assert [str(i.total_amount) for i in invoices] == ["106.00", "212.00"]


def test_two_invoices_split_when_the_lower_one_misread_its_anchors() -> None:
    """PaddleOCR on a two-up sheet (half the resolution each): ``发票号：`` and ``开票1期：`` on the lower copy."""
    boxes = _two_up({"0001": "0002", "发票号码": "发票号", "开票日期": "开票1期"})
    pages = split_invoices(page_from_boxes(boxes, 1000, 1250, 0.6), [])
    assert [len(p.words) for p in pages] == [4, 4]
    assert any(w.text.startswith("发票号：") for w in pages[1].words)


def test_image_read_end_to_end_with_a_replay_engine(use_engine: None) -> None:
    rec = Recording.load(FIXTURES / "vat_special_sample.json")
    engine = ReplayEngine(rec.boxes)
    use("replay", engine)
    result = process_blob(blob(png(page_image())))
    assert result.status in (Status.OK, Status.PARTIAL), result.reason
    assert result.invoices[0].invoice_number == "87654321"
    assert result.invoices[0].format == DocFormat.IMAGE
    assert engine.calls >= 1


# ----------------------------------------------------------------------------------------------------------
# Bad images: a status and a reason, never a crash


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLarge) as info:
        load_frames(_png_header(100_000, 100_000))
    assert isinstance(info.value, TooLarge) and "limit" in str(info.value)


def test_truncated_jpeg() -> None:
    buf = io.BytesIO()
    page_image().save(buf, format="JPEG", quality=90)
    with pytest.raises(TruncatedImage) as info:
        load_frames(buf.getvalue()[: len(buf.getvalue()) // 2])
    assert isinstance(info.value, CorruptFile) and "truncated" in str(info.value)


def test_one_pixel_image() -> None:
    with pytest.raises(ImageTooSmall):
        load_frames(png(Image.new("RGB", (1, 1), "white")))


def test_not_an_image_at_all() -> None:
    with pytest.raises(CorruptFile):
        load_frames(b"\x89PNG\r\n\x1a\n")


def test_blank_image_is_refused(use_engine: None) -> None:
    use("replay", ReplayEngine([]))
    with pytest.raises(BlankImage) as info:
        read_document("blank.png", "0", png(Image.new("RGB", (800, 600), (250, 250, 250))))
    assert isinstance(info.value, NotAnInvoice)


def test_image_with_no_invoice_fails_with_a_reason(use_engine: None) -> None:
    use("replay", ReplayEngine([OcrBox.from_rect("Happy birthday", 10, 10, 300, 40, 0.99)]))
    result = process_blob(blob(png(page_image())))
    assert result.status == Status.FAILED and "not recognised as an invoice" in (result.reason or "")


def test_transparent_png_is_flattened_onto_white() -> None:
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((20, 20, 60, 60), fill=(0, 0, 0, 255))
    (pixels, _), = load_frames(png(im))
    assert tuple(pixels[5, 5]) == (255, 255, 255) and tuple(pixels[40, 40]) == (0, 0, 0)


def test_exif_orientation_is_applied() -> None:
    im = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif)
    (pixels, _), = load_frames(buf.getvalue())
    assert pixels.shape[:2] == (300, 100)


def test_multipage_tiff_gives_every_page() -> None:
    frames = [page_image((400, 300)), page_image((300, 400))]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    loaded = load_frames(buf.getvalue())
    assert [f.shape[:2] for f, _ in loaded] == [(300, 400), (400, 300)]
    assert loaded[0][1] == 300


@pytest.mark.parametrize("fmt", ["BMP", "WEBP", "GIF"])
def test_other_formats_decode(fmt: str) -> None:
    buf = io.BytesIO()
    page_image((320, 200)).save(buf, format=fmt)
    (pixels, _), = load_frames(buf.getvalue())
    assert pixels.shape == (200, 320, 3)


def test_heic_decodes() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    try:
        pillow_heif.from_pillow(page_image((320, 200))).save(buf, quality=90)
    except Exception as exc:  # an encoder-less libheif build can read but not write
        pytest.skip(f"no HEIC encoder here: {exc}")
    (pixels, _), = load_frames(buf.getvalue())
    assert pixels.shape[:2] == (200, 320)


# ----------------------------------------------------------------------------------------------------------
# Engines that misbehave cost one file, not the batch


class CrashingEngine:
    name = "crash"

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        raise RuntimeError("segfault simulated")


class HangingEngine:
    name = "hang"

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        time.sleep(30)
        return []


def test_crashing_engine_fails_the_file_with_a_reason(use_engine: None) -> None:
    use("crash", CrashingEngine())
    result = process_blob(blob(png(page_image())))
    assert result.status == Status.FAILED
    assert "crash" in (result.reason or "") and "segfault simulated" in (result.reason or "")


def test_hanging_engine_is_cut_off(use_engine: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ocr.ENV_TIMEOUT, "0.3")
    use("hang", HangingEngine())
    started = time.monotonic()
    result = process_blob(blob(png(page_image())))
    assert time.monotonic() - started < 5
    assert result.status == Status.FAILED and "longer than 0.3 s" in (result.reason or "")


def test_batch_goes_on_after_a_hang(use_engine: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from factories import einvoice

    from office_agent.batch import run_batch

    monkeypatch.setenv(ocr.ENV_TIMEOUT, "0.3")
    use("hang", HangingEngine())
    (tmp_path / "a_scan.png").write_bytes(png(page_image()))
    (tmp_path / "b.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    result = run_batch([tmp_path], workers=1)
    statuses = {Path(f.source).name: f.status for f in result.files}
    assert statuses["a_scan.png"] == Status.FAILED
    assert statuses["b.xml"] in (Status.OK, Status.PARTIAL)


def test_run_engine_wraps_errors() -> None:
    with pytest.raises(OcrFailed):
        run_engine(CrashingEngine(), np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(OcrTimeout):
        run_engine(HangingEngine(), np.zeros((10, 10, 3), np.uint8), timeout=0.1)


def test_null_engine_skips_images_without_qr(use_engine: None) -> None:
    ocr.set_default_engine("null")
    result = process_blob(blob(png(page_image())))
    assert result.status == Status.SKIPPED and "OCR" in (result.reason or "")


def test_unknown_engine_name_is_refused() -> None:
    with pytest.raises(ValueError):
        ocr.set_default_engine("nope")


def test_image_only_pdf_is_read_by_ocr(use_engine: None) -> None:
    rec = Recording.load(FIXTURES / "vat_special_sample.json")
    use("replay", ReplayEngine(rec.boxes))
    buf = io.BytesIO()
    page_image((1200, 700)).save(buf, format="PDF", resolution=150)
    doc = read_document("scan.pdf", "0", buf.getvalue())
    assert doc.format == DocFormat.PDF and any("read by OCR" in w for w in doc.warnings)
    (inv,) = build_records(doc)
    assert inv.invoice_number == "87654321" and inv.provenance["invoice_number"].source == Source.OCR


def test_text_pdf_is_not_sent_to_ocr(use_engine: None) -> None:
    from test_pdf import simple_pdf

    engine = ReplayEngine([])
    use("replay", engine)
    doc = read_document("x.pdf", "0", simple_pdf(["Invoice No: 12345678", "Total: 100.00"]))
    assert engine.calls == 0 and doc.pages[0].words


# ----------------------------------------------------------------------------------------------------------
# Regressions found by bench_ocr on generated scans


def test_print_under_a_seal_survives_and_the_seal_goes() -> None:
    """A half-transparent red seal stamped over an amount: the seal's ink and its pink fringe turn white, the
    black digits under the seal's strokes stay dark (they were erased where the seal text crossed them)."""
    from office_agent.ingest.preprocess import suppress_red

    im = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(im).rectangle((100, 120, 500, 160), fill="black")  # stands for a line of digits
    layer = Image.new("RGBA", im.size, (0, 0, 0, 0))
    seal = ImageDraw.Draw(layer)
    seal.ellipse((150, 40, 450, 260), outline=(220, 30, 40, 170), width=10)
    for x in range(210, 400, 30):  # the seal's text: strokes a few pixels wide, crossing the digits
        seal.line((x, 90, x + 20, 190), fill=(220, 30, 40, 170), width=5)
    stamped = np.asarray(Image.alpha_composite(im.convert("RGBA"), layer).convert("RGB"))
    stamped = cv2.GaussianBlur(stamped, (0, 0), 1.2)  # a scanner's blur gives the ink a pink fringe
    out = suppress_red(stamped)
    assert (out[120:160, 100:500].max(axis=2) < 200).mean() > 0.99  # the digits, under the seal too: still ink
    assert out[100, 212].min() > 240 and out[45, 300].min() > 240  # a seal stroke and the ring over paper: gone
    assert (out[30:112].min(axis=2) < 200).sum() == 0  # nothing of the seal is left to read, fringe included
    assert out[10, 10].tolist() == [255, 255, 255]


def test_brown_print_alone_is_not_taken_for_a_seal() -> None:
    from office_agent.ingest.preprocess import suppress_red

    im = np.full((200, 400, 3), 255, np.uint8)
    im[50:60, 20:380] = (156, 82, 36)  # the brown of the form's labels and lines
    assert (suppress_red(im) == im).all()


def test_title_cut_in_two_by_ocr_is_joined() -> None:
    """OCR reads ``电子发票`` and ``(增值税专用发票)`` as two boxes: the kind comes from the whole title."""
    boxes = [
        OcrBox.from_rect("电子发票", 330, 40, 465, 80, 0.99),
        OcrBox.from_rect("(增值税专用发票)", 480, 40, 720, 80, 0.97),
        OcrBox.from_rect("发票号码：25000000000000000001", 880, 45, 1130, 65, 0.99),
        OcrBox.from_rect("开票日期：2025年03月04日", 880, 80, 1130, 100, 0.99),
        OcrBox.from_rect("价税合计（大写）", 80, 560, 250, 580, 0.98),
        OcrBox.from_rect("（小写）¥106.00", 820, 560, 1000, 580, 0.97),
    ]
    page = page_from_boxes(boxes, 1200, 800, 0.5)
    (inv,) = records_of(page)
    assert inv.title == "电子发票(增值税专用发票)"
    assert inv.invoice_kind.value == "digital_special"
    boxes[0] = OcrBox.from_rect("电子发票", 330, 40, 490, 80, 0.99)  # the two boxes overlap a little
    page = page_from_boxes(boxes, 1200, 800, 0.5)
    (inv,) = records_of(page)
    assert inv.invoice_kind.value == "digital_special"
    # PaddleOCR: the box of （ reaches an em back over 电子发票 (generated two-up scan, 000004)
    boxes[0] = OcrBox.from_rect("电子发票", 330, 40, 515, 80, 0.99)
    boxes[1] = OcrBox.from_rect("（增值税专用发票", 480, 40, 720, 80, 0.97)
    page = page_from_boxes(boxes, 1200, 800, 0.5)
    (inv,) = records_of(page)
    assert inv.invoice_kind.value == "digital_special"


def test_party_labels_misread_by_ocr_still_pair() -> None:
    """Seen on a two-up scan of a toll invoice: 称 lost (``名`` | ``：广东省…``) and 别 read as 刑."""
    boxes = [
        OcrBox.from_rect("发票号码：25000000000000000001", 650, 20, 950, 45, 0.99),
        OcrBox.from_rect("购买方", 40, 100, 60, 190, 0.99),
        OcrBox.from_rect("名", 80, 110, 95, 128, 0.99),
        OcrBox.from_rect("称：武汉市车城物流有限公司", 150, 110, 400, 128, 0.99),
        OcrBox.from_rect("纳税人识刑号：914201007483062457", 80, 135, 400, 153, 0.96),
        OcrBox.from_rect("销售方", 40, 500, 60, 590, 0.99),
        OcrBox.from_rect("名", 80, 510, 95, 528, 0.99),
        OcrBox.from_rect("：广东省路桥建设发展有限公司", 150, 510, 450, 528, 0.99),
        OcrBox.from_rect("纳税人识别号：91440106556656312W", 80, 535, 400, 553, 0.97),
    ]
    page = page_from_boxes(boxes, 1000, 700, 0.6)
    (inv,) = records_of(page)
    assert (inv.buyer_name, inv.buyer_tax_id) == ("武汉市车城物流有限公司", "914201007483062457")
    assert (inv.seller_name, inv.seller_tax_id) == ("广东省路桥建设发展有限公司", "91440106556656312W")


def test_a_passengers_name_label_is_no_party_name() -> None:
    from office_agent.extract.layout import extract_page

    boxes = [OcrBox.from_rect("姓名", 80, 110, 120, 128, 0.99), OcrBox.from_rect("：张三", 130, 110, 200, 128, 0.99)]
    ext = extract_page(page_from_boxes(boxes, 1000, 700, 0.6), Source.OCR)
    assert not any(c.field.endswith("_name") for c in ext.candidates)


def _ocr_record(amount: str | None, items: list[tuple[str, str]], items_source: Source = Source.OCR) -> Invoice:
    from decimal import Decimal

    from office_agent.models import LineItem, Provenance

    prov = Provenance(source=Source.OCR, page=1, confidence=0.95)
    inv = Invoice(source="s.jpg", sha256="0" * 64, total_amount=Decimal("220.00"), tax_amount=Decimal("25.31"),
                  amount_without_tax=None if amount is None else Decimal(amount))  # fmt: skip
    inv.items = [LineItem(name="*乙醇汽油*92号", amount=Decimal(a), tax_amount=Decimal(t)) for a, t in items]
    inv.provenance = {"total_amount": prov.model_copy(update={"source": Source.QR}), "tax_amount": prov,
                      "items": prov.model_copy(update={"source": items_source})}  # fmt: skip
    if amount is not None:
        inv.provenance["amount_without_tax"] = prov
    return inv


def test_an_amount_misread_under_the_seal_is_repaired_from_the_items() -> None:
    """Seen on a scan of the real fuel invoice: the 合计 row read ¥194.09 for ¥194.69."""
    from office_agent.extract.ocrconf import reconcile_amounts

    inv = reconcile_amounts(_ocr_record("194.09", [("194.69", "25.31")]))
    assert str(inv.amount_without_tax) == "194.69"
    assert inv.alternatives["amount_without_tax"][0].value == "194.09"
    assert inv.provenance["amount_without_tax"].confidence <= 0.85 and inv.warnings
    assert str(reconcile_amounts(_ocr_record(None, [("100.00", "10.00"), ("94.69", "15.31")])).amount_without_tax) == (
        "194.69"
    )


@pytest.mark.parametrize(
    ("amount", "items", "source"),
    [
        ("194.09", [("194.60", "25.31")], Source.OCR),  # the items do not prove anything: left as read
        ("194.09", [("194.69", "25.31")], Source.TEXT),  # not an OCR record
        ("194.69", [("100.00", "25.31")], Source.OCR),  # amount + tax = total already
    ],
)
def test_amounts_are_left_alone_without_proof(amount: str, items: list[tuple[str, str]], source: Source) -> None:
    from office_agent.extract.ocrconf import reconcile_amounts

    inv = reconcile_amounts(_ocr_record(amount, items, source))
    assert str(inv.amount_without_tax) == amount and not inv.alternatives


def test_totals_row_without_its_labels_next_to_the_total_line() -> None:
    """Seen on a photo of the fuel invoice: 合 计 and （小写） both lost under the seal."""
    from office_agent.extract.paper import extract_paper

    boxes = [
        OcrBox.from_rect("电子发票（普通发票）", 300, 20, 600, 50, 0.99),
        OcrBox.from_rect("¥194.69", 570, 371, 617, 386, 0.98),
        OcrBox.from_rect("¥25.31", 785, 371, 826, 386, 0.98),
        OcrBox.from_rect("价税合计（大写）", 67, 395, 165, 411, 0.97),
        OcrBox.from_rect("贰佰贰拾圆整", 244, 392, 325, 409, 1.0),
        OcrBox.from_rect("某某有限公司）¥220.00", 513, 389, 667, 410, 0.99),
    ]
    ext = extract_paper(page_from_boxes(boxes, 842, 560, 1.0), Source.OCR)
    assert ext is not None
    found = {c.field: (c.value, c.provenance.confidence) for c in ext.candidates}
    assert found["amount_without_tax"] == ("194.69", 0.9) and found["tax_amount"][0] == "25.31"


def test_a_value_whose_first_character_ocr_also_put_in_the_label() -> None:
    """Seen on a sideways scan: ``纳税人识别号：9`` overlapping ``91330106MA2BX7Q8KA``."""
    boxes = [
        OcrBox.from_rect("发票号码：25000000000000000001", 650, 20, 950, 45, 0.99),
        OcrBox.from_rect("购买方", 40, 100, 60, 190, 0.99),
        OcrBox.from_rect("名称：", 80, 110, 125, 128, 0.99),
        OcrBox.from_rect("杭州示例智能科技有限公司", 180, 110, 400, 128, 0.99),
        OcrBox.from_rect("纳税人识别号：9", 80, 135, 190, 153, 0.96),
        OcrBox.from_rect("91330106MA2BX7Q8KA", 178, 136, 310, 152, 0.99),
    ]
    page = page_from_boxes(boxes, 1000, 700, 0.6)
    (inv,) = records_of(page)
    assert inv.buyer_tax_id == "91330106MA2BX7Q8KA"


def test_a_digital_title_that_lost_its_closing_bracket() -> None:
    from office_agent.extract.classify import classify_kind

    inv = Invoice(source="x", sha256="0", title="电子发票(增值税专用发票")
    assert classify_kind(inv).value == "digital_special"
    assert classify_kind(inv.model_copy(update={"title": "电子发票(普通发票"})).value == "digital_general"
    # both brackets lost (PaddleOCR on a two-up scan): still 数电, not a paper 增值税专用发票
    assert classify_kind(inv.model_copy(update={"title": "电子发票增值税专用发票"})).value == "digital_special"
    assert classify_kind(inv.model_copy(update={"title": "电子发票普通发票"})).value == "digital_general"
    assert classify_kind(inv.model_copy(update={"title": "北京增值税专用发票"})).value == "vat_special"
    # the （ read twice (RapidOCR on generated scans 000068 photo and 000187 scan of seed 31)
    assert classify_kind(inv.model_copy(update={"title": "电子发票((增值税专用发票)"})).value == "digital_special"
    assert classify_kind(inv.model_copy(update={"title": "电子发票（（普通发票）"})).value == "digital_general"


def test_a_seal_on_a_photos_grey_paper_is_painted_grey_not_white() -> None:
    """Seen on generated photos: seal ink painted white on grey paper was read as white text."""
    from office_agent.ingest.preprocess import suppress_red

    paper = (190, 188, 185)  # a photo's paper, away from the light
    im = Image.new("RGB", (600, 300), paper)
    ImageDraw.Draw(im).rectangle((100, 240, 500, 260), fill=(20, 20, 20))
    layer = Image.new("RGBA", im.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((160, 80), "某某有限公司 91110108MA01GUF37R", fill=(170, 25, 30, 255))
    ImageDraw.Draw(layer).ellipse((120, 30, 480, 200), outline=(170, 25, 30, 255), width=8)
    stamped = cv2.GaussianBlur(np.asarray(Image.alpha_composite(im.convert("RGBA"), layer).convert("RGB")), (0, 0), 1)
    out = suppress_red(stamped).astype(int)
    seal_area = out[30:200, 120:480]
    assert np.abs(seal_area - np.array(paper)).max(axis=2).max() < 40  # nothing lighter or darker than the paper
    assert out[250, 300].max() < 60  # print away from the seal: untouched


def test_totals_read_through_ocr_noise() -> None:
    """Seen on generated scans: ¥ read as Y after （小写）; the seal's text run into the total."""
    head = [
        OcrBox.from_rect("发票号码：25000000000000000001", 650, 20, 950, 45, 0.99),
        OcrBox.from_rect("价税合计（大写）", 60, 560, 220, 580, 0.9),
    ]
    for total in ("有限小写Y15258.84", "某某有限拿￥15258.84"):
        page = page_from_boxes([*head, OcrBox.from_rect(total, 620, 560, 800, 580, 0.9)], 1000, 700, 0.6)
        (inv,) = records_of(page)
        assert str(inv.total_amount) == "15258.84"


def test_a_credit_code_with_ocrs_letter_o_for_zero() -> None:
    from office_agent.extract.normalize import normalize_tax_id

    assert normalize_tax_id("12486121F48H2D39WO") == "12486121F48H2D39W0"  # the check character holds after
    assert normalize_tax_id("91330106MA2BX7Q8KA") == "91330106MA2BX7Q8KA"
    assert normalize_tax_id("9133O106MA2BX7Q8KB") == "9133O106MA2BX7Q8KB"  # no valid code either way: left


def test_caching_engine_reads_each_image_once(tmp_path: Path) -> None:
    from office_agent.ingest.ocr.replay import CachingEngine

    inner = ReplayEngine([OcrBox.from_rect("发票号码：12345678", 10, 10, 200, 30, 0.9)])
    engine = CachingEngine(inner, tmp_path / "ocr")
    a, b = np.zeros((40, 60, 3), np.uint8), np.full((40, 60, 3), 255, np.uint8)
    first = engine.recognize(a)
    assert engine.recognize(a) == first and inner.calls == 1  # the second reading came from disk
    engine.recognize(b)
    assert inner.calls == 2 and (engine.hits, engine.misses) == (1, 2)
    again = CachingEngine(ReplayEngine([]), tmp_path / "ocr")  # a later run: nothing read again
    assert again.recognize(a) == first and again.recognize(b) == first and again.misses == 0
    for path in (tmp_path / "ocr").iterdir():
        path.write_text("{torn", "utf-8")
    torn = CachingEngine(inner, tmp_path / "ocr")
    assert torn.recognize(a) == first and torn.misses == 1  # a torn file: the image is read again
