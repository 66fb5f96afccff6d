"""HTML reader for policy documents (BeautifulSoup over lxml).

Government pages carry more chrome than content: scripts, styles, navigation bars, breadcrumbs, side menus,
share buttons, cookie banners. Those are removed before reading; what is left is walked in document order:
``h1``-``h6`` → headings, ``li`` → list items (nesting kept, own text only), ``table`` rows → table rows (``th`` cells
as the header), every other run of text → a paragraph. ``<main>`` (or ``role=main``) is read when the page has one.
"""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from office_agent.policy.ingest.structure import RawBlock

log = logging.getLogger(__name__)

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "template", "button", "select", "input", "link", "meta", "object", "embed", "canvas",
              "dialog"]  # fmt: skip
_DROP_HINT = re.compile(
    r"breadcrumb|sidenav|side-nav|navbar|nav-bar|menu|cookie|share|social|banner|skip-link|sr-only|footer|header"
    r"|usa-nav|site-nav|pagination",
    re.IGNORECASE,
)
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "body", "blockquote", "ul", "ol", "li", "table", "dl", "dt",
               "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figure", "figcaption", "address", "details",
               "summary", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "br", "hr", "center"}  # fmt: skip
_CHROME_ROLES = ("navigation", "banner", "contentinfo", "search")
_HEADINGS = {f"h{i}": i for i in range(1, 7)}


def _drop_chrome(soup: BeautifulSoup) -> int:
    removed = 0
    for button in soup.select("h1 button, h2 button, h3 button, h4 button, h5 button, h6 button, summary button"):
        button.unwrap()  # accordion headings are buttons: keep their text
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
        removed += 1
    for node in soup.find_all(string=lambda s: isinstance(s, Comment | Doctype | ProcessingInstruction)):
        node.extract()
    for tag in soup.find_all(True):
        if tag.decomposed or not isinstance(tag, Tag) or tag.attrs is None:
            continue
        hints = " ".join([str(tag.get("id", "")), " ".join(tag.get("class") or []), str(tag.get("role", ""))])
        # collapsed accordions (``hidden``) are content; ``aria-hidden`` marks icons and decoration
        hidden = tag.get("aria-hidden") == "true"
        chrome = hidden or tag.get("role") in _CHROME_ROLES or _DROP_HINT.search(hints)
        if chrome and tag.name not in ("body", "html", "main"):
            tag.decompose()
            removed += 1
    return removed


class _HtmlWalker:
    def __init__(self) -> None:
        self.out: list[RawBlock] = []
        self.inline: list[str] = []
        self.depth = -1

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
            if name not in _BLOCK_TAGS:
                self.inline.append(child.get_text(" "))
                continue
            self.flush()
            if name in _HEADINGS:
                text = " ".join(child.get_text(" ").split())
                if text:
                    self.out.append(RawBlock(text, heading_level=_HEADINGS[name]))
            elif name in ("ul", "ol"):
                self._list(child)
            elif name == "table":
                self._table(child)
            elif name in ("br", "hr"):
                continue
            else:
                self.walk(child)
                self.flush()

    def _list(self, node: Tag) -> None:
        self.depth += 1
        ordered = node.name == "ol"
        number = int(str(node.get("start", "1"))) if str(node.get("start", "1")).isdigit() else 1
        for li in node.find_all("li", recursive=False):
            own: list[str] = []
            nested: list[Tag] = []
            for part in li.children:
                if isinstance(part, Tag) and part.name in ("ul", "ol", "table"):
                    nested.append(part)
                elif isinstance(part, Tag | NavigableString):
                    own.append(part.get_text(" ") if isinstance(part, Tag) else str(part))
            text = " ".join(" ".join(own).split())
            if text:
                marker = f"{number}." if ordered else "-"
                self.out.append(RawBlock(text, list_depth=self.depth, list_marker=marker))
            number += 1
            for sub in nested:
                if sub.name == "table":
                    self._table(sub)
                else:
                    self._list(sub)
        self.depth -= 1

    def _table(self, node: Tag) -> None:
        header: list[str] = []
        for tr in node.find_all("tr"):
            if tr.find_parent("table") is not node:
                continue  # a nested table's rows are read with it
            cells = tr.find_all(["td", "th"], recursive=False)
            texts = [" ".join(c.get_text(" ").split()) for c in cells]
            if not any(texts):
                continue
            if not header and all(c.name == "th" for c in cells):
                header = texts
                continue
            self.out.append(RawBlock("", cells=texts, header=header))


def read_html_blocks(data: bytes) -> tuple[list[RawBlock], list[str]]:
    """Blocks of the page's content, and warnings (e.g. how much chrome was dropped)."""
    soup = BeautifulSoup(data, "lxml")
    removed = _drop_chrome(soup)
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
    return walker.out, warnings
