"""Checks a guide passes before its reader parses it, so a hostile file costs a reason, not the run.

- DOCX: the package is opened with the invoice path's :class:`~office_agent.ingest.archive.SafeZip` (member
  count, total and per-member size, compression ratio, ``..`` and symlink members, sizes checked while
  inflating), every member is inflated once under those bounds, and an XML part that declares a DTD or entities is
  refused (python-docx's lxml parser leaves entities unexpanded, but a DTD has no business in a Word part). lxml's
  own bounds hold for the rest: 256 levels of nesting and 10 MB per text node (``huge_tree`` stays off).
- HTML: the byte size and the number of opening tags, counted in C before BeautifulSoup builds a tree, since its
  tree costs about a kilobyte and tens of microseconds per element (a 300,000-row table would be gigabytes); and
  the nesting depth, since the walk over a page nested thousands deep is quadratic and then recursion-bound.
"""

from __future__ import annotations

import re

from office_agent.config import Limits
from office_agent.errors import TooLarge, UnsafeXml
from office_agent.ingest.archive import SafeZip
from office_agent.policy_models import DocLimits

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_NESTING_TAG = re.compile(
    rb"<(/?)(?:div|span|section|article|main|table|ul|ol|dl|blockquote|form|strong|em|a)(?=[\s>])", re.IGNORECASE
)


def zip_limits(limits: DocLimits) -> Limits:
    """The invoice path's ZIP bounds, set from the guide limits."""
    return Limits(
        max_file_bytes=limits.zip_member_bytes,
        zip_max_members=limits.zip_max_members,
        zip_max_total_bytes=limits.zip_max_total_bytes,
        zip_max_ratio=limits.zip_max_ratio,
    )


def check_docx(data: bytes, limits: DocLimits) -> None:
    """Raise :class:`~office_agent.errors.UnsafeArchive`, ``CorruptFile`` or ``UnsafeXml`` for a package that
    must not reach python-docx; return quietly for one that may."""
    package = SafeZip(data, zip_limits(limits))
    try:
        for member in package:
            content = package.read(member)
            if member.name.lower().endswith((".xml", ".rels")) and _DTD.search(content):
                raise UnsafeXml(f"DOCX part {member.name!r} declares a DTD or entities, refused for safety")
    finally:
        package.close()


def _html_depth(data: bytes) -> int:
    """The deepest nesting of the elements HTML requires to be closed (unclosed ``<p>``, ``<li>``, ``<td>``,
    ``<font>`` are common in old portal pages and are not counted)."""
    depth = deepest = 0
    for m in _NESTING_TAG.finditer(data):
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def check_html(data: bytes, limits: DocLimits) -> None:
    """Raise :class:`~office_agent.errors.TooLarge` for a page over the size, element or nesting bound."""
    if len(data) > limits.html_max_bytes:
        raise TooLarge(
            f"HTML page is {len(data) / 2**20:.0f} MiB, over the limit of {limits.html_max_bytes // 2**20} MiB"
        )
    elements = data.count(b"<") - data.count(b"</") - data.count(b"<!")
    if elements > limits.html_max_elements:
        raise TooLarge(
            f"HTML page has about {elements:,} elements, over the limit of {limits.html_max_elements:,} "
            "(a table this long is data, not a guide: open it as a spreadsheet)"
        )
    if (depth := _html_depth(data)) > limits.html_max_depth:
        raise TooLarge(f"HTML page nests elements {depth:,} deep, over the limit of {limits.html_max_depth}")


__all__ = ["check_docx", "check_html", "zip_limits"]
