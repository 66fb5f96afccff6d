"""Invoice XML → candidates. The "declarative" path: fields map straight from elements, no layout involved.

Three schemas are known (see FORMATS.md):
- 数电 ``EInvoice`` (the tax portal's XML download, also inside bundles),
- legacy ``eInvoice`` (namespace ``http://www.edrm.org.cn/schema/e-invoice/2019``, embedded in OFDs),
- XBRL invoice instances (embedded in some OFDs).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from office_agent.extract.normalize import NormalizeError, format_rate, parse_decimal, parse_money
from office_agent.ingest.safexml import children, find_path, iter_local, local, text_at
from office_agent.models import Extraction, LineItem, Provenance, Source


def is_invoice_xml(root: ET.Element) -> bool:
    return local(root.tag) in ("EInvoice", "eInvoice", "xbrl")


def extract_invoice_xml(root: ET.Element, source: Source, detail_prefix: str = "") -> Extraction:
    """Dispatch on the root element. Raises ``ValueError`` for XML that is no known invoice schema."""
    name = local(root.tag)
    if name == "EInvoice":
        return extract_digital(root, source, detail_prefix)
    if name == "eInvoice":
        from office_agent.extract.xml_legacy import extract_legacy_einvoice

        return extract_legacy_einvoice(root, source, detail_prefix)
    if name == "xbrl":
        from office_agent.extract.xml_legacy import extract_xbrl

        return extract_xbrl(root, source, detail_prefix)
    raise ValueError(f"XML root <{name}> is not a known invoice schema")


# field -> element path below the root, first match wins
_DIGITAL_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "invoice_number": (("Header", "EIid"), ("TaxSupervisionInfo", "InvoiceNumber")),
    "issue_date": (("TaxSupervisionInfo", "IssueTime"), ("EInvoiceData", "BasicInformation", "RequestTime")),
    "seller_name": (("EInvoiceData", "SellerInformation", "SellerName"),),
    "seller_tax_id": (("EInvoiceData", "SellerInformation", "SellerIdNum"),),
    "buyer_name": (("EInvoiceData", "BuyerInformation", "BuyerName"),),
    "buyer_tax_id": (("EInvoiceData", "BuyerInformation", "BuyerIdNum"),),
    "amount_without_tax": (("EInvoiceData", "BasicInformation", "TotalAmWithoutTax"),),
    "tax_amount": (("EInvoiceData", "BasicInformation", "TotalTaxAm"),),
    "total_amount": (("EInvoiceData", "BasicInformation", "TotalTax-includedAmount"),),
    "total_amount_in_words": (("EInvoiceData", "BasicInformation", "TotalTax-includedAmountInChinese"),),
    "drawer": (("EInvoiceData", "BasicInformation", "Drawer"),),
    "remarks": (("EInvoiceData", "AdditionalInformation", "Remark"),),
}

_RED_ORIGINAL = re.compile(r"(?:被红冲|对应正数|原)\D{0,12}?(?:发票号码)?[:：]?\s*(\d{20}|\d{8})")


def extract_digital(root: ET.Element, source: Source, detail_prefix: str = "") -> Extraction:
    ext = Extraction()

    def prov(path: tuple[str, ...]) -> Provenance:
        return Provenance(source=source, confidence=1.0, detail=f"{detail_prefix}{'/'.join(path)}")

    for field, paths in _DIGITAL_FIELDS.items():
        for path in paths:
            value = text_at(root, *path)
            if value:
                ext.add(field, value, prov(path))
                break
    label = text_at(root, "Header", "InherentLabel", "GeneralOrSpecialVAT", "LabelCode")
    if label:
        ext.add(
            "title", "电子发票（增值税专用发票）" if label == "01" else "电子发票（普通发票）", prov(("InherentLabel",))
        )
    red = find_path(root, "Header", "InherentLabel", "EInvoiceType", "LabelName")
    if red is not None and red.text and "红" in red.text:
        ext.add("is_red", "true", prov(("Header", "InherentLabel", "EInvoiceType")))
    remark = ext.get("remarks") or ""
    m = _RED_ORIGINAL.search(remark)
    if m:
        ext.add("original_invoice_number", m.group(1), prov(("EInvoiceData", "AdditionalInformation", "Remark")))
    data = find_path(root, "EInvoiceData")
    if data is not None:
        ext.items = [_digital_item(el) for el in children(data, "IssuItemInformation")]
        if ext.items:
            ext.items_provenance = prov(("EInvoiceData", "IssuItemInformation"))
        toll = iter_local(data, "Toll")
        if toll and ext.items:
            plate = text_at(toll[0], "PlateNumber")
            if plate and ext.items[0].spec is None:
                ext.items[0].spec = plate
    return ext


def _digital_item(el: ET.Element) -> LineItem:
    def money(name: str) -> str | None:
        return text_at(el, name)

    try:
        return LineItem(
            name=text_at(el, "ItemName"),
            spec=text_at(el, "SpecMod"),
            unit=text_at(el, "MeaUnits"),
            quantity=parse_decimal(text_at(el, "Quantity")),
            unit_price=parse_decimal(text_at(el, "UnPrice")),
            amount=parse_money(money("Amount")),
            tax_rate=format_rate(text_at(el, "TaxRate")),
            tax_amount=parse_money(money("ComTaxAm")),
        )
    except NormalizeError:
        # A malformed number in one line costs that line's numbers, not the invoice.
        return LineItem(name=text_at(el, "ItemName"), spec=text_at(el, "SpecMod"), unit=text_at(el, "MeaUnits"))
