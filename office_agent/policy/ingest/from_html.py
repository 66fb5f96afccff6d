"""HTML reader for policy documents (BeautifulSoup over lxml).

Government pages carry more chrome than content: scripts, styles, navigation bars, breadcrumbs, side menus,
share buttons, cookie banners. Those are removed before reading; what is left is walked in document order:
``h1``-``h6`` → headings, ``li`` → list items (nesting kept, own text only), ``table`` rows → table rows (``th`` cells
as the header), every other run of text → a paragraph. ``<main>`` (or ``role=main``) is read when the page has one.

What portals do instead of plain markup is read for what it means (see :mod:`~office_agent.policy.ingest.html_layout`):

* server templates (JSP/ASP/PHP: a BOM, ``<%@ page %>``, ``<%=basePath%>``, ``<?php … ?>``) are stripped of their
  server tags first, so they read as the page they render;
* the page title in ``<header>`` is kept (a ``<header>`` holding a heading and few links is the page's own, not the
  site's banner);
* section titles styled as ``<p>`` (bold, a title class, or a short label leading its section's container) are
  headings; a ``<dl>`` and a key–value table (``th`` | ``td`` pairs) give "key：value" lines;
* an Element-UI table, whose header and body are two ``<table>`` s, is one table; "展开"/"收起" toggles are dropped;
* a list item whose lines are split by ``<br>`` (a material, then its 材料类型/份数 lines) keeps the first line as
  the item and the others as its detail lines.
"""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup, NavigableString, Tag

from office_agent.policy.ingest.html_layout import (
    drop_chrome,
    is_key_value_table,
    is_title_element,
    strip_server_tags,
    text_of,
)
from office_agent.policy.ingest.structure import RawBlock

log = logging.getLogger(__name__)

_BLOCK_TAGS = {"p", "div", "section", "article", "main", "body", "blockquote", "ul", "ol", "li", "table", "dl", "dt",
               "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figure", "figcaption", "address", "details",
               "summary", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "br", "hr", "center",
               "header"}  # fmt: skip
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
STYLED_TITLE_LEVEL = 6
TITLE_WINDOW = 40  # a <p>-styled section title: below every markup heading of the page
_TITLE_SPLIT = re.compile(r"\s*[-_|｜—–]\s*")


class _HtmlWalker:
    def __init__(self) -> None:
        self.out: list[RawBlock] = []
        self.inline: list[str] = []
        self.depth = -1
        self.pending_header: list[str] = []  # an Element-UI header table waiting for its body table

    def flush(self) -> None:
        text = " ".join(" ".join(self.inline).split())
        self.inline = []
        if text:
            self.out.append(RawBlock(text))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if str(child).strip():
                    self.inline.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name not in _BLOCK_TAGS and not (not self.inline and is_title_element(child, inline=True)):
                self.inline.append(child.get_text(" "))
                continue
            self.flush()
            self._block(child)

    def _block(self, child: Tag) -> None:
        name = child.name
        if name in _HEADINGS:
            text = text_of(child)
            if text:
                self.out.append(RawBlock(text, heading_level=_HEADINGS[name]))
        elif name in ("ul", "ol"):
            self._list(child)
        elif name == "table":
            self._table(child)
        elif name == "dl":
            self._definitions(child)
        elif name in ("br", "hr"):
            return
        elif is_title_element(child):
            self.out.append(RawBlock(text_of(child), heading_level=STYLED_TITLE_LEVEL))
        else:
            self.walk(child)
            self.flush()

    def _list(self, node: Tag) -> None:
        self.depth += 1
        ordered = node.name == "ol"
        number = int(str(node.get("start", "1"))) if str(node.get("start", "1")).isdigit() else 1
        for li in node.find_all("li", recursive=False):
            lines, nested = _item_lines(li)
            if lines:
                marker = f"{number}." if ordered else "-"
                self.out.append(RawBlock(lines[0], list_depth=self.depth, list_marker=marker))
                self.out.extend(RawBlock(line, list_depth=self.depth + 1, detail=True) for line in lines[1:])
            number += 1
            for sub in nested:
                if sub.name == "table":
                    self._table(sub)
                else:
                    self._list(sub)
        self.depth -= 1

    def _definitions(self, node: Tag) -> None:
        """``<dt>事项名称：</dt><dd>…</dd>`` → "事项名称：…"; a ``dt`` without a ``dd`` stays a line of its own."""
        key: str | None = None
        for part in node.find_all(["dt", "dd"]):
            if part.find_parent("dl") is not node:
                continue
            text = text_of(part)
            if part.name == "dt":
                if key:
                    self.out.append(RawBlock(key))
                key = text
            elif text:
                self.out.append(RawBlock(_key_value(key, text) if key else text))
                key = None
        if key:
            self.out.append(RawBlock(key))

    def _table(self, node: Tag) -> None:
        rows = [tr for tr in node.find_all("tr") if tr.find_parent("table") is node]  # nested tables: with them
        if is_key_value_table(rows):
            for tr in rows:
                cells = tr.find_all(["td", "th"], recursive=False)
                for key, value in zip(cells[::2], cells[1::2], strict=False):
                    if text_of(value):
                        self.out.append(RawBlock(_key_value(text_of(key), text_of(value))))
            return
        header: list[str] = []
        body = 0
        for tr in rows:
            cells = tr.find_all(["td", "th"], recursive=False)
            texts = [text_of(c) for c in cells]
            if not any(texts):
                continue
            in_head = tr.find_parent("thead") is not None and tr.find_parent("table") is node
            if not header and (in_head or all(c.name == "th" for c in cells)):
                header = texts
                continue
            if not header and self.pending_header and len(texts) == len(self.pending_header):
                header = self.pending_header
            self.out.append(RawBlock("", cells=texts, header=header))
            body += 1
        # Element-UI draws the header and the body as two tables: the header alone waits for the body
        self.pending_header = header if header and not body else []


