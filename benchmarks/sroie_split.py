"""The SROIE split, fixed before any learning was done: which receipts train the line classifier and which are
kept back to measure it.

Every receipt of ``../shared/realdata/receipts/sroie-dev`` and ``sroie-train`` is named ``FOLDER/ID``
(``sroie-dev/000``); its bucket is the first 32 bits of the SHA-256 of that name, modulo 100. A receipt whose scan
is there (``img/ID.jpg``) and whose bucket is below ``VAL_PERCENT`` is a **validation** receipt: never trained on,
and its misses never looked at while the method changes. Every other receipt trains (those without a scan train
on the dataset's reference OCR only). The split depends on nothing but the names, so it is the same on every
machine and in every run. Nothing from ../shared is copied anywhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECEIPTS = ROOT.parent / "shared" / "realdata" / "receipts"
FOLDERS = ("sroie-dev", "sroie-train")
VAL_PERCENT = 40


@dataclass(frozen=True)
class Receipt:
    name: str  # ``sroie-dev/000``
    key: Path  # the labels: company, date, address, total
    box: Path  # the dataset's reference OCR: 8 coordinates and the text, one line each
    image: Path | None  # the scan, where the folder has it

    def labels(self) -> dict[str, str]:
        raw = json.loads(self.key.read_text(encoding="utf-8"))
        return {k: str(v) for k, v in raw.items() if isinstance(v, str | int | float)}


def bucket(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % 100


def is_validation(receipt: Receipt) -> bool:
    return receipt.image is not None and bucket(receipt.name) < VAL_PERCENT


def receipts(root: Path = RECEIPTS) -> list[Receipt]:
    out = []
    for folder in FOLDERS:
        for key in sorted((root / folder / "key").glob("*.json")):
            image = root / folder / "img" / f"{key.stem}.jpg"
            box = root / folder / "box" / f"{key.stem}.csv"
            out.append(Receipt(f"{folder}/{key.stem}", key, box, image if image.is_file() else None))
    return out


def split(root: Path = RECEIPTS) -> tuple[list[Receipt], list[Receipt]]:
    """(training receipts, validation receipts), each in name order."""
    every = receipts(root)
    return [r for r in every if not is_validation(r)], [r for r in every if is_validation(r)]
