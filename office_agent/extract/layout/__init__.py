"""Layout-aware extraction over positioned text runs: PDF text layers, OFD text objects, OCR boxes.

The page's runs are grouped into lines by their boxes, never by text order (one reader emits every label
first and every value later). Labels are found in each line's text with white space allowed between their
characters and across runs (``名 称:``, ``名　　　　称``, ``名`` + ``称:``); a label's value is what follows
it on its line: the rest of its run after the colon, or the next run to the right.

Buyer and seller fields carry the same labels; the block labels ``购买方`` / ``销售方`` (printed one
character per line, left of each block) decide which is which. Legacy invoices stack the blocks, 数电
invoices put them side by side; "the nearest block label to the left" covers both.

The item table is read from its header row: each header keyword's x range makes a column, and the runs
between the header and the 合计 row are cut at white space and assigned to columns by position. Numbers
are right-aligned and some layouts let them drift under the neighbouring header, so amount, rate and tax
are then fixed by their order around the rate (``13%``, ``免税``, ``***``), which is unambiguous.

Every value is the raw printed string; the chain (``assemble``) normalises it. The characters of a run
have no boxes of their own, so positions inside a run are estimated from character widths (CJK one em,
ASCII about half an em).
"""

from __future__ import annotations

from office_agent.extract.layout.core import (
    GUESSED,
    LIKELY,
    SURE,
    Layout,
    build_lines,
    find_blocks,
    find_labels,
    page_tokens,
)
from office_agent.extract.layout.fields import (
    read_header_fields,
    read_parties,
    read_remarks,
    read_title,
    read_totals,
)
from office_agent.extract.layout.items import read_items
from office_agent.models import Extraction, Page, Source

__all__ = ["GUESSED", "LIKELY", "SURE", "extract_page"]

# ----------------------------------------------------------------------------------------------------------
# Entry point


def extract_page(page: Page, source: Source = Source.TEXT) -> Extraction:
    """Read the invoice fields and line items of one page from its positioned text runs."""
    toks = page_tokens(page.words)
    blocks, rest = find_blocks(toks)
    lines = build_lines(rest)
    lay = Layout(page, source, lines, find_labels(lines), blocks, Extraction(page=page.number))
    read_title(lay, toks)
    read_header_fields(lay)
    read_parties(lay)
    read_totals(lay)
    read_remarks(lay)
    read_items(lay)
    return lay.out