def _item_lines(li: Tag) -> tuple[list[str], list[Tag]]:
    """A list item's own lines (split at ``<br>``) and its nested lists and tables."""
    lines: list[str] = []
    current: list[str] = []
    nested: list[Tag] = []
    for part in li.children:
        if isinstance(part, Tag) and part.name in ("ul", "ol", "table"):
            nested.append(part)
        elif isinstance(part, Tag) and part.name == "br":
            lines.append(" ".join(" ".join(current).split()))
            current = []
        elif isinstance(part, Tag | NavigableString):
            current.append(part.get_text(" ") if isinstance(part, Tag) else str(part))
    lines.append(" ".join(" ".join(current).split()))
    return [line for line in lines if line], nested


def _key_value(key: str, value: str) -> str:
    return f"{key}{value}" if key.endswith(("：", ":")) else f"{key}：{value}"


def _page_title(soup: BeautifulSoup) -> str | None:
    """The ``<title>``'s first part ("事项-办事指南-平台" → "事项"), for a page with no heading."""
    tag = soup.find("title")
    text = text_of(tag) if isinstance(tag, Tag) else ""
    first = _TITLE_SPLIT.split(text)[0] if text else ""
    return first if len(first) >= 2 and first.lower() not in ("document", "untitled", "index") else None


def _place_title(blocks: list[RawBlock], title: str) -> None:
    """The ``<title>`` names the page: the block near the top that reads the same is its title (a heading above
    every other); a page with no heading of its own gets the ``<title>`` as its first heading."""
    wanted = "".join(title.split())
    for raw in blocks[:TITLE_WINDOW]:
        if raw.cells is None and "".join(raw.text.split()) == wanted:
            raw.heading_level = 0 if raw.heading_level is None or raw.heading_level > 1 else raw.heading_level
            return
    if not any((b.heading_level or STYLED_TITLE_LEVEL) < STYLED_TITLE_LEVEL for b in blocks):
        blocks.insert(0, RawBlock(title, heading_level=1))


def read_html_blocks(data: bytes) -> tuple[list[RawBlock], list[str]]:
    """Blocks of the page's content, and warnings (e.g. how much chrome was dropped)."""
    soup = BeautifulSoup(strip_server_tags(data), "lxml")
    title = _page_title(soup)
    removed = drop_chrome(soup)
    root = soup.find("main") or soup.find(None, {"role": "main"}) or soup.body or soup
    walker = _HtmlWalker()
    if isinstance(root, Tag):
        walker.walk(root)
    walker.flush()
    warnings = []
    if removed:
        log.debug("dropped %d script/navigation elements", removed)
    if not walker.out and removed:
        warnings.append(f"the page is only scripts and navigation ({removed} elements dropped), no content")
    if walker.out and title:
        _place_title(walker.out, title)
    return walker.out, warnings
