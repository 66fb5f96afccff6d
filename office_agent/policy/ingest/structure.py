"""Structure shared by every policy-document reader: numbering levels, headings, section paths, offsets.

Readers turn their format into a flat list of :class:`RawBlock` (text plus whatever the format says: a markup
heading level, a list depth, table cells, a page). :func:`build_document` then

1. splits the numbering marker off each block (一、 （一） 1. （1） ① 第六条, 1. (a) (i) and bullets);
2. decides which numbered lines are headings: 第X章/节 and short 一、 / （一） lines that have something under
   them (a short "（一）居民身份证" followed by "（二）户口簿" is a list item, not a section);
3. keeps a stack of headings, so every block knows its section path (第六条 opens a section of its own: the
   paragraphs after an article belong to it);
4. links list items to their parent item (nested lists, "1. Personal documents including:" → its bullets);
5. joins everything into ``PolicyDocument.text`` and records each block's character offsets in it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from office_agent.policy_models import Block, BlockKind, DocKind, Location, PolicyDocument

_CN_NUM = "一二三四五六七八九十百零〇两"
_ROMAN = r"(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)"

# (rank, pattern): a lower rank is an outer level. The marker is group 1.
NUMBERING: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^(第[{_CN_NUM}\d]+章)\s*")),
    (2, re.compile(rf"^(第[{_CN_NUM}\d]+节)\s*")),
    (3, re.compile(rf"^(第[{_CN_NUM}\d]+条)\s*")),
    (3, re.compile(r"^((?:Article|Section|Chapter)\s+\d+[.:]?)\s+", re.IGNORECASE)),
    (4, re.compile(rf"^([{_CN_NUM}]+[、．])\s*")),
    (5, re.compile(rf"^([（(][{_CN_NUM}]+[)）])\s*")),
    (6, re.compile(r"^(\d{1,2}(?:[、．]|\.(?!\d)))\s*")),
    (6, re.compile(r"^(\d{1,2}[)）])\s*")),
    (6, re.compile(r"^((?:Step|Bước)\s+\d+[.:]?)\s*", re.IGNORECASE)),
    (7, re.compile(r"^([（(]\d{1,2}[)）])\s*")),
    (8, re.compile(rf"^([（(]{_ROMAN}[)）])\s+")),
    (7, re.compile(r"^([（(][a-z][)）])\s*")),
    (7, re.compile(r"^([a-z][.)])\s+")),
    (8, re.compile(r"^([①-⑳])\s*")),
    (9, re.compile(r"^([-*•·●○■▪◆◇►▶➢✓√□☐])\s+")),
    (9, re.compile(r"^([•·●○■▪◆◇►▶➢□☐])\s*")),
]
BULLET_RANK = 9
ARTICLE_RANK = 3
ITEM_IN_ARTICLE_RANK = 5  # （一） inside a 第X条 is one of its 项
_HEADING_RANKS = {1, 2, 4, 5}  # numbering that opens a section when the line is short
_TIGHT_MARKER_END = ("、", "）", "．")  # CJK markers take no space before the text
_END_PUNCT = tuple("。；;，,：:！？!?")
_SPACE = re.compile(r"[ \t\u00a0\u3000\r\f\v]+")


@dataclass
class RawBlock:
    """A block as a reader saw it, before numbering and sections are worked out."""

    text: str
    heading_level: int | None = None  # markup heading level (Markdown #, HTML h2, DOCX "Heading 2", PDF font size)
    list_depth: int | None = None  # markup list nesting (0 = top); None when not in a markup list
    list_marker: str | None = None  # "1." for an ordered list's third item → "3.", "-" for a bullet
    page: int | None = None
    cells: list[str] | None = None  # a table row
    header: list[str] | None = None
    detail: bool = False  # a line of the list item before it (材料类型：原件；份数：1份): a paragraph under that item


@dataclass
class _Prepared:
    raw: RawBlock
    text: str
    marker: str | None
    rank: int | None
    kind: BlockKind = BlockKind.PARAGRAPH
    level: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def clean_text(text: str) -> str:
    """Collapse runs of spaces (not line structure), drop control and zero-width characters."""
    text = "".join(c for c in text if c in "\n" or unicodedata.category(c) not in ("Cc", "Cf"))
    text = _SPACE.sub(" ", text.replace("\n", " "))
    return text.strip()


def split_marker(text: str) -> tuple[str | None, int | None, str]:
    """``"（一）首次申请"`` → ``("（一）", 5, "首次申请")``; text without numbering → ``(None, None, text)``."""
    for rank, pattern in NUMBERING:
        m = pattern.match(text)
        if m and m.end() < len(text):
            return m.group(1).strip(), rank, text[m.end() :].strip()
    return None, None, text


def is_short_title(text: str) -> bool:
    """A line that reads as a title: short, and not ending like a sentence or a clause."""
    if not text or text.endswith(_END_PUNCT):
        return False
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    limit = 30 if cjk >= len(text) / 3 else 80
    return len(text) <= limit


def _prepare(raws: list[RawBlock]) -> list[_Prepared]:
    out: list[_Prepared] = []
    for raw in raws:
        if raw.cells is not None:
            cells = [clean_text(c) for c in raw.cells]
            if not any(cells):
                continue
            header = [clean_text(c) for c in raw.header or []]
            raw = RawBlock(" | ".join(cells), page=raw.page, cells=cells, header=header)
            out.append(_Prepared(raw, raw.text, None, None, BlockKind.TABLE_ROW))
            continue
        text = clean_text(raw.text)
        if not text:
            continue
        marker, rank, rest = split_marker(text)
        if raw.list_marker is not None and marker is None:
            marker, rank = raw.list_marker, (BULLET_RANK if not raw.list_marker[:1].isdigit() else 6)
        out.append(_Prepared(raw, rest, marker, rank))
    return out


def _decide_kinds(blocks: list[_Prepared]) -> None:
    in_article = False  # inside a 第X条: its （一） lines are 项 (items), never headings
    for i, b in enumerate(blocks):
        if b.kind == BlockKind.TABLE_ROW:
            continue
        if b.raw.detail:
            b.kind, b.level = BlockKind.PARAGRAPH, 0
            continue
        if b.raw.heading_level is not None:
            b.kind, b.level = BlockKind.HEADING, b.raw.heading_level
            in_article = False
            continue
        if b.rank == ARTICLE_RANK:
            b.kind, b.level = BlockKind.PARAGRAPH, b.rank
            in_article = True
            continue
        if b.rank in (1, 2):
            in_article = False
        elif in_article and b.rank == ITEM_IN_ARTICLE_RANK:
            b.kind, b.level = BlockKind.LIST_ITEM, b.rank
            continue
        if b.rank in _HEADING_RANKS and b.raw.list_depth is None and is_short_title(b.text):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            sibling_next = nxt is not None and nxt.rank not in (None, ARTICLE_RANK) and (nxt.rank or 0) <= (b.rank or 0)
            if b.rank in (1, 2) or (nxt is not None and not sibling_next):
                b.kind, b.level = BlockKind.HEADING, 10 + (b.rank or 0)
                in_article = False  # a guide quoting an article goes on with its own sections (三、申请材料)
                continue
        if b.rank is not None or b.raw.list_depth is not None:
            b.kind, b.level = BlockKind.LIST_ITEM, b.rank or BULLET_RANK
        else:
            b.kind, b.level = BlockKind.PARAGRAPH, 0


_TITLE_WINDOW = 40  # the title is among the first blocks of the document


def _demote_banner_headings(blocks: list[_Prepared]) -> None:
    """Markup headings above the document's title and smaller than it (a portal's banner, a logo, a running
    title) are not headings: the title (the first of the largest headings near the top) is the first heading."""
    levels = [b.raw.heading_level for b in blocks[:_TITLE_WINDOW] if b.raw.heading_level is not None]
    if not levels:
        return
    top = min(levels)
    for b in blocks[:_TITLE_WINDOW]:
        if b.raw.heading_level == top:
            return
        if b.raw.heading_level is not None:
            b.raw = replace(b.raw, heading_level=None)


def build_document(
    source: str,
    sha256: str,
    kind: DocKind,
    raws: list[RawBlock],
    *,
    pages: int | None = None,
    warnings: list[str] | None = None,
    max_chars: int = 20_000_000,
) -> PolicyDocument:
    """Turn a reader's flat blocks into a :class:`PolicyDocument` with sections, parents and offsets."""
    prepared = _prepare(raws)
    _demote_banner_headings(prepared)
    _decide_kinds(prepared)
    doc = PolicyDocument(source=source, sha256=sha256, kind=kind, pages=pages, warnings=list(warnings or []))
    parts: list[str] = []
    pos = 0
    stack: list[tuple[int, str]] = []  # (heading rank, title) — markup levels 1-6, numbering 11-15, article 3+10
    open_items: list[tuple[tuple[int, int], int]] = []  # ((depth, rank), block index) of list items in scope
    lead_in: int | None = None  # a paragraph ending in ":" right before a list
    for b in prepared:
        if b.marker and b.kind != BlockKind.TABLE_ROW:
            line = f"{b.marker}{'' if b.marker.endswith(_TIGHT_MARKER_END) else ' '}{b.text}"
        else:
            line = b.text
        if pos + len(line) > max_chars:
            doc.warnings.append(f"text longer than {max_chars} characters: the rest was left out")
            break
        start = pos + (len(line) - len(b.text))
        title = line
        if b.kind == BlockKind.HEADING or b.rank == ARTICLE_RANK:
            rank = b.level if b.kind == BlockKind.HEADING else 10 + ARTICLE_RANK
            numbered = b.kind == BlockKind.HEADING and b.raw.heading_level is None
            # a numbered section (三、申请材料) after an article a guide quoted is the guide's, not the article's
            while stack and (stack[-1][0] >= rank or (numbered and stack[-1][0] == 10 + ARTICLE_RANK)):
                stack.pop()
            stack.append((rank, title if b.kind == BlockKind.HEADING else b.marker or title))
            open_items.clear()
            lead_in = None
        parent: int | None = None
        if b.kind == BlockKind.LIST_ITEM:
            key = (b.raw.list_depth or 0, b.level)
            while open_items and open_items[-1][0] >= key:
                open_items.pop()
            parent = open_items[-1][1] if open_items else lead_in
            open_items.append((key, len(doc.blocks)))
        elif b.kind == BlockKind.PARAGRAPH and b.raw.detail:
            parent = open_items[-1][1] if open_items else None
        elif b.kind == BlockKind.PARAGRAPH:
            open_items.clear()
            lead_in = len(doc.blocks) if b.text.endswith((":", "：")) else None
        elif b.kind == BlockKind.TABLE_ROW:
            open_items.clear()
            lead_in = None
        location = Location(
            file=source, page=b.raw.page, section=tuple(t for _, t in stack), start=start, end=start + len(b.text)
        )
        doc.blocks.append(
            Block(
                kind=b.kind,
                text=b.text,
                marker=b.marker,
                level=b.level,
                location=location,
                parent=parent,
                cells=b.raw.cells or [],
                header=b.raw.header or [],
            )
        )
        parts.append(line)
        pos += len(line) + 1
    doc.text = "\n".join(parts)
    doc.title = next((blk.text for blk in doc.blocks if blk.kind == BlockKind.HEADING), None)
    return doc


def join_wrapped(left: str, right: str) -> str:
    """Join a line wrapped onto the next one: no space between CJK characters, one between Latin words."""
    if not left:
        return right
    if not right:
        return left
    if _is_cjk(left[-1]) or _is_cjk(right[0]) or left.endswith("-"):
        return left + right
    return f"{left} {right}"


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def starts_new_block(line: str) -> bool:
    """A line that begins a block of its own in flowing text (a numbered or bulleted line)."""
    marker, _, _ = split_marker(line.strip())
    return marker is not None


def is_heading_line(line: str) -> bool:
    """A short line numbered like a section (一、 （一） 第X章): a block of its own in flowing text."""
    marker, rank, rest = split_marker(line.strip())
    return marker is not None and rank in _HEADING_RANKS and is_short_title(rest)


def ends_block(line: str) -> bool:
    """A line after which flowing text starts a new block: the end of a sentence, clause list or label."""
    return line.rstrip().endswith(("。", "：", ":", "；", "！", "？"))
