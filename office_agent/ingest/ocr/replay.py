"""Recorded OCR output: record what an engine saw once, replay it in tests without running the model.

A recording is a JSON file ``{"engine": ..., "width": px, "height": px, "dpi": ..., "boxes": [OcrBox.to_json()]}``
(see ``tests/fixtures/ocr/``). :class:`ReplayEngine` hands the same boxes back for any image;
:class:`CachingEngine` keeps an engine's readings on disk by image content (benchmarks re-run without the model).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from office_agent.ingest.ocr.base import LineReading, OcrBox, OcrEngine, line_reader


@dataclass
class Recording:
    boxes: list[OcrBox]
    width: int
    height: int
    dpi: float | None = None
    engine: str = "rapidocr"
    meta: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        head = {"engine": self.engine, "width": self.width, "height": self.height, "dpi": self.dpi, "meta": self.meta}
        lines = ",\n  ".join(json.dumps(b.to_json(), ensure_ascii=False) for b in self.boxes)
        return json.dumps(head, ensure_ascii=False)[:-1] + ',\n "boxes": [\n  ' + lines + "\n ]\n}"

    @classmethod
    def load(cls, path: str | Path) -> Recording:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            boxes=[OcrBox.from_json(b) for b in raw["boxes"]],
            width=int(raw["width"]),
            height=int(raw["height"]),
            dpi=float(raw["dpi"]) if raw.get("dpi") else None,
            engine=str(raw.get("engine", "rapidocr")),
            meta={str(k): str(v) for k, v in (raw.get("meta") or {}).items()},
        )


class ReplayEngine:
    """Returns recorded boxes whatever image it is given."""

    name = "replay"

    def __init__(self, boxes: list[OcrBox]) -> None:
        self.boxes = list(boxes)
        self.calls = 0

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        self.calls += 1
        return list(self.boxes)


class RecordingEngine:
    """Wraps an engine and keeps what it returned for each call (to write fixtures)."""

    def __init__(self, inner: OcrEngine) -> None:
        self.inner = inner
        self.name = inner.name
        self.recordings: list[Recording] = []

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        boxes = self.inner.recognize(image)
        self.recordings.append(Recording(boxes, int(image.shape[1]), int(image.shape[0]), engine=self.inner.name))
        return boxes


class SequenceReplayEngine:
    """Replays the recordings of a multi-page document, one per call, in the order they were made.

    The pipeline calls the engine in a fixed order (each page, and again turned or flipped when the first reading
    asks for it), so recordings made with :class:`RecordingEngine` come back in step. An image whose size differs
    from the recording's means the preprocessing changed since the fixture was recorded: that is an error, never
    a silent mismatch.
    """

    name = "replay"

    def __init__(self, recordings: list[Recording]) -> None:
        self.recordings = list(recordings)
        self.calls = 0

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        if self.calls >= len(self.recordings):
            raise RuntimeError(f"replay: call {self.calls + 1}, but only {len(self.recordings)} were recorded")
        rec = self.recordings[self.calls]
        self.calls += 1
        if (rec.width, rec.height) != (int(image.shape[1]), int(image.shape[0])):
            raise RuntimeError(
                f"replay: call {self.calls} sees a {image.shape[1]}x{image.shape[0]} image, the recording was made "
                f"on {rec.width}x{rec.height}: record the fixture again"
            )
        return list(rec.boxes)


def save_recordings(recordings: list[Recording], path: str | Path, meta: dict[str, str]) -> None:
    """Every call of a document in one JSON file (``{"meta": ..., "calls": [recording, ...]}``)."""
    calls = ",\n".join(r.to_json() for r in recordings)
    Path(path).write_text(
        '{"meta": ' + json.dumps(meta, ensure_ascii=False) + ',\n"calls": [\n' + calls + "\n]}\n", encoding="utf-8"
    )


def load_recordings(path: str | Path) -> list[Recording]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        Recording(
            boxes=[OcrBox.from_json(b) for b in call["boxes"]],
            width=int(call["width"]),
            height=int(call["height"]),
            engine=str(call.get("engine", "rapidocr")),
        )
        for call in raw["calls"]
    ]


class CachingEngine:
    """Wraps an engine and keeps what it read on disk, one JSON file per image content, so a second run over the
    same images (a benchmark iterating on extraction) skips the model. ``hits`` and ``misses`` count the calls.
    Line readings (:meth:`recognize_lines`, when the engine inside has that entry) are kept the same way, one file
    per set of crops."""

    def __init__(self, inner: OcrEngine, folder: Path, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or f"{inner.name}-cached"
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self.reads_lines = line_reader(inner) is not None
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, *images: np.ndarray, kind: str = "") -> Path:
        digest = hashlib.sha1(f"{self.inner.name}{kind}".encode())
        for image in images:
            digest.update(f":{image.shape}:{image.dtype}".encode())
            digest.update(np.ascontiguousarray(image).data)
        return self.folder / f"{digest.hexdigest()}.json"

    def _load(self, path: Path) -> object:
        if path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self.hits += 1
                return raw
            except ValueError:
                pass  # a torn write: read the image again
        return None

    def _store(self, path: Path, raw: object) -> None:
        self.misses += 1
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        path = self._path(image)
        raw = self._load(path)
        if isinstance(raw, list):
            try:
                return [OcrBox.from_json(b) for b in raw]
            except (ValueError, KeyError, TypeError):
                pass  # not a reading of boxes: read the image again
        boxes = self.inner.recognize(image)
        self._store(path, [b.to_json() for b in boxes])
        return boxes

    def recognize_lines(self, crops: list[np.ndarray]) -> list[LineReading]:
        read = line_reader(self.inner)
        if read is None:
            raise NotImplementedError(f"OCR engine {self.inner.name!r} cannot read lines on their own")
        path = self._path(*crops, kind=":lines")
        raw = self._load(path)
        if isinstance(raw, list) and len(raw) == len(crops):
            try:
                return [(str(t), float(s)) for t, s in raw]
            except (ValueError, TypeError):
                pass
        readings = [(t, round(s, 4)) for t, s in read(crops)]  # as a later run will read them back
        self._store(path, [list(r) for r in readings])
        return readings
