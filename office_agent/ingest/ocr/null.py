"""The null engine: reads nothing. For tests, and for machines where no OCR engine is installed."""

from __future__ import annotations

import numpy as np

from office_agent.ingest.ocr.base import OcrBox


class NullEngine:
    name = "null"

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        return []
