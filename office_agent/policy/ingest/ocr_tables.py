"""Tables rebuilt from a scanned or photographed page: OCR segments placed into cells.

Two cases, as in print:

* **ruled** tables (a grid of lines): the rules are found with OpenCV morphology (an opening with a long thin
  horizontal, then vertical, kernel keeps only lines), the grid's row and column lines from their projections, and
  each segment goes to the cell its middle falls in; a segment the detector read across a column rule is cut there
  in proportion to its characters' widths;
* **unruled** tables: consecutive rows of two or more segments whose segments keep to the same columns (their
  x-ranges overlap one column each). A row of one segment in a single column right under a row is the wrapped
  rest of that cell; one further down, in a later column, is a new row whose first cell is merged with the one
  above (filled down, as the reader sees it).

Rows come back as lists of cell texts, header first: the same shape pdfplumber gives for a text-layer PDF, so the
table rows reach extraction the same way.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from office_agent.ingest.ocr.layout import Box, Row, Segment, group_rows, join_parts
from office_agent.policy.ingest.structure import join_wrapped

MIN_ROWS = 3  # header + two rows: fewer aligned rows are more likely a label and its value than a table
# a rule a faint scan broke into pieces: enough of it inside a table found by its frame (rows are short, columns long)
ROW_RULE_COVER = 0.25
COLUMN_RULE_COVER = 0.45
TIGHT = 0.6  # a line closer than this many text heights under the previous one continues its cells
MAX_ROW_GAP = 2.5  # a larger gap ends an unruled table


@dataclass
class FoundTable:
    box: Box  # pixels
    rows: list[list[str]]  # header first
    used: set[int] = field(default_factory=set)  # indexes of the segments it consumed


# ----------------------------------------------------------------------------------------------------------
# Ruled tables


def _runs(mask: np.ndarray) -> list[float]:
    """Middles of runs of True in a 1-D mask."""
    out: list[float] = []
    start: int | None = None
    for i, v in enumerate([*mask.tolist(), False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start + i - 1) / 2)
            start = None
    return out


def _rule_masks(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 25), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, h // 80))))
    # A rule left a pixel off straight after deskewing spreads over neighbouring rows: thicken before projecting.
    horiz = cv2.dilate(horiz, np.ones((5, 1), np.uint8))
    vert = cv2.dilate(vert, np.ones((1, 5), np.uint8))
    return horiz, vert


def ruled_tables(image: np.ndarray, segments: list[Segment], text_height: float) -> list[FoundTable]:
    """Tables drawn with a grid of rules on ``image`` (the image the segments' pixels refer to)."""
    horiz, vert = _rule_masks(image)
    w = horiz.shape[1]
    grid = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(grid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found: list[FoundTable] = []
    for contour in contours:
        x, y, bw, bh = cv2.boundingRect(contour)
        if bw < 0.2 * w or bh < 2 * text_height:
            continue
        ys = _runs((horiz[y : y + bh, x : x + bw] > 0).sum(axis=1) >= ROW_RULE_COVER * bw)
        xs = _runs((vert[y : y + bh, x : x + bw] > 0).sum(axis=0) >= COLUMN_RULE_COVER * bh)
        if len(ys) < 3 or len(xs) < 3:
            continue
        table = _fill_grid([y + v for v in ys], [x + v for v in xs], segments, text_height)
        if table is not None:
            found.append(table)
    return sorted(found, key=lambda t: t.box[1])


def _numbered_rows(ys: list[float], xs: list[float], segments: list[Segment]) -> list[float]:
    """Row rules with the ones a scan lost put back: a grid row whose first cell holds two row numbers (序号 1 and 2
    one under the other) is two rows, split just above the later number."""
    box = (xs[0], ys[0], xs[-1], ys[-1])
    numbers = [s for s in segments if _ROW_NUMBER.match(s.text.strip()) and xs[0] <= s.cx <= xs[1]]
    numbers = [s for s in numbers if box[1] <= s.cy <= box[3]]
    added: list[float] = []
    for r in range(len(ys) - 1):
        inside = sorted((s for s in numbers if ys[r] <= s.cy < ys[r + 1]), key=lambda s: s.y0)
        for above, below in itertools.pairwise(inside):
            if below.y0 >= above.y1:  # one under the other, not two pieces of one reading
                added.append(max(below.y0 - 1, above.y1))  # the later row's text starts level with its number
    return sorted([*ys, *added])


_ROW_NUMBER = re.compile(r"^\d{1,3}[.、]?$")


def _fill_grid(ys: list[float], xs: list[float], segments: list[Segment], height: float) -> FoundTable | None:
    ys = _numbered_rows(ys, xs, segments)
    box = (xs[0], ys[0], xs[-1], ys[-1])
    cells: dict[tuple[int, int], list[Segment]] = {}
    used: set[int] = set()
    for index, seg in enumerate(segments):
        if not (box[0] <= seg.cx <= box[2] and box[1] <= seg.cy <= box[3]):
            continue
        used.add(index)
        r = min(max(bisect.bisect(ys, seg.cy) - 1, 0), len(ys) - 2)
        for piece in _cut_at_rules(seg, xs, height):
            c = min(max(bisect.bisect(xs, piece.cx) - 1, 0), len(xs) - 2)
            cells.setdefault((r, c), []).append(piece)
    rows = [[_cell_text(cells.get((r, c), [])) for c in range(len(xs) - 1)] for r in range(len(ys) - 1)]
    rows = [row for row in rows if any(row)]
    if len(rows) < 2:
        return None
    return FoundTable(box, rows, used)


def _char_width(ch: str) -> float:
    return 1.0 if not ch.isascii() else 0.55


def _cut_at_rules(seg: Segment, xs: list[float], height: float) -> list[Segment]:
    """The segment cut at every column rule it crosses by more than half a character on both sides."""
    inner = [x for x in xs if seg.x0 + height / 2 < x < seg.x1 - height / 2]
    if not inner or len(seg.text) < 2:
        return [seg]
    widths = [_char_width(c) for c in seg.text]
    total = sum(widths)
    pieces: list[Segment] = []
    start_x, start_i = seg.x0, 0
    for x in [*inner, seg.x1]:
        share = (x - seg.x0) / (seg.x1 - seg.x0) * total
        i, acc = start_i, sum(widths[:start_i])
        while i < len(seg.text) and acc + widths[i] / 2 <= share:
            acc += widths[i]
            i += 1
        if x == seg.x1:
            i = len(seg.text)
        text = seg.text[start_i:i].strip()
        if text:
            pieces.append(Segment(text, start_x, seg.y0, x, seg.y1))
        start_x, start_i = x, i
    return pieces or [seg]


def _cell_text(segments: list[Segment]) -> str:
    text = ""
    for row in group_rows(segments):
        text = join_wrapped(text, join_parts(s.text for s in row.segments))
    return text


# ----------------------------------------------------------------------------------------------------------
# Unruled tables


def _columns_of(row: Row, columns: list[list[float]], slack: float) -> list[int] | None:
    """The column of each segment, or None when a segment straddles columns or two share one."""
    out: list[int] = []
    for seg in row.segments:
        hits = [k for k, (a, b) in enumerate(columns) if seg.x0 < b + slack and seg.x1 > a - slack]
        if len(hits) != 1 or hits[0] in out:
            return None
        out.append(hits[0])
    return out


@dataclass
class _Run:
    start: int
    columns: list[list[float]]
    rows: list[list[str]]
    multi: int = 1
    end: int = 0


def _extend(run: _Run, rows: list[Row], height: float) -> None:
    last = rows[run.start]
    j = run.start + 1
    while j < len(rows):
        row = rows[j]
        cols = _columns_of(row, run.columns, height / 2)
        gap = row.top - last.bottom
        if cols is None or gap > MAX_ROW_GAP * height:
            break
        if len(cols) >= 2:
            cells = [""] * len(run.columns)
            for k, seg in zip(cols, row.segments, strict=True):
                cells[k] = seg.text
                run.columns[k] = [min(run.columns[k][0], seg.x0), max(run.columns[k][1], seg.x1)]
            run.rows.append(cells)
            run.multi += 1
        elif gap <= TIGHT * height:
            k = cols[0]
            run.rows[-1][k] = join_wrapped(run.rows[-1][k], row.segments[0].text)
        elif cols[0] > 0 and len(run.rows) > 1:
            cells = [""] * len(run.columns)
            cells[0] = run.rows[-1][0]  # a cell merged over several rows
            cells[cols[0]] = row.segments[0].text
            run.rows.append(cells)
        else:
            break
        last = row
        j += 1
    run.end = j


def aligned_tables(rows: list[Row], height: float) -> list[tuple[int, int, list[list[str]]]]:
    """Unruled tables among ``rows`` (already merged into phrases): (first row, end row, cell rows)."""
    out: list[tuple[int, int, list[list[str]]]] = []
    i = 0
    while i < len(rows):
        if len(rows[i].segments) < 2:
            i += 1
            continue
        run = _Run(i, [[s.x0, s.x1] for s in rows[i].segments], [[s.text for s in rows[i].segments]])
        _extend(run, rows, height)
        if run.multi >= MIN_ROWS:
            out.append((run.start, run.end, run.rows))
            i = run.end
        else:
            i += 1
    return out
