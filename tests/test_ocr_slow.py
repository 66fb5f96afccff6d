"""The real OCR model (RapidOCR, PP-OCRv6 from inside its wheel): offline, on generated scans and photos.

Marked slow: together they take about a minute on 2 cores.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from ocr_helpers import FONT, cjk_font, invoice_like, refuse_network
from PIL import Image

from office_agent.ingest import ocr
from office_agent.ingest.ocr.rapid import RapidOcrEngine, is_available, packaged_models

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not is_available(), reason="rapidocr + onnxruntime are not installed"),
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    refuse_network(monkeypatch)
    yield


def test_models_ship_inside_the_wheel() -> None:
    models = packaged_models()
    assert models is not None
    det, rec = models
    assert det.stat().st_size > 1_000_000 and rec.stat().st_size > 1_000_000


def test_recognises_offline_with_sockets_blocked(no_network: None) -> None:
    import numpy as np

    engine = RapidOcrEngine(threads=2)  # a fresh engine: its models load here, under the block
    boxes = engine.recognize(np.asarray(invoice_like(["发票号码：12345678", "价税合计 ¥1,234.50"])))
    text = " ".join(b.text for b in boxes)
    assert "12345678" in text and "1,234.50" in text
    assert all(0 < b.score <= 1 for b in boxes)


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_page_turned_any_way_reads_upright(turns: int) -> None:
    import numpy as np

    from office_agent.ingest.ocr.page import read_pixels

    im = invoice_like(["电子发票（普通发票）", "发票号码：25000000000000000001", "开票日期：2025年03月04日",
                       "购买方名称：上海乙有限公司", "价税合计（小写）¥106.00"])  # fmt: skip
    pixels = np.ascontiguousarray(np.rot90(np.asarray(im), -turns))
    (page,) = read_pixels(pixels, 1, ocr.get_engine("rapidocr"))
    text = " ".join(w.text for w in page.words)
    assert "25000000000000000001" in text and "106.00" in text
    assert page.width > page.height  # upright again: the page is landscape like the original
    number = next(w for w in page.words if "2500000" in w.text)
    date = next(w for w in page.words if "2025" in w.text and "03" in w.text)
    assert number.bbox[1] < date.bbox[1]  # reading order top to bottom


def test_real_scan_of_a_paper_special_invoice(realdata: object) -> None:
    from pathlib import Path

    from office_agent.extract.chain import blob_from_path, document_chain

    path = Path(str(realdata)) / "cn" / "img" / "vat_special_sample.jpg"
    (inv,) = document_chain.invoke(blob_from_path(path))
    assert (inv.invoice_code, inv.invoice_number, str(inv.issue_date)) == ("1100094140", "87654321", "2010-11-18")
    assert (inv.seller_name, inv.seller_tax_id, str(inv.total_amount)) == ("测试销方企业", "410305012345678", "7018.83")


def test_photo_on_a_desk_with_a_seal() -> None:
    from office_agent.batch import process_blob
    from office_agent.ingest.sources import Blob
    from office_agent.models import DocFormat
    from office_agent.synth.scans import STYLES, scan_pdf

    reportlab = pytest.importorskip("reportlab.pdfgen.canvas")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    cjk_font(10)
    pdfmetrics.registerFont(TTFont("wqy", FONT, subfontIndex=0))
    buf = io.BytesIO()
    c = reportlab.Canvas(buf, pagesize=(680, 400))
    c.setFont("wqy", 16)
    c.drawString(230, 360, "电子发票（普通发票）")
    c.setFont("wqy", 11)
    c.drawString(470, 330, "发票号码：25000000000000000001")
    c.drawString(470, 312, "开票日期：2025年03月04日")
    c.drawString(40, 280, "购买方名称：上海乙有限公司")
    c.drawString(40, 260, "统一社会信用代码/纳税人识别号：91310115MA1H9HD02E")
    c.drawString(360, 280, "销售方名称：杭州甲科技有限公司")
    c.drawString(360, 260, "统一社会信用代码/纳税人识别号：91610132688983884K")
    c.drawString(40, 80, "价税合计（大写）壹佰零陆圆整")
    c.drawString(440, 80, "（小写）¥106.00")
    c.save()
    photo = scan_pdf(buf.getvalue(), STYLES["photo"], seed=3)
    assert Image.open(io.BytesIO(photo)).size == (4032, 3024)
    result = process_blob(Blob("photo.jpg", photo, "0" * 64, DocFormat.IMAGE))
    assert result.invoices, result.reason
    inv = result.invoices[0]
    assert inv.invoice_number == "25000000000000000001"
    assert str(inv.issue_date) == "2025-03-04" and str(inv.total_amount) == "106.00"
    # (this toy form has no 购买方/销售方 block labels, so which id is whose is not asserted)
    assert {inv.buyer_tax_id, inv.seller_tax_id} == {"91310115MA1H9HD02E", "91610132688983884K"}
