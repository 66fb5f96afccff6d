"""The optional PaddleOCR engine's adapter, against PaddleOCR 3.x's documented interface.

PaddleOCR's models cannot be fetched here (no network but the package registries), so these tests check our side
of the contract with a stand-in ``paddleocr`` module: the engine is only used when the package AND its model
folders are present; the folders are handed over by path with the extra models (orientation, unwarping) off,
so nothing is ever downloaded; the image arrives as 3-channel BGR; ``predict``'s ``rec_texts`` / ``rec_scores``
/ ``rec_polys`` become OCR boxes; and those boxes go through the same extraction as RapidOCR's.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ocr_helpers import FIXTURES, image_blob, page_image, png
from paddle_fakes import FakePaddleOCR, install_stand_in, model_folder

from office_agent.batch import process_blob
from office_agent.ingest import ocr
from office_agent.ingest.ocr import OcrUnavailable
from office_agent.ingest.ocr.paddle import PaddleOcrEngine, is_available
from office_agent.ingest.ocr.replay import Recording
from office_agent.models import Status

_spec = importlib.util.find_spec


@pytest.fixture
def paddle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[type[FakePaddleOCR]]:
    """A ``paddleocr`` package and model folders on disk, as a user who installed the extra would have them."""
    install_stand_in(monkeypatch)
    for kind in ("det", "rec"):
        model_folder(tmp_path / kind, f"PP-OCRv5_server_{kind}")
        monkeypatch.setenv(f"OFFICE_AGENT_PADDLE_{kind.upper()}_DIR", str(tmp_path / kind))
    yield FakePaddleOCR
    ocr.set_default_engine(None)
    ocr.forget_engine("paddleocr")


def paddle_result(rec: Recording) -> list[dict[str, Any]]:
    """A recording in the shape PaddleOCR 3.x's ``predict`` returns: one result per image."""
    return [
        {
            "rec_texts": [b.text for b in rec.boxes],
            "rec_scores": [b.score for b in rec.boxes],
            "rec_polys": [np.array(b.quad, dtype=np.int16) for b in rec.boxes],
        }
    ]


def test_unavailable_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "paddleocr", None)  # find_spec → ValueError; import → ImportError
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "paddleocr" else _spec(name))
    assert not is_available()
    with pytest.raises(OcrUnavailable, match=r"paddleocr is not installed .*office-agent\[paddle\]"):
        PaddleOcrEngine().recognize(np.zeros((10, 10, 3), np.uint8))


def test_unavailable_without_its_models(
    paddle: type[FakePaddleOCR], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OFFICE_AGENT_PADDLE_DET_DIR", str(tmp_path / "nowhere-det"))
    assert not is_available()  # a folder named by the environment is the only one tried
    with pytest.raises(OcrUnavailable, match="nowhere-det"):
        PaddleOcrEngine().recognize(np.zeros((10, 10, 3), np.uint8))
    shutil.rmtree(tmp_path / "rec")
    model_folder(tmp_path / "nowhere-det", "PP-OCRv5_server_det")
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "inference.pdiparams").write_bytes(b"\0")  # no weights file, no inference.yml
    assert not is_available()
    assert not paddle.made


def test_models_are_passed_by_path_and_nothing_else_is_loaded(paddle: type[FakePaddleOCR], tmp_path: Path) -> None:
    assert is_available()
    engine = PaddleOcrEngine()
    engine.recognize(np.zeros((20, 30), np.uint8))
    engine.recognize(np.zeros((20, 30, 3), np.uint8))
    (kwargs,) = paddle.made  # created once, on the first image
    assert kwargs["text_detection_model_dir"] == str(tmp_path / "det")
    assert kwargs["text_recognition_model_dir"] == str(tmp_path / "rec")
    # the names PaddleX checks each folder against are the folders' own
    assert (kwargs["text_detection_model_name"], kwargs["text_recognition_model_name"]) == (
        "PP-OCRv5_server_det",
        "PP-OCRv5_server_rec",
    )
    assert kwargs["use_doc_orientation_classify"] is False and kwargs["use_doc_unwarping"] is False
    assert kwargs["use_textline_orientation"] is False
    assert [im.shape for im in paddle.seen] == [(20, 30, 3), (20, 30, 3)]  # grey given as three channels


