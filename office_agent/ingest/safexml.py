"""XML parsing that refuses DTDs, entity declarations and external references (XXE, billion laughs).

defusedxml's lxml-free ElementTree parser does the refusing; the tree is the standard library's, which is all
the invoice readers need. Namespaces are kept; :func:`local` strips them for schema-agnostic lookups.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import CorruptFile, TooLarge, UnsafeXml

_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_GBK_FAMILY = (b"gbk", b"gb2312", b"gb18030", b"cp936")
_UTF8_NAMES = (b"utf-8", b"utf8", b"us-ascii", b"ascii")


def parse_xml(data: bytes, what: str = "XML", limits: Limits = DEFAULT_LIMITS) -> ET.Element:
    """Parse untrusted XML. DTDs and entity declarations are refused; GBK-declared text (common in Chinese
    packages, and refused by expat) is re-encoded as UTF-8 first; an unknown encoding is a corrupt file.
    """
    if len(data) > limits.xml_max_bytes:
        raise TooLarge(f"{what} is {len(data):,} bytes, over the limit of {limits.xml_max_bytes:,}")
    m = _DECLARED_ENCODING.match(data)
    declared = m.group(1).lower() if m else None
    if declared in _GBK_FAMILY and m is not None:
        try:
            data = data[: m.start(1)] + b"UTF-8" + data[m.end(1) :].decode("gb18030").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorruptFile(f"{what} is not valid {m.group(1).decode()} text") from exc
        declared = b"utf-8"
    if _plain_utf8(data, declared):
        # Fast path: without a DOCTYPE no entity can be declared, so the C parser is as safe as defusedxml's
        # checks and several times faster. Only for UTF-8/ASCII bytes, where that byte search cannot be fooled.
        try:
            return ET.fromstring(data)
        except ET.ParseError as exc:
            raise CorruptFile(f"{what} is not well-formed XML ({exc})") from exc
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(f"{what} declares a DTD or entities, refused for safety ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise CorruptFile(f"{what} is not well-formed XML ({exc})") from exc
    except LookupError as exc:  # an encoding name Python does not know
        raise CorruptFile(f"{what} declares an unknown encoding ({exc})") from exc
    except ValueError as exc:  # expat: "multi-byte encodings are not supported"
        raise CorruptFile(f"{what} cannot be decoded ({exc})") from exc


def _plain_utf8(data: bytes, declared: bytes | None) -> bool:
    if declared is not None and declared not in _UTF8_NAMES:
        return False
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:64]:
        return False  # UTF-16/32: a byte search for "<!DOCTYPE" would miss it
    return b"<!DOCTYPE" not in data and b"<!ENTITY" not in data


def local(tag: str) -> str:
    """``{http://www.ofdspec.org/2016}CustomData`` → ``CustomData``."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag.split(":")[-1]


def child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if local(c.tag) == name]


def find_path(el: ET.Element, *names: str) -> ET.Element | None:
    """Follow child names ignoring namespaces: ``find_path(root, "EInvoiceData", "BuyerInformation")``."""
    cur: ET.Element | None = el
    for name in names:
        if cur is None:
            return None
        cur = child(cur, name)
    return cur


def text_at(el: ET.Element, *names: str) -> str | None:
    found = find_path(el, *names)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def iter_local(el: ET.Element, name: str) -> list[ET.Element]:
    """Every descendant with that local name, at any depth."""
    return [e for e in el.iter() if local(e.tag) == name]
