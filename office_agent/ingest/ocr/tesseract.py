"""Optional engine: the Tesseract command line (Debian ``tesseract-ocr`` + ``tesseract-ocr-chi-sim``).

Used by the benchmark as the baseline, and selectable with ``OFFICE_AGENT_OCR_ENGINE=tesseract``. Tesseract
reports words (for Chinese often single characters); they are joined back into runs along each line, cut at
gaps wider than the line height, so the layout extractor sees runs as it does from the other engines.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import numpy as np
from PIL import Image

from office_agent.ingest.ocr.base import OcrBox, OcrFailed, OcrUnavailable

LANGS = "chi_sim+eng"


def is_available() -> bool:
    return shutil.which("tesseract") is not None


class TesseractEngine:
    name = "tesseract"

    def __init__(self, langs: str = LANGS, timeout: float = 120.0) -> None:
        self.langs = langs
        self.timeout = timeout

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        exe = shutil.which("tesseract")
        if exe is None:
            raise OcrUnavailable("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format="PNG")
        try:
            proc = subprocess.run(
                [exe, "-", "-", "-l", self.langs, "--psm", "3", "tsv"],
                input=buf.getvalue(),
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrFailed(f"tesseract took longer than {self.timeout:.0f} s") from exc
        if proc.returncode != 0:
            raise OcrFailed(f"tesseract failed: {proc.stderr.decode(errors='replace').strip()[:200]}")
        return runs_from_tsv(proc.stdout.decode("utf-8", errors="replace"))


def runs_from_tsv(tsv: str) -> list[OcrBox]:
    """Join Tesseract's words into runs: same line, gap at most one line height (CJK has no spaces)."""
    lines: dict[tuple[str, str, str, str], list[tuple[str, int, int, int, int, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        x, y, w, h = int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"])
        lines.setdefault(key, []).append((text, x, y, x + w, y + h, max(float(row["conf"]), 0.0) / 100))
    out: list[OcrBox] = []
    for words in lines.values():
        words.sort(key=lambda w: w[1])
        height = max(w[4] - w[2] for w in words)
        run = [words[0]]
        for word in words[1:]:
            if word[1] - run[-1][3] > height:
                out.append(_join(run))
                run = []
            run.append(word)
        out.append(_join(run))
    return out


def _join(run: list[tuple[str, int, int, int, int, float]]) -> OcrBox:
    text = ""
    for i, w in enumerate(run):
        if i and (w[0][0].isascii() and run[i - 1][0][-1].isascii()):
            text += " "
        text += w[0]
    x0, y0 = min(w[1] for w in run), min(w[2] for w in run)
    x1, y1 = max(w[3] for w in run), max(w[4] for w in run)
    return OcrBox.from_rect(text, x0, y0, x1, y1, sum(w[5] for w in run) / len(run))
