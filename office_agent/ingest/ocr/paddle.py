"""Optional engine: PaddleOCR itself (``pip install paddleocr paddlepaddle``), used only when it is importable AND
its models are already on disk. It is never allowed to fetch a model: the model folders are passed by path.

Model folders: ``$OFFICE_AGENT_PADDLE_DET_DIR`` / ``$OFFICE_AGENT_PADDLE_REC_DIR``, else PaddleX's cache
(``~/.paddlex/official_models/PP-OCRv5_server_det`` and ``…_rec``).
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from office_agent.ingest.ocr.base import OcrBox, OcrUnavailable

log = logging.getLogger(__name__)

_CACHE = Path.home() / ".paddlex" / "official_models"
DET_NAME = os.environ.get("OFFICE_AGENT_PADDLE_DET_NAME", "PP-OCRv5_server_det")
REC_NAME = os.environ.get("OFFICE_AGENT_PADDLE_REC_NAME", "PP-OCRv5_server_rec")


def model_dirs() -> tuple[Path, Path]:
    det = Path(os.environ.get("OFFICE_AGENT_PADDLE_DET_DIR", _CACHE / DET_NAME))
    rec = Path(os.environ.get("OFFICE_AGENT_PADDLE_REC_DIR", _CACHE / REC_NAME))
    return det, rec


def is_available() -> bool:
    if importlib.util.find_spec("paddleocr") is None:
        return False
    det, rec = model_dirs()
    return det.is_dir() and rec.is_dir() and any(det.iterdir()) and any(rec.iterdir())


class PaddleOcrEngine:
    name = "paddleocr"

    def __init__(self) -> None:
        self._ocr: Any = None

    def _load(self) -> Any:
        if self._ocr is None:
            if not is_available():
                raise OcrUnavailable(
                    "paddleocr is not installed or its models are not on disk "
                    f"(looked in {', '.join(str(p) for p in model_dirs())})"
                )
            os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
            from paddleocr import PaddleOCR

            det, rec = model_dirs()
            self._ocr = PaddleOCR(
                text_detection_model_name=DET_NAME,
                text_detection_model_dir=str(det),
                text_recognition_model_name=REC_NAME,
                text_recognition_model_dir=str(rec),
                use_doc_orientation_classify=False,
                use_doc_unwarping=False,
                use_textline_orientation=False,
            )
        return self._ocr

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        ocr = self._load()
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        out: list[OcrBox] = []
        for res in ocr.predict(np.ascontiguousarray(image[:, :, ::-1])):
            texts, scores, polys = res["rec_texts"], res["rec_scores"], res["rec_polys"]
            for text, score, poly in zip(texts, scores, polys, strict=False):
                pts = [(float(p[0]), float(p[1])) for p in poly]
                if len(pts) == 4 and str(text).strip():
                    out.append(OcrBox(str(text).strip(), (pts[0], pts[1], pts[2], pts[3]), float(score)))
        return out
