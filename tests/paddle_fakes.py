"""Stand-ins for PaddleOCR and Paddle, as far as the adapter (office_agent.ingest.ocr.paddle) uses them."""

from __future__ import annotations

import importlib.machinery
import sys
import threading
import types
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest


class FakePaddleOCR:
    """PaddleOCR 3.x as far as the adapter uses it: keyword configuration, ``predict`` over an image array."""

    made: ClassVar[list[dict[str, Any]]] = []
    seen: ClassVar[list[np.ndarray]] = []
    answer: ClassVar[list[dict[str, Any]]] = []
    threads: ClassVar[list[int]] = []  # the thread of every call: creation, then each predict

    def __init__(self, **kwargs: Any) -> None:
        FakePaddleOCR.made.append(kwargs)
        FakePaddleOCR.threads.append(threading.get_ident())

    def predict(self, image: np.ndarray) -> list[dict[str, Any]]:
        FakePaddleOCR.seen.append(image)
        FakePaddleOCR.threads.append(threading.get_ident())
        return FakePaddleOCR.answer


class FakeConfig:
    """``paddle.inference.Config`` of a CPU build with oneDNN."""

    def set_mkldnn_cache_capacity(self, capacity: int) -> None: ...


def fake_paddle(cuda: bool = False, onednn: bool = True) -> types.ModuleType:
    """Paddle as far as the adapter asks it: GPU build or not, oneDNN or not."""
    module = types.ModuleType("paddle")
    module.is_compiled_with_cuda = lambda: cuda  # type: ignore[attr-defined]
    module.inference = types.SimpleNamespace(Config=FakeConfig if onednn else object)  # type: ignore[attr-defined]
    return module


def model_folder(folder: Path, name: str) -> Path:
    """A model folder as PaddleX lays it out (the weights here are stand-ins)."""
    folder.mkdir(parents=True)
    (folder / "inference.json").write_text("{}")
    (folder / "inference.pdiparams").write_bytes(b"\0")
    (folder / "inference.yml").write_text(f"Global:\n  model_name: {name}\n")
    return folder


def install_stand_in(monkeypatch: pytest.MonkeyPatch) -> type[FakePaddleOCR]:
    """``import paddleocr`` / ``import paddle`` give the stand-ins (until the test ends)."""
    module = types.ModuleType("paddleocr")
    module.__spec__ = importlib.machinery.ModuleSpec("paddleocr", None)
    module.PaddleOCR = FakePaddleOCR  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "paddleocr", module)
    monkeypatch.setitem(sys.modules, "paddle", fake_paddle())
    FakePaddleOCR.made, FakePaddleOCR.seen, FakePaddleOCR.answer, FakePaddleOCR.threads = [], [], [], []
    return FakePaddleOCR
