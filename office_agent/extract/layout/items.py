"""The item table: columns from the header row, rows cut at white space, numbers fixed around the rate."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from decimal import Decimal

from office_agent.extract.layout.core import (
    COLUMN_KIND,
    COLUMN_RE,
    HEADER_AMOUNT,
    HEADER_NAME,
    MONEY,
    NUMERIC_COLUMNS,
    RATE,
    STARS,
    Layout,
    Line,
    Tok,
    cut_pieces,
    squashed_key,
    union_box,
)
from office_agent.extract.normalize import NormalizeError, format_rate, parse_decimal, parse_money
from office_agent.models import LineItem, Provenance

# ----------------------------------------------------------------------------------------------------------
# Line items


@dataclass(slots=True)
class _Table:
    columns: list[tuple[str, float, float]]  # column, x0, x1 of its header, left to right
    bounds: list[float]  # x of the border between neighbouring columns

    def column_of(self, tok: Tok) -> str:
        return self.columns[bisect.bisect_right(self.bounds, tok.cx)][0]

    def center(self, column: str) -> float | None:
        return next(((a + b) / 2 for c, a, b in self.columns if c == column), None)


def read_items(lay: Layout) -> None:
    header = next((ln for ln in lay.lines if HEADER_AMOUNT.search(ln.key) and HEADER_NAME.search(ln.key)), None)
    if header is None:
        return
    table = _table_from_header(header)
    if table is None:
        return
    hy = (header.top + header.bottom) / 2
    ends = [lab.line.top for lab in lay.labels if lab.kind in ("subtotal", "words") and lab.line.top > hy]
    end = min(ends, default=lay.page.height if lay.page.height > 0 else float("inf"))
    body = [ln for ln in lay.lines if ln is not header and hy < (ln.top + ln.bottom) / 2 < end]
    rows: list[dict[str, list[Tok]]] = []
    pending: dict[str, list[Tok]] = {}
    for line in body:
        cells = _row_cells(line, table)
        if "amount" in cells:
            for col, toks in pending.items():
                cells[col] = toks + cells.get(col, [])
            pending = {}
            rows.append(cells)
        else:
            target = rows[-1] if rows else pending
            for col in ("name", "spec", "unit"):
                if col in cells:
                    target.setdefault(col, []).extend(cells[col])
    lay.out.items = [_line_item(cells) for cells in rows]
    if rows:
        toks = [t for cells in rows for ts in cells.values() for t in ts]
        lay.out.items_provenance = Provenance(
            source=lay.source, page=lay.page.number, bbox=union_box(toks), confidence=0.9
        )


def _table_from_header(header: Line) -> _Table | None:
    columns: list[tuple[str, float, float]] = []
    for m in COLUMN_RE.finditer(header.key):
        box = header.span(m.start(), m.end())
        columns.append((COLUMN_KIND[m.lastgroup or ""], box.x0, box.x1))
    columns.sort(key=lambda c: c[1])
    if len(columns) < 3 or not any(c[0] == "amount" for c in columns):
        return None
    bounds = [(a[2] + b[1]) / 2 for a, b in itertools.pairwise(columns)]
    return _Table(columns, bounds)


def _row_cells(line: Line, table: _Table) -> dict[str, list[Tok]]:
    pieces = [p for t in line.toks for p in cut_pieces(t)]
    pieces.sort(key=lambda p: p.x0)
    assign = [table.column_of(p) for p in pieces]
    _fix_numbers([squashed_key(p) for p in pieces], pieces, assign, table)
    cells: dict[str, list[Tok]] = {}
    for piece, col in zip(pieces, assign, strict=True):
        cells.setdefault(col, []).append(piece)
    return cells


def _rate_index(keys: list[str], pieces: list[Tok], assign: list[str], table: _Table) -> int | None:
    rates = [i for i, k in enumerate(keys) if RATE.fullmatch(k)]
    if rates:
        cx = table.center("tax_rate")
        return rates[-1] if cx is None else min(rates, key=lambda i: abs(pieces[i].cx - cx))
    stars = [i for i, k in enumerate(keys) if STARS.fullmatch(k)]
    if len(stars) >= 2:
        return stars[-2]  # rate *** then tax ***
    if stars and (assign[stars[0]] == "tax_rate" or any(MONEY.fullmatch(k) for k in keys[stars[0] + 1 :])):
        return stars[0]
    return None


def _fix_numbers(keys: list[str], pieces: list[Tok], assign: list[str], table: _Table) -> None:
    """Amount, rate and tax by their order around the rate; quantity and unit price are the numbers before."""
    r = _rate_index(keys, pieces, assign, table)
    if r is None:
        return
    assign[r] = "tax_rate"
    right = [i for i in range(r + 1, len(keys)) if MONEY.fullmatch(keys[i]) or STARS.fullmatch(keys[i])]
    if right:
        assign[right[0]] = "tax_amount"
    left = [i for i in range(r) if MONEY.fullmatch(keys[i])]
    if not left:
        return
    assign[left[-1]] = "amount"
    numbers = [i for i in left[:-1] if assign[i] in NUMERIC_COLUMNS]
    if len(numbers) >= 2:
        assign[numbers[-1]], assign[numbers[-2]] = "unit_price", "quantity"
    elif numbers and assign[numbers[0]] not in ("quantity", "unit_price"):
        assign[numbers[0]] = "unit_price"


def _text(cells: dict[str, list[Tok]], col: str) -> str | None:
    toks = cells.get(col)
    if not toks:
        return None
    return "".join(t.text for t in toks) if col == "name" else " ".join(t.text for t in toks)


def _number(text: str | None, money: bool) -> Decimal | None:
    try:
        return parse_money(text) if money else parse_decimal(text)
    except NormalizeError:
        return None


def _line_item(cells: dict[str, list[Tok]]) -> LineItem:
    rate = _text(cells, "tax_rate")
    return LineItem(
        name=_text(cells, "name"),
        spec=_text(cells, "spec"),
        unit=_text(cells, "unit"),
        quantity=_number(_text(cells, "quantity"), money=False),
        unit_price=_number(_text(cells, "unit_price"), money=False),
        amount=_number(_text(cells, "amount"), money=True),
        tax_rate=format_rate(rate) if rate else None,
        tax_amount=_number(_text(cells, "tax_amount"), money=True),
    )
