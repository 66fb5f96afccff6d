"""Markdown (markdown-it-py, CommonMark + tables) and plain-text readers for policy documents.

Markdown keeps its structure: ATX and setext headings, nested ordered and bullet lists, pipe tables. Inline markup
is dropped (``**bold**`` → bold, ``[text](url)`` → text). Navigation scraped along with a page — list items that
are nothing but a link to another page of the same site (``[Travel](/travel)``) — and images are left out.

Plain text has no markup: blank lines end paragraphs, numbered or bulleted lines start blocks, and wrapped lines
are joined (without a space between CJK characters).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from office_agent.policy.ingest.structure import (
    RawBlock,
    ends_block,
    is_heading_line,
    is_short_title,
    join_wrapped,
    starts_new_block,
)

log = logging.getLogger(__name__)

_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


@dataclass
class _Item:
    marker: str
    depth: int
    parts: list[str] = field(default_factory=list)
    emitted: bool = False


def _inline_text(tok: Token) -> tuple[str, bool]:
    """The plain text of an inline token, and whether it is nothing but site-internal links (navigation)."""
    parts: list[str] = []
    in_link = 0
    local_link = True
    outside_link_text = False
    for child in tok.children or []:
        if child.type == "link_open":
            in_link += 1
            href = str(child.attrs.get("href", ""))
            if not href.startswith(("/", "#")):
                local_link = False
        elif child.type == "link_close":
            in_link -= 1
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
            if not in_link and child.content.strip():
                outside_link_text = True
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    text = "".join(parts).strip()
    saw_link = any(c.type == "link_open" for c in tok.children or [])
    return text, saw_link and local_link and not outside_link_text


class _Walker:
    def __init__(self) -> None:
        self.out: list[RawBlock] = []
        self.lists: list[list[int | bool]] = []  # [ordered, next number]
        self.items: list[_Item] = []
        self.heading: int | None = None
        self.row: list[str] | None = None
        self.header: list[str] = []
        self.in_head = False

    def _flush_item(self, item: _Item) -> None:
        if not item.emitted and item.parts:
            self.out.append(RawBlock(" ".join(item.parts), list_depth=item.depth, list_marker=item.marker))
        item.emitted = True

    def handle(self, tok: Token) -> None:  # noqa: C901 - one branch per token type, flat on purpose
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open"):
            if self.items:
                self._flush_item(self.items[-1])
            start = int(tok.attrs.get("start", 1) or 1)
            self.lists.append([t == "ordered_list_open", start])
        elif t in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif t == "list_item_open":
            ordered, number = self.lists[-1]
            marker = f"{tok.info or number}{tok.markup or '.'}" if ordered else "-"
            self.lists[-1][1] = int(number) + 1
            self.items.append(_Item(marker, len(self.lists) - 1))
        elif t == "list_item_close":
            self._flush_item(self.items.pop())
        elif t == "heading_open":
            self.heading = int(tok.tag[1:])
        elif t == "heading_close":
            self.heading = None
        elif t == "tr_open":
            self.row = []
        elif t == "thead_open":
            self.in_head = True
        elif t == "thead_close":
            self.in_head = False
        elif t == "tr_close" and self.row is not None:
            if self.in_head:
                self.header = self.row
            else:
                self.out.append(RawBlock("", cells=self.row, header=self.header))
            self.row = None
        elif t == "table_close":
            self.header = []
        elif t == "inline":
            self._inline(tok)
        elif t in ("fence", "code_block"):
            for line in tok.content.splitlines():
                if line.strip():
                    self.out.append(RawBlock(line))

    def _inline(self, tok: Token) -> None:
        text, navigation = _inline_text(tok)
        if self.row is not None:
            self.row.append(text)
        elif not text:
            return
        elif self.heading is not None:
            self.out.append(RawBlock(text, heading_level=self.heading))
        elif self.items:
            if navigation:
                return
            item = self.items[-1]
            if item.emitted:  # a paragraph after the item's nested list: a block of its own at that depth
                self.out.append(RawBlock(text, list_depth=item.depth, list_marker="-"))
            else:
                item.parts.append(text)
        else:
            self.out.append(RawBlock(text))


def read_markdown_blocks(text: str) -> list[RawBlock]:
    walker = _Walker()
    for tok in _MD.parse(text):
        walker.handle(tok)
    return walker.out


def read_text_blocks(text: str) -> list[RawBlock]:
    """Plain text: paragraphs split on blank lines, numbered lines and ends of sentences; wrapped lines joined."""
    out: list[RawBlock] = []
    current = ""
    lines = text.splitlines()
    for i, raw_line in enumerate(lines):
        line = raw_line.strip()
        if not line:
            if current:
                out.append(RawBlock(current))
            current = ""
            continue
        next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
        if current and (starts_new_block(line) or ends_block(current) or is_heading_line(current)):
            out.append(RawBlock(current))
            current = ""
        if not current and is_short_title(line) and next_blank and not starts_new_block(line) and not out:
            out.append(RawBlock(line, heading_level=1))  # the first short line standing alone: the title
            continue
        current = join_wrapped(current, line)
    if current:
        out.append(RawBlock(current))
    return out
