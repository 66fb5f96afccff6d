"""XML parsing that refuses DTDs, entity declarations and external references (XXE, billion laughs).

defusedxml's lxml-free ElementTree parser does the refusing; the tree is the standard library's, which is all
the invoice readers need. Namespaces are kept; :func:`local` strips them for schema-agnostic lookups.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import CorruptFile, TooLarge, UnsafeXml


def parse_xml(data: bytes, what: str = "XML", limits: Limits = DEFAULT_LIMITS) -> ET.Element:
    if len(data) > limits.xml_max_bytes:
        raise TooLarge(f"{what} is {len(data):,} bytes, over the limit of {limits.xml_max_bytes:,}")
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(f"{what} declares a DTD or entities, refused for safety ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise CorruptFile(f"{what} is not well-formed XML ({exc})") from exc


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
