"""The two invoice XML schemas older than 数电: the legacy ``eInvoice`` and XBRL invoice instances.

Both arrive embedded in OFD packages (``Doc_0/Attachs/…``). Values go out as raw strings (the chain normalises
them); line items are typed here because they are read from one place only.

Legacy ``eInvoice`` (namespace ``http://www.edrm.org.cn/schema/e-invoice/2019``, prefix ``fp``; the root
itself is often left without a namespace). Facts checked against the real files in ``realdata/cn/ofd``:
- ``InvoiceCode`` (12 digits), ``InvoiceNo`` (8), ``IssueDate`` as ``2020年07月23日``,
  ``InvoiceCheckCode`` (20 digits, no spaces, unlike the printed face), ``MachineNo``;
- ``Buyer/BuyerName|BuyerTaxID``, ``Seller/SellerName|SellerTaxID`` (a 个人 buyer has an empty tax id);
- ``TaxExclusiveTotalAmount``, ``TaxTotalAmount``, ``TaxInclusiveTotalAmount``;
- ``GraphCode`` is the QR text (``01,10,code,number,amount,YYYYMMDD,check,crc[,]``);
- ``Note`` = 备注, ``InvoiceClerk`` = 开票人, ``TypeCode`` 0 = blue, 1 = red (negative) invoice;
- ``GoodsInfos/GoodsInfo``: ``Item``, ``Specification``, ``MeasurementDimension``, ``Quantity``, ``Price``,
  ``Amount``, ``TaxScheme`` (``3%``, or ``***`` for 差额征税), ``TaxAmount``. A goods-list (销货清单)
  invoice carries every list line here (100 lines in ``ofdrw_999.ofd``), not the face's
  ``(详见销货清单)`` summary line.
Elements seen only in public code, not in the real files: ``TaxInclusiveTotalAmountWithWords``,
``OriginalInvoiceCode``/``OriginalInvoiceNo``.

XBRL instances (root ``xbrli:xbrl``; the Ministry of Finance 电子凭证 taxonomy, file names such as
``inv_ord_issuer_….xml``). None of the real files holds one; the element names come from public code that
reads the issuer view (``inv:NumberOfInvoice``, ``inv:NameOfPurchaser``, the tuple
``inv:InformationOfTaxableGoodsOrServicesDetailItemsTuple``, …). Facts are the root's children, each with a
``contextRef``; tuples nest their facts.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal

from office_agent.extract.normalize import NormalizeError, format_rate, parse_decimal, parse_money
from office_agent.ingest.safexml import child, children, find_path, iter_local, local
from office_agent.models import Extraction, LineItem, Provenance, Source

log = logging.getLogger(__name__)

LEGACY_NAMESPACE = "http://www.edrm.org.cn/schema/e-invoice/2019"

# field -> element paths below the root, first non-empty one wins
_LEGACY_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "invoice_code": (("InvoiceCode",),),
    "invoice_number": (("InvoiceNo",),),
    "issue_date": (("IssueDate",),),
    "check_code": (("InvoiceCheckCode",),),
    "machine_number": (("MachineNo",),),
    "buyer_name": (("Buyer", "BuyerName"), ("BuyerName",)),
    "buyer_tax_id": (("Buyer", "BuyerTaxID"), ("BuyerTaxID",)),
    "seller_name": (("Seller", "SellerName"), ("SellerName",)),
    "seller_tax_id": (("Seller", "SellerTaxID"), ("SellerTaxID",)),
    "amount_without_tax": (("TaxExclusiveTotalAmount",),),
    "tax_amount": (("TaxTotalAmount",),),
    "total_amount": (("TaxInclusiveTotalAmount",),),
    "total_amount_in_words": (("TaxInclusiveTotalAmountWithWords",), ("TaxInclusiveTotalAmountInWords",)),
    "remarks": (("Note",),),
    "drawer": (("InvoiceClerk",),),
    "original_invoice_number": (("OriginalInvoiceNo",),),
    "title": (("InvoiceTitle",), ("Title",), ("InvoiceName",)),
}

# An invoice QR text: two-digit version and type, then code, number, amount, date, check code, trailer.
_QR_TEXT = re.compile(r"^\d{2},\d{2},[^,]*,\d{8,20},[^,]*,\d{8},")


def is_legacy_einvoice(root: ET.Element) -> bool:
    return local(root.tag) == "eInvoice"


def is_xbrl(root: ET.Element) -> bool:
    return local(root.tag) == "xbrl"


def _text(el: ET.Element | None) -> str | None:
    """Element text, stripped, or None: the real files write empty fields as white space only."""
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def _first_text(root: ET.Element, paths: tuple[tuple[str, ...], ...]) -> tuple[str, tuple[str, ...]] | None:
    for path in paths:
        value = _text(find_path(root, *path))
        if value:
            return value, path
    return None


def _typed(parse: Callable[[str | None], Decimal | None], value: str | None) -> Decimal | None:
    """One malformed number costs that cell, not the line or the invoice."""
    try:
        return parse(value)
    except NormalizeError:
        log.debug("unreadable line item value %r", value)
        return None


def _line_item(
    name: str | None,
    spec: str | None,
    unit: str | None,
    quantity: str | None,
    unit_price: str | None,
    amount: str | None,
    rate: str | None,
    tax: str | None,
) -> LineItem:
    return LineItem(
        name=name,
        spec=spec,
        unit=unit,
        quantity=_typed(parse_decimal, quantity),
        unit_price=_typed(parse_decimal, unit_price),
        amount=_typed(parse_money, amount),
        tax_rate=format_rate(rate),
        tax_amount=_typed(parse_money, tax),
    )


def extract_legacy_einvoice(root: ET.Element, provenance_source: Source, detail_prefix: str) -> Extraction:
    """Candidates and line items from a legacy ``eInvoice`` root.

    ``detail_prefix`` starts each provenance detail, e.g. ``Doc_0/Attachs/original_invoice.xml:``.
    """
    ext = Extraction()

    def prov(path: str) -> Provenance:
        return Provenance(source=provenance_source, confidence=1.0, detail=f"{detail_prefix}{path}")

    for field, paths in _LEGACY_FIELDS.items():
        found = _first_text(root, paths)
        if found:
            ext.add(field, found[0], prov("/".join(found[1])))

    graph = _text(child(root, "GraphCode"))
    if graph and _QR_TEXT.match(graph):
        # Some producers are said to put a base64 QR image here; only QR *text* is a payload.
        ext.add("qr_payload", graph, prov("GraphCode"))
        ext.add("qr_type", graph.split(",")[1], prov("GraphCode"))
    elif graph:
        log.debug("GraphCode is not QR text; ignored")

    # TypeCode 0 = 正数 (blue) invoice, 1 = 负数 (red). A negative total says the same.
    total = ext.get("total_amount") or ""
    if _text(child(root, "TypeCode")) == "1" or total.lstrip().startswith("-"):
        ext.add("is_red", "true", prov("TypeCode"))

    goods = child(root, "GoodsInfos")
    if goods is not None:
        for el in children(goods, "GoodsInfo"):
            ext.items.append(
                _line_item(
                    _text(child(el, "Item")),
                    _text(child(el, "Specification")),
                    _text(child(el, "MeasurementDimension")),
                    _text(child(el, "Quantity")),
                    _text(child(el, "Price")),
                    _text(child(el, "Amount")),
                    _text(child(el, "TaxScheme")),
                    _text(child(el, "TaxAmount")),
                )
            )
        if ext.items:
            ext.items_provenance = prov("GoodsInfos")
    return ext


# --- XBRL -------------------------------------------------------------------------------------------------

# field -> fact names (local names), first non-empty one wins
_XBRL_FIELDS: dict[str, tuple[str, ...]] = {
    "invoice_code": ("CodeOfInvoice",),
    "invoice_number": ("NumberOfInvoice",),
    "issue_date": ("DateOfIssue", "IssueDate"),
    "check_code": ("IdentifyingCode",),
    "machine_number": ("NumberOfInvoiceMachine",),
    "buyer_name": ("NameOfPurchaser",),
    "buyer_tax_id": (
        "TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfPurchaser",
        "UnifiedSocialCreditCodeOfPurchaser",
    ),
    "seller_name": ("NameOfSeller",),
    "seller_tax_id": (
        "TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfSeller",
        "UnifiedSocialCreditCodeOfSeller",
    ),
    "amount_without_tax": ("TotalAmountExcludingTax",),
    "tax_amount": ("TotalTaxAmount",),
    "total_amount": ("TaxIncludedAmountInFigures", "TotalAmount"),
    "total_amount_in_words": ("TaxIncludedAmountInWords",),
    "remarks": ("Remarks",),
    "drawer": ("Issuer",),
    "title": ("TypeOfInvoice",),  # e.g. 增值税电子普通发票
}

_XBRL_ITEM_TUPLE = "InformationOfTaxableGoodsOrServicesDetailItemsTuple"
# Item fact names: name, amount, rate and tax are seen in public code; the others are matched by prefix
# because no sample showing them was available.
_XBRL_ITEM_EXACT = {
    "NameOfTaxableGoodsOrServices": "name",
    "AmountExcludingTax": "amount",
    "TaxRate": "tax_rate",
    "TaxAmount": "tax_amount",
}
_XBRL_ITEM_PREFIX = (
    ("UnitPrice", "unit_price"),
    ("Specification", "spec"),
    ("UnitOfMeasure", "unit"),
    ("MeasurementUnit", "unit"),
    ("Quantity", "quantity"),
)
_TRUE = {"true", "1", "y", "yes", "是"}


def _xbrl_item(tup: ET.Element) -> LineItem:
    cells: dict[str, str] = {}
    for el in tup:
        name = local(el.tag)
        key = _XBRL_ITEM_EXACT.get(name)
        if key is None:
            key = next((k for prefix, k in _XBRL_ITEM_PREFIX if name.startswith(prefix)), None)
        value = _text(el)
        if key and value and key not in cells:
            cells[key] = value
    return _line_item(
        cells.get("name"),
        cells.get("spec"),
        cells.get("unit"),
        cells.get("quantity"),
        cells.get("unit_price"),
        cells.get("amount"),
        cells.get("tax_rate"),
        cells.get("tax_amount"),
    )


def extract_xbrl(root: ET.Element, provenance_source: Source, detail_prefix: str) -> Extraction:
    """Candidates and line items from an XBRL invoice instance (MOF 电子凭证 taxonomy, issuer view)."""
    ext = Extraction()

    def prov(name: str) -> Provenance:
        return Provenance(source=provenance_source, confidence=1.0, detail=f"{detail_prefix}{name}")

    facts: dict[str, str] = {}
    for el in root:  # facts are the root's children; contexts and units carry no invoice data
        value = _text(el)
        if value:
            facts.setdefault(local(el.tag), value)

    for field, names in _XBRL_FIELDS.items():
        for name in names:
            if name in facts:
                ext.add(field, facts[name], prov(name))
                break
    for name, value in facts.items():
        if name.startswith("WhetherInvoiceIsRed") and value.lower() in _TRUE:
            ext.add("is_red", "true", prov(name))
            break

    ext.items = [_xbrl_item(tup) for tup in iter_local(root, _XBRL_ITEM_TUPLE)]
    if ext.items:
        ext.items_provenance = prov(_XBRL_ITEM_TUPLE)
    return ext