def test_every_call_into_paddle_is_made_on_one_thread(paddle: type[FakePaddleOCR]) -> None:
    """Paddle's oneDNN predictors fail on a thread other than their own; ``run_engine`` calls from fresh threads."""
    engine = PaddleOcrEngine()
    for _ in range(3):
        ocr.run_engine(engine, np.zeros((8, 8, 3), np.uint8), timeout=30)
    assert len(paddle.threads) == 4 and len(set(paddle.threads)) == 1
    assert paddle.threads[0] != threading.get_ident()
    engine._pid = -1  # as in a pool worker forked from a process that had used the engine
    engine.recognize(np.zeros((8, 8, 3), np.uint8))
    assert len(paddle.made) == 2  # loaded again, on a thread of its own
    assert paddle.threads[-1] == paddle.threads[-2] != paddle.threads[0]


def test_a_failure_inside_paddle_reaches_the_caller(
    paddle: type[FakePaddleOCR], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: FakePaddleOCR, image: np.ndarray) -> None:
        raise RuntimeError("std::exception")

    monkeypatch.setattr(paddle, "predict", broken)
    with pytest.raises(ocr.OcrFailed, match=r"paddleocr' failed on this file: RuntimeError: std::exception"):
        ocr.run_engine(PaddleOcrEngine(), np.zeros((8, 8, 3), np.uint8), timeout=30)


def test_channels_are_handed_over_as_bgr(paddle: type[FakePaddleOCR]) -> None:
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[..., 0] = 200  # red in the pipeline's RGB
    PaddleOcrEngine().recognize(rgb)
    assert paddle.seen[0][0, 0].tolist() == [0, 0, 200]  # PaddleOCR reads OpenCV's BGR order


def test_predictions_become_boxes(paddle: type[FakePaddleOCR]) -> None:
    paddle.answer = [
        {
            "rec_texts": ["发票号码：", "  ", "87654321"],
            "rec_scores": [0.99, 0.5, 0.876],
            "rec_polys": [
                np.array([[10, 5], [90, 5], [90, 25], [10, 25]], dtype=np.int16),
                np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.int16),
                np.array([[100, 6], [180, 4], [181, 24], [101, 26]], dtype=np.int16),
            ],
        }
    ]
    boxes = PaddleOcrEngine().recognize(np.zeros((40, 200, 3), np.uint8))
    assert [b.text for b in boxes] == ["发票号码：", "87654321"]  # blank text dropped
    assert boxes[1].quad == ((100.0, 6.0), (180.0, 4.0), (181.0, 24.0), (101.0, 26.0))
    assert boxes[1].score == pytest.approx(0.876)
    assert boxes[1].bbox == (100.0, 4.0, 181.0, 26.0)


def test_a_large_image_is_shrunk_and_its_boxes_scaled_back(paddle: type[FakePaddleOCR]) -> None:
    paddle.answer = [
        {
            "rec_texts": ["发票号码：87654321"],
            "rec_scores": [0.9],
            "rec_polys": [np.array([[100, 50], [900, 50], [900, 90], [100, 90]], dtype=np.int16)],
        }
    ]
    (box,) = PaddleOcrEngine(max_side=2000).recognize(np.zeros((3000, 4000, 3), np.uint8))
    assert paddle.seen[0].shape == (1500, 2000, 3)  # what PaddleOCR saw
    assert box.bbox == pytest.approx((200.0, 100.0, 1800.0, 180.0))  # in the caller's pixels


def test_a_scan_read_through_the_paddle_engine_gives_the_invoice(paddle: type[FakePaddleOCR]) -> None:
    """The boxes of a real scan (recorded from RapidOCR) handed back in PaddleOCR's shape: same invoice."""
    rec = Recording.load(FIXTURES / "vat_special_sample.json")
    paddle.answer = paddle_result(rec)
    ocr.set_default_engine("paddleocr")
    result = process_blob(image_blob(png(page_image())))  # ink, so the page is not refused as blank
    assert result.status in (Status.OK, Status.PARTIAL), result.reason
    (inv,) = result.invoices
    assert (inv.invoice_code, inv.invoice_number, str(inv.issue_date)) == ("1100094140", "87654321", "2010-11-18")
    assert str(inv.total_amount) == "7018.83" and inv.seller_tax_id == "410305012345678"
    assert inv.provenance["invoice_number"].source.value == "ocr"
    assert paddle.seen  # the engine really was the one asked


def test_choosing_paddle_without_it_skips_the_file_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OFFICE_AGENT_PADDLE_DET_DIR", str(tmp_path / "missing"))
    ocr.set_default_engine("paddleocr")
    try:
        result = process_blob(image_blob(png(page_image((600, 400)))))
    finally:
        ocr.set_default_engine(None)
        ocr.forget_engine("paddleocr")
    assert result.status in (Status.SKIPPED, Status.FAILED)
    assert "paddleocr" in (result.reason or "")
