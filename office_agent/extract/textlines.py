"""Page words grouped into text lines (top to bottom, each left to right): the small shared helper of the
ticket, receipt and paper-invoice readers, which work on lines of text rather than on labelled cells.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from office_agent.models import BBox, Page, Provenance, Source, Word


@dataclass(frozen=True, slots=True)
class TextLine:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def folded(self) -> str:
        """NFKC (full-width → ASCII), for matching."""
        return unicodedata.normalize("NFKC", self.text)

    @property
    def bbox(self) -> BBox:
        return (
            min(w.bbox[0] for w in self.words),
            min(w.bbox[1] for w in self.words),
            max(w.bbox[2] for w in self.words),
            max(w.bbox[3] for w in self.words),
        )


def text_lines(page: Page) -> list[TextLine]:
    """Words whose vertical extents overlap by half the smaller height share a line."""
    words = sorted((w for w in page.words if w.text.strip()), key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0]))
    lines: list[list[Word]] = []
    for w in words:
        h = max(w.bbox[3] - w.bbox[1], 1.0)
        if lines:
            last = lines[-1]
            top = min(x.bbox[1] for x in last)
            bottom = max(x.bbox[3] for x in last)
            lh = max(min(bottom - top, max(x.bbox[3] - x.bbox[1] for x in last)), 1.0)
            overlap = min(bottom, w.bbox[3]) - max(top, w.bbox[1])
            if overlap >= 0.5 * min(h, lh):
                last.append(w)
                continue
        lines.append([w])
    return [TextLine(tuple(sorted(ws, key=lambda w: w.bbox[0]))) for ws in lines]


def word_confidence(words: tuple[Word, ...] | list[Word]) -> float:
    scores = [float(getattr(w, "confidence", 1.0)) for w in words]
    return min(scores) if scores else 1.0


def provenance(page: Page, source: Source, words: tuple[Word, ...] | list[Word], geometry: float) -> Provenance:
    """Provenance for a value read from ``words``: their box, and the lower of geometry and recogniser scores."""
    box = (
        min(w.bbox[0] for w in words),
        min(w.bbox[1] for w in words),
        max(w.bbox[2] for w in words),
        max(w.bbox[3] for w in words),
    ) if words else None  # fmt: skip
    confidence = round(min(geometry, word_confidence(words)), 4)
    return Provenance(source=source, page=page.number, bbox=box, confidence=confidence)


def iso_date(m: re.Match[str]) -> str:
    """``YYYY-MM-DD`` from a match whose first three groups are year, month and day as printed."""
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
