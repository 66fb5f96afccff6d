"""The output contract: one flat record per invoice (README "Output contract"). Keys may be added, never renamed.

Money is a decimal string with two places (minus sign for red invoices); dates are ``YYYY-MM-DD``; absent values
are ``null``, never ``""``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from office_agent.extract.inputvat import passenger_input_vat
from office_agent.extract.normalize import format_money
from office_agent.models import FileResult, Invoice, LineItem

CONTRACT_KEYS = (
    "source", "sha256", "page", "invoice_kind", "invoice_code", "invoice_number", "issue_date", "check_code",
    "buyer_name", "buyer_tax_id", "seller_name", "seller_tax_id", "amount_without_tax", "tax_amount",
    "total_amount", "total_amount_in_words", "currency", "items", "category", "remarks", "qr_payload", "status",
    "errors", "provenance", *("seller_address", "seller_phone", "seller_registration", "seller_tax_registration"),
)  # fmt: skip


def _number(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def item_record(item: LineItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "spec": item.spec,
        "unit": item.unit,
        "quantity": _number(item.quantity),
        "unit_price": _number(item.unit_price),
        "amount": format_money(item.amount),
        "tax_rate": item.tax_rate,
        "tax_amount": format_money(item.tax_amount),
    }


def invoice_record(inv: Invoice) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "source": inv.source,
        "sha256": inv.sha256,
        "page": inv.page,
        "invoice_kind": inv.invoice_kind.value,
        "invoice_code": inv.invoice_code,
        "invoice_number": inv.invoice_number,
        "issue_date": inv.issue_date.isoformat() if inv.issue_date else None,
        "check_code": inv.check_code,
        "buyer_name": inv.buyer_name,
        "buyer_tax_id": inv.buyer_tax_id,
        "seller_name": inv.seller_name,
        "seller_tax_id": inv.seller_tax_id,
        "seller_address": inv.seller_address,  # foreign receipts: the seller's address, phone and registrations
        "seller_phone": inv.seller_phone,
        "seller_registration": inv.seller_registration,
        "seller_tax_registration": inv.seller_tax_registration,
        "amount_without_tax": format_money(inv.amount_without_tax),
        "tax_amount": format_money(inv.tax_amount),
        "total_amount": format_money(inv.total_amount),
        "total_amount_in_words": inv.total_amount_in_words,
        "currency": inv.currency,
        "items": [item_record(i) for i in inv.items],
        "category": inv.category,
        "remarks": inv.remarks,
        "qr_payload": inv.qr_payload,
        "status": inv.status.value,
        "errors": [f"{e.stage}: {e.message}" for e in inv.errors],
        "provenance": {k: p.model_dump(mode="json", exclude_none=True) for k, p in inv.provenance.items()},
        "title": inv.title,
        "machine_number": inv.machine_number,
        "drawer": inv.drawer,
        "is_red": inv.is_red,
        "original_invoice_number": inv.original_invoice_number,
        "format": inv.format.value if inv.format else None,
        "sources": inv.sources,
        "duplicate_of": inv.duplicate_of,
        "checks": [c.model_dump(mode="json") for c in inv.checks],
        "warnings": inv.warnings,
        "alternatives": {
            k: [a.model_dump(mode="json", exclude_none=True) for a in v] for k, v in inv.alternatives.items()
        },
        "reverses": inv.reverses,
        "reversed_by": inv.reversed_by or None,
        "supports": inv.supports,
        "trip": trip_record(inv),
    }
    return rec


TRIP_FIELDS = (
    "passenger", "route", "travel_date", "trip_number", "seat_class", "fare", "vehicle_plate", "pickup_time",
    "dropoff_time", "unit_price", "distance_km",
)  # fmt: skip


def trip_record(inv: Invoice) -> dict[str, str] | None:
    """Tickets, itineraries and taxi receipts: their travel fields (only those read); None on other records."""
    out: dict[str, str] = {}
    for name in TRIP_FIELDS:
        v = getattr(inv, name)
        if v is not None:
            out[name] = v.isoformat() if hasattr(v, "isoformat") else (format(v, "f") if isinstance(v, Decimal) else v)
    vat = passenger_input_vat(inv)
    if vat is not None:  # 旅客运输服务: the deductible input tax and how it was found (docs/tickets.md)
        out["input_vat"], out["input_vat_basis"] = format_money(vat.amount) or "", vat.basis
    return out or None


def failure_record(result: FileResult) -> dict[str, Any]:
    """A file that gave no invoice still appears in the output, so nothing is silently lost."""
    rec: dict[str, Any] = {k: None for k in CONTRACT_KEYS}
    rec.update(
        source=result.source,
        sha256=result.sha256,
        page=None,
        invoice_kind=None,
        currency=None,
        items=[],
        status=result.status.value,
        errors=[result.reason or result.status.value],
        provenance={},
        format=result.format.value,
    )
    return rec


def iter_records(invoices: Iterable[Invoice], failures: Iterable[FileResult] = ()) -> Iterator[dict[str, Any]]:
    for inv in invoices:
        yield invoice_record(inv)
    for f in failures:
        yield failure_record(f)


def write_jsonl(records: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    n = 0
    for rec in records:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_json(records: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    rows = list(records)
    json.dump(rows, fh, ensure_ascii=False, indent=2)
    fh.write("\n")
    return len(rows)


CSV_FIELDS = (*tuple(k for k in CONTRACT_KEYS if k not in ("items", "provenance")), "duplicate_of", "item_count")


def csv_safe(value: Any) -> str:
    """Cell text that no spreadsheet will run as a formula (``=``, ``+``, ``-``, ``@`` and control characters)."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if s and s[0] in "=+-@\t\r" and not _is_plain_number(s):
        return "'" + s
    return s


def _is_plain_number(s: str) -> bool:
    try:
        Decimal(s)
    except ArithmeticError:
        return False
    return s.lstrip("+-").replace(".", "", 1).isdigit()


def write_csv(records: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """UTF-8 with a BOM (the caller opens ``fh`` with ``encoding='utf-8-sig'``) so Excel reads Chinese right."""
    writer = csv.writer(fh)
    writer.writerow(CSV_FIELDS)
    n = 0
    for rec in records:
        row = dict(rec)
        row["item_count"] = len(rec.get("items") or [])
        row["errors"] = "; ".join(rec.get("errors") or []) or None
        row["duplicate_of"] = (rec.get("duplicate_of") or {}).get("source")
        writer.writerow([csv_safe(row.get(k)) for k in CSV_FIELDS])
        n += 1
    return n
