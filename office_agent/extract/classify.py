"""What kind of document a record is (from its printed title, the QR type code and the number's shape),
and which reimbursement category it belongs to (from the tax-classification prefix of its line items).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from office_agent.extract.qrpayload import QR_TYPE_HINTS
from office_agent.models import Invoice, InvoiceKind

# Checked in order; the first matching pattern on the printed title decides.
_TITLE_RULES: tuple[tuple[re.Pattern[str], InvoiceKind], ...] = (
    # A taxi receipt carries a code and a number like a VAT invoice, but it is none of the contract's VAT kinds.
    (re.compile(r"出租(?:汽)?车.{0,6}?(?:发票|票据|车票)|的士.{0,4}发票"), InvoiceKind.OTHER),
    (re.compile(r"铁路电子客票"), InvoiceKind.RAILWAY_TICKET),
    (re.compile(r"航空运输电子客票行程单"), InvoiceKind.FLIGHT_ITINERARY),
    (re.compile(r"行程单"), InvoiceKind.RIDE_ITINERARY),
    # OCR may lose the ) or both brackets (电子发票 | 增值税专用发票), or read the （ twice (电子发票((…): no paper
    # title starts with 电子发票
    (re.compile(r"^电子发票[(（]{0,2}增值税专用发票(?:[)）]|$)"), InvoiceKind.DIGITAL_SPECIAL),
    (re.compile(r"^电子发票[(（]{0,2}普通发票(?:[)）]|$)"), InvoiceKind.DIGITAL_GENERAL),
    (re.compile(r"增值税电子专用发票"), InvoiceKind.VAT_ELECTRONIC_SPECIAL),
    (re.compile(r"增值税电子普通发票"), InvoiceKind.VAT_ELECTRONIC_GENERAL),
    (re.compile(r"增值税专用发票"), InvoiceKind.VAT_SPECIAL),
    (re.compile(r"增值税普通发票"), InvoiceKind.VAT_GENERAL),
)


def classify_kind(inv: Invoice) -> InvoiceKind:
    if inv.currency != "CNY" and inv.invoice_kind in (InvoiceKind.OTHER, InvoiceKind.RECEIPT):
        return InvoiceKind.RECEIPT  # a foreign receipt: no fapiao title, a foreign currency
    title = inv.title or ""
    for pattern, kind in _TITLE_RULES:
        if pattern.search(title):
            # A 数电 title on a page without the 20-digit number is still trusted: the title is the authority.
            return kind
    qr_type = inv.qr_payload.split(",")[1] if inv.qr_payload and inv.qr_payload.count(",") >= 2 else None
    if qr_type in QR_TYPE_HINTS:
        return InvoiceKind(QR_TYPE_HINTS[qr_type])
    if inv.invoice_number and len(inv.invoice_number) == 20:
        return InvoiceKind.DIGITAL_GENERAL
    if inv.invoice_code and inv.invoice_number:
        return InvoiceKind.VAT_ELECTRONIC_GENERAL
    return InvoiceKind.OTHER


@dataclass(frozen=True)
class CategoryRule:
    name: str
    en: str
    prefixes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategoryRules:
    rules: tuple[CategoryRule, ...]
    fallback: str = "其他"
    english: dict[str, str] = field(default_factory=dict)

    def match(self, item_name: str) -> str | None:
        m = re.match(r"^\*([^*]+)\*", item_name)
        prefix = m.group(1) if m else None
        for rule in self.rules:
            if prefix and any(prefix.startswith(p) for p in rule.prefixes):
                return rule.name
            if any(k in item_name for k in rule.keywords):
                return rule.name
        return None


@lru_cache(maxsize=8)
def load_category_rules(path: str | None = None) -> CategoryRules:
    """Read the YAML rules: the packaged file, or the user's own (``--categories``)."""
    if path is None:
        text = resources.files("office_agent").joinpath("data/categories.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    raw = yaml.safe_load(text) or {}
    rules = []
    for entry in raw.get("categories", []):
        rules.append(
            CategoryRule(
                name=str(entry["name"]),
                en=str(entry.get("en", entry["name"])),
                prefixes=tuple(str(p) for p in entry.get("prefixes", []) or []),
                keywords=tuple(str(k) for k in entry.get("keywords", []) or []),
            )
        )
    fallback = rules[-1].name if rules and not rules[-1].prefixes and not rules[-1].keywords else "其他"
    return CategoryRules(tuple(rules), fallback, {r.name: r.en for r in rules})


def classify_category(inv: Invoice, rules: CategoryRules | None = None) -> str:
    """The category of the invoice's largest line (by absolute amount); else the printed title's (a taxi receipt
    has no lines); the fallback when nothing matches."""
    rules = rules or load_category_rules()
    items = sorted(inv.items, key=lambda i: abs(i.amount) if i.amount is not None else 0, reverse=True)
    for item in items:
        if item.name:
            found = rules.match(item.name)
            if found:
                return found
    if not inv.items and inv.title:
        return rules.match(inv.title) or rules.fallback
    return rules.fallback
