"""The default engine: PaddleOCR's PP-OCR models run by RapidOCR on ONNX Runtime.

The ``rapidocr`` wheel carries its detection and recognition models (``rapidocr/models/*.onnx``, the
recogniser's character list inside the ONNX file). Both are named by path here, so RapidOCR never resolves a
model by name and never downloads one; the text-direction classifier is left out (page orientation is decided
before recognition, in :mod:`office_agent.ingest.preprocess`). ``tests/test_ocr_engines.py`` blocks sockets and
runs it.
"""

from __future__ import annotations

import importlib.util
import logging
import multiprocessing
import os
from pathlib import Path
from typing import Any

import numpy as np

from office_agent.ingest.ocr.base import LineReading, OcrBox, OcrUnavailable, engine_bgr

log = logging.getLogger(__name__)

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
MIN_SCORE = 0.3  # boxes below this are dropped; the rest carry their score into provenance


def packaged_models() -> tuple[Path, Path] | None:
    """Paths of the detection and recognition models shipped in the ``rapidocr`` wheel, if installed."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "models"
    det, rec = root / DET_MODEL, root / REC_MODEL
    return (det, rec) if det.is_file() and rec.is_file() else None


def is_available() -> bool:
    return packaged_models() is not None and importlib.util.find_spec("onnxruntime") is not None


def default_threads() -> int:
    """One thread per pool worker (the pool already uses every core); all cores for a single process."""
    env = os.environ.get("OFFICE_AGENT_OCR_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    if multiprocessing.parent_process() is not None:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


class RapidOcrEngine:
    """RapidOCR with the packaged PP-OCRv6 small models; loaded on first use."""

    name = "rapidocr"
    reads_lines = True

    def __init__(self, threads: int | None = None, max_side: int = 2000) -> None:
        self.threads = threads or default_threads()
        self.max_side = max_side
        self._ocr: Any = None

    def _load(self) -> Any:
        if self._ocr is None:
            models = packaged_models()
            if models is None:
                raise OcrUnavailable("the rapidocr wheel with its packaged models is not installed")
            from rapidocr import RapidOCR

            det, rec = models
            params: dict[str, Any] = {
                "Global.use_cls": False,
                "Global.log_level": "warning",
                "Global.text_score": MIN_SCORE,
                "Global.max_side_len": self.max_side,
                "Global.model_root_dir": str(det.parent),
                "Det.model_path": str(det),
                "Rec.model_path": str(rec),
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
            log.debug("loading RapidOCR (%s, %s, %d threads)", det.name, rec.name, self.threads)
            self._ocr = RapidOCR(params=params)
        return self._ocr

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        ocr = self._load()
        result = ocr(engine_bgr(image))
        boxes = getattr(result, "boxes", None)
        txts = getattr(result, "txts", None)
        scores = getattr(result, "scores", None)
        if boxes is None or txts is None or scores is None:
            return []
        read = (OcrBox.from_points(text, quad, score) for quad, text, score in zip(boxes, txts, scores, strict=False))
        return [box for box in read if box is not None]

    def recognize_lines(self, crops: list[np.ndarray]) -> list[LineReading]:
        """Read each crop as one line with the recogniser alone (no detection), in RapidOCR's batches."""
        if not crops:
            return []
        from rapidocr.ch_ppocr_rec import TextRecInput

        rec = self._load()._load_rec_model()  # RapidOCR's own lazy loader; the recogniser is shared with recognize
        bgr = [engine_bgr(c) for c in crops]
        result = rec(TextRecInput(img=bgr))
        txts = result.txts or ()
        scores = list(result.scores or ())
        out: list[LineReading] = []
        for i in range(len(crops)):
            text = str(txts[i]).strip() if i < len(txts) else ""
            out.append((text, float(scores[i]) if text and i < len(scores) else 0.0))
        return out
