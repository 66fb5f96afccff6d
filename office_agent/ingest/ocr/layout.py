"""OCR boxes → text in reading order: segments, rows, and regions cut along empty bands (XY-cut).

Everything here works in the pixels of the image the recogniser saw. A *segment* is one OCR box (a run of text on
one line); a *row* is the segments whose vertical middles fall inside each other's extent, left to right.
:func:`xy_cut` splits a page into regions by empty horizontal bands and, inside a band, by an empty vertical gutter
that has at least two rows on each side (two text columns), recursively; regions come back in reading order
(top to bottom, left column before right column).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from office_agent.ingest.ocr.base import OcrBox

T = TypeVar("T")
Box = tuple[float, float, float, float]

BAND_GAP = 0.9  # an empty horizontal band this many text heights tall separates regions
GUTTER = 2.0  # an empty vertical gutter this many text heights wide separates columns
WORD_GAP = 1.2  # boxes of a row closer than this many heights are one segment (one phrase split by the detector)


# The recogniser reads the full-width brackets of "（二）办理时限" as ASCII ones about half the time.
_NUMBER_PARENS = re.compile(r"^\s*\(\s*([一二三四五六七八九十]{1,3})\s*\)\s*")


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def box(self) -> Box:
        return (self.x0, self.y0, self.x1, self.y1)

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def glyph_size(self) -> float:
        """The font size its width implies: a CJK character is as wide as the font is high, a Latin one about half.
        Steadier than the box's height, which the recogniser pads and brackets stretch."""
        units = sum(0.3 if c == " " else 0.55 if c.isascii() else 1.0 for c in self.text)
        return max(1.0, (self.x1 - self.x0 - 0.15 * self.height) / max(units, 1.0))

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Row:
    segments: list[Segment]

    @property
    def top(self) -> float:
        return min(s.y0 for s in self.segments)

    @property
    def bottom(self) -> float:
        return max(s.y1 for s in self.segments)

    @property
    def height(self) -> float:
        return statistics.median(s.height for s in self.segments)

    @property
    def text(self) -> str:
        return join_parts(s.text for s in self.segments)

    @property
    def glyph_size(self) -> float:
        return statistics.median(s.glyph_size for s in self.segments)


def segments_from_boxes(boxes: list[OcrBox]) -> list[Segment]:
    """Boxes as segments (pixels), with the recogniser's traditional forms and stray marks cleaned as for invoices."""
    from office_agent.ingest.ocr.page import page_from_boxes

    page = page_from_boxes(boxes, 1, 1, 1.0)
    return [Segment(_NUMBER_PARENS.sub(r"（\1）", w.text.strip()), *w.bbox) for w in page.words if w.text.strip()]


def join_parts(parts: Iterable[str]) -> str:
    """Pieces of one line: no space between Chinese characters, one between Latin words."""
    out = ""
    for part in parts:
        if out and part and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def text_height(segments: Sequence[Segment]) -> float:
    """The typical height of a line of text (median box height), at least 1 pixel."""
    return max(1.0, statistics.median(s.height for s in segments)) if segments else 1.0


def group_rows(segments: Iterable[Segment]) -> list[Row]:
    """Segments into rows, top to bottom, each row left to right."""
    rows: list[Row] = []
    for s in sorted(segments, key=lambda s: s.cy):
        if rows:
            last = rows[-1]
            if last.top < s.cy < last.bottom:
                last.segments.append(s)
                continue
        rows.append(Row([s]))
    for row in rows:
        row.segments.sort(key=lambda s: s.x0)
    return rows


def merge_close(row: Row, factor: float = WORD_GAP) -> Row:
    """Neighbouring segments of a row separated by less than ``factor`` text heights become one."""
    out: list[Segment] = []
    for s in row.segments:
        if out and s.x0 - out[-1].x1 < factor * max(out[-1].height, s.height):
            p = out[-1]
            out[-1] = Segment(join_parts([p.text, s.text]), p.x0, min(p.y0, s.y0), max(p.x1, s.x1), max(p.y1, s.y1))
        else:
            out.append(s)
    return Row(out)


def _split(items: list[T], box: Callable[[T], Box], axis: int, min_gap: float) -> list[list[T]]:
    """Items in groups separated by empty gaps of at least ``min_gap`` along ``axis`` (0: x, 1: y)."""
    ordered = sorted(items, key=lambda it: box(it)[axis])
    groups: list[list[T]] = []
    end = float("-inf")
    for it in ordered:
        b = box(it)
        if not groups or b[axis] - end >= min_gap:
            groups.append([it])
            end = b[axis + 2]
        else:
            groups[-1].append(it)
            end = max(end, b[axis + 2])
    return groups


def _row_count(items: list[T], box: Callable[[T], Box]) -> int:
    return len(_split(items, box, 1, 0.0))


def xy_cut(items: list[T], box: Callable[[T], Box], height: float) -> list[list[T]]:
    """Regions of ``items`` in reading order (see the module's docstring)."""
    out: list[list[T]] = []
    for band in _split(items, box, 1, BAND_GAP * height):
        columns = _split(band, box, 0, GUTTER * height)
        if len(columns) > 1 and all(_row_count(c, box) >= 2 for c in columns):
            for column in columns:
                out.extend(xy_cut(column, box, height))
        else:
            out.append(band)
    return out
