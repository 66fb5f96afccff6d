"""DOCX reader for policy documents (python-docx).

The body is read in order, paragraphs and tables interleaved as in the document. Paragraph styles give headings
("Heading 2", "标题 2", "Title") and lists ("List Number", "List Bullet", or any paragraph with Word numbering,
whose level comes from ``w:ilvl``). Word's automatic numbers are not part of the text; such items get a generic
marker, while numbers typed into the text (一、 （一） 1.) are recognised as written.

A 一次性告知书 typed without heading styles is read by its formatting: a short paragraph set larger than the body
text is a heading (the largest first), and so is a short bold centred one. A table's first row is its header when
it is marked so (``w:tblHeader``) or set in bold; a two- or four-column table of labels and values without such a
header (事项名称 | …, 实施机关 | …) gives "label：value" lines instead of table rows.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import Any

from docx import Document as open_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from office_agent.errors import CorruptFile
from office_agent.policy.ingest.structure import RawBlock, clean_text, is_short_title

log = logging.getLogger(__name__)

DEFAULT_PT = 10.5  # Word's body size when a run says none (五号)
HEADING_RATIO = 1.15
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


def _paragraph(par: Paragraph) -> tuple[RawBlock, _Look] | None:
    text = par.text
    if not text.strip():
        return None
    style_name = par.style.name if par.style is not None and par.style.name else ""
    level = _heading_level(style_name)
    if level is not None:
        return RawBlock(text, heading_level=level), _Look()
    listed = _list_info(par, style_name)
    if listed is not None:
        return RawBlock(text, list_depth=listed[0], list_marker=listed[1]), _Look()
    return RawBlock(text), _look(par)


@dataclass
class _Look:
    """How an unstyled paragraph is set: its largest font size (points, None: the default) and whether every run
    with text is bold, and whether it is centred."""

    size: float | None = None
    bold: bool = False
    centred: bool = False
    styled: bool = True  # a style already said what it is


def _look(par: Paragraph) -> _Look:
    runs = [r for r in par.runs if r.text.strip()]
    sizes = [r.font.size.pt for r in runs if r.font.size is not None]
    bold = bool(runs) and all(_bold(r) for r in runs)
    centred = par.alignment is not None and int(par.alignment) == int(WD_ALIGN_PARAGRAPH.CENTER)
    return _Look(max(sizes) if sizes else None, bold, centred, styled=False)


def _bold(run: Any) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    style = run.style
    return bool(style is not None and style.font is not None and style.font.bold)


def _formatted_headings(blocks: list[tuple[RawBlock, _Look]]) -> list[RawBlock]:
    """Unstyled paragraphs that are headings by their formatting get a heading level (see the module doc)."""
    weights: Counter[float] = Counter()
    for raw, look in blocks:
        if not look.styled:
            weights[look.size or DEFAULT_PT] += len(raw.text)
    body = weights.most_common(1)[0][0] if weights else DEFAULT_PT
    bigger = sorted({look.size for _, look in blocks if look.size and look.size >= body * HEADING_RATIO}, reverse=True)
    levels = {size: i + 1 for i, size in enumerate(bigger)}
    out = []
    for raw, look in blocks:
        short = not look.styled and is_short_title(clean_text(raw.text))
        if short and look.size in levels:
            raw = RawBlock(raw.text, heading_level=min(levels[look.size or 0.0], 6))
        elif short and look.bold and look.centred:
            raw = RawBlock(raw.text, heading_level=1)
        out.append(raw)
    return out


def _table(table: Table) -> list[RawBlock]:
    rows: list[list[str]] = []
    first_bold = False
    for k, row in enumerate(table.rows):
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:  # merged cells repeat the same object: keep it once
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text)
        rows.append(cells)
        if k == 0:
            first_bold = _header_row(row)
    if not rows:
        return []
    if not first_bold and _labels_and_values(rows):
        return [RawBlock(f"{k}{v}" if k.endswith(("：", ":")) else f"{k}：{v}")
                for r in rows for k, v in zip(r[::2], r[1::2], strict=False) if v.strip()]  # fmt: skip
    header, body = rows[0], rows[1:]
    if not body:
        return [RawBlock("", cells=header)]
    return [RawBlock("", cells=r, header=header) for r in body]


def _header_row(row: Any) -> bool:
    """A row marked as the table's header, or whose every cell with text is bold."""
    trpr = row._tr.trPr
    if trpr is not None and trpr.find(qn("w:tblHeader")) is not None:
        return True
    runs = [r for cell in row.cells for p in cell.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(_bold(r) for r in runs)


_MAX_LABEL = 12
# words of column names: a first row made only of them is a header row (情形 | 所需材料), not a label and its value
_COLUMN_NAME = re.compile(
    r"序号|编号|名称|情形|情况|材料|类型|份数|数量|备注|说明|要求|来源|渠道|形式|必要|条件|项目|内容|标准|依据|适用"
    r"|^(?:no\.?|case|situation|documents?|items?|type|copies|notes?|requirements?|source|form|conditions?)\b",
    re.IGNORECASE,
)


def _labels_and_values(rows: list[list[str]]) -> bool:
    """Two or four columns whose even cells are short labels (事项名称, 办理地点), on two rows at least."""
    if len(rows) < 2 or any(len(r) not in (2, 4) or len(r) != len(rows[0]) for r in rows):
        return False
    labels = [clean_text(c) for r in rows for c in r[::2]]
    if len(set(labels)) != len(labels):
        return False
    if all(_COLUMN_NAME.search(clean_text(c)) and len(clean_text(c)) <= _MAX_LABEL for c in rows[0]):
        return False
    return all(lb and len(lb) <= _MAX_LABEL and not lb.isdigit() and is_short_title(lb.rstrip("：:")) for lb in labels)


def read_docx_blocks(data: bytes) -> list[RawBlock]:
    try:
        document = open_docx(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as exc:
        raise CorruptFile(f"not a readable DOCX ({exc})") from exc
    out: list[tuple[RawBlock, _Look]] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            block = _paragraph(Paragraph(child, document))
            if block is not None:
                out.append(block)
        elif child.tag == qn("w:tbl"):
            out.extend((raw, _Look()) for raw in _table(Table(child, document)))
    return _formatted_headings(out)
