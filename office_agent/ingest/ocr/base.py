"""The OCR engine protocol and what every engine returns.

An engine turns an image (a numpy array, RGB or grey, 8 bits) into :class:`OcrBox` es: one recognised text line
(or word) each, with its quadrilateral in pixels and the recogniser's score. Everything about photos and scans
(orientation, skew, perspective, seals) is done before the engine is called (see ``office_agent.ingest.image``),
so an engine is only a recogniser and any engine can be swapped in.

Engines are loaded lazily and cached per process (:func:`office_agent.ingest.ocr.get_engine`): a batch's pool
worker loads its models once, on the first image it meets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from office_agent.errors import InputError, NeedsOcr
from office_agent.models import Word

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]  # top-left, top-right, bottom-right, bottom-left (pixels)


class OcrUnavailable(NeedsOcr):
    """No OCR engine is installed or configured: pixels cannot be read here (the file is skipped)."""


class OcrFailed(InputError):
    """The OCR engine crashed on this file (the batch goes on without it)."""


class OcrTimeout(OcrFailed):
    """The OCR engine took longer than the per-file limit on this file."""


@dataclass(frozen=True, slots=True)
class OcrBox:
    """One recognised piece of text: its text, its four corners in pixels and the recogniser's score (0..1)."""

    text: str
    quad: Quad
    score: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [p[0] for p in self.quad]
        ys = [p[1] for p in self.quad]
        return (min(xs), min(ys), max(xs), max(ys))

    @classmethod
    def from_points(cls, text: Any, points: Any, score: Any, scale: float = 1.0) -> OcrBox | None:
        """An engine's reading: its text, corner points (any sequence of (x, y), divided by ``scale``) and score;
        None when it is not four corners or holds no text."""
        pts = [(float(p[0]) / scale, float(p[1]) / scale) for p in points]
        clean = str(text).strip()
        if len(pts) != 4 or not clean:
            return None
        return cls(clean, (pts[0], pts[1], pts[2], pts[3]), float(score))

    @classmethod
    def from_rect(cls, text: str, x0: float, y0: float, x1: float, y1: float, score: float) -> OcrBox:
        return cls(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), score)

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "quad": [list(p) for p in self.quad], "score": round(self.score, 4)}

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> OcrBox:
        quad = raw["quad"]
        if not isinstance(quad, list) or len(quad) != 4:
            raise ValueError(f"an OCR box needs four corners, got {quad!r}")
        pts = tuple((float(p[0]), float(p[1])) for p in quad)
        score = raw.get("score", 1.0)
        return cls(str(raw["text"]), (pts[0], pts[1], pts[2], pts[3]), float(score))  # type: ignore[arg-type]


class OcrWord(Word):
    """A :class:`~office_agent.models.Word` read by OCR: it also carries the recogniser's score.

    It is a ``Word`` everywhere a ``Word`` is expected (``Page.words``), so the layout extractor reads OCR pages
    like any other; :mod:`office_agent.extract.ocrconf` reads ``confidence`` back into each field's provenance.
    """

    confidence: float = 1.0


@runtime_checkable
class OcrEngine(Protocol):
    """A text recogniser. ``recognize`` must not keep a reference to ``image``; it may raise anything."""

    name: str

    def recognize(self, image: np.ndarray) -> list[OcrBox]: ...


LineReading = tuple[str, float]  # what the recogniser read on one cropped line, and its score (0..1)
LineReader = Callable[[list[np.ndarray]], list[LineReading]]


@runtime_checkable
class LineRecogniser(Protocol):
    """An engine that can also read lines it is given, without detecting them (optional: null, replay and
    Tesseract have no such entry). ``recognize_lines`` takes RGB crops, each holding one line of text, and returns
    one reading per crop, in order (``("", 0.0)`` where nothing was read). ``reads_lines`` says whether the entry
    works: a wrapper (the benchmark's cache) has the method whatever it wraps, and says False when the engine inside
    has none."""

    reads_lines: bool

    def recognize_lines(self, crops: list[np.ndarray]) -> list[LineReading]: ...


def engine_bgr(image: np.ndarray) -> np.ndarray:
    """``image`` (RGB, or grey) as the contiguous 3-channel BGR that RapidOCR and PaddleOCR take, like OpenCV."""
    rgb = np.stack([image] * 3, axis=-1) if image.ndim == 2 else image
    return np.ascontiguousarray(rgb[:, :, ::-1])


def line_reader(engine: OcrEngine) -> LineReader | None:
    """The engine's recognise-only entry, or None when it has none."""
    if isinstance(engine, LineRecogniser) and engine.reads_lines:
        return engine.recognize_lines
    return None


def is_ocr_page_words(words: list[Word]) -> bool:
    """Whether a page's words came from OCR (an empty page counts as not OCR)."""
    return bool(words) and isinstance(words[0], OcrWord)
