"""Where each invoice goes on a print pack's sheets: paper sizes, n-up grids, slots and the fit of a page in a slot.

Pure geometry in PDF points (1/72 inch), origin at the sheet's BOTTOM-left corner (the PDF frame the writers draw
in). Nothing here reads a file, so the promise a layout makes (how many sheets, where each piece lands, at what
scale) can be tested without drawing anything.

- A layout is ``N`` pieces to a sheet; the grid (columns × rows) and the sheet's orientation are the ones that
  give a standard 数电 page (210 × 140 mm) the largest scale: 2-up on A4 is portrait, one above the other; 4-up on
  A4 is landscape, 2 × 2; 6-up is portrait, 2 × 3.
- A piece is fitted into its slot whole (never cut), centred, keeping its aspect ratio; a piece with a known
  printed size (PDF, OFD, XML drawing) is never enlarged beyond 100 %; a photo has no printed size and fills its
  slot. A piece that gains more than a quarter in scale by a quarter turn (an A4-portrait 行程单 in a landscape
  slot) is turned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

MM = 72 / 25.4
PaperName = Literal["a4", "a5"]
PAPERS: dict[PaperName, tuple[float, float]] = {"a4": (210 * MM, 297 * MM), "a5": (148 * MM, 210 * MM)}  # portrait
LAYOUTS = ("1up", "2up", "4up", "6up")
MARGIN = 8 * MM  # unprinted border of the sheet (most printers cannot print the outer 4–5 mm)
GUTTER = 4 * MM  # space around a cut line
CAPTION = 9.0  # points kept at the foot of each slot for its caption line
ROTATE_GAIN = 1.25
REFERENCE = (210 * MM, 140 * MM)  # the 数电 page a grid is chosen for


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def x1(self) -> float:
        return self.x + self.w

    @property
    def y1(self) -> float:
        return self.y + self.h

    def contains(self, other: Box, tol: float = 0.01) -> bool:
        return (
            other.x >= self.x - tol
            and other.y >= self.y - tol
            and other.x1 <= self.x1 + tol
            and other.y1 <= self.y1 + tol
        )


@dataclass(frozen=True)
class Grid:
    """A sheet of ``paper`` cut into ``cols`` × ``rows`` slots (filled row by row from the top-left)."""

    paper: PaperName
    landscape: bool
    cols: int
    rows: int

    @property
    def per_sheet(self) -> int:
        return self.cols * self.rows

    @property
    def size(self) -> tuple[float, float]:
        w, h = PAPERS[self.paper]
        return (h, w) if self.landscape else (w, h)

    def slot(self, index: int) -> Box:
        """The printable box of slot ``index`` (0-based, row-major from the top-left), caption band included."""
        sw, sh = self.size
        col, row = index % self.cols, index // self.cols % self.rows
        cw = (sw - 2 * MARGIN - (self.cols - 1) * GUTTER) / self.cols
        ch = (sh - 2 * MARGIN - (self.rows - 1) * GUTTER) / self.rows
        x = MARGIN + col * (cw + GUTTER)
        y = sh - MARGIN - (row + 1) * ch - row * GUTTER
        return Box(x, y, cw, ch)

    def cut_lines(self) -> list[tuple[float, float, float, float]]:
        """The dashed lines between slots, edge to edge of the sheet: (x0, y0, x1, y1)."""
        sw, sh = self.size
        lines = []
        for c in range(1, self.cols):
            x = self.slot(c).x - GUTTER / 2
            lines.append((x, 0.0, x, sh))
        for r in range(1, self.rows):
            y = self.slot(r * self.cols).y1 + GUTTER / 2
            lines.append((0.0, y, sw, y))
        return lines


def grid_for(layout: str, paper: PaperName) -> Grid:
    """The grid of ``layout`` (``1up``/``2up``/``4up``/``6up``) on ``paper`` that shows a 数电 page largest."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    n = int(layout.removesuffix("up"))
    best: tuple[float, Grid] | None = None
    for cols in range(1, n + 1):
        if n % cols:
            continue
        for landscape in (False, True):
            grid = Grid(paper, landscape, cols, n // cols)
            scale = fit_scale(REFERENCE, content(grid.slot(0)))  # never enlarged: a tie keeps portrait
            if best is None or scale > best[0] + 1e-9:
                best = (scale, grid)
    assert best is not None
    return best[1]


def content(slot: Box) -> Box:
    """The part of a slot a piece may cover: all of it but the caption band at its foot."""
    return Box(slot.x, slot.y + CAPTION, slot.w, max(1.0, slot.h - CAPTION))


def fit_scale(size: tuple[float, float], box: Box, cap: float = 1.0) -> float:
    w, h = size
    return min(box.w / w, box.h / h, cap)


@dataclass(frozen=True)
class Placement:
    """A piece on its sheet: the box it covers (points, bottom-left origin), its scale and whether it is turned a
    quarter (counter-clockwise: the piece's top edge lies along the box's left edge)."""

    box: Box
    scale: float
    rotated: bool


def place(size: tuple[float, float], slot: Box, enlarge: bool) -> Placement:
    """``size`` (w, h points) fitted whole into ``slot``'s content box, centred."""
    area = content(slot)
    cap = math.inf if enlarge else 1.0
    upright = fit_scale(size, area, cap)
    turned = fit_scale((size[1], size[0]), area, cap)
    rotated = turned > upright * ROTATE_GAIN
    scale = turned if rotated else upright
    w, h = (size[1], size[0]) if rotated else size
    w, h = w * scale, h * scale
    return Placement(Box(area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h), scale, rotated)
