"""OCR engines behind one small protocol (:class:`OcrEngine`), chosen by name and cached per process.

===========  ==========================================================================================
rapidocr     default: PP-OCRv6 det + rec on ONNX Runtime, models from inside the ``rapidocr`` wheel
paddleocr    optional: PaddleOCR, only when importable and its models are already on disk
tesseract    optional: the Tesseract CLI with chi_sim (the benchmark's baseline)
null         reads nothing (tests; machines without OCR: images are then skipped, not failed)
===========  ==========================================================================================

The engine is picked by :func:`set_default_engine` (the CLI's ``--ocr-engine``) or the environment variable
``OFFICE_AGENT_OCR_ENGINE``; pool workers inherit the variable. Every call goes through :func:`run_engine`,
which bounds it in time (``OFFICE_AGENT_OCR_TIMEOUT`` seconds, default 120) and turns a crash into
:class:`OcrFailed`, so a bad file or a bad engine costs that file and not the batch.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import numpy as np

from office_agent.ingest.ocr.base import (
    LineReading,
    LineRecogniser,
    OcrBox,
    OcrEngine,
    OcrFailed,
    OcrTimeout,
    OcrUnavailable,
    OcrWord,
    is_ocr_page_words,
    line_reader,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TIMEOUT = 120.0
ENV_ENGINE = "OFFICE_AGENT_OCR_ENGINE"
ENV_TIMEOUT = "OFFICE_AGENT_OCR_TIMEOUT"

_cache: dict[str, OcrEngine] = {}
_lock = threading.Lock()
_override: str | None = None


def _rapid() -> OcrEngine:
    from office_agent.ingest.ocr.rapid import RapidOcrEngine

    return RapidOcrEngine()


def _paddle() -> OcrEngine:
    from office_agent.ingest.ocr.paddle import PaddleOcrEngine

    return PaddleOcrEngine()


def _tesseract() -> OcrEngine:
    from office_agent.ingest.ocr.tesseract import TesseractEngine

    return TesseractEngine()


def _null() -> OcrEngine:
    from office_agent.ingest.ocr.null import NullEngine

    return NullEngine()


FACTORIES: dict[str, Callable[[], OcrEngine]] = {
    "rapidocr": _rapid,
    "paddleocr": _paddle,
    "tesseract": _tesseract,
    "null": _null,
}


def available_engines() -> list[str]:
    """The engines that can run here, best first."""
    from office_agent.ingest.ocr import paddle, rapid, tesseract

    found = [name for name, mod in (("rapidocr", rapid), ("paddleocr", paddle), ("tesseract", tesseract))
             if mod.is_available()]  # fmt: skip
    return [*found, "null"]


def unavailable_reason(name: str) -> str:
    """Why the engine ``name`` cannot run here (for an engine that :func:`available_engines` leaves out)."""
    if name not in FACTORIES:
        return f"unknown OCR engine {name!r}"
    if name == "paddleocr":
        from office_agent.ingest.ocr import paddle

        return f"OCR engine 'paddleocr' is not available here: {paddle.unavailable_reason()}"
    return f"OCR engine {name!r} is not available here"


def default_engine_name() -> str:
    name = _override or os.environ.get(ENV_ENGINE)
    if name:
        return name
    return available_engines()[0]


def set_default_engine(name: str | None) -> None:
    """Choose the engine for this process and the pool workers it starts (``None``: back to the default)."""
    if name is not None and name not in FACTORIES:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(FACTORIES)}")
    global _override
    _override = name
    if name is None:
        os.environ.pop(ENV_ENGINE, None)
    else:
        os.environ[ENV_ENGINE] = name


def register_engine(name: str, factory: Callable[[], OcrEngine]) -> None:
    """Add an engine (tests use this for fakes that crash or hang)."""
    FACTORIES[name] = factory
    _cache.pop(name, None)


def get_engine(name: str | None = None) -> OcrEngine:
    """The engine of that name, created once per process (its models load on its first image)."""
    name = name or default_engine_name()
    factory = FACTORIES.get(name)
    if factory is None:
        raise OcrUnavailable(f"unknown OCR engine {name!r}; choose one of {', '.join(FACTORIES)}")
    with _lock:
        engine = _cache.get(name)
        if engine is None:
            engine = _cache[name] = factory()
        return engine


def forget_engine(name: str) -> None:
    """Drop a cached engine (after it hung: the next file gets a fresh one)."""
    with _lock:
        _cache.pop(name, None)


def timeout_seconds() -> float:
    raw = os.environ.get(ENV_TIMEOUT)
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


def run_engine(engine: OcrEngine, image: np.ndarray, timeout: float | None = None) -> list[OcrBox]:
    """Call ``engine`` on one image within a time limit; crashes and hangs become :class:`OcrFailed`.

    The call runs on a daemon thread: a hang inside native code cannot be interrupted, but the caller is
    released after ``timeout`` seconds, and the hung engine is dropped from the cache so the next file gets
    a fresh one.
    """
    return _bounded(engine.name, partial(engine.recognize, image), "on this file", timeout)


def run_line_reader(engine: OcrEngine, crops: list[np.ndarray], timeout: float | None = None) -> list[LineReading]:
    """Read ``crops`` as single lines with the engine's recogniser alone (see :func:`line_reader`), bounded and
    wrapped like :func:`run_engine`; an engine without that entry reads nothing (``[]``)."""
    read = line_reader(engine)
    if read is None or not crops:
        return []
    return _bounded(engine.name, partial(read, crops), "re-reading lines", timeout)


def _bounded(name: str, call: Callable[[], T], what: str, timeout: float | None) -> T:
    limit = timeout_seconds() if timeout is None else timeout
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # reported to the caller below
            error.append(exc)

    worker = threading.Thread(target=run, name=f"ocr-{name}", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        forget_engine(name)
        raise OcrTimeout(f"OCR engine {name!r} took longer than {limit:g} s {what}")
    if error:
        exc = error[0]
        if isinstance(exc, OcrUnavailable | OcrFailed):
            raise exc
        if isinstance(exc, MemoryError):
            raise OcrFailed(f"OCR engine {name!r} ran out of memory {what}") from exc
        raise OcrFailed(f"OCR engine {name!r} failed {what}: {type(exc).__name__}: {exc}") from exc
    if not result:
        raise OcrFailed(f"OCR engine {name!r} returned nothing {what}")
    return result[0]


__all__ = [
    "FACTORIES",
    "LineReading",
    "LineRecogniser",
    "OcrBox",
    "OcrEngine",
    "OcrFailed",
    "OcrTimeout",
    "OcrUnavailable",
    "OcrWord",
    "available_engines",
    "default_engine_name",
    "forget_engine",
    "get_engine",
    "is_ocr_page_words",
    "line_reader",
    "register_engine",
    "run_engine",
    "run_line_reader",
    "set_default_engine",
    "unavailable_reason",
]
