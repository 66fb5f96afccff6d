"""Invoice records and workbook readers for the ledger, report and notebook tests (no files needed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from office_agent.models import (
    BatchResult,
    Check,
    DocFormat,
    FileResult,
    Invoice,
    InvoiceKind,
    LineItem,
    Provenance,
    Source,
    Status,
)

OUR_COMPANY = ("上海乙有限公司", "91310115MA1H9HD02E")


def make_invoice(
    number: str,
    total: str,
    *,
    date: str | None = "2025-03-04",
    category: str | None = "餐饮",
    seller: str = "杭州甲科技有限公司",
    buyer: str = OUR_COMPANY[0],
    buyer_tax_id: str | None = OUR_COMPANY[1],
    source: str | None = None,
    duplicate_of: str | None = None,
    red: bool = False,
    failed_check: str | None = None,
    confidence: float = 0.95,
    item_name: str = "*餐饮服务*餐费",
) -> Invoice:
    amount = (Decimal(total) / Decimal("1.06")).quantize(Decimal("0.01"))
    tax = Decimal(total) - amount
    src = source or f"in/{number}.pdf"
    checks = [Check(name="amount_plus_tax", passed=True, detail="ok")]
    if failed_check:
        checks.append(Check(name=failed_check, passed=False, detail="lines sum to 1.00, header says 2.00"))
    bbox = (100.0, 50.0, 200.0, 62.0)
    inv = Invoice(
        source=src,
        sha256=f"sha-{src}",
        sources=[src],
        format=DocFormat.PDF,
        invoice_kind=InvoiceKind.DIGITAL_GENERAL,
        invoice_number=number,
        issue_date=dt.date.fromisoformat(date) if date else None,
        seller_name=seller,
        seller_tax_id="91610132688983884K",
        buyer_name=buyer,
        buyer_tax_id=buyer_tax_id,
        amount_without_tax=amount,
        tax_amount=tax,
        total_amount=Decimal(total),
        category=category,
        items=[LineItem(name=item_name, amount=amount, tax_rate="6%", tax_amount=tax)],
        is_red=red,
        checks=checks,
        status=Status.PARTIAL if failed_check else Status.OK,
        provenance={
            "invoice_number": Provenance(source=Source.TEXT, page=1, bbox=bbox, confidence=0.95),
            "total_amount": Provenance(
                source=Source.OCR, page=1, bbox=(300.0, 300.0, 380.0, 312.0), confidence=confidence
            ),
        },
    )
    if duplicate_of:
        inv.duplicate_of = {"source": duplicate_of, "sha256": f"sha-{duplicate_of}"}
    return inv


def batch(invoices: Sequence[Invoice], files: Sequence[FileResult] = ()) -> BatchResult:
    ok = [
        FileResult(source=i.source, sha256=i.sha256, format=DocFormat.PDF, status=i.status, invoices=[i])
        for i in invoices
    ]
    return BatchResult(files=[*ok, *files], invoices=list(invoices))


def sheet_rows(ws: Worksheet) -> list[dict[str, Any]]:
    """Rows below the header as dicts, up to the first empty row."""
    header = [c.value for c in ws[1]]
    out = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        if all(v is None for v in row):
            break
        out.append(dict(zip(header, row, strict=False)))
    return out


def all_values(path: Path, skip: frozenset[tuple[str, str]] = frozenset()) -> dict[tuple[str, str], Any]:
    """Every cell value in the workbook, keyed by (sheet, coordinate)."""
    wb = load_workbook(path)
    return {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None and (ws.title, c.coordinate) not in skip
    }
