"""A second, recognition-only look at the few lines that matter on a receipt.

The detector's box sometimes ends a glyph too early: ``THREE STOOGES`` is read ``HREE STOOGES`` and
``20/03/2018`` is read ``20/03/201``, each with a high score, because what the recogniser saw was indeed those
glyphs. Mature pipelines re-crop such lines with a margin and run the recogniser alone on them. Here that is done on
pages printed in Latin script (foreign receipts and invoices; a page with Chinese text is left exactly as read), for
the header lines (seller name and address), the lines holding a date, and the rows of a total. Each line is cut
again from the prepared image at two margins, never reaching into the next box on the same row, and read by the
engine's :meth:`~office_agent.ingest.ocr.base.LineRecogniser.recognize_lines` (engines without it are left alone).

The two re-crops must agree (spacing ignored) on a text that differs from the first reading; it then replaces the
first reading under one of two rules:

* **Clipped edge**: it is the first reading with glyphs added before and/or after it, and its mean score is no more
  than :data:`EXTEND_TOLERANCE` below the first's. A wider crop can only add what lay beyond the old box's edge; the
  inside of the line agrees.
* **Outvoted**: its mean score is above the first's, it swaps no capital for a small letter or back (``Qty`` →
  ``aty``, ``Item`` → ``ltem``: the case of look-alike glyphs is a guess from the line's context, which the margins
  change), and it brings in no non-ASCII character the first reading did not have (``Total`` → ``Totäl``: the
  recogniser knows many scripts). Two other views of the same pixels outvote the first, and only when surer.

Anything else (the re-crops disagree, or read nothing) keeps the first reading.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Sequence

import numpy as np

from office_agent.ingest.ocr import OcrBox, OcrEngine, OcrFailed, line_reader, run_line_reader
from office_agent.ingest.ocr.base import LineReading

log = logging.getLogger(__name__)

HEADER_LINES = 12  # the topmost boxes: seller name, registration number, address, phone
MAX_LINES = 24  # at most this many boxes are read again per page
MARGINS = ((0.3, 0.1), (0.6, 0.1))  # (sideways, up and down) margins, in line heights, of the two re-crops
EXTEND_TOLERANCE = 0.05  # a reading that adds glyphs at the edge may score this much lower than the first
LATIN_SHARE = 0.98  # a page is Latin when at least this share of its letters are not CJK
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DATE = re.compile(
    r"\d{1,4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{0,4}|\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\b",
    re.IGNORECASE,
)
_TOTAL = re.compile(r"TOTAL|AMOUNT|\bDUE\b|\bNET", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def is_latin_page(boxes: Sequence[OcrBox]) -> bool:
    """Whether the page is printed in Latin script (almost no CJK character among its letters)."""
    text = "".join(b.text for b in boxes)
    letters = sum(1 for c in text if c.isalpha())
    cjk = len(_CJK.findall(text))
    return letters > 0 and cjk <= (1.0 - LATIN_SHARE) * letters


def _same_row(a: OcrBox, b: OcrBox) -> bool:
    """The two boxes overlap vertically by at least half the shorter one's height."""
    top, bottom = max(a.bbox[1], b.bbox[1]), min(a.bbox[3], b.bbox[3])
    shorter = min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])
    return shorter > 0 and bottom - top >= 0.5 * shorter


def pick_lines(boxes: Sequence[OcrBox]) -> list[int]:
    """Indices of the boxes worth a second look: the header, the dates, the rows of a total; top first."""
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i].bbox[1], boxes[i].bbox[0]))
    picked: list[int] = list(order[:HEADER_LINES])
    picked += [i for i in order if _DATE.search(boxes[i].text)]
    for i in order:
        if _TOTAL.search(boxes[i].text):
            picked += [j for j in order if j == i or _same_row(boxes[i], boxes[j])]
    return list(dict.fromkeys(picked))[:MAX_LINES]  # each once, in the order picked


