"""Text as converters and recognisers write it, made plain before any layout rule reads it.

Applied to every positioned run of a page (PDF text layer, OFD text objects, OCR boxes) and to every value the
structured readers hand over (:mod:`office_agent.extract.normalize`):

* Kangxi radicals (U+2F00–U+2FD5: ``⼤`` for 大, ``⼈`` for 人, ``⼀`` for 一) and CJK compatibility ideographs
  become the unified ideograph NFKC gives them;
* the CJK Radicals Supplement (U+2E80–U+2EF3: ``⻓`` for 长, ``⻋`` for 车), which NFKC leaves alone, becomes the
  unified ideograph Unicode names as its equivalent (``EquivalentUnifiedIdeograph.txt``; the radical-only forms
  that have no everyday character, such as ``⺀``, stay);
* full-width digits and Latin letters become ASCII (``９１３１０１…``), zero-width characters and soft hyphens go;
* a run whose characters are each followed by one space (``¥ 2 1 2 9 . 3 4``, as some converters write every
  glyph) is closed up; two or more spaces stay a gap of one.

Full-width punctuation (``（``, ``：``, ``￥``) is kept as printed: the layout folds it for matching only, and
names keep their printed brackets.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from office_agent.models import Page, Word

# CJK Radicals Supplement → unified ideograph (Unicode's EquivalentUnifiedIdeograph.txt, the BMP entries).
_SUPPLEMENT = {
    0x2E81: 0x5382, 0x2E84: 0x4E5B, 0x2E85: 0x4EBB, 0x2E86: 0x5182, 0x2E87: 0x51E0, 0x2E89: 0x5202,
    0x2E8A: 0x535C, 0x2E8B: 0x353E, 0x2E8C: 0x5C0F, 0x2E8D: 0x5C0F, 0x2E8E: 0x5140, 0x2E8F: 0x5C23,
    0x2E90: 0x5C22, 0x2E92: 0x5DF3, 0x2E93: 0x5E7A, 0x2E94: 0x5F51, 0x2E96: 0x5FC4, 0x2E98: 0x624C,
    0x2E99: 0x6535, 0x2E9B: 0x65E1, 0x2E9C: 0x65E5, 0x2E9D: 0x6708, 0x2E9E: 0x6B7A, 0x2E9F: 0x6BCD,
    0x2EA0: 0x6C11, 0x2EA1: 0x6C35, 0x2EA2: 0x6C3A, 0x2EA3: 0x706C, 0x2EA4: 0x722B, 0x2EA6: 0x4E2C,
    0x2EA7: 0x725C, 0x2EA8: 0x72AD, 0x2EA9: 0x738B, 0x2EAA: 0x758B, 0x2EAB: 0x7F52, 0x2EAC: 0x793A,
    0x2EAD: 0x793B, 0x2EAF: 0x7CF9, 0x2EB0: 0x7E9F, 0x2EB1: 0x7F53, 0x2EB2: 0x7F52, 0x2EB9: 0x8002,
    0x2EBB: 0x807F, 0x2EBC: 0x8080, 0x2EBE: 0x8279, 0x2EBF: 0x8279, 0x2EC0: 0x8279, 0x2EC1: 0x864E,
    0x2EC2: 0x8864, 0x2EC3: 0x8980, 0x2EC4: 0x897F, 0x2EC5: 0x89C1, 0x2EC6: 0x89D2, 0x2EC8: 0x8BA0,
    0x2EC9: 0x8D1D, 0x2ECB: 0x8F66, 0x2ECC: 0x8FB6, 0x2ECD: 0x8FB6, 0x2ECF: 0x961D, 0x2ED0: 0x9485,
    0x2ED1: 0x9577, 0x2ED2: 0x9578, 0x2ED3: 0x957F, 0x2ED4: 0x95E8, 0x2ED6: 0x961D, 0x2ED7: 0x96E8,
    0x2ED8: 0x9752, 0x2ED9: 0x97E6, 0x2EDA: 0x9875, 0x2EDB: 0x98CE, 0x2EDC: 0x98DE, 0x2EDD: 0x98DF,
    0x2EDF: 0x98E0, 0x2EE0: 0x9963, 0x2EE2: 0x9A6C, 0x2EE3: 0x9AA8, 0x2EE4: 0x9B3C, 0x2EE5: 0x9C7C,
    0x2EE6: 0x9E1F, 0x2EE7: 0x5364, 0x2EE8: 0x9EA6, 0x2EE9: 0x9EC4, 0x2EEA: 0x9EFE, 0x2EEB: 0x6589,
    0x2EEC: 0x9F50, 0x2EED: 0x6B6F, 0x2EEE: 0x9F7F, 0x2EEF: 0x7ADC, 0x2EF0: 0x9F99, 0x2EF1: 0x9F9C,
    0x2EF2: 0x4E80, 0x2EF3: 0x9F9F,
}  # fmt: skip
_DROP = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)


@lru_cache(maxsize=1)
def table() -> dict[int, int | None]:
    """The one-for-one character table (built once from ``unicodedata``, plus the supplement above)."""
    out: dict[int, int | None] = {c: None for c in _DROP}
    ranges = [(0x2F00, 0x2FD6), (0xF900, 0xFB00), (0x2F800, 0x2FA20)]  # Kangxi, compatibility ideographs
    for lo, hi in ranges:
        for c in range(lo, hi):
            folded = unicodedata.normalize("NFKC", chr(c))
            if len(folded) == 1 and folded != chr(c) and "\u3400" <= folded <= "\U0002ffff":
                out[c] = ord(folded)
    out.update(_SUPPLEMENT)
    for c in range(0xFF10, 0xFF1A):  # ０-９
        out[c] = c - 0xFEE0
    for c in (*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
        out[c] = c - 0xFEE0
    return out


@lru_cache(maxsize=1)
def _needs() -> re.Pattern[str]:
    chars = "".join(re.escape(chr(c)) for c in sorted(table()))
    return re.compile(f"[{chars}]")


# A run of single characters each followed by one space (at least three of them), between gaps of two or more.
_SPACED = re.compile(r"(?<![^ ])\S(?: \S){2,}(?![^ ])")
_WIDE_GAP = re.compile(r" {2,}")


def _close_up(m: re.Match[str]) -> str:
    return m.group(0).replace(" ", "")


def clean_text(text: str) -> str:
    """``text`` with look-alikes, full-width digits and letters, zero-width characters and spaced-out runs made
    plain (see the module's notes); the same string when nothing needs it."""
    if not text.isascii() and _needs().search(text):
        text = text.translate(table())
    if " " in text and _SPACED.search(text):
        parts = _WIDE_GAP.split(text)
        closed = [_SPACED.sub(_close_up, p) for p in parts]
        text = " ".join(closed) if any(a != b for a, b in zip(parts, closed, strict=True)) else text
    return text


def clean_page(page: Page) -> Page:
    """``page`` with every run's text cleaned; the same object when no run changes (the usual case)."""
    words: list[Word] | None = None
    for i, w in enumerate(page.words):
        text = clean_text(w.text)
        if text != w.text:
            if words is None:
                words = list(page.words)
            words[i] = w.model_copy(update={"text": text})
    return page if words is None else page.model_copy(update={"words": words})
