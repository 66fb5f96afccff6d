"""DOCX reader for policy documents (python-docx).

The body is read in order, paragraphs and tables interleaved as in the document. Paragraph styles give headings
("Heading 2", "标题 2", "Title") and lists ("List Number", "List Bullet", or any paragraph with Word numbering,
whose level comes from ``w:ilvl``). Word's automatic numbers are not part of the text; such items get a generic
marker, while numbers typed into the text (一、 （一） 1.) are recognised as written.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from typing import Any

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from office_agent.errors import CorruptFile
from office_agent.policy.ingest.structure import RawBlock

log = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def _heading_level(style_name: str) -> int | None:
    if style_name.lower() in ("title", "标题"):
        return 0  # the document title: above every Heading 1
    m = _HEADING_STYLE.match(style_name.strip())
    return int(m.group(1)) if m else None


def _list_info(par: Paragraph, style_name: str) -> tuple[int, str] | None:
    """(depth, marker) when the paragraph is a list item by style or Word numbering."""
    ppr = par._p.pPr
    num: Any = ppr.numPr if ppr is not None else None
    lowered = style_name.lower()
    if num is None and not lowered.startswith("list"):
        return None
    depth = 0
    if num is not None and num.ilvl is not None and num.ilvl.val is not None:
        depth = int(num.ilvl.val)
    m = re.search(r"(\d)$", lowered)
    if m and num is None:
        depth = int(m.group(1)) - 1
    return depth, ("1." if "number" in lowered else "-")


def _paragraph(par: Paragraph) -> RawBlock | None:
    text = par.text
    if not text.strip():
        return None
    style_name = par.style.name if par.style is not None and par.style.name else ""
    level = _heading_level(style_name)
    if level is not None:
        return RawBlock(text, heading_level=level)
    listed = _list_info(par, style_name)
    if listed is not None:
        return RawBlock(text, list_depth=listed[0], list_marker=listed[1])
    return RawBlock(text)


def _table(table: Table) -> list[RawBlock]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:  # merged cells repeat the same object: keep it once
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text)
        rows.append(cells)
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if not body:
        return [RawBlock("", cells=header)]
    return [RawBlock("", cells=r, header=header) for r in body]


def read_docx_blocks(data: bytes) -> list[RawBlock]:
    try:
        document = open_docx(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as exc:
        raise CorruptFile(f"not a readable DOCX ({exc})") from exc
    out: list[RawBlock] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            block = _paragraph(Paragraph(child, document))
            if block is not None:
                out.append(block)
        elif child.tag == qn("w:tbl"):
            out.extend(_table(Table(child, document)))
    return out