def crop_line(image: np.ndarray, boxes: Sequence[OcrBox], index: int, margin_x: float, margin_y: float) -> np.ndarray:
    """The box ``index`` cut from ``image`` with margins (in line heights), stopping short of its row neighbours."""
    x0, y0, x1, y1 = boxes[index].bbox
    h = max(y1 - y0, 1.0)
    left, right = x0 - margin_x * h, x1 + margin_x * h
    for j, other in enumerate(boxes):
        if j == index or not _same_row(boxes[index], other):
            continue
        ox0, _, ox1, _ = other.bbox
        if ox1 <= x0:
            left = max(left, min(ox1 + 1.0, x0))
        elif ox0 >= x1:
            right = min(right, max(ox0 - 1.0, x1))
    rows, cols = image.shape[:2]
    a, b = max(0, int(y0 - margin_y * h)), min(rows, int(np.ceil(y1 + margin_y * h)))
    c, d = max(0, int(left)), min(cols, int(np.ceil(right)))
    return np.ascontiguousarray(image[a:b, c:d])


def _compact(text: str) -> str:
    return _SPACE.sub("", text)


def _extended(first: str, second: str) -> str | None:
    """The first text with what ``second`` adds at its edges (spacing as read), or None when ``second`` is not
    ``first`` plus glyphs before and/or after it (spacing ignored)."""
    core, longer = _compact(first), _compact(second)
    start = longer.find(core)
    if not core or len(longer) <= len(core) or start < 0:
        return None
    solid = [pos for pos, char in enumerate(second) if not char.isspace()]
    head = second[: solid[start]] if start else ""
    tail = second[solid[start + len(core) - 1] + 1 :]
    return f"{head}{first}{tail}"


def _flips_case(first: str, second: str) -> bool:
    """Whether turning ``first`` into ``second`` (spacing ignored) swaps a capital for a small letter or back."""
    a, b = _compact(first), _compact(second)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=False):
                if x.isalpha() and y.isalpha() and x.isupper() != y.isupper():
                    return True
    return False


def _new_foreign_glyph(first: str, second: str) -> bool:
    """Whether ``second`` holds a non-ASCII character that ``first`` does not (``Total`` → ``Totäl``)."""
    return bool({c for c in second if ord(c) > 127} - set(first))


def choose(first: OcrBox, readings: Sequence[LineReading]) -> OcrBox:
    """The better of the first reading and the re-crops' readings, by the rules in this module's docstring."""
    texts = {_compact(t) for t, _ in readings}
    if len(readings) < 2 or len(texts) != 1 or "" in texts or texts == {_compact(first.text)}:
        return first  # the re-crops disagree, read nothing, or agree with the first reading
    best_text = max(readings, key=lambda r: r[1])[0]
    mean = sum(s for _, s in readings) / len(readings)
    if _new_foreign_glyph(first.text, best_text):
        return first
    grown = _extended(first.text, best_text)
    if grown is not None and mean >= first.score - EXTEND_TOLERANCE:
        return OcrBox(grown, first.quad, mean)
    if grown is None and mean > first.score and not _flips_case(first.text, best_text):
        return OcrBox(best_text, first.quad, mean)
    return first


def reread_lines(image: np.ndarray, boxes: list[OcrBox], engine: OcrEngine) -> list[OcrBox]:
    """``boxes`` with the lines that matter read again where a rule says the second reading is better. Pages with
    Chinese text, engines that cannot read lines alone, and a failing second pass leave ``boxes`` as they are."""
    if line_reader(engine) is None or not is_latin_page(boxes):
        return boxes
    picked = pick_lines(boxes)
    crops = [crop_line(image, boxes, i, mx, my) for mx, my in MARGINS for i in picked]
    keep = [k for k, c in enumerate(crops) if c.shape[0] >= 4 and c.shape[1] >= 4]
    try:
        read = run_line_reader(engine, [crops[k] for k in keep])
    except OcrFailed as exc:
        log.debug("re-reading lines failed, the first reading stands: %s", exc)
        return boxes
    by_crop: dict[int, LineReading] = dict(zip(keep, read, strict=False))
    out = list(boxes)
    for n, i in enumerate(picked):
        readings = [by_crop[k] for k in range(n, len(crops), len(picked)) if k in by_crop]
        chosen = choose(boxes[i], readings)
        if chosen is not boxes[i]:
            log.debug("re-read %r as %r (%.3f -> %.3f)", boxes[i].text, chosen.text, boxes[i].score, chosen.score)
            out[i] = chosen
    return out
