"""How portal pages lay out what plain HTML would mark up: chrome to drop, styled titles, key–value tables.

Used by :mod:`office_agent.policy.ingest.from_html`; every rule here reads the markup's shape (tags, classes, text
length, links), never a site's wording.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from office_agent.policy.ingest.structure import is_short_title, split_marker

# JSP / ASP directives, scriptlets and expressions (<%@ page %>, <% … %>, <%= … %>), PHP blocks, JSP comments
_SERVER_TAG = re.compile(rb"<%--.*?--%>|<%.*?%>|<\?php.*?(?:\?>|\Z)|<\?=.*?\?>", re.S | re.I)
_BOM = b"\xef\xbb\xbf"

_DROP_TAGS = ["script", "style", "noscript", "nav", "footer", "aside", "form", "iframe", "svg",
              "template", "button", "select", "input", "link", "meta", "object", "embed", "canvas",
              "dialog"]  # fmt: skip
# parts of class / id names ("main-menu" → main, menu) that mark page chrome; a name with a part of a table in it
# ("el-table__header-wrapper") is the table's own
_CHROME_PARTS = frozenset(
    ("breadcrumb", "breadcrumbs", "crumb", "crumbs", "sidenav", "navbar", "nav", "menu", "menus", "menubar", "cookie",
     "cookies", "share", "social", "banner", "skip", "sr", "footer", "header", "topbar", "toolbar", "pagination",
     "pager")
)  # fmt: skip
_TABLE_PARTS = frozenset(("table", "tbl", "grid", "thead", "tbody", "cell", "col", "th", "td"))
_PARTS = re.compile(r"[^a-z0-9]+")
_CHROME_ROLES = ("navigation", "banner", "contentinfo", "search")
_TOGGLE = re.compile(r"^(?:[.。…]{0,6}\s*)?(?:展开|收起|展开全部|收起全部|查看全部|查看更多|更多)\s*[>»▼▲∨∧]?$")
_TRAILING_TOGGLE = re.compile(r"(?:\.{3}|…+|。{3})\s*(?:展开|展开全部|查看全部)\s*$")
_TITLE_CLASS = re.compile(r"(?:^|[-_])(?:title|tit|heading|head|hd|caption|subject|label)(?:$|[-_\d])", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_CONTAINERS = {"div", "ul", "ol", "table", "dl", "section"}
_COPYRIGHT = re.compile(r"^(?:版权所有|copyright|©|\(c\)\s*\d{4})", re.I)
_MAX_COPYRIGHT = 200
_MIN_BAR_LINKS = 3
_MAX_TITLE_LINKS = 3  # a <header> with more links than this is the site's banner


def strip_server_tags(data: bytes) -> bytes:
    """A JSP/ASP/PHP template as the page it renders: BOM and server tags removed."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if b"<%" in data or b"<?" in data:
        data = _SERVER_TAG.sub(b"", data)
    return data


def text_of(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _is_chrome_header(tag: Tag) -> bool:
    """A ``<header>`` (or an element classed "header") is the site's banner unless it holds the page's heading."""
    if tag.find(["h1", "h2", "h3"]) is None:
        return True
    return len(tag.find_all("a")) > _MAX_TITLE_LINKS


def _hint_words(tag: Tag) -> list[str]:
    words = [str(tag.get("id", ""))] + [str(c) for c in tag.get("class") or []]
    return [w for w in words if w]


def _is_chrome(tag: Tag) -> bool:
    if tag.name in ("body", "html", "main"):
        return False
    if tag.get("aria-hidden") == "true":  # icons and decoration; collapsed accordions (``hidden``) are content
        return True
    role = tag.get("role")
    if role in _CHROME_ROLES:
        return role != "banner" or _is_chrome_header(tag)
    hinted: set[str] = set()
    for word in _hint_words(tag):
        parts = set(_PARTS.split(word.lower()))
        if not parts & _TABLE_PARTS:
            hinted |= parts & _CHROME_PARTS
    if not hinted:
        return False
    return _is_chrome_header(tag) if hinted == {"header"} else True


def drop_chrome(soup: BeautifulSoup) -> int:
    """Remove scripts, navigation, banners and toggles; returns how many elements went."""
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
        header = tag.name == "header" and _is_chrome_header(tag)
        if header or _is_chrome(tag) or _is_toggle(tag) or _is_link_bar(tag):
            tag.decompose()
            removed += 1
    for node in soup.find_all(string=_TRAILING_TOGGLE):
        node.replace_with(_TRAILING_TOGGLE.sub("", str(node)))
    return removed


def _is_link_bar(tag: Tag) -> bool:
    """A bar of links and nothing else (在线办理 预约办理 收藏 打印), or the copyright line: page furniture."""
    if tag.name not in ("div", "p", "span") or tag.find(["li", "td", "h1", "h2", "h3", "h4", "h5", "h6"]):
        return False
    text = "".join(text_of(tag).split())
    if _COPYRIGHT.match(text) and len(text) <= _MAX_COPYRIGHT:
        return True
    links = tag.find_all("a")
    linked = "".join("".join(text_of(a).split()) for a in links)
    return len(links) >= _MIN_BAR_LINKS and linked == text


def _is_toggle(tag: Tag) -> bool:
    """A "展开" / "收起" link or span that folds a long field: not content."""
    return tag.name in ("a", "span", "i", "em", "u") and bool(_TOGGLE.match(text_of(tag)))


def _all_bold(tag: Tag) -> bool:
    if _BOLD_STYLE.search(str(tag.get("style", ""))):
        return True
    own = text_of(tag)
    bold = " ".join(text_of(b) for b in tag.find_all(["b", "strong"]) if b.find_parent(["b", "strong"]) is None)
    return bool(own) and "".join(bold.split()) == "".join(own.split())


def _leads_container(tag: Tag) -> bool:
    """A short label as the first child of its container, the section's body following in containers."""
    parent = tag.parent
    if not isinstance(parent, Tag) or parent.name in ("body", "li", "td", "th"):
        return False
    siblings = [c for c in parent.children if isinstance(c, Tag)]
    if not siblings or siblings[0] is not tag or len(siblings) < 2:
        return False
    if any(str(s).strip() for s in parent.find_all(string=True, recursive=False)):
        return False
    return all(s.name in _CONTAINERS for s in siblings[1:])


def is_title_element(tag: Tag, *, inline: bool = False) -> bool:
    """A ``<p>`` / ``<div>`` / ``<span>`` that is a section title by its style: short, unnumbered (or numbered like
    a section, 一、), and bold, classed as a title, or leading its section's container. An inline element
    (``inline``: a ``<span>`` label) only when it leads its container."""
    if tag.name not in ("p", "div", "span", "strong", "b", "label", "font"):
        return False
    if tag.find(["p", "div", "ul", "ol", "table", "dl", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li"]) is not None:
        return False
    text = text_of(tag)
    marker, rank, rest = split_marker(text)
    if not is_short_title(rest) or (marker is not None and (rank or 0) >= 6):
        return False
    if inline:
        return _leads_container(tag)
    classed = any(_TITLE_CLASS.search(w) for w in _hint_words(tag))
    return classed or _all_bold(tag) or _leads_container(tag)


def is_key_value_table(rows: list[Tag]) -> bool:
    """A 基本信息 table: every row is ``th`` | ``td`` pairs (key, value), no column header."""
    if not rows:
        return False
    for tr in rows:
        cells = tr.find_all(["td", "th"], recursive=False)
        if not cells or len(cells) % 2:
            return False
        if any(k.name != "th" or v.name != "td" for k, v in zip(cells[::2], cells[1::2], strict=True)):
            return False
    return True
